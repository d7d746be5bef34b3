// attention.h — causal (optionally sliding-window) attention of a batch of new tokens over the
// KV cache, threaded over (token, group of query heads sharing a K/V head). Each item is computed
// start to finish by one thread in a fixed order, and each head's arithmetic does not depend on the
// group it is computed with, so results do not depend on the thread count or the batch split.
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
    float* scratch;     // [n_threads][scratch_floats(n_ctx, head_dim)]
    int64_t scratch_stride;  // floats per thread
};

// Floats of per-thread scratch attention() needs for a context of n_ctx.
inline int64_t attention_scratch_floats(int64_t n_ctx, int64_t head_dim) { return kAttnHeads * n_ctx + 2 * head_dim + 16; }

void attention(const AttentionArgs& a, ThreadPool& pool);

}  // namespace pyllm::engine
