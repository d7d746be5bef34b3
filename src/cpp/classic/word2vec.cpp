// word2vec.cpp — vocabulary, subsampling, noise distribution and the Hogwild training loop.
#include "classic/word2vec.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <numeric>
#include <thread>

#include "classic/string_table.h"
#include "classic/w2v_kernels.h"
#include "common/error.h"
#include "common/thread_pool.h"

namespace pyllm::classic {

namespace {

constexpr float kMaxExp = 6.0f;
constexpr int kSigTable = 1024;
constexpr int64_t kJobWords = 10000;

// xorshift64* — small, fast, good enough for sampling.
struct Rng {
    uint64_t s;
    explicit Rng(uint64_t seed) : s(seed * 0x9E3779B97F4A7C15ull + 0x632BE59BD9B4E019ull) {
        if (s == 0) s = 1;
        for (int i = 0; i < 4; ++i) next();
    }
    uint64_t next() {
        s ^= s >> 12;
        s ^= s << 25;
        s ^= s >> 27;
        return s * 2685821657736338717ull;
    }
    uint32_t u32() { return (uint32_t)(next() >> 32); }
    float uniform() { return (float)(next() >> 40) * (1.0f / 16777216.0f); }  // [0, 1)
};

// Vose's alias method over weights: O(1) sampling.
struct AliasTable {
    std::vector<uint32_t> threshold;  // [V] keep i if u32 < threshold[i]
    std::vector<int32_t> alias;       // [V]
    void build(const std::vector<double>& w) {
        const size_t n = w.size();
        double sum = std::accumulate(w.begin(), w.end(), 0.0);
        std::vector<double> p(n);
        for (size_t i = 0; i < n; ++i) p[i] = w[i] * (double)n / sum;
        threshold.assign(n, 0xFFFFFFFFu);
        alias.resize(n);
        std::iota(alias.begin(), alias.end(), 0);
        std::vector<int32_t> small, large;
        for (size_t i = 0; i < n; ++i) (p[i] < 1.0 ? small : large).push_back((int32_t)i);
        while (!small.empty() && !large.empty()) {
            int32_t s = small.back(), l = large.back();
            small.pop_back();
            threshold[s] = (uint32_t)std::min(p[s] * 4294967296.0, 4294967295.0);
            alias[s] = l;
            p[l] -= 1.0 - p[s];
            if (p[l] < 1.0) {
                large.pop_back();
                small.push_back(l);
            }
        }
    }
    int32_t sample(Rng& rng) const {
        uint64_t r = rng.next();
        uint32_t i = (uint32_t)(((r >> 32) * (uint64_t)threshold.size()) >> 32);
        return (uint32_t)r < threshold[i] ? (int32_t)i : alias[i];
    }
};

struct SigmoidTable {
    float v[kSigTable + 1];
    SigmoidTable() {
        for (int i = 0; i <= kSigTable; ++i) {
            double x = ((double)i / kSigTable * 2.0 - 1.0) * kMaxExp;
            v[i] = (float)(1.0 / (1.0 + std::exp(-x)));
        }
    }
    float operator()(float f) const {
        if (f >= kMaxExp) return 1.0f;
        if (f <= -kMaxExp) return 0.0f;
        return v[(int)((f + kMaxExp) * (kSigTable / kMaxExp / 2.0f))];
    }
};
const SigmoidTable kSigmoid;

// -ln sigmoid(x) (the logistic loss of a positive example), tabulated on [-6, 6]; outside,
// the asymptotes exp(-x) (x > 6) and -x + exp(x) (x < -6).
struct NegLogSigmoidTable {
    float v[kSigTable + 1];
    NegLogSigmoidTable() {
        for (int i = 0; i <= kSigTable; ++i) {
            double x = ((double)i / kSigTable * 2.0 - 1.0) * kMaxExp;
            v[i] = (float)std::log1p(std::exp(-x));
        }
    }
    float operator()(float x) const {
        if (x >= kMaxExp) return std::exp(-x);
        if (x <= -kMaxExp) return -x + std::exp(x);
        return v[(int)((x + kMaxExp) * (kSigTable / kMaxExp / 2.0f) + 0.5f)];
    }
};
const NegLogSigmoidTable kLoss;

void check_options(const Word2VecOptions& o) {
    PYLLM_CHECK(o.vector_size >= 1, InvalidArgument, "vector_size must be >= 1, got ", o.vector_size);
    PYLLM_CHECK(o.window >= 1, InvalidArgument, "window must be >= 1, got ", o.window);
    PYLLM_CHECK(o.min_count >= 1, InvalidArgument, "min_count must be >= 1, got ", o.min_count);
    PYLLM_CHECK(o.negative >= 1, InvalidArgument, "negative must be >= 1 (only negative sampling is implemented), got ",
                o.negative);
    PYLLM_CHECK(o.epochs >= 1, InvalidArgument, "epochs must be >= 1, got ", o.epochs);
    PYLLM_CHECK(o.alpha > 0 && o.min_alpha >= 0, InvalidArgument, "alpha must be > 0 and min_alpha >= 0");
    PYLLM_CHECK(o.workers >= 1, InvalidArgument, "workers must be >= 1, got ", o.workers);
    PYLLM_CHECK(o.max_sentence_length >= 1, InvalidArgument, "max_sentence_length must be >= 1");
}

// The shared state of one training run.
struct Trainer {
    const Word2VecOptions& o;
    const W2VKernels& k;
    const int D;
    std::vector<int32_t> corpus;          // [n] word ids (min_count applied)
    std::vector<int64_t> sent;            // [n_sentences + 1] into corpus
    std::vector<int64_t> sent_doc;        // [n_sentences] the input sentence (document) each piece came from
    float* docs = nullptr;                // [n_docs][D] document vectors (PV-DBOW) or nullptr
    std::vector<int64_t> job_sent;        // [n_jobs + 1] sentence ranges of the jobs
    std::vector<int64_t> job_raw;         // [n_jobs] raw (pre-min_count) words in each job
    std::vector<uint32_t> keep;           // [V] subsampling: keep if u32 < keep[w] (0xFFFFFFFF = always)
    AliasTable noise;
    float* syn0 = nullptr;                // [V][D]
    float* syn1 = nullptr;                // [V][D]
    int64_t total_raw = 0;                // raw words per epoch
    std::atomic<int64_t> next_job{0};
    std::atomic<int64_t> raw_done{0};
    std::atomic<int64_t> trained{0};
    std::vector<double> epoch_loss;       // [epochs]
    std::vector<std::vector<double>> thread_loss;  // [workers][epochs]

