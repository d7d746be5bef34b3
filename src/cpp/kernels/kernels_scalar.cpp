// kernels_scalar.cpp — portable reference kernels: the fallback on any CPU and the tests' oracle.
#include "kernels/fp16.h"
#include "kernels/kernels.h"

namespace pyllm {

namespace {

void f16_to_f32(const uint16_t* x, float* y, size_t n) {
    for (size_t i = 0; i < n; ++i) y[i] = fp16_to_fp32(x[i]);
}

void bf16_to_f32(const uint16_t* x, float* y, size_t n) {
    for (size_t i = 0; i < n; ++i) y[i] = bf16_to_fp32(x[i]);
}

void f32_to_f16(const float* x, uint16_t* y, size_t n) {
    for (size_t i = 0; i < n; ++i) y[i] = fp32_to_fp16(x[i]);
}

float dot_f32(const float* a, const float* b, size_t n) {
    // 8 partial sums (like one AVX2 register) keep the rounding close to the SIMD versions.
    float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int j = 0; j < 8; ++j) acc[j] += a[i + j] * b[i + j];
    float s = ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
    for (; i < n; ++i) s += a[i] * b[i];
    return s;
}

const KernelTable kTable = {Isa::Scalar, f16_to_f32, bf16_to_f32, f32_to_f16, dot_f32, &kQuantKernelsScalar};

}  // namespace

const KernelTable* kernel_table_scalar() { return &kTable; }

}  // namespace pyllm
