// kernels_avx2.cpp — AVX2 + FMA + F16C kernels. Compiled with -mavx2 -mfma -mf16c (see kernels.h rules).
#include <immintrin.h>
#include <math.h>  // fmaf: a C function (no std:: inline or template copies in this file)

#include "kernels/fp16.h"
#include "kernels/kernels.h"

namespace pyllm {

namespace {

inline float hsum256(__m256 v) {
    __m128 lo = _mm256_castps256_ps128(v), hi = _mm256_extractf128_ps(v, 1);
    lo = _mm_add_ps(lo, hi);                      // (0+4) (1+5) (2+6) (3+7)
    __m128 sh = _mm_movehl_ps(lo, lo);            // (2+6) (3+7)
    lo = _mm_add_ps(lo, sh);                      // (0+4)+(2+6), (1+5)+(3+7)
    sh = _mm_shuffle_ps(lo, lo, 1);
    return _mm_cvtss_f32(_mm_add_ss(lo, sh));
}

void f16_to_f32(const uint16_t* x, float* y, size_t n) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(y + i, _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(x + i))));
    for (; i < n; ++i) y[i] = fp16_to_fp32(x[i]);
}

void bf16_to_f32(const uint16_t* x, float* y, size_t n) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256i v = _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(x + i)));
        _mm256_storeu_ps(y + i, _mm256_castsi256_ps(_mm256_slli_epi32(v, 16)));
    }
    for (; i < n; ++i) y[i] = bf16_to_fp32(x[i]);
}

// vcvtps2ph with round-to-nearest-even: the same bits as fp32_to_fp16, NaN payloads included.
void f32_to_f16(const float* x, uint16_t* y, size_t n) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm_storeu_si128(reinterpret_cast<__m128i*>(y + i), _mm256_cvtps_ph(_mm256_loadu_ps(x + i), _MM_FROUND_TO_NEAREST_INT));
    for (; i < n; ++i) y[i] = fp32_to_fp16(x[i]);
}

float dot_f32(const float* a, const float* b, size_t n) {
    // 4 independent accumulators: one FMA chain would be latency-bound (4 cycles per 8 elements)
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps(), acc2 = _mm256_setzero_ps(), acc3 = _mm256_setzero_ps();
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc0);
        acc1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), acc1);
        acc2 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 16), _mm256_loadu_ps(b + i + 16), acc2);
        acc3 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 24), _mm256_loadu_ps(b + i + 24), acc3);
    }
    for (; i + 8 <= n; i += 8) acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc0);
    float s = hsum256(_mm256_add_ps(_mm256_add_ps(acc0, acc1), _mm256_add_ps(acc2, acc3)));
    for (; i < n; ++i) s += a[i] * b[i];
    return s;
}

#include "kernels/matmul_f_x86.inc"
#include "kernels/vocab_scan_x86.inc"

const KernelTable kTable = {Isa::AVX2, f16_to_f32, bf16_to_f32, f32_to_f16, dot_f32, matmul_f, argmax_f32,
                            first_above_f32, &kQuantKernelsAvx2};

}  // namespace

const KernelTable* kernel_table_avx2() { return &kTable; }

}  // namespace pyllm