    Trainer(const Word2VecOptions& opt) : o(opt), k(w2v_kernels()), D(opt.vector_size) {}

    // One skip-gram prediction: the input vector of `ctx` predicts `word`.
    // targets[0] = word (label 1), then the noise words that differ from it (label 0); their
    // output rows are prefetched while the first ones are being processed.
    int draw_targets(int32_t word, Rng& rng, int32_t* targets) const {
        int nt = 0;
        targets[nt++] = word;
        for (int d = 0; d < o.negative; ++d) {
            int32_t t = noise.sample(rng);
            if (t == word) continue;
            targets[nt++] = t;
            const char* row = reinterpret_cast<const char*>(syn1 + (int64_t)t * D);
            for (int64_t b = 0; b < (int64_t)D * 4; b += 64) __builtin_prefetch(row + b, 1);
        }
        return nt;
    }

    // One skip-gram prediction: the input vector l1 (a context word's, or a document's) predicts `word`.
    double sg_pair(int32_t word, float* l1, float alpha, Rng& rng, float* neu1e, int32_t* targets) {
        const int nt = draw_targets(word, rng, targets);
        std::fill(neu1e, neu1e + D, 0.0f);
        double loss = 0.0;
        for (int d = 0; d < nt; ++d) {
            const int32_t target = targets[d];
            const float label = d == 0 ? 1.0f : 0.0f;
            float* l2 = syn1 + (int64_t)target * D;
            float f = k.dot(l1, l2, D);
            float g = (label - kSigmoid(f)) * alpha;
            if (o.compute_loss) loss += kLoss(label > 0 ? f : -f);
            k.sgns_update(g, l1, l2, neu1e, D);
        }
        k.axpy(1.0f, neu1e, l1, D);
        return loss;
    }

