// attn_kernels_avx2.cpp — AVX2 + FMA + F16C attention loops (reference: attn_kernels_scalar.cpp).
// Per-ISA file rules (kernels/kernels.h): everything in an anonymous namespace except the getter;
// only static-inline headers included.
#include <immintrin.h>
#include <math.h>  // tanhf: a C function (no std:: inline or template copies in this file)

#include "engine/attn_kernels.h"
#include "kernels/fp16.h"
#include "kernels/simd_exp_avx2.h"

namespace pyllm::engine {

namespace {

inline float hsum(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

inline __m256 load_f16(const uint16_t* p) { return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p))); }

// NH heads against the same keys: each key chunk converted once, per-head accumulators. Per head the
// operations and their order are those of NH = 1 (a0 over d%16 < 8, a1 over the other 8, then the
// 8-wide tail into a0, one horizontal sum, the scalar tail), so results do not depend on NH.
template <int NH>
void scores_heads(const float* q, const uint16_t* k, size_t stride, int64_t n, int64_t hd, float* s, size_t ss) {
    const int64_t hd8 = hd & ~int64_t(7);
    for (int64_t j = 0; j < n; ++j) {
        const uint16_t* kj = k + (size_t)j * stride;
        __m256 a0[NH], a1[NH];
        for (int h = 0; h < NH; ++h) a0[h] = a1[h] = _mm256_setzero_ps();
        int64_t d = 0;
        for (; d + 16 <= hd8; d += 16) {
            const __m256 k0 = load_f16(kj + d), k1 = load_f16(kj + d + 8);
            for (int h = 0; h < NH; ++h) {
                a0[h] = _mm256_fmadd_ps(_mm256_loadu_ps(q + h * hd + d), k0, a0[h]);
                a1[h] = _mm256_fmadd_ps(_mm256_loadu_ps(q + h * hd + d + 8), k1, a1[h]);
            }
        }
        for (; d < hd8; d += 8) {
            const __m256 k0 = load_f16(kj + d);
            for (int h = 0; h < NH; ++h) a0[h] = _mm256_fmadd_ps(_mm256_loadu_ps(q + h * hd + d), k0, a0[h]);
        }
        for (int h = 0; h < NH; ++h) {
            float acc = hsum(_mm256_add_ps(a0[h], a1[h]));
            for (int64_t e = d; e < hd; ++e) acc += q[h * hd + e] * fp16_to_fp32(kj[e]);
            s[h * ss + j] = acc;
        }
    }
}

void scores_f16(const float* q, int nh, const uint16_t* k, size_t stride, int64_t n, int64_t hd, float* s, size_t ss) {
    switch (nh) {
        case 1: return scores_heads<1>(q, k, stride, n, hd, s, ss);
        case 2: return scores_heads<2>(q, k, stride, n, hd, s, ss);
        case 3: return scores_heads<3>(q, k, stride, n, hd, s, ss);
        default: return scores_heads<4>(q, k, stride, n, hd, s, ss);
    }
}

