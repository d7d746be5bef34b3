// ffn_kernels_scalar.cpp — reference FFN activations (see ffn_kernels.h) and the dispatcher.
#include "engine/ffn_kernels.h"

#include "engine/ops.h"
#include "kernels/dispatch.h"

namespace pyllm::engine {

namespace {

void silu_mul(float* gate, const float* up, int64_t n) {
    for (int64_t i = 0; i < n; ++i) gate[i] = silu(gate[i]) * up[i];
}

void gelu_mul(float* gate, const float* up, int64_t n) {
    if (up == nullptr)
        for (int64_t i = 0; i < n; ++i) gate[i] = gelu_tanh(gate[i]);
    else
        for (int64_t i = 0; i < n; ++i) gate[i] = gelu_tanh(gate[i]) * up[i];
}

const FfnKernels kScalar = {silu_mul, gelu_mul};

}  // namespace

const FfnKernels& ffn_kernels_scalar() { return kScalar; }

#ifndef PYLLM_HAVE_X86_KERNELS
const FfnKernels* ffn_kernels_avx2() { return nullptr; }
#endif

const FfnKernels& ffn_kernels() {
    const FfnKernels* avx2 = ffn_kernels_avx2();
    return (avx2 && kernels().isa != Isa::Scalar) ? *avx2 : kScalar;
}

}  // namespace pyllm::engine
