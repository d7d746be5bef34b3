// session.h — the mutable state of one conversation with a model: KV cache and position.
//
//   auto m = model::Model::load(path, {});
//   engine::Session s(m, {/*n_ctx=*/2048});
//   const float* logits = s.eval(prompt_ids, n);     // batched prefill; [n_vocab] of the last token
//   logits = s.eval(&next_id, 1);                      // one decode step (allocation-free)
//   s.truncate(n_prefix);                              // keep a shared prefix, drop the rest
//
// eval() appends tokens at positions n_past()..; prompts longer than n_batch are split into
// batches. All scratch is allocated here, at creation: the decode loop allocates nothing.
// The logits of a token do not depend on the thread count nor on how the prompt was split into
// eval() calls or batches (bit-identical: every op works per row with a fixed order).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "engine/matmul_group.h"
#include "model/kv_cache.h"
#include "model/model.h"

namespace pyllm::engine {

struct SessionParams {
    int64_t n_ctx = 2048;  // positions the KV cache holds (0: the model's training context)
    int64_t n_batch = 256; // tokens per forward batch during prefill (capped at n_ctx)
    model::KVType kv_type = model::KVType::F16;
};

class Session {
public:
    Session(std::shared_ptr<const model::Model> m, const SessionParams& p);

    // Evaluate n tokens appended after the current position.
    //   all_logits: nullptr, or [n][n_vocab] receiving the logits of every new position.
    // Returns the last token's logits [n_vocab] (the session's buffer: valid until the next eval,
    // reset or truncate). Throws OutOfRange for a token id outside [0, n_vocab) and
    // InvalidArgument if n_past + n > n_ctx or n == 0; the session is unchanged on error.
    const float* eval(const int32_t* ids, int64_t n, float* all_logits = nullptr);

    void reset() { n_past_ = 0; }
    // Keep the first n positions (0 <= n <= n_past); InvalidArgument otherwise.
    void truncate(int64_t n);

    int64_t n_past() const { return n_past_; }
    int64_t n_ctx() const { return n_ctx_; }
    int64_t n_vocab() const { return cfg_.n_vocab; }
    const float* logits() const { return logits_.data(); }  // [n_vocab] of the last evaluated token
    const model::Model& model() const { return *model_; }
    const model::KVCache& cache() const { return cache_; }

private:
    // One batch of T <= n_batch tokens at positions n_past_..; out: [T][n_vocab] if all, else [n_vocab].
    void forward(const int32_t* ids, int64_t T, float* out, bool all);
    void build_rope_tables();

    std::shared_ptr<const model::Model> model_;
    const model::Config& cfg_;
    int64_t n_ctx_, n_batch_;
    int64_t n_past_ = 0;
    model::KVCache cache_;
    std::mutex mutex_;  // one eval at a time

    // Scratch, sized for n_batch tokens:
    std::vector<float> x_, xn_, tmp_;   // [n_batch][n_embd]: residual stream, normed input, block output
    std::vector<float> q_, k_, v_;      // [n_batch][q_dim], [n_batch][kv_dim], [n_batch][kv_dim]
    std::vector<float> qkv_;            // [n_batch][q_dim + 2 kv_dim] (fused QKV models)
    std::vector<float> att_;            // [n_batch][q_dim]
    std::vector<float> gate_, up_;      // [n_batch][n_ff]
    std::vector<float> attn_scratch_;   // [n_threads][attention_scratch_floats], then the shared partials
    std::vector<float> logits_;         // [n_vocab]
    // RoPE: cos/sin [n_ctx][n_rot/2] for global layers (g) and sliding-window layers (l).
    std::vector<float> cos_g_, sin_g_, cos_l_, sin_l_;
    MatmulGroup mm_;  // Q/K/V and gate/up in one pass each (its activation scratch: [n_batch][...])
};

}  // namespace pyllm::engine
