// ngram_lm.cpp — counting, Kneser-Ney / add-k probabilities, scoring and sampling (see ngram_lm.h).
#include "classic/ngram_lm.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string_view>

#include "common/error.h"

namespace pyllm::classic {

namespace {

std::string_view key_of(const int32_t* ids, int k) {
    return std::string_view(reinterpret_cast<const char*>(ids), (size_t)k * sizeof(int32_t));
}

const int32_t* ids_of(std::string_view key) { return reinterpret_cast<const int32_t*>(key.data()); }

double clamp_discount(double d, int r) {
    const double lo = 1e-3, hi = r - 1e-3;
    return std::min(std::max(d, lo), hi);
}

}  // namespace

NGramLM::NGramLM(const NGramOptions& opt) : opt_(opt) {
    PYLLM_CHECK(opt.order >= 1 && opt.order <= 16, InvalidArgument, "order must be in [1, 16], got ", opt.order);
    if (opt.smoothing == Smoothing::KneserNey)
        PYLLM_CHECK(opt.discount <= 1.0, InvalidArgument, "Kneser-Ney discount must be in (0, 1], got ",
                    opt.discount);
    else
        PYLLM_CHECK(opt.add_k > 0.0, InvalidArgument, "add-k smoothing needs k > 0, got ", opt.add_k);
    PYLLM_CHECK(opt.vocab_size >= 0, InvalidArgument, "vocab_size must be >= 0, got ", opt.vocab_size);
}

void NGramLM::fit(const int32_t* ids, const std::vector<int64_t>& offsets) {
    PYLLM_CHECK(offsets.size() >= 2 && offsets.back() > 0, InvalidArgument, "cannot fit an n-gram model on an empty corpus");
    const int n = opt_.order;
    const int64_t n_tok = offsets.back();
    int32_t max_id = -1;
    for (int64_t i = 0; i < n_tok; ++i) {
        PYLLM_CHECK(ids[i] >= 0, InvalidArgument, "token id ", ids[i], " at position ", i, " is negative");
        max_id = std::max(max_id, ids[i]);
    }
    vocab_size_ = opt_.vocab_size > 0 ? opt_.vocab_size : (int64_t)max_id + 1;
    PYLLM_CHECK(max_id < vocab_size_, InvalidArgument, "token id ", max_id, " >= vocab_size ", vocab_size_);

    // raw counts at every order
    std::vector<Level> raw(n + 1);
    for (size_t s = 0; s + 1 < offsets.size(); ++s) {
        const int64_t b = offsets[s], e = offsets[s + 1];
        PYLLM_CHECK(b <= e && e <= n_tok, InvalidArgument, "bad sequence offsets at sequence ", s);
        for (int64_t i = b; i < e; ++i)
            for (int k = 1; k <= n && i + k <= e; ++k) {
                Level& L = raw[k];
                int32_t g = L.grams.insert(key_of(ids + i, k));
                if ((size_t)g >= L.count.size()) L.count.push_back(0);
                L.count[g]++;
            }
    }

    levels_.assign(n + 1, Level());
    if (opt_.smoothing == Smoothing::AddK) {
        for (int k = 1; k <= n; ++k) levels_[k] = std::move(raw[k]);
    } else {
        levels_[n] = std::move(raw[n]);
        // continuation counts: order k < n counts the distinct left extensions seen at order k + 1
        for (int k = n - 1; k >= 1; --k) {
            Level& L = levels_[k];
            const Level& up = k + 1 == n ? levels_[n] : raw[k + 1];
            for (int32_t g = 0; g < up.grams.size(); ++g) {
                std::string_view key = up.grams.view(g);
                int32_t id = L.grams.insert(key.substr(sizeof(int32_t)));  // drop the first id
                if ((size_t)id >= L.count.size()) L.count.push_back(0);
                L.count[id]++;
            }
        }
    }
    for (int k = 1; k <= n; ++k) build_level(levels_[k], k);

    // P_1 over the whole vocabulary
    const Level& U = levels_[1];
    unigram_.assign(vocab_size_, 0.0);
    const double V = (double)vocab_size_;
    int64_t total = U.total.empty() ? 0 : U.total[0];
    PYLLM_CHECK(total > 0, InvalidArgument, "cannot fit an n-gram model: no unigram counts");
    if (opt_.smoothing == Smoothing::AddK) {
        const double den = (double)total + opt_.add_k * V;
        for (int64_t w = 0; w < vocab_size_; ++w) unigram_[w] = opt_.add_k / den;
        for (int32_t g = 0; g < U.grams.size(); ++g) unigram_[ids_of(U.grams.view(g))[0]] += (double)U.count[g] / den;
    } else {
        const double gnum = U.d[1] * U.n1[0] + U.d[2] * U.n2[0] + U.d[3] * U.n3[0];
        for (int64_t w = 0; w < vocab_size_; ++w) unigram_[w] = gnum / V / (double)total;
        for (int32_t g = 0; g < U.grams.size(); ++g) {
            int64_t c = U.count[g];
            double dc = U.d[c >= 3 ? 3 : c];
            unigram_[ids_of(U.grams.view(g))[0]] += std::max((double)c - dc, 0.0) / (double)total;
        }
    }
    fitted_ = true;
}

// Context statistics, follower lists and discounts of one order.
void NGramLM::build_level(Level& L, int k) {
    const int32_t ng = L.grams.size();
    std::vector<int32_t> ctx_of(ng);
    for (int32_t g = 0; g < ng; ++g) {
        std::string_view key = L.grams.view(g);
        ctx_of[g] = L.contexts.insert(key.substr(0, key.size() - sizeof(int32_t)));
    }
    const int32_t nc = L.contexts.size();
    L.total.assign(nc, 0);
    L.n1.assign(nc, 0);
    L.n2.assign(nc, 0);
    L.n3.assign(nc, 0);
    L.fstart.assign(nc + 1, 0);
    int64_t coc[5] = {0, 0, 0, 0, 0};  // count-of-counts n_1..n_4
    for (int32_t g = 0; g < ng; ++g) {
        int32_t c = ctx_of[g];
        int64_t v = L.count[g];
        L.total[c] += v;
        (v == 1 ? L.n1 : v == 2 ? L.n2 : L.n3)[c]++;
        L.fstart[c + 1]++;
        if (v <= 4) coc[v]++;
    }
    for (int32_t c = 0; c < nc; ++c) L.fstart[c + 1] += L.fstart[c];
    L.fw.resize(ng);
    L.fc.resize(ng);
    std::vector<int64_t> pos(L.fstart.begin(), L.fstart.end() - 1);
    for (int32_t g = 0; g < ng; ++g) {
        int64_t p = pos[ctx_of[g]]++;
        L.fw[p] = ids_of(L.grams.view(g))[k - 1];
        L.fc[p] = L.count[g];
    }
    if (opt_.smoothing != Smoothing::KneserNey) return;
    if (opt_.discount > 0) {
        L.d[1] = L.d[2] = L.d[3] = opt_.discount;
        return;
    }
    double Y = (coc[1] > 0 && coc[2] > 0) ? (double)coc[1] / (double)(coc[1] + 2 * coc[2]) : 0.5;
    if (coc[1] > 0 && coc[2] > 0 && coc[3] > 0 && coc[4] > 0) {
        L.d[1] = clamp_discount(1.0 - 2.0 * Y * (double)coc[2] / (double)coc[1], 1);
        L.d[2] = clamp_discount(2.0 - 3.0 * Y * (double)coc[3] / (double)coc[2], 2);
        L.d[3] = clamp_discount(3.0 - 4.0 * Y * (double)coc[4] / (double)coc[3], 3);
    } else {
        L.d[1] = L.d[2] = L.d[3] = clamp_discount(Y, 1);
    }
}

std::vector<double> NGramLM::discounts(int k) const {
    PYLLM_CHECK(fitted_, InvalidArgument, "the model is not fitted");
    PYLLM_CHECK(k >= 1 && k <= opt_.order, OutOfRange, "order ", k, " is outside [1, ", opt_.order, "]");
    return {levels_[k].d[1], levels_[k].d[2], levels_[k].d[3]};
}

int64_t NGramLM::n_ngrams(int k) const {
    PYLLM_CHECK(fitted_, InvalidArgument, "the model is not fitted");
    PYLLM_CHECK(k >= 1 && k <= opt_.order, OutOfRange, "order ", k, " is outside [1, ", opt_.order, "]");
    return levels_[k].grams.size();
}

double NGramLM::prob_rec(const int32_t* hw, int m) const {
    if (m == 0) return unigram_[hw[0]];
    const Level& L = levels_[m + 1];
    double lower = prob_rec(hw + 1, m - 1);
    int32_t ctx = L.contexts.find(key_of(hw, m));
    const double V = (double)vocab_size_;
    if (opt_.smoothing == Smoothing::AddK) {
        if (ctx < 0) return lower;
        int32_t g = L.grams.find(key_of(hw, m + 1));
        double c = g < 0 ? 0.0 : (double)L.count[g];
        return (c + opt_.add_k) / ((double)L.total[ctx] + opt_.add_k * V);
    }
    if (ctx < 0) return lower;
    int32_t g = L.grams.find(key_of(hw, m + 1));
    double num = 0.0;
    if (g >= 0) {
        int64_t c = L.count[g];
        num = std::max((double)c - L.d[c >= 3 ? 3 : c], 0.0);
    }
    double gnum = L.d[1] * L.n1[ctx] + L.d[2] * L.n2[ctx] + L.d[3] * L.n3[ctx];
    return (num + gnum * lower) / (double)L.total[ctx];
}

void NGramLM::dist_rec(const int32_t* h, int m, double* out) const {
    if (m == 0) {
        std::copy(unigram_.begin(), unigram_.end(), out);
        return;
    }
    const Level& L = levels_[m + 1];
    int32_t ctx = L.contexts.find(key_of(h, m));
    if (ctx < 0) {
        dist_rec(h + 1, m - 1, out);
        return;
    }
    const double T = (double)L.total[ctx];
    if (opt_.smoothing == Smoothing::AddK) {
        const double den = T + opt_.add_k * (double)vocab_size_;
        for (int64_t w = 0; w < vocab_size_; ++w) out[w] = opt_.add_k / den;
        for (int64_t p = L.fstart[ctx]; p < L.fstart[ctx + 1]; ++p) out[L.fw[p]] += (double)L.fc[p] / den;
        return;
    }
    dist_rec(h + 1, m - 1, out);
    const double gamma = (L.d[1] * L.n1[ctx] + L.d[2] * L.n2[ctx] + L.d[3] * L.n3[ctx]) / T;
    for (int64_t w = 0; w < vocab_size_; ++w) out[w] *= gamma;
    for (int64_t p = L.fstart[ctx]; p < L.fstart[ctx + 1]; ++p) {
        int64_t c = L.fc[p];
        out[L.fw[p]] += std::max((double)c - L.d[c >= 3 ? 3 : c], 0.0) / T;
    }
}

void NGramLM::check_ctx(const int32_t* ctx, int64_t n_ctx) const {
    PYLLM_CHECK(fitted_, InvalidArgument, "the model is not fitted");
    for (int64_t i = 0; i < n_ctx; ++i)
        PYLLM_CHECK(ctx[i] >= 0 && ctx[i] < vocab_size_, OutOfRange, "token id ", ctx[i], " is outside [0, ",
                    vocab_size_, ")");
}

double NGramLM::prob(int32_t w, const int32_t* ctx, int64_t n_ctx) const {
    check_ctx(ctx, n_ctx);
    check_ctx(&w, 1);
    int m = (int)std::min<int64_t>(n_ctx, opt_.order - 1);
    std::vector<int32_t> hw(ctx + n_ctx - m, ctx + n_ctx);
    hw.push_back(w);
    return prob_rec(hw.data(), m);
}

void NGramLM::distribution(const int32_t* ctx, int64_t n_ctx, double* out) const {
    check_ctx(ctx, n_ctx);
    int m = (int)std::min<int64_t>(n_ctx, opt_.order - 1);
    dist_rec(ctx + n_ctx - m, m, out);
}

double NGramLM::total_logprob(const int32_t* ids, const std::vector<int64_t>& offsets, int64_t skip,
                              int64_t* n_scored) const {
    PYLLM_CHECK(fitted_, InvalidArgument, "the model is not fitted");
    PYLLM_CHECK(skip >= 0, InvalidArgument, "skip must be >= 0, got ", skip);
    const int64_t n_tok = offsets.empty() ? 0 : offsets.back();
    check_ctx(ids, n_tok);
    double sum = 0.0;
    int64_t n = 0;
    for (size_t s = 0; s + 1 < offsets.size(); ++s) {
        const int64_t b = offsets[s], e = offsets[s + 1];
        PYLLM_CHECK(b <= e && e <= n_tok, InvalidArgument, "bad sequence offsets at sequence ", s);
        for (int64_t i = b + skip; i < e; ++i) {
            int m = (int)std::min<int64_t>(i - b, opt_.order - 1);
            sum += std::log(prob_rec(ids + i - m, m));
            ++n;
        }
    }
    *n_scored = n;
    return sum;
}

std::vector<int32_t> NGramLM::generate(const std::vector<int32_t>& prefix, int64_t max_tokens, uint64_t seed,
                                       double temperature) const {
    check_ctx(prefix.data(), (int64_t)prefix.size());
    PYLLM_CHECK(max_tokens >= 0, InvalidArgument, "max_tokens must be >= 0, got ", max_tokens);
    PYLLM_CHECK(temperature >= 0.0, InvalidArgument, "temperature must be >= 0, got ", temperature);
    std::vector<int32_t> seq(prefix);
    std::vector<double> p(vocab_size_);
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> uni(0.0, 1.0);
    for (int64_t t = 0; t < max_tokens; ++t) {
        int m = (int)std::min<int64_t>((int64_t)seq.size(), opt_.order - 1);
        dist_rec(seq.data() + seq.size() - m, m, p.data());
        int32_t pick = 0;
        if (temperature == 0.0) {
            pick = (int32_t)(std::max_element(p.begin(), p.end()) - p.begin());
        } else {
            double sum = 0.0;
            for (double& x : p) sum += (x = temperature == 1.0 ? x : std::pow(x, 1.0 / temperature));
            double r = uni(rng) * sum, acc = 0.0;
            pick = (int32_t)vocab_size_ - 1;
            for (int64_t w = 0; w < vocab_size_; ++w) {
                acc += p[w];
                if (r < acc) {
                    pick = (int32_t)w;
                    break;
                }
            }
        }
        seq.push_back(pick);
    }
    return std::vector<int32_t>(seq.begin() + prefix.size(), seq.end());
}

}  // namespace pyllm::classic
