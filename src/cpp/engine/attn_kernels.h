// attn_kernels.h — the inner loops of attention over an f16 KV cache, per ISA.
// attn_kernels_scalar.cpp is the reference (and the fallback on any CPU); attn_kernels_avx2.cpp
// is compiled with AVX2/FMA/F16C and follows the per-ISA file rules of kernels/kernels.h.
#pragma once

#include <cstddef>
#include <cstdint>

namespace pyllm::engine {

struct AttnKernels {
    // s[j] = Σ_d q[d]·k_j[d] for j < n.   q: [hd] f32; k_j = k + j*stride: [hd] f16 bits
    void (*scores_f16)(const float* q, const uint16_t* k, size_t stride, int64_t n, int64_t hd, float* s);
    // o[d] += Σ_j w[j]·v_j[d] for d < hd.   w: [n]; v_j = v + j*stride: [hd] f16 bits; o: [hd]
    void (*mix_f16)(const float* w, const uint16_t* v, size_t stride, int64_t n, int64_t hd, float* o);
};

const AttnKernels& attn_kernels_scalar();
const AttnKernels* attn_kernels_avx2();  // nullptr when not compiled in
// The level matching kernels() (AVX2 whenever the dispatched kernel table is AVX2 or above).
const AttnKernels& attn_kernels();

}  // namespace pyllm::engine
