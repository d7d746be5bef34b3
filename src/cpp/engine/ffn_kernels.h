// ffn_kernels.h — the element-wise feed-forward activations, per ISA.
// ffn_kernels_scalar.cpp is the reference (libm exp / tanh) and the fallback on any CPU;
// ffn_kernels_avx2.cpp (AVX2 + FMA, per-ISA file rules of kernels/kernels.h) evaluates the same
// functions with a polynomial exp (relative error ~2e-7, tests/test_engine.py compares the two).
#pragma once

#include <cstdint>

namespace pyllm::engine {

struct FfnKernels {
    // gate[i] = silu(gate[i]) * up[i]          silu(x) = x / (1 + e^-x)                  gate, up: [n]
    void (*silu_mul)(float* gate, const float* up, int64_t n);
    // gate[i] = gelu_tanh(gate[i]) * up[i]     gelu_tanh(x) = x/2 (1 + tanh(√(2/π)(x + 0.044715 x³)))
    //   (up == nullptr: gate[i] = gelu_tanh(gate[i]))
    void (*gelu_mul)(float* gate, const float* up, int64_t n);
};

const FfnKernels& ffn_kernels_scalar();
const FfnKernels* ffn_kernels_avx2();  // nullptr when not compiled in
// The level matching kernels() (AVX2 whenever the dispatched kernel table is AVX2 or above).
const FfnKernels& ffn_kernels();

}  // namespace pyllm::engine
