// ffn_kernels_avx2.cpp — AVX2 + FMA FFN activations (reference: ffn_kernels_scalar.cpp).
// Per-ISA file rules (kernels/kernels.h): everything in an anonymous namespace except the getter;
// only static-inline headers included.
//
// Both activations are x · sigmoid(z):  silu: z = x;  gelu_tanh: z = 2√(2/π)(x + 0.044715 x³), since
// (1 + tanh(u)) / 2 = 1 / (1 + e^(-2u)); e^-z from kernels/simd_exp_avx2.h (clamped to [-87, 88]: at
// the clamp, sigmoid is already 0 or 1 to float precision). The last n % 8 elements go through the same
// vector code on a padded copy, so every element gets the identical formula wherever it sits.
#include <immintrin.h>

#include <cstring>

#include "engine/ffn_kernels.h"
#include "kernels/simd_exp_avx2.h"

namespace pyllm::engine {

namespace {

// x · sigmoid(z) = x / (1 + e^-z)
inline __m256 x_sigmoid(__m256 x, __m256 z) {
    const __m256 e = exp8_avx2(_mm256_sub_ps(_mm256_setzero_ps(), z));
    return _mm256_div_ps(x, _mm256_add_ps(_mm256_set1_ps(1.0f), e));
}

struct Silu {
    static __m256 f(__m256 x) { return x_sigmoid(x, x); }
};
struct Gelu {
    static __m256 f(__m256 x) {
        const __m256 x3 = _mm256_mul_ps(_mm256_mul_ps(x, x), x);
        const __m256 u = _mm256_fmadd_ps(_mm256_set1_ps(0.044715f), x3, x);
        return x_sigmoid(x, _mm256_mul_ps(_mm256_set1_ps(2.0f * 0.7978845608028654f), u));
    }
};

template <class A>
void apply_mul(float* gate, const float* up, int64_t n) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 y = A::f(_mm256_loadu_ps(gate + i));
        if (up) y = _mm256_mul_ps(y, _mm256_loadu_ps(up + i));
        _mm256_storeu_ps(gate + i, y);
    }
    if (i < n) {  // the tail, padded to 8 lanes
        alignas(32) float g[8] = {0}, u[8] = {0};
        const size_t rest = (size_t)(n - i);
        std::memcpy(g, gate + i, rest * sizeof(float));
        if (up) std::memcpy(u, up + i, rest * sizeof(float));
        __m256 y = A::f(_mm256_load_ps(g));
        if (up) y = _mm256_mul_ps(y, _mm256_load_ps(u));
        _mm256_store_ps(g, y);
        std::memcpy(gate + i, g, rest * sizeof(float));
    }
}

void silu_mul(float* gate, const float* up, int64_t n) { apply_mul<Silu>(gate, up, n); }
void gelu_mul(float* gate, const float* up, int64_t n) { apply_mul<Gelu>(gate, up, n); }

const FfnKernels kAvx2 = {silu_mul, gelu_mul};

}  // namespace

const FfnKernels* ffn_kernels_avx2() { return &kAvx2; }

}  // namespace pyllm::engine