    // One CBOW prediction of sen[i] from sen[lo..hi] except i.
    double cbow(const int32_t* sen, int64_t i, int64_t lo, int64_t hi, float alpha, Rng& rng, float* neu1,
                float* neu1e, int32_t* targets) {
        std::fill(neu1, neu1 + D, 0.0f);
        int cw = 0;
        for (int64_t j = lo; j <= hi; ++j)
            if (j != i) {
                k.axpy(1.0f, syn0 + (int64_t)sen[j] * D, neu1, D);
                ++cw;
            }
        if (cw == 0) return 0.0;
        if (o.cbow_mean)
            for (int t = 0; t < D; ++t) neu1[t] /= (float)cw;
        std::fill(neu1e, neu1e + D, 0.0f);
        const int nt = draw_targets(sen[i], rng, targets);
        double loss = 0.0;
        for (int d = 0; d < nt; ++d) {
            const int32_t target = targets[d];
            const float label = d == 0 ? 1.0f : 0.0f;
            float* l2 = syn1 + (int64_t)target * D;
            float f = k.dot(neu1, l2, D);
            float g = (label - kSigmoid(f)) * alpha;
            if (o.compute_loss) loss += kLoss(label > 0 ? f : -f);
            k.sgns_update(g, neu1, l2, neu1e, D);
        }
        const float scale = o.cbow_mean ? 1.0f : 1.0f / (float)cw;
        for (int64_t j = lo; j <= hi; ++j)
            if (j != i) k.axpy(scale, neu1e, syn0 + (int64_t)sen[j] * D, D);
        return loss;
    }

