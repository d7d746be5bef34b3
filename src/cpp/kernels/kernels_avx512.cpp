// kernels_avx512.cpp — AVX-512 (F, BW, VL, DQ, VNNI) kernels. Compiled with -mavx512... (see kernels.h rules).
#include <immintrin.h>
#include <math.h>  // fmaf: a C function (no std:: inline or template copies in this file)

#include "kernels/fp16.h"
#include "kernels/kernels.h"

namespace pyllm {

namespace {

void f16_to_f32(const uint16_t* x, float* y, size_t n) {
    size_t i = 0;
    for (; i + 16 <= n; i += 16)
        _mm512_storeu_ps(y + i, _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(x + i))));
    if (i < n) {  // masked tail
        __mmask16 m = (__mmask16)((1u << (n - i)) - 1u);
        __m256i h = _mm256_maskz_loadu_epi16(m, x + i);
        _mm512_mask_storeu_ps(y + i, m, _mm512_cvtph_ps(h));
    }
}

void bf16_to_f32(const uint16_t* x, float* y, size_t n) {
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m512i v = _mm512_cvtepu16_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(x + i)));
        _mm512_storeu_ps(y + i, _mm512_castsi512_ps(_mm512_slli_epi32(v, 16)));
    }
    for (; i < n; ++i) y[i] = bf16_to_fp32(x[i]);
}

void f32_to_f16(const float* x, uint16_t* y, size_t n) {
    size_t i = 0;
    for (; i + 16 <= n; i += 16)
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(y + i), _mm512_cvtps_ph(_mm512_loadu_ps(x + i), _MM_FROUND_TO_NEAREST_INT));
    for (; i < n; ++i) y[i] = fp32_to_fp16(x[i]);
}

float dot_f32(const float* a, const float* b, size_t n) {
    __m512 acc = _mm512_setzero_ps();
    size_t i = 0;
    for (; i + 16 <= n; i += 16) acc = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), acc);
    if (i < n) {
        __mmask16 m = (__mmask16)((1u << (n - i)) - 1u);
        acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, a + i), _mm512_maskz_loadu_ps(m, b + i), acc);
    }
    return _mm512_reduce_add_ps(acc);
}

#include "kernels/matmul_f_x86.inc"
#include "kernels/vocab_scan_x86.inc"

const KernelTable kTable = {Isa::AVX512, f16_to_f32, bf16_to_f32, f32_to_f16, dot_f32, matmul_f, argmax_f32,
                            first_above_f32, &kQuantKernelsAvx512};

}  // namespace

const KernelTable* kernel_table_avx512() { return &kTable; }

}  // namespace pyllm
