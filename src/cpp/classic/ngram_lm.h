// ngram_lm.h — an n-gram language model over token ids with interpolated Kneser-Ney or add-k
// (Laplace) smoothing.
//
//   NGramOptions o; o.order = 3;                       // trigram, modified Kneser-Ney
//   NGramLM lm(o);
//   lm.fit(ids, offsets);                              // sequences ids[offsets[s]..offsets[s+1])
//   double lp = lm.logprob(w, ctx, n_ctx);             // ln P(w | last order-1 ids of ctx)
//
// Kneser-Ney (Chen & Goodman 1998, "interpolated modified KN"): at order k with history h
// (the last k-1 ids), with c = the count of (h w) at that order,
//   P_k(w | h) = (max(c - D_k(c), 0) + gamma_k(h) * P_{k-1}(w | h[1:])) / T_k(h)
//   gamma_k(h) = D_k(1) N1(h) + D_k(2) N2(h) + D_k(3+) N3+(h)     (Ni: followers of h seen i times)
// T_k(h) = sum of the counts of h's followers. If h was never seen, P_k(w|h) = P_{k-1}(w|h[1:]).
// The highest order uses raw counts; lower orders use continuation counts (the number of distinct
// tokens seen just before the n-gram). Order 1 interpolates with the uniform 1/vocab_size, so
// every id in [0, vocab_size) has a non-zero probability and the distribution sums to 1.
// Discounts: `discount` > 0 -> plain interpolated KN (D(1)=D(2)=D(3+)=discount at every order);
// otherwise per order D(r) = r - (r+1) Y n_{r+1}/n_r, Y = n1/(n1 + 2 n2), from that order's
// count-of-counts n_r (falling back to D = Y, or 0.5, where a count-of-count is zero), clamped to (0, r).
//
// Add-k (Laplace when k = 1): P(w | h) = (c(h w) + k) / (T(h) + k V), raw counts at every order;
// a history never seen in training backs off to the next lower order (order 1: (c(w) + k) / (N + k V)).
//
// Sequences are not padded (no BOS/EOS): at the start of a sequence the history is shorter, and
// the model of that shorter order is used.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "classic/string_table.h"

namespace pyllm::classic {

enum class Smoothing { KneserNey, AddK };

struct NGramOptions {
    int order = 3;                           // n >= 1
    Smoothing smoothing = Smoothing::KneserNey;
    double discount = -1.0;                  // KN: > 0 fixed (plain KN, must be <= 1); <= 0 modified KN
    double add_k = 1.0;                      // AddK: k > 0
    int64_t vocab_size = 0;                  // 0: max id seen + 1
};

class NGramLM {
public:
    explicit NGramLM(const NGramOptions& opt);

    // ids: [offsets.back()] token ids; sequence s is ids[offsets[s] .. offsets[s+1]).
    void fit(const int32_t* ids, const std::vector<int64_t>& offsets);

    bool fitted() const { return fitted_; }
    int order() const { return opt_.order; }
    int64_t vocab_size() const { return vocab_size_; }
    // The discounts D(1), D(2), D(3+) of order k (1-based); KN only.
    std::vector<double> discounts(int k) const;
    // Number of distinct n-grams stored at order k.
    int64_t n_ngrams(int k) const;

    // P(w | ctx) using the last order-1 ids of ctx[0..n_ctx).
    double prob(int32_t w, const int32_t* ctx, int64_t n_ctx) const;
    // out: [vocab_size] the whole next-token distribution.
    void distribution(const int32_t* ctx, int64_t n_ctx, double* out) const;
    // Sum of ln P(ids[i] | preceding ids of the same sequence) over every position i >= skip of
    // every sequence; *n_scored receives the number of scored tokens.
    double total_logprob(const int32_t* ids, const std::vector<int64_t>& offsets, int64_t skip,
                         int64_t* n_scored) const;
    // Sample max_tokens ids after prefix (probabilities ^ (1/temperature), renormalised); seeded.
    std::vector<int32_t> generate(const std::vector<int32_t>& prefix, int64_t max_tokens, uint64_t seed,
                                  double temperature) const;

private:
    struct Level {                       // all n-grams of one order k
        StringTable grams;               // key: k int32 ids
        std::vector<int64_t> count;      // [n_grams] raw or continuation count
        StringTable contexts;            // key: the first k-1 ids
        std::vector<int64_t> total;      // [n_contexts] sum of follower counts
        std::vector<int64_t> n1, n2, n3; // [n_contexts] followers seen 1, 2, 3+ times
        std::vector<int64_t> fstart;     // [n_contexts + 1] followers in fw/fc
        std::vector<int32_t> fw;         // [n_grams] follower id
        std::vector<int64_t> fc;         // [n_grams] its count
        double d[4] = {0, 0, 0, 0};      // discounts D(1), D(2), D(3+) at d[1..3]
    };

    void check_ctx(const int32_t* ctx, int64_t n_ctx) const;
    void build_level(Level& L, int k);
    double prob_rec(const int32_t* hw, int m) const;  // hw: m history ids then w
    void dist_rec(const int32_t* h, int m, double* out) const;

    NGramOptions opt_;
    int64_t vocab_size_ = 0;
    bool fitted_ = false;
    std::vector<Level> levels_;      // [order + 1]; levels_[k] for k = 1..order
    std::vector<double> unigram_;    // [vocab_size] P_1(w)
};

}  // namespace pyllm::classic
