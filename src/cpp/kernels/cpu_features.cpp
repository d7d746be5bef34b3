#include "kernels/cpu_features.h"

#include <cstdint>
#include <cstring>
#include <fstream>
#include <set>
#include <thread>
#include <utility>

#if defined(__x86_64__) || defined(__i386__) || defined(_M_X64)
#define PYLLM_X86_HOST 1
#if defined(_MSC_VER)
#include <intrin.h>
#else
#include <cpuid.h>
#endif
#endif

#if defined(__APPLE__)
#include <sys/sysctl.h>
#endif

namespace pyllm {

namespace {

#ifdef PYLLM_X86_HOST
void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4]) {
#if defined(_MSC_VER)
    __cpuidex(reinterpret_cast<int*>(r), (int)leaf, (int)sub);
#else
    __cpuid_count(leaf, sub, r[0], r[1], r[2], r[3]);
#endif
}

uint64_t xgetbv0() {
#if defined(_MSC_VER)
    return _xgetbv(0);
#else
    uint32_t eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((uint64_t)edx << 32) | eax;
#endif
}

void detect_x86(CpuFeatures& f) {
    f.x86 = true;
    uint32_t r[4];
    cpuid(0, 0, r);
    uint32_t max_leaf = r[0];
    char vendor[13];
    std::memcpy(vendor + 0, &r[1], 4);
    std::memcpy(vendor + 4, &r[3], 4);
    std::memcpy(vendor + 8, &r[2], 4);
    vendor[12] = 0;
    f.vendor = vendor;

    cpuid(1, 0, r);
    const uint32_t ecx1 = r[2];
    f.sse42 = ecx1 & (1u << 20);
    f.fma = ecx1 & (1u << 12);
    f.f16c = ecx1 & (1u << 29);
    const bool osxsave = ecx1 & (1u << 27);
    const bool cpu_avx = ecx1 & (1u << 28);
    uint64_t xcr0 = osxsave ? xgetbv0() : 0;
    f.os_avx = osxsave && (xcr0 & 0x6) == 0x6;            // XMM + YMM state
    f.os_avx512 = f.os_avx && (xcr0 & 0xe0) == 0xe0;      // opmask + ZMM_Hi256 + Hi16_ZMM
    f.avx = cpu_avx && f.os_avx;
    f.fma = f.fma && f.os_avx;
    f.f16c = f.f16c && f.os_avx;

    if (max_leaf >= 7) {
        cpuid(7, 0, r);
        const uint32_t ebx7 = r[1], ecx7 = r[2];
        f.avx2 = (ebx7 & (1u << 5)) && f.os_avx;
        f.bmi2 = ebx7 & (1u << 8);
        f.avx512f = (ebx7 & (1u << 16)) && f.os_avx512;
        f.avx512dq = (ebx7 & (1u << 17)) && f.os_avx512;
        f.avx512bw = (ebx7 & (1u << 30)) && f.os_avx512;
        f.avx512vl = (ebx7 & (1u << 31)) && f.os_avx512;
        f.avx512vnni = (ecx7 & (1u << 11)) && f.os_avx512;
        const uint32_t max_sub = r[0];
        if (max_sub >= 1) {
            cpuid(7, 1, r);
            f.avx512bf16 = (r[0] & (1u << 5)) && f.os_avx512;
            f.avxvnni = (r[0] & (1u << 4)) && f.os_avx;
        }
    }

    cpuid(0x80000000u, 0, r);
    if (r[0] >= 0x80000004u) {
        char brand[49] = {0};
        for (uint32_t i = 0; i < 3; ++i) {
            cpuid(0x80000002u + i, 0, r);
            std::memcpy(brand + 16 * i, r, 16);
        }
        std::string b(brand);
        size_t s = b.find_first_not_of(' ');
        f.brand = s == std::string::npos ? "" : b.substr(s);
        while (!f.brand.empty() && f.brand.back() == ' ') f.brand.pop_back();
    }
}
#endif

int count_physical_cores(int logical) {
#if defined(__linux__)
    // Unique (package, core) pairs over the online CPUs' topology.
    std::set<std::pair<int, int>> cores;
    for (int cpu = 0; cpu < 4096; ++cpu) {
        std::string base = "/sys/devices/system/cpu/cpu" + std::to_string(cpu) + "/topology/";
        std::ifstream core(base + "core_id"), pkg(base + "physical_package_id");
        if (!core) {
            if (cpu >= logical) break;
            continue;
        }
        int c = -1, p = 0;
        core >> c;
        if (pkg) pkg >> p;
        cores.emplace(p, c);
    }
    if (!cores.empty()) return (int)cores.size();
#elif defined(__APPLE__)
    int n = 0;
    size_t len = sizeof(n);
    if (sysctlbyname("hw.physicalcpu", &n, &len, nullptr, 0) == 0 && n > 0) return n;
#endif
    return logical;
}

CpuFeatures detect() {
    CpuFeatures f;
#ifdef PYLLM_X86_HOST
    detect_x86(f);
#endif
    unsigned hc = std::thread::hardware_concurrency();
    f.logical_cpus = hc > 0 ? (int)hc : 1;
    f.physical_cores = count_physical_cores(f.logical_cpus);
    if (f.physical_cores < 1) f.physical_cores = 1;
    if (f.physical_cores > f.logical_cpus) f.physical_cores = f.logical_cpus;
    return f;
}

}  // namespace

const CpuFeatures& cpu_features() {
    static const CpuFeatures f = detect();
    return f;
}

}  // namespace pyllm
