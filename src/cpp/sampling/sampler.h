// sampler.h — pick the next token from a model's logits: a fixed chain of steps with a seeded RNG.
//
//   sampling::SamplerParams p;            // llama-cpp-python's defaults
//   p.temperature = 0.7f; p.seed = 42;
//   sampling::Sampler s(p, n_vocab);
//   for (int32_t id : prompt) s.accept(id);          // the penalty window sees the prompt too
//   int32_t next = s.sample(logits);                  // logits: [n_vocab], left untouched
//   s.accept(next);
//
// The chain (the order llama-cpp-python builds it in):
//   1. penalties over the last `penalty_last_n` accepted tokens: repeat (logit / r if > 0, else
//      logit * r), then frequency (- count * f) and presence (- p if present);
//   2. temperature == 0: greedy (the highest logit, lowest id on ties) — nothing below runs;
//      temperature < 0: sample from the softmax of the penalised logits, no truncation;
//   3. top-k (k <= 0: keep all), locally typical (typical_p < 1), top-p (nucleus: the smallest
//      prefix of the sorted distribution whose mass reaches top_p), min-p (keep tokens whose
//      probability is at least min_p times the top one's), each keeping at least one token;
//   4. temperature: logits / T; 5. draw from the softmax with the RNG (std::mt19937_64).
// Every step is deterministic given the logits, the accepted tokens and the seed: ties are broken
// by token id, sums run in a fixed order, so the same seed gives the same tokens on any machine
// whose logits are identical (the engine's are identical for every thread count).
#pragma once

#include <cstdint>
#include <random>
#include <vector>

namespace pyllm::sampling {

struct SamplerParams {
    float temperature = 0.8f;       // 0: greedy; < 0: plain softmax sampling without truncation
    int32_t top_k = 40;             // <= 0: the whole vocabulary
    float top_p = 0.95f;            // in [0, 1]; 1: off
    float min_p = 0.05f;            // in [0, 1]; 0: off
    float typical_p = 1.0f;         // in (0, 1]; 1: off
    float repeat_penalty = 1.0f;    // > 0; 1: off
    float frequency_penalty = 0.0f; // 0: off
    float presence_penalty = 0.0f;  // 0: off
    int32_t penalty_last_n = 64;    // window of accepted tokens the penalties look at; -1: all; 0: off
    uint64_t seed = 0;

    // Throws InvalidArgument naming the first bad value.
    void validate() const;
};

class Sampler {
public:
    Sampler(const SamplerParams& p, int32_t n_vocab);

    // Record a token (prompt or generated) for the penalty window. Throws OutOfRange for a bad id.
    void accept(int32_t id);
    // Choose the next token. logits: [n_vocab] (not modified).
    int32_t sample(const float* logits);
    void reseed(uint64_t seed) { rng_.seed(seed); }

    const SamplerParams& params() const { return p_; }

private:
    struct Cand {
        int32_t id;
        float logit;
    };
    void apply_penalties(float* logits) const;
    void top_k(int64_t k);            // cand_ sorted descending afterwards (its first k)
    void top_k_from(const float* w, int64_t k);  // the same, straight from w: [n_vocab]
    void sort_all();
    void softmax_sorted();            // prob_[i] for cand_[i] (cand_ sorted descending)
    void typical(float p);
    void top_p(float p);
    void min_p(float p);
    int32_t draw();                   // from cand_ (any order) with the current logits

    SamplerParams p_;
    int32_t n_vocab_;
    std::mt19937_64 rng_;
    std::vector<int32_t> history_;    // accepted tokens (only the last penalty_last_n are used)
    std::vector<float> work_;         // [n_vocab] penalised logits
    std::vector<Cand> cand_;          // [<= n_vocab] surviving candidates
    std::vector<double> prob_;        // [cand_.size()] scratch
    bool sorted_ = false;
};

}  // namespace pyllm::sampling