    void worker(int thread_index) {
        std::vector<float> neu1(D), neu1e(D);
        std::vector<int32_t> targets(o.negative + 1);
        std::vector<int32_t> sen;
        const int64_t n_jobs = (int64_t)job_raw.size();
        const int64_t all_jobs = n_jobs * o.epochs;
        const double total = (double)total_raw * o.epochs;
        std::vector<double>& tl = thread_loss[thread_index];
        while (true) {
            const int64_t job = next_job.fetch_add(1);
            if (job >= all_jobs) break;
            const int epoch = (int)(job / n_jobs);
            const int64_t jj = job % n_jobs;
            const double progress = (double)raw_done.load(std::memory_order_relaxed) / total;
            float alpha = (float)(o.alpha - (o.alpha - o.min_alpha) * progress);
            if (alpha < o.min_alpha) alpha = o.min_alpha;
            Rng rng(o.seed ^ ((uint64_t)job * 0xD1B54A32D192ED03ull));
            int64_t n_trained = 0;
            double loss = 0.0;
            for (int64_t s = job_sent[jj]; s < job_sent[jj + 1]; ++s) {
                sen.clear();
                for (int64_t p = sent[s]; p < sent[s + 1]; ++p) {
                    int32_t w = corpus[p];
                    if (keep[w] != 0xFFFFFFFFu && rng.u32() >= keep[w]) continue;
                    sen.push_back(w);
                }
                const int64_t n = (int64_t)sen.size();
                n_trained += n;
                float* dv = docs ? docs + sent_doc[s] * D : nullptr;
                for (int64_t i = 0; i < n; ++i) {
                    if (dv) {  // PV-DBOW: the document vector predicts each of its words
                        loss += sg_pair(sen[i], dv, alpha, rng, neu1e.data(), targets.data());
                        if (!o.dbow_words) continue;
                    }
                    const int64_t b = o.window - (int64_t)(rng.u32() % (uint32_t)o.window);  // reduced window
                    const int64_t lo = std::max<int64_t>(0, i - b), hi = std::min<int64_t>(n - 1, i + b);
                    if (o.sg) {
                        for (int64_t j = lo; j <= hi; ++j) {
                            if (j == i) continue;
                            if (j + 1 <= hi) {  // the next context row, while this pair trains
                                const char* row = reinterpret_cast<const char*>(syn0 + (int64_t)sen[j + 1] * D);
                                for (int64_t b = 0; b < (int64_t)D * 4; b += 64) __builtin_prefetch(row + b, 1);
                            }
                            loss += sg_pair(sen[i], syn0 + (int64_t)sen[j] * D, alpha, rng, neu1e.data(), targets.data());
                        }
                    } else {
                        loss += cbow(sen.data(), i, lo, hi, alpha, rng, neu1.data(), neu1e.data(), targets.data());
                    }
                }
            }
            raw_done.fetch_add(job_raw[jj], std::memory_order_relaxed);
            trained.fetch_add(n_trained, std::memory_order_relaxed);
            tl[epoch] += loss;
        }
    }
};

}  // namespace

Word2VecModel train_word2vec(const std::vector<std::string_view>& words, const std::vector<int64_t>& offsets,
                             const Word2VecOptions& opt) {
    check_options(opt);
    PYLLM_CHECK(offsets.size() >= 1 && offsets.front() == 0 && offsets.back() == (int64_t)words.size(),
                InvalidArgument, "sentence offsets do not match the word list");
    PYLLM_CHECK(!words.empty(), InvalidArgument, "cannot train word2vec on an empty corpus (no words)");

    // 1. vocabulary: count, keep >= min_count, sort by descending count (stable: first occurrence)
    StringTable table;
    std::vector<int64_t> count;
    std::vector<int32_t> raw_ids(words.size());
    for (size_t i = 0; i < words.size(); ++i) {
        int32_t id = table.insert(words[i]);
        if ((size_t)id >= count.size()) count.push_back(0);
        count[id]++;
        raw_ids[i] = id;
    }
    std::vector<int32_t> order;
    for (int32_t id = 0; id < table.size(); ++id)
        if (count[id] >= opt.min_count) order.push_back(id);
    PYLLM_CHECK(!order.empty(), InvalidArgument, "no word occurs at least min_count=", opt.min_count, " times (",
                table.size(), " distinct words, the most frequent seen ",
                *std::max_element(count.begin(), count.end()), " times)");
    std::stable_sort(order.begin(), order.end(), [&](int32_t a, int32_t b) { return count[a] > count[b]; });
    const int32_t V = (int32_t)order.size();
    std::vector<int32_t> new_id(table.size(), -1);
    Word2VecModel m;
    m.vector_size = opt.vector_size;
    m.words.resize(V);
    m.counts.resize(V);
    for (int32_t r = 0; r < V; ++r) {
        new_id[order[r]] = r;
        m.words[r] = std::string(table.view(order[r]));
        m.counts[r] = count[order[r]];
    }

    // 2. the corpus as ids (dropped words removed; long sentences cut), split into jobs
    Trainer T(opt);
    m.kernels = T.k.name;
    T.sent.push_back(0);
    T.job_sent.push_back(0);
    int64_t job_raw = 0;
    for (size_t s = 0; s + 1 < offsets.size(); ++s) {
        int64_t in_sentence = 0;
        for (int64_t p = offsets[s]; p < offsets[s + 1]; ++p) {
            ++job_raw;
            int32_t id = new_id[raw_ids[p]];
            if (id < 0) continue;
            T.corpus.push_back(id);
            if (++in_sentence == opt.max_sentence_length) {
                T.sent.push_back((int64_t)T.corpus.size());
                T.sent_doc.push_back((int64_t)s);
                in_sentence = 0;
            }
        }
        if (in_sentence > 0) {
            T.sent.push_back((int64_t)T.corpus.size());
            T.sent_doc.push_back((int64_t)s);
        }
        if (job_raw >= kJobWords || s + 2 == offsets.size()) {
            T.job_sent.push_back((int64_t)T.sent.size() - 1);
            T.job_raw.push_back(job_raw);
            job_raw = 0;
        }
    }
    T.total_raw = (int64_t)words.size();
    m.corpus_words = T.total_raw;

    // 3. subsampling thresholds and the noise distribution
    const double kept_total = (double)T.corpus.size();
    T.keep.assign(V, 0xFFFFFFFFu);
    if (opt.sample > 0) {
        const double thr = opt.sample * kept_total;
        for (int32_t w = 0; w < V; ++w) {
            double c = (double)m.counts[w];
            double p = (std::sqrt(c / thr) + 1.0) * thr / c;
            if (p < 1.0) T.keep[w] = (uint32_t)(p * 4294967296.0);
        }
    }
    std::vector<double> nw(V);
    for (int32_t w = 0; w < V; ++w) nw[w] = std::pow((double)m.counts[w], opt.ns_exponent);
    T.noise.build(nw);

    // 4. weights
    const int D = opt.vector_size;
    m.vectors.resize((size_t)V * D);
    m.out_vectors.assign((size_t)V * D, 0.0f);
    Rng init(opt.seed);
    for (float& x : m.vectors) x = (init.uniform() - 0.5f) / (float)D;
    T.syn0 = m.vectors.data();
    T.syn1 = m.out_vectors.data();
    if (opt.doc_vectors) {
        m.doc_vectors.resize((offsets.size() - 1) * (size_t)D);
        for (float& x : m.doc_vectors) x = (init.uniform() - 0.5f) / (float)D;
        T.docs = m.doc_vectors.data();
    }

    // 5. train
    T.thread_loss.assign(opt.workers, std::vector<double>(opt.epochs, 0.0));
    if (opt.workers == 1) {
        T.worker(0);
    } else {
        ThreadPool pool(opt.workers);
        pool.run([&](int i, int) { T.worker(i); });
    }
    m.trained_words = T.trained.load();
    m.epoch_loss.assign(opt.epochs, 0.0);
    for (auto& tl : T.thread_loss)
        for (int e = 0; e < opt.epochs; ++e) m.epoch_loss[e] += tl[e];
    return m;
}

}  // namespace pyllm::classic
