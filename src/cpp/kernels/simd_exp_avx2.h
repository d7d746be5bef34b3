// simd_exp_avx2.h — e^x on 8 float lanes (AVX2 + FMA), for the per-ISA *_avx2.cpp files only
// (static inline: each includer gets its own copy, compiled with its own flags; kernels/kernels.h rules).
//
// Range reduction n = round(t·log2 e), r = t - n·ln2 (ln2 in two parts, the high part exact in n·ln2),
// a degree-6 Taylor polynomial on |r| <= ln2/2 (truncation < 2e-8 relative), then 2^n through the
// exponent bits. t is clamped to [-87, 88] so 2^n stays a normal float.
#pragma once

#include <immintrin.h>

namespace pyllm {

static inline __m256 exp8_avx2(__m256 t) {
    t = _mm256_min_ps(_mm256_max_ps(t, _mm256_set1_ps(-87.0f)), _mm256_set1_ps(88.0f));
    const __m256 n = _mm256_round_ps(_mm256_mul_ps(t, _mm256_set1_ps(1.4426950408889634f)),
                                     _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693145751953125f), t);  // ln2 high part (exact product)
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(1.428606765330187e-06f), r);     // ln2 low part
    __m256 p = _mm256_set1_ps(1.0f / 720.0f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 120.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 24.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 6.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(0.5f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
    const __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(p, _mm256_castsi256_ps(e));
}

}  // namespace pyllm
