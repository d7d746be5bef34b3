#include "sampling/sampler.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_map>

#include "common/error.h"
#include "kernels/dispatch.h"

namespace pyllm::sampling {

void SamplerParams::validate() const {
    PYLLM_CHECK(std::isfinite(temperature), InvalidArgument, "temperature must be a finite number, got ", temperature);
    PYLLM_CHECK(top_p >= 0.f && top_p <= 1.f, InvalidArgument, "top_p must be in [0, 1], got ", top_p);
    PYLLM_CHECK(min_p >= 0.f && min_p <= 1.f, InvalidArgument, "min_p must be in [0, 1], got ", min_p);
    PYLLM_CHECK(typical_p > 0.f && typical_p <= 1.f, InvalidArgument, "typical_p must be in (0, 1], got ", typical_p);
    PYLLM_CHECK(repeat_penalty > 0.f && std::isfinite(repeat_penalty), InvalidArgument,
                "repeat_penalty must be > 0, got ", repeat_penalty);
    PYLLM_CHECK(std::isfinite(frequency_penalty), InvalidArgument, "frequency_penalty must be finite, got ",
                frequency_penalty);
    PYLLM_CHECK(std::isfinite(presence_penalty), InvalidArgument, "presence_penalty must be finite, got ",
                presence_penalty);
    PYLLM_CHECK(penalty_last_n >= -1, InvalidArgument, "penalty_last_n must be >= -1, got ", penalty_last_n);
}

Sampler::Sampler(const SamplerParams& p, int32_t n_vocab) : p_(p), n_vocab_(n_vocab), rng_(p.seed) {
    p_.validate();
    PYLLM_CHECK(n_vocab > 0, InvalidArgument, "n_vocab must be > 0, got ", n_vocab);
    work_.resize((size_t)n_vocab);
    cand_.reserve((size_t)n_vocab);
}

void Sampler::accept(int32_t id) {
    PYLLM_CHECK(id >= 0 && id < n_vocab_, OutOfRange, "token id ", id, " is out of range for a vocabulary of ",
                n_vocab_, " tokens");
    history_.push_back(id);
    // Keep the history bounded when only a window is used.
    if (p_.penalty_last_n >= 0 && history_.size() > (size_t)4 * (size_t)std::max(p_.penalty_last_n, 1024)) {
        const size_t keep = (size_t)p_.penalty_last_n;
        history_.erase(history_.begin(), history_.end() - (std::ptrdiff_t)keep);
    }
}

void Sampler::apply_penalties(float* logits) const {
    const bool on = p_.repeat_penalty != 1.f || p_.frequency_penalty != 0.f || p_.presence_penalty != 0.f;
    if (!on || p_.penalty_last_n == 0 || history_.empty()) return;
    const size_t n = p_.penalty_last_n < 0 ? history_.size() : std::min(history_.size(), (size_t)p_.penalty_last_n);
    std::unordered_map<int32_t, int> count;
    for (size_t i = history_.size() - n; i < history_.size(); ++i) ++count[history_[i]];
    for (const auto& kv : count) {
        float& l = logits[kv.first];
        l = l > 0.f ? l / p_.repeat_penalty : l * p_.repeat_penalty;
        l -= (float)kv.second * p_.frequency_penalty + p_.presence_penalty;
    }
}

namespace {
// Descending logit, ascending id on ties: a strict total order, so results never depend on the
// sort algorithm.
struct Greater {
    template <class C>
    bool operator()(const C& a, const C& b) const {
        return a.logit > b.logit || (a.logit == b.logit && a.id < b.id);
    }
};
}  // namespace

void Sampler::sort_all() {
    if (!sorted_) std::sort(cand_.begin(), cand_.end(), Greater());
    sorted_ = true;
}

void Sampler::top_k(int64_t k) {
    const int64_t n = (int64_t)cand_.size();
    if (k <= 0 || k >= n) return;
    std::nth_element(cand_.begin(), cand_.begin() + (k - 1), cand_.end(), Greater());
    cand_.resize((size_t)k);
    std::sort(cand_.begin(), cand_.end(), Greater());
    sorted_ = true;
}

void Sampler::top_k_from(const float* w, int64_t k) {
    // One pass with a k-entry heap whose top is the weakest kept candidate: most logits lose the
    // first comparison, so the scan (KernelTable::first_above_f32, vectorized) jumps from one logit
    // that beats the weakest to the next. A later id never wins a tie (ids only grow), so "beats"
    // is a plain > on the logit: the same candidates as comparing each with Greater.
    cand_.clear();
    for (int32_t i = 0; i < (int32_t)k; ++i) cand_.push_back(Cand{i, w[i]});
    std::make_heap(cand_.begin(), cand_.end(), Greater());
    const auto first_above = kernels().first_above_f32;
    for (int32_t i = (int32_t)k; i < n_vocab_; ++i) {
        i += (int32_t)first_above(w + i, (size_t)(n_vocab_ - i), cand_.front().logit);
        if (i >= n_vocab_) break;
        std::pop_heap(cand_.begin(), cand_.end(), Greater());
        cand_.back() = Cand{i, w[i]};
        std::push_heap(cand_.begin(), cand_.end(), Greater());
    }
    std::sort_heap(cand_.begin(), cand_.end(), Greater());  // ascending under Greater = best first
    sorted_ = true;
}

void Sampler::softmax_sorted() {
    const size_t n = cand_.size();
    prob_.resize(n);
    const double mx = cand_[0].logit;
    double sum = 0;
    for (size_t i = 0; i < n; ++i) {
        prob_[i] = std::exp((double)cand_[i].logit - mx);
        sum += prob_[i];
    }
    for (size_t i = 0; i < n; ++i) prob_[i] /= sum;
}

void Sampler::typical(float p) {
    if (p >= 1.f || cand_.size() <= 1) return;
    sort_all();
    softmax_sorted();
    const size_t n = cand_.size();
    double entropy = 0;
    for (size_t i = 0; i < n; ++i)
        if (prob_[i] > 0) entropy -= prob_[i] * std::log(prob_[i]);
    // Order by how far each token's surprise is from the entropy (closest first).
    std::vector<size_t> order(n);
    std::vector<double> dist(n);
    for (size_t i = 0; i < n; ++i) {
        order[i] = i;
        dist[i] = prob_[i] > 0 ? std::fabs(-std::log(prob_[i]) - entropy) : std::numeric_limits<double>::infinity();
    }
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return dist[a] < dist[b]; });
    double cum = 0;
    size_t keep = n;
    for (size_t i = 0; i < n; ++i) {
        cum += prob_[order[i]];
        if (cum >= p) {
            keep = i + 1;
            break;
        }
    }
    std::vector<Cand> kept;
    kept.reserve(keep);
    for (size_t i = 0; i < keep; ++i) kept.push_back(cand_[order[i]]);
    cand_.swap(kept);
    sorted_ = false;
}

