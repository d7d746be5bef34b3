#include "kernels/dispatch.h"

#include <cstdlib>

#include "common/error.h"
#include "kernels/cpu_features.h"

namespace pyllm {

#ifndef PYLLM_HAVE_X86_KERNELS
// Non-x86 builds: the ISA files are not compiled; these stand in for their getters.
const KernelTable* kernel_table_avx2() { return nullptr; }
const KernelTable* kernel_table_avx512() { return nullptr; }
#endif

const char* isa_name(Isa isa) {
    switch (isa) {
        case Isa::Scalar: return "scalar";
        case Isa::AVX2: return "avx2";
        case Isa::AVX512: return "avx512";
    }
    return "?";
}

Isa parse_isa(const std::string& name) {
    for (int i = 0; i < kIsaCount; ++i)
        if (name == isa_name(static_cast<Isa>(i))) return static_cast<Isa>(i);
    throw InvalidArgument(str("unknown instruction set '", name, "' (valid: scalar, avx2, avx512, auto)"));
}

namespace {

bool supported(Isa isa) {
    const CpuFeatures& f = cpu_features();
    switch (isa) {
        case Isa::Scalar: return true;
        case Isa::AVX2: return f.avx2 && f.fma && f.f16c && f.bmi2;
        case Isa::AVX512:
            return supported(Isa::AVX2) && f.avx512f && f.avx512bw && f.avx512vl && f.avx512dq && f.avx512vnni;
    }
    return false;
}

const KernelTable* compiled(Isa isa) {
    switch (isa) {
        case Isa::Scalar: return kernel_table_scalar();
        case Isa::AVX2: return kernel_table_avx2();
        case Isa::AVX512: return kernel_table_avx512();
    }
    return nullptr;
}

struct Choice {
    const KernelTable* table = nullptr;
    std::string warning;
};

Choice choose() {
    Choice c;
    int want = kIsaCount - 1;
    const char* env = std::getenv("PYLLM_ISA");
    bool forced = env && *env && std::string(env) != "auto";
    if (forced) want = static_cast<int>(parse_isa(env));
    for (int i = want; i >= 0; --i) {
        Isa isa = static_cast<Isa>(i);
        if (supported(isa) && compiled(isa)) {
            c.table = compiled(isa);
            break;
        }
    }
    if (forced && c.table->isa != static_cast<Isa>(want))
        c.warning = str("PYLLM_ISA=", env, " is not supported by this CPU/OS/build; using ", isa_name(c.table->isa));
    return c;
}

const Choice& choice() {
    static const Choice c = choose();
    return c;
}

}  // namespace

const KernelTable& kernels() { return *choice().table; }
const std::string& dispatch_warning() { return choice().warning; }

const KernelTable* kernels_for(Isa isa) { return supported(isa) ? compiled(isa) : nullptr; }

std::vector<Isa> available_isas() {
    std::vector<Isa> out;
    for (int i = 0; i < kIsaCount; ++i)
        if (kernels_for(static_cast<Isa>(i))) out.push_back(static_cast<Isa>(i));
    return out;
}

}  // namespace pyllm
