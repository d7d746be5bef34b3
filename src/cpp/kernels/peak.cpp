#include "kernels/peak.h"

#include "common/error.h"
#include "kernels/dispatch.h"

namespace pyllm {

#ifdef PYLLM_HAVE_X86_KERNELS
int64_t simd_peak_avx2(int kind, int64_t iters);  // peak_avx2.cpp
#endif

int64_t simd_peak_run(PeakKind kind, int64_t iters) {
    // 2^34 iterations already take about a minute: more is a mistake, not a measurement
    PYLLM_CHECK(iters >= 0 && iters <= (int64_t(1) << 34), InvalidArgument, "iters must be in [0, 2^34], got ", iters);
#ifdef PYLLM_HAVE_X86_KERNELS
    if (kernels_for(Isa::AVX2) != nullptr) {
        PYLLM_CHECK(kind == PeakKind::Int8Pair || kind == PeakKind::F32Fma, InvalidArgument, "unknown peak kind ",
                    static_cast<int>(kind));
        return simd_peak_avx2(static_cast<int>(kind), iters);
    }
#endif
    throw NotImplemented("the peak loops need the AVX2 level, which this CPU (or build) does not have");
}

}  // namespace pyllm
