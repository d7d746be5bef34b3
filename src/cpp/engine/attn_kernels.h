// attn_kernels.h — the inner loops of attention over an f16 or Q8_0 KV cache, per ISA.
// attn_kernels_scalar.cpp is the reference (and the fallback on any CPU); attn_kernels_avx2.cpp
// is compiled with AVX2/FMA/F16C and follows the per-ISA file rules of kernels/kernels.h.
#pragma once

#include <cstddef>
#include <cstdint>

namespace pyllm::engine {

// Heads that share one K/V head (grouped-query attention) are processed together, up to this many
// per call: each K/V row is loaded and converted from f16 once for all of them.
constexpr int kAttnHeads = 4;
// Keys per tile on the prompt path (several new tokens): chunks of the key axis aligned to multiples
// of this, converted to f32 once per item and shared by all its query rows.
constexpr int kAttnTile = 64;

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
    // The same two over a Q8_0 cache (model/kv_cache.h): row j = k + j*row_bytes is hd/32 GGUF Q8_0
    // blocks (hd a multiple of 32), element value d·code, exact in f32. Each level sums in the order
    // of its f16 loops, so a Q8_0 cache gives the scores / outputs of an f16 (or f32) cache holding
    // the dequantized values.
    void (*scores_q8)(const float* q, int nh, const uint8_t* k, size_t row_bytes, int64_t n, int64_t hd, float* s,
                      size_t s_stride, const uint8_t* pf);
    void (*mix_q8)(const float* w, size_t w_stride, int nh, const uint8_t* v, size_t row_bytes, int64_t n, int64_t hd,
                   float* o);
    // The unnormalised softmax of one chunk of scores, in place: x_j = s[j]·scale (then
    // softcap·tanh(x_j/softcap) if softcap > 0), *m = max_j x_j, s[j] <- e^(x_j - *m);
    // returns Σ_j s[j].   s: [n], n >= 1
    float (*exp_scores)(float* s, int64_t n, float scale, float softcap, float* m);
    // ---- the prompt path: query rows x one tile of kAttnTile keys, f32 ----
    // s[r*s_stride + j] = Σ_d q[r][d]·kt[d*kAttnTile + j] for r < nr, j < kAttnTile, the sum over d
    // in ascending order (one FMA chain per score: the same value whatever tile a row or key is in).
    //   q: nr row pointers, [hd] each;  kt: [hd][kAttnTile] (the tile's keys, transposed)
    void (*scores_tile)(const float* const* q, int nr, const float* kt, int64_t hd, float* s, size_t s_stride);
    // o[r*o_stride + d] = Σ_j p[r*p_stride + j]·v[j*hd + d] for r < nr, d < hd, over j < kAttnTile
    // in ascending order (overwrites o).   v: [kAttnTile][hd]
    void (*mix_tile)(const float* p, size_t p_stride, int nr, const float* v, int64_t hd, float* o, size_t o_stride);
    // kt[d*kAttnTile + j] = float(k[j*hd + d]) for j < n, 0 for n <= j < kAttnTile; d < hd.
    //   k: n (<= kAttnTile) f16 rows of hd, back to back (a tile of one head's keys)
    void (*transpose_tile_f16)(const uint16_t* k, int64_t n, int64_t hd, float* kt);
    // The same from n Q8_0 rows (row_bytes apart, hd a multiple of 32; values d·code).
    void (*transpose_tile_q8)(const uint8_t* k, size_t row_bytes, int64_t n, int64_t hd, float* kt);
    // dst[j*hd + d] = value d of Q8_0 row j (v + j*row_bytes), j < n: a tile's V rows as f32.
    void (*rows_q8)(const uint8_t* v, size_t row_bytes, int64_t n, int64_t hd, float* dst);
};

const AttnKernels& attn_kernels_scalar();
const AttnKernels* attn_kernels_avx2();  // nullptr when not compiled in
// The level matching kernels() (AVX2 whenever the dispatched kernel table is AVX2 or above).
const AttnKernels& attn_kernels();

}  // namespace pyllm::engine
