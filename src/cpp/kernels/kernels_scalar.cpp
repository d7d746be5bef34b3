// kernels_scalar.cpp — portable reference kernels: the fallback on any CPU and the tests' oracle.
#include <math.h>  // fmaf

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

// The reference of KernelTable::matmul_f: the SIMD levels' lanes, tree and tail, with fmaf.
void matmul_f(int wt, const void* w, size_t ws, int64_t nr, int64_t n, const float* x, int64_t T, float* y, size_t ys,
              float*) {
    const int64_t n8 = n & ~int64_t(7);
    for (int64_t r = 0; r < nr; ++r) {
        const uint8_t* row = static_cast<const uint8_t*>(w) + r * ws;
        for (int64_t t = 0; t < T; ++t) {
            const float* xt = x + t * n;
            float l[8] = {0, 0, 0, 0, 0, 0, 0, 0};
            for (int64_t i = 0; i < n8; i += 8)
                for (int j = 0; j < 8; ++j) l[j] = fmaf(float_weight_at(wt, row, i + j), xt[i + j], l[j]);
            float s = ((l[0] + l[4]) + (l[2] + l[6])) + ((l[1] + l[5]) + (l[3] + l[7]));
            for (int64_t i = n8; i < n; ++i) s = fmaf(float_weight_at(wt, row, i), xt[i], s);
            y[t * ys + r] = s;
        }
    }
}

// The reference of KernelTable::argmax_f32: one pass, strict > (a NaN never compares greater).
size_t argmax_f32(const float* x, size_t n) {
    size_t best = n;  // none yet
    for (size_t i = 0; i < n; ++i)
        if (x[i] == x[i] && (best == n || x[i] > x[best])) best = i;
    return best == n ? 0 : best;
}

// The reference of KernelTable::first_above_f32.
size_t first_above_f32(const float* x, size_t n, float t) {
    for (size_t i = 0; i < n; ++i)
        if (x[i] > t) return i;
    return n;
}

const KernelTable kTable = {Isa::Scalar, f16_to_f32, bf16_to_f32, f32_to_f16, dot_f32, matmul_f, argmax_f32,
                            first_above_f32, &kQuantKernelsScalar};

}  // namespace

const KernelTable* kernel_table_scalar() { return &kTable; }

}  // namespace pyllm
