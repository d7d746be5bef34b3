// cpu_features.h — what this CPU and OS can execute, read once from cpuid + xgetbv.
#pragma once

#include <string>

namespace pyllm {

struct CpuFeatures {
    std::string vendor;       // "AuthenticAMD", "GenuineIntel", "" on non-x86
    std::string brand;        // marketing name, if the CPU reports one
    bool x86 = false;
    bool sse42 = false, avx = false, avx2 = false, fma = false, f16c = false, bmi2 = false;
    bool avx512f = false, avx512bw = false, avx512vl = false, avx512dq = false;
    bool avx512vnni = false, avx512bf16 = false, avxvnni = false;
    bool os_avx = false;     // XCR0 enables YMM state
    bool os_avx512 = false;  // XCR0 enables opmask + ZMM state
    int physical_cores = 1;  // best effort; >= 1
    int logical_cpus = 1;    // >= 1
};

// Detected once on first call (thread-safe).
const CpuFeatures& cpu_features();

}  // namespace pyllm
