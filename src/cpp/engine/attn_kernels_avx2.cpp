// attn_kernels_avx2.cpp — AVX2 + FMA + F16C attention loops (reference: attn_kernels_scalar.cpp).
// Per-ISA file rules (kernels/kernels.h): everything in an anonymous namespace except the getter;
// only static-inline headers included.
#include <immintrin.h>

#include "engine/attn_kernels.h"
#include "kernels/fp16.h"

namespace pyllm::engine {

namespace {

inline float hsum(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

inline __m256 load_f16(const uint16_t* p) { return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p))); }

void scores_f16(const float* q, const uint16_t* k, size_t stride, int64_t n, int64_t hd, float* s) {
    const int64_t hd8 = hd & ~int64_t(7);
    for (int64_t j = 0; j < n; ++j) {
        const uint16_t* kj = k + (size_t)j * stride;
        __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
        int64_t d = 0;
        for (; d + 16 <= hd8; d += 16) {
            a0 = _mm256_fmadd_ps(_mm256_loadu_ps(q + d), load_f16(kj + d), a0);
            a1 = _mm256_fmadd_ps(_mm256_loadu_ps(q + d + 8), load_f16(kj + d + 8), a1);
        }
        for (; d < hd8; d += 8) a0 = _mm256_fmadd_ps(_mm256_loadu_ps(q + d), load_f16(kj + d), a0);
        float acc = hsum(_mm256_add_ps(a0, a1));
        for (; d < hd; ++d) acc += q[d] * fp16_to_fp32(kj[d]);
        s[j] = acc;
    }
}

void mix_f16(const float* w, const uint16_t* v, size_t stride, int64_t n, int64_t hd, float* o) {
    // 64 output dims at a time (8 accumulators): each value row's 128 bytes are read once per block
    // rather than 16 bytes per pass in 8 passes. Each o[d] still sums over j in ascending order.
    int64_t d0 = 0;
    for (; d0 + 64 <= hd; d0 += 64) {
        __m256 acc[8];
        for (int u = 0; u < 8; ++u) acc[u] = _mm256_loadu_ps(o + d0 + 8 * u);
        for (int64_t j = 0; j < n; ++j) {
            const __m256 wj = _mm256_set1_ps(w[j]);
            const uint16_t* vj = v + (size_t)j * stride + d0;
            for (int u = 0; u < 8; ++u) acc[u] = _mm256_fmadd_ps(wj, load_f16(vj + 8 * u), acc[u]);
        }
        for (int u = 0; u < 8; ++u) _mm256_storeu_ps(o + d0 + 8 * u, acc[u]);
    }
    const int64_t hd8 = hd & ~int64_t(7);
    for (int64_t d = d0; d < hd8; d += 8) {
        __m256 acc = _mm256_loadu_ps(o + d);
        for (int64_t j = 0; j < n; ++j) acc = _mm256_fmadd_ps(_mm256_set1_ps(w[j]), load_f16(v + (size_t)j * stride + d), acc);
        _mm256_storeu_ps(o + d, acc);
    }
    for (int64_t d = hd8; d < hd; ++d) {
        float acc = o[d];
        for (int64_t j = 0; j < n; ++j) acc += w[j] * fp16_to_fp32(v[(size_t)j * stride + d]);
        o[d] = acc;
    }
}

const AttnKernels kAvx2 = {scores_f16, mix_f16};

}  // namespace

const AttnKernels* attn_kernels_avx2() { return &kAvx2; }

}  // namespace pyllm::engine
