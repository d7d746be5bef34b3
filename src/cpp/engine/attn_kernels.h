// attn_kernels.h — the inner loops of attention over an f16 KV cache, per ISA.
// attn_kernels_scalar.cpp is the reference (and the fallback on any CPU); attn_kernels_avx2.cpp
// is compiled with AVX2/FMA/F16C and follows the per-ISA file rules of kernels/kernels.h.
#pragma once

#include <cstddef>
#include <cstdint>

namespace pyllm::engine {

// Heads that share one K/V head (grouped-query attention) are processed together, up to this many
// per call: each K/V row is loaded and converted from f16 once for all of them.
constexpr int kAttnHeads = 4;

struct AttnKernels {
    // s_h[j] = Σ_d q_h[d]·k_j[d] for h < nh (1..kAttnHeads), j < n.
    //   q_h = q + h*hd: [hd] f32;  k_j = k + j*stride: [hd] f16 bits;  s_h = s + h*s_stride: [n]
    // Each sum is computed in the same order whatever nh, n and j are (the SIMD level blocks keys
    // together but reduces every one of them with the same tree).
    // pf: nullptr, or n rows (same stride) to pull into the cache along the way (the V rows that
    // mix_f16 reads next).
    void (*scores_f16)(const float* q, int nh, const uint16_t* k, size_t stride, int64_t n, int64_t hd, float* s,
                       size_t s_stride, const uint16_t* pf);
    // o_h[d] += Σ_j w_h[j]·v_j[d] for h < nh, d < hd, summing over j in ascending order.
    //   w_h = w + h*w_stride: [n];  v_j = v + j*stride: [hd] f16 bits;  o_h = o + h*hd: [hd]
    void (*mix_f16)(const float* w, size_t w_stride, int nh, const uint16_t* v, size_t stride, int64_t n, int64_t hd,
                    float* o);
    // The unnormalised softmax of one chunk of scores, in place: x_j = s[j]·scale (then
    // softcap·tanh(x_j/softcap) if softcap > 0), *m = max_j x_j, s[j] <- e^(x_j - *m);
    // returns Σ_j s[j].   s: [n], n >= 1
    float (*exp_scores)(float* s, int64_t n, float scale, float softcap, float* m);
};

const AttnKernels& attn_kernels_scalar();
const AttnKernels* attn_kernels_avx2();  // nullptr when not compiled in
// The level matching kernels() (AVX2 whenever the dispatched kernel table is AVX2 or above).
const AttnKernels& attn_kernels();

}  // namespace pyllm::engine
