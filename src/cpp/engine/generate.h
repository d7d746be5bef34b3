// generate.h — the generation loop: prefill the prompt, then sample / decode one token at a time.
//
//   auto session = std::make_shared<engine::Session>(model, engine::SessionParams{2048});
//   engine::Generator g(session);
//   engine::GenerateParams p;               // p.sampling: SamplerParams; p.max_tokens; p.eog_ids
//   p.eog_ids = tokenizer.eog_ids();
//   std::vector<int32_t> out = engine::generate(g, prompt_ids, p,
//       [](const engine::TokenInfo& t) { std::cout << t.id << ' '; return true; });  // false: stop
//
// A Generator owns the history of the tokens in its session's KV cache; start() keeps the longest
// prefix the new prompt shares with it (a chat turn re-evaluates only the new messages). The loop
// is step-wise: next() evaluates the previous token (lazily: a token the caller stops on is never
// evaluated), samples the next one and returns it, so a caller can stream, check stop strings, or
// stop at any point. An end-of-generation token (EOS, EOT, <|im_end|>, ...) ends the loop and is
// not returned. Nothing here touches Python; the binding releases the GIL around each call.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "engine/session.h"
#include "sampling/logprobs.h"
#include "sampling/sampler.h"

namespace pyllm::engine {

struct GenerateParams {
    sampling::SamplerParams sampling;
    int64_t max_tokens = 16;        // >= 1; 0: until the context is full
    std::vector<int32_t> eog_ids;   // tokens that end generation (sorted or not)
    int32_t n_logprobs = -1;        // -1: none; n >= 0: log p of each token and the n most likely
    bool prompt_logprobs = false;   // also for every prompt token after the first (echo + logprobs)
    bool reuse_prefix = true;       // keep the KV cache of a shared prompt prefix
    int64_t prefill_chunk = 128;    // tokens per prefill call (interrupt checks between chunks)
};

enum class StopReason { None = 0, Length, EndOfGeneration, Requested, ContextFull };

struct TokenInfo {
    int32_t id = -1;
    sampling::TokenLogprobs logprobs;  // filled when n_logprobs >= 0
};

struct GenerateStats {
    int64_t n_prompt = 0;          // prompt tokens
    int64_t n_prompt_reused = 0;   // of which were already in the KV cache
    int64_t n_generated = 0;       // tokens returned by next()
    double prompt_seconds = 0;     // prefill wall time
    double decode_seconds = 0;     // decode + sampling wall time
};

class Generator {
public:
    explicit Generator(std::shared_ptr<Session> session);

    // Validate, reuse the shared prefix, prefill the rest. keep_going (optional) is called between
    // prefill chunks; returning false (or throwing) abandons the prompt: the cache then holds the
    // evaluated part and the next start() reuses it. Throws InvalidArgument when the prompt is
    // empty or does not leave a free position (n_prompt >= n_ctx), naming both numbers.
    void start(const std::vector<int32_t>& prompt, const GenerateParams& p,
               const std::function<bool()>& keep_going = {});

    // The next token, or false when generation is over (see stop_reason()).
    bool next(TokenInfo& out);
    // End generation now (a stop string matched, the caller was interrupted, ...).
    void stop() {
        std::lock_guard<std::mutex> lock(mu_);
        if (reason_ == StopReason::None) reason_ = StopReason::Requested;
    }

    bool finished() const { return reason_ != StopReason::None; }
    StopReason stop_reason() const { return reason_; }
    const GenerateStats& stats() const { return stats_; }
    // Per prompt token i >= 1 (index i-1): log p(prompt[i] | prompt[:i]) — when prompt_logprobs.
    const std::vector<sampling::TokenLogprobs>& prompt_logprobs() const { return prompt_lp_; }
    const std::vector<int32_t>& history() const { return history_; }
    Session& session() { return *session_; }
    // Forget the KV cache contents (e.g. after another user of the session).
    void reset();

private:
    bool is_eog(int32_t id) const;

    std::mutex mu_;                 // start / next / stop / reset one at a time (state stays consistent)
    std::shared_ptr<Session> session_;
    std::vector<int32_t> history_;  // tokens in the KV cache: [session_->n_past()]
    GenerateParams params_;
    std::unique_ptr<sampling::Sampler> sampler_;
    std::vector<int32_t> eog_;      // sorted
    int64_t max_tokens_ = 0;
    int32_t pending_ = -1;          // sampled but not evaluated yet
    const float* logits_ = nullptr; // [n_vocab] after the last evaluated token
    StopReason reason_ = StopReason::Length;
    GenerateStats stats_;
    std::vector<sampling::TokenLogprobs> prompt_lp_;
};

// The whole loop: start(), then next() until finished or on_token returns false.
// Returns the generated ids (the end-of-generation token excluded).
std::vector<int32_t> generate(Generator& g, const std::vector<int32_t>& prompt, const GenerateParams& p,
                              const std::function<bool(const TokenInfo&)>& on_token,
                              const std::function<bool()>& keep_going = {});

}  // namespace pyllm::engine
