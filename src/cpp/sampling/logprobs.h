// logprobs.h — log-probabilities of a model's raw logits (log-softmax), for the `logprobs` option.
#pragma once

#include <cstdint>
#include <vector>

namespace pyllm::sampling {

struct TokenLogprobs {
    float logprob = 0.f;              // log p(chosen)
    std::vector<int32_t> top_ids;     // the n most likely tokens, most likely first (ties: lower id)
    std::vector<float> top_logprobs;  // their log-probabilities
};

// logits: [n_vocab]. log p = logit - logsumexp(logits), summed in double in index order.
TokenLogprobs token_logprobs(const float* logits, int32_t n_vocab, int32_t chosen, int32_t n_top);

}  // namespace pyllm::sampling
