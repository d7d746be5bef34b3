// attention.h — causal (optionally sliding-window) attention of a batch of new tokens over the
// KV cache.
//
// Two paths, each deterministic on its own (results do not depend on the thread count, nor on how a
// prompt is cut into batches of >= 2 tokens; the two paths differ from each other by float rounding,
// like the matmul kernels' matvec and prefill paths):
//
// Single token (decode): the keys the query sees (n of them) are cut into nc = ceil(n / kAttnChunk)
// chunks of equal size. Each chunk gives a partial result per head (its max score m, Σ e^(x-m) = l,
// and Σ e^(x-m)·v = o, unnormalised), and the partials are combined in chunk order:
//   M = max m_c,  out = Σ_c e^(m_c-M)·o_c / Σ_c e^(m_c-M)·l_c.
// The chunks of all items (up to kAttnHeads query heads of one K/V head) are dealt to the threads,
// so they share one long context instead of waiting on the thread that drew the one K/V head
// (Gemma 3 270M has one).
//
// Several tokens (a prompt): items of kAttnTokens (attention.cpp) consecutive tokens x all query
// heads of one K/V head, claimed by whichever thread is free, latest tokens (the costliest) first.
// An item walks the key axis in tiles of kAttnTile keys aligned to positions; each tile's K
// (transposed) and V are converted to f32 once and shared by all the item's query rows, which run
// through register-tiled FMA kernels (scores_tile, mix_tile: no horizontal sums), and each row folds
// the tile into its running result online (see prompt_item).
// Against the per-token path this made SmolLM2's 2048-token prefill ~1.2x faster on the build VM:
// attention went from ~35 % to ~85 % of the core's FMA peak.
#pragma once

#include <cstdint>

#include "common/thread_pool.h"
#include "engine/attn_kernels.h"
#include "model/kv_cache.h"

namespace pyllm::engine {

struct AttentionArgs {
    const model::KVCache* cache;
    int64_t layer;
    int64_t n_tokens;   // T: new tokens, at positions pos0 .. pos0+T-1 (their K/V already stored)
    int64_t pos0;
    int64_t n_head, n_kv_head, head_dim;
    int64_t n_swa;      // > 0: key j is visible to query p iff p - j < n_swa
    float scale;        // scores = q·k · scale
    float softcap;      // 0 = off
    const float* q;     // [T][n_head*head_dim]
    float* out;         // [T][n_head*head_dim]
    float* scratch;     // [n_threads][scratch_stride], then attention_shared_floats(...) shared
    int64_t scratch_stride;  // floats per thread: attention_scratch_floats(n_ctx, head_dim)
};

constexpr int64_t kAttnChunk = 256;  // keys per chunk at most
// Items per (token, K/V head): its query heads in groups of up to kAttnHeads.
inline int64_t attention_head_groups(int64_t n_head, int64_t n_kv_head) {
    return (n_head / n_kv_head + kAttnHeads - 1) / kAttnHeads;
}
// Chunks of a query that sees n keys (equal sizes, each <= kAttnChunk); n_ctx keys: the most.
inline int64_t attention_chunks(int64_t n) { return (n + kAttnChunk - 1) / kAttnChunk; }
// One chunk's partial result: o [kAttnHeads][head_dim], m [kAttnHeads], l [kAttnHeads].
inline int64_t attention_partial_floats(int64_t head_dim) { return kAttnHeads * (head_dim + 2); }
// Floats of per-thread scratch attention() needs for a context of n_ctx: the scores of one chunk and
// the partials of one item.
inline int64_t attention_scratch_floats(int64_t n_ctx, int64_t head_dim) {
    return kAttnHeads * kAttnChunk + attention_chunks(n_ctx) * attention_partial_floats(head_dim);
}
// Floats shared by the threads when a single token's chunks are dealt out: one partial per chunk of
// every item.
inline int64_t attention_shared_floats(int64_t n_ctx, int64_t head_dim, int64_t n_head, int64_t n_kv_head) {
    return n_kv_head * attention_head_groups(n_head, n_kv_head) * attention_chunks(n_ctx) * attention_partial_floats(head_dim);
}

void attention(const AttentionArgs& a, ThreadPool& pool);

}  // namespace pyllm::engine
