// peak_avx2.cpp — the AVX2 loops of peak.h. Compiled with the AVX2 flags (kernels.h rules: nothing
// but intrinsics and plain loops, all in an anonymous namespace except the one entry point, which
// peak.cpp calls only where AVX2 is available).
#include <immintrin.h>

#include <cstdint>

namespace pyllm {

namespace {

// 8 chains of acc = acc + maddubs(a, b ^ acc): the xor makes each step depend on its chain, as the
// panels' sums do, without adding a multiply.
int64_t int8_pairs(int64_t iters) {
    const __m256i a = _mm256_set1_epi8(3), b = _mm256_set1_epi8(5);
    __m256i c0 = _mm256_set1_epi16(0), c1 = _mm256_set1_epi16(1), c2 = _mm256_set1_epi16(2), c3 = _mm256_set1_epi16(3);
    __m256i c4 = _mm256_set1_epi16(4), c5 = _mm256_set1_epi16(5), c6 = _mm256_set1_epi16(6), c7 = _mm256_set1_epi16(7);
    for (int64_t i = 0; i < iters; ++i) {
        c0 = _mm256_add_epi16(c0, _mm256_maddubs_epi16(a, _mm256_xor_si256(b, c0)));
        c1 = _mm256_add_epi16(c1, _mm256_maddubs_epi16(a, _mm256_xor_si256(b, c1)));
        c2 = _mm256_add_epi16(c2, _mm256_maddubs_epi16(a, _mm256_xor_si256(b, c2)));
        c3 = _mm256_add_epi16(c3, _mm256_maddubs_epi16(a, _mm256_xor_si256(b, c3)));
        c4 = _mm256_add_epi16(c4, _mm256_maddubs_epi16(a, _mm256_xor_si256(b, c4)));
        c5 = _mm256_add_epi16(c5, _mm256_maddubs_epi16(a, _mm256_xor_si256(b, c5)));
        c6 = _mm256_add_epi16(c6, _mm256_maddubs_epi16(a, _mm256_xor_si256(b, c6)));
        c7 = _mm256_add_epi16(c7, _mm256_maddubs_epi16(a, _mm256_xor_si256(b, c7)));
    }
    const __m256i s = _mm256_add_epi16(_mm256_add_epi16(_mm256_add_epi16(c0, c1), _mm256_add_epi16(c2, c3)),
                                       _mm256_add_epi16(_mm256_add_epi16(c4, c5), _mm256_add_epi16(c6, c7)));
    return _mm256_extract_epi16(s, 0);
}

// 8 chains of acc = acc * a + b.
int64_t fma_chains(int64_t iters) {
    const __m256 a = _mm256_set1_ps(0.999f), b = _mm256_set1_ps(0.001f);
    __m256 c0 = _mm256_set1_ps(0.f), c1 = _mm256_set1_ps(1.f), c2 = _mm256_set1_ps(2.f), c3 = _mm256_set1_ps(3.f);
    __m256 c4 = _mm256_set1_ps(4.f), c5 = _mm256_set1_ps(5.f), c6 = _mm256_set1_ps(6.f), c7 = _mm256_set1_ps(7.f);
    for (int64_t i = 0; i < iters; ++i) {
        c0 = _mm256_fmadd_ps(c0, a, b); c1 = _mm256_fmadd_ps(c1, a, b);
        c2 = _mm256_fmadd_ps(c2, a, b); c3 = _mm256_fmadd_ps(c3, a, b);
        c4 = _mm256_fmadd_ps(c4, a, b); c5 = _mm256_fmadd_ps(c5, a, b);
        c6 = _mm256_fmadd_ps(c6, a, b); c7 = _mm256_fmadd_ps(c7, a, b);
    }
    const __m256 s = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(c0, c1), _mm256_add_ps(c2, c3)),
                                   _mm256_add_ps(_mm256_add_ps(c4, c5), _mm256_add_ps(c6, c7)));
    return (int64_t)_mm256_cvtss_f32(s);
}

}  // namespace

// kind 0: int8_pairs, 1: fma_chains (peak.h PeakKind).
int64_t simd_peak_avx2(int kind, int64_t iters) { return kind == 0 ? int8_pairs(iters) : fma_chains(iters); }

}  // namespace pyllm
