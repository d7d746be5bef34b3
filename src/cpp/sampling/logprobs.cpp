#include "sampling/logprobs.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "common/error.h"

namespace pyllm::sampling {

TokenLogprobs token_logprobs(const float* logits, int32_t n_vocab, int32_t chosen, int32_t n_top) {
    PYLLM_CHECK(chosen >= 0 && chosen < n_vocab, OutOfRange, "token id ", chosen, " is out of range for a vocabulary of ",
                n_vocab, " tokens");
    float mx = logits[0];
    for (int32_t i = 1; i < n_vocab; ++i) mx = std::max(mx, logits[i]);
    double sum = 0;
    for (int32_t i = 0; i < n_vocab; ++i) sum += std::exp((double)logits[i] - (double)mx);
    const double lse = (double)mx + std::log(sum);
    TokenLogprobs out;
    out.logprob = (float)((double)logits[chosen] - lse);
    const int32_t k = std::min(std::max(n_top, 0), n_vocab);
    if (k > 0) {
        std::vector<int32_t> idx((size_t)n_vocab);
        std::iota(idx.begin(), idx.end(), 0);
        auto greater = [&](int32_t a, int32_t b) { return logits[a] > logits[b] || (logits[a] == logits[b] && a < b); };
        std::partial_sort(idx.begin(), idx.begin() + k, idx.end(), greater);
        for (int32_t i = 0; i < k; ++i) {
            out.top_ids.push_back(idx[(size_t)i]);
            out.top_logprobs.push_back((float)((double)logits[idx[(size_t)i]] - lse));
        }
    }
    return out;
}

}  // namespace pyllm::sampling
