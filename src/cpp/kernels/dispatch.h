// dispatch.h — choose the kernel table once per process.
//
// Order: PYLLM_ISA (scalar|avx2|avx512|auto) if set, else the best level this CPU and OS support.
// A level that is requested but not supported falls back to the best supported level below it and
// records a warning (surfaced by Python as a RuntimeWarning at import). An unknown PYLLM_ISA value
// throws InvalidArgument (import fails with a message listing the valid values).
#pragma once

#include <string>
#include <vector>

#include "kernels/kernels.h"

namespace pyllm {

// The active table (chosen on first call, thread-safe).
const KernelTable& kernels();
// The table for a level if it is compiled in AND this CPU supports it; nullptr otherwise.
const KernelTable* kernels_for(Isa isa);
// Levels usable on this machine, scalar first.
std::vector<Isa> available_isas();
// Parse "scalar" / "avx2" / "avx512"; throws InvalidArgument naming the value.
Isa parse_isa(const std::string& name);
// Warning produced while choosing (empty if none).
const std::string& dispatch_warning();

}  // namespace pyllm