void Sampler::top_p(float p) {
    if (p >= 1.f || cand_.size() <= 1) return;
    // The kept prefix is usually short: sort only the k best (k growing 4x) until their mass
    // reaches p, instead of sorting the whole vocabulary. The first k of a total order do not
    // depend on k, so the result equals a full sort's.
    const size_t n = cand_.size();
    float mx = -std::numeric_limits<float>::infinity();
    for (const Cand& c : cand_) mx = std::max(mx, c.logit);
    double sum = 0;
    for (const Cand& c : cand_) sum += std::exp((double)c.logit - (double)mx);
    for (size_t k = std::min<size_t>(64, n);; k = std::min(n, k * 4)) {
        if (!sorted_) {
            if (k < n) {
                std::nth_element(cand_.begin(), cand_.begin() + (std::ptrdiff_t)(k - 1), cand_.end(), Greater());
                std::sort(cand_.begin(), cand_.begin() + (std::ptrdiff_t)k, Greater());
            } else {
                sort_all();
            }
        }
        double cum = 0;
        for (size_t i = 0; i < k; ++i) {
            cum += std::exp((double)cand_[i].logit - (double)mx) / sum;
            if (cum >= (double)p) {
                cand_.resize(i + 1);
                sorted_ = true;
                return;
            }
        }
        if (k == n) return;  // rounding: the whole mass did not reach p; keep everything
    }
}

void Sampler::min_p(float p) {
    if (p <= 0.f || cand_.size() <= 1) return;
    float mx = -std::numeric_limits<float>::infinity();
    for (const Cand& c : cand_) mx = std::max(mx, c.logit);
    const float threshold = mx + std::log(p);
    size_t w = 0;
    for (size_t i = 0; i < cand_.size(); ++i)
        if (cand_[i].logit >= threshold) cand_[w++] = cand_[i];
    cand_.resize(std::max<size_t>(w, 1));  // the max always survives, so w >= 1
}

int32_t Sampler::draw() {
    const size_t n = cand_.size();
    if (n == 1) return cand_[0].id;
    float mx = -std::numeric_limits<float>::infinity();
    for (const Cand& c : cand_) mx = std::max(mx, c.logit);
    prob_.resize(n);
    double sum = 0;
    for (size_t i = 0; i < n; ++i) {
        prob_[i] = std::exp((double)cand_[i].logit - (double)mx);
        sum += prob_[i];
    }
    // u in [0, 1) from the top 53 bits: the same stream on every platform (std distributions are not).
    const double u = (double)(rng_() >> 11) * (1.0 / 9007199254740992.0);
    const double target = u * sum;
    double cum = 0;
    for (size_t i = 0; i < n; ++i) {
        cum += prob_[i];
        if (target < cum) return cand_[i].id;
    }
    return cand_[n - 1].id;
}

int32_t Sampler::sample(const float* logits) {
    const bool penalties = p_.penalty_last_n != 0 && !history_.empty() &&
                           (p_.repeat_penalty != 1.f || p_.frequency_penalty != 0.f || p_.presence_penalty != 0.f);
    const float* w = logits;
    if (penalties) {  // penalise a copy: the caller's logits stay untouched
        std::copy(logits, logits + n_vocab_, work_.data());
        apply_penalties(work_.data());
        w = work_.data();
    }

    if (p_.temperature == 0.f)  // greedy: the first of the largest logits (NaNs never win)
        return (int32_t)kernels().argmax_f32(w, (size_t)n_vocab_);
    sorted_ = false;
    if (p_.temperature > 0.f && p_.top_k > 0 && p_.top_k < n_vocab_) {
        top_k_from(w, p_.top_k);
    } else {
        cand_.resize((size_t)n_vocab_);
        for (int32_t i = 0; i < n_vocab_; ++i) cand_[(size_t)i] = Cand{i, w[i]};
    }
    if (p_.temperature > 0.f) {
        top_k(p_.top_k);
        typical(p_.typical_p);
        top_p(p_.top_p);
        min_p(p_.min_p);
        const float inv = 1.f / p_.temperature;
        for (Cand& c : cand_) c.logit *= inv;
    }
    return draw();
}

}  // namespace pyllm::sampling