// One head: 64 output dims at a time (8 accumulators), so each value row's 128 bytes are read once
// per block rather than 16 bytes per pass in 8 passes.
void mix_one(const float* w, const uint16_t* v, size_t stride, int64_t n, int64_t hd, float* o) {
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

// NH >= 2 heads: 16 dims x NH heads of accumulators, each value chunk converted once for all heads.
// Every o_h[d] is the same chain of FMAs over j as in mix_one, so results do not depend on NH.
template <int NH>
void mix_heads(const float* w, size_t ws, const uint16_t* v, size_t stride, int64_t n, int64_t hd, float* o) {
    int64_t d0 = 0;
    for (; d0 + 16 <= hd; d0 += 16) {
        __m256 a0[NH], a1[NH];
        for (int h = 0; h < NH; ++h) {
            a0[h] = _mm256_loadu_ps(o + h * hd + d0);
            a1[h] = _mm256_loadu_ps(o + h * hd + d0 + 8);
        }
        for (int64_t j = 0; j < n; ++j) {
            const uint16_t* vj = v + (size_t)j * stride + d0;
            const __m256 v0 = load_f16(vj), v1 = load_f16(vj + 8);
            for (int h = 0; h < NH; ++h) {
                const __m256 wj = _mm256_set1_ps(w[h * ws + j]);
                a0[h] = _mm256_fmadd_ps(wj, v0, a0[h]);
                a1[h] = _mm256_fmadd_ps(wj, v1, a1[h]);
            }
        }
        for (int h = 0; h < NH; ++h) {
            _mm256_storeu_ps(o + h * hd + d0, a0[h]);
            _mm256_storeu_ps(o + h * hd + d0 + 8, a1[h]);
        }
    }
    if (d0 < hd)  // the last hd % 16 dims, head by head (8-wide then scalar, as in mix_one)
        for (int h = 0; h < NH; ++h) mix_one(w + h * ws, v + d0, stride, n, hd - d0, o + h * hd + d0);
}

void mix_f16(const float* w, size_t ws, int nh, const uint16_t* v, size_t stride, int64_t n, int64_t hd, float* o) {
    switch (nh) {
        case 1: return mix_one(w, v, stride, n, hd, o);
        case 2: return mix_heads<2>(w, ws, v, stride, n, hd, o);
        case 3: return mix_heads<3>(w, ws, v, stride, n, hd, o);
        default: return mix_heads<4>(w, ws, v, stride, n, hd, o);
    }
}

// The scalar reference's steps with 8 lanes: the exponentials from kernels/simd_exp_avx2.h (within
// ~2e-7 relative of libm's; differences below 2^-126 of the largest term are flushed by its clamp) and
// the sum in float lanes instead of one double. The softcap's tanh stays scalar (libm).
void softmax(float* s, int64_t n, float scale, float softcap) {
    const int64_t n8 = n & ~int64_t(7);
    const __m256 vs = _mm256_set1_ps(scale);
    __m256 vmx = _mm256_set1_ps(-INFINITY);
    float mx = -INFINITY;  // INFINITY: math.h
    if (softcap > 0.f) {
        for (int64_t j = 0; j < n; ++j) s[j] = softcap * tanhf(s[j] * scale / softcap);
    } else {
        for (int64_t j = 0; j < n8; j += 8) _mm256_storeu_ps(s + j, _mm256_mul_ps(_mm256_loadu_ps(s + j), vs));
        for (int64_t j = n8; j < n; ++j) s[j] *= scale;
    }
    for (int64_t j = 0; j < n8; j += 8) vmx = _mm256_max_ps(vmx, _mm256_loadu_ps(s + j));
    for (int64_t j = n8; j < n; ++j) mx = s[j] > mx ? s[j] : mx;
    alignas(32) float lanes[8];
    _mm256_store_ps(lanes, vmx);
    for (int i = 0; i < 8; ++i) mx = lanes[i] > mx ? lanes[i] : mx;
    const __m256 vm = _mm256_set1_ps(mx);
    __m256 vsum = _mm256_setzero_ps();
    for (int64_t j = 0; j < n8; j += 8) {
        const __m256 e = exp8_avx2(_mm256_sub_ps(_mm256_loadu_ps(s + j), vm));
        _mm256_storeu_ps(s + j, e);
        vsum = _mm256_add_ps(vsum, e);
    }
    float sum = hsum(vsum);
    if (n8 < n) {  // the tail through the same vector code on a padded copy
        alignas(32) float t[8] = {0};
        for (int64_t j = n8; j < n; ++j) t[j - n8] = s[j];
        _mm256_store_ps(t, exp8_avx2(_mm256_sub_ps(_mm256_load_ps(t), vm)));
        for (int64_t j = n8; j < n; ++j) {
            s[j] = t[j - n8];
            sum += t[j - n8];
        }
    }
    const __m256 inv = _mm256_set1_ps(1.0f / sum);
    for (int64_t j = 0; j < n8; j += 8) _mm256_storeu_ps(s + j, _mm256_mul_ps(_mm256_loadu_ps(s + j), inv));
    for (int64_t j = n8; j < n; ++j) s[j] *= 1.0f / sum;
}

const AttnKernels kAvx2 = {scores_f16, mix_f16, softmax};

}  // namespace

const AttnKernels* attn_kernels_avx2() { return &kAvx2; }

}  // namespace pyllm::engine
