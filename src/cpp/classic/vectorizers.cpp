// vectorizers.cpp — tokenize, form n-grams, count (multi-threaded over documents), build CSR.
// See vectorizers.h for the exact scikit-learn semantics reproduced here.
#include "classic/vectorizers.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <memory>
#include <numeric>
#include <utility>

#include "common/error.h"
#include "common/thread_pool.h"

namespace pyllm::classic {

namespace {

// Python's \w restricted to ASCII: [A-Za-z0-9_]. Bytes >= 0x80 are not word characters here; a raw
// text containing one is rejected (the caller must pre-split non-ASCII text).
struct WordTable {
    std::array<uint8_t, 256> is_word{};
    WordTable() {
        for (int c = 0; c < 256; ++c)
            is_word[c] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    }
};
const WordTable kWord;

// Per-thread analyzer state: lowered text, tokens of the current document, n-gram scratch.
class Analyzer {
public:
    Analyzer(const CountOptions& opt, const StringTable* stops) : opt_(opt), stops_(stops) {}

    // Calls emit(std::string_view term) for every term of the document (unigrams first, then
    // bigrams, ... as scikit-learn's _word_ngrams). The view is valid only during the call.
    template <typename Emit>
    void run(const DocSource& doc, int64_t doc_index, Emit&& emit) {
        toks_.clear();
        if (doc.tokens) {
            for (const std::string& t : *doc.tokens) push(t);
        } else {
            split_ascii(doc.text, doc_index);
        }
        const size_t nt = toks_.size();
        if (opt_.ngram_max == 1) {
            for (std::string_view t : toks_) emit(t);
            return;
        }
        int min_n = opt_.ngram_min;
        if (min_n == 1) {
            for (std::string_view t : toks_) emit(t);
            min_n = 2;
        }
        for (size_t n = (size_t)min_n; n <= (size_t)opt_.ngram_max && n <= nt; ++n) {
            for (size_t i = 0; i + n <= nt; ++i) {
                gram_.assign(toks_[i].data(), toks_[i].size());
                for (size_t k = 1; k < n; ++k) {
                    gram_.push_back(' ');
                    gram_.append(toks_[i + k].data(), toks_[i + k].size());
                }
                emit(std::string_view(gram_));
            }
        }
    }

private:
    void push(std::string_view t) {
        if (stops_ && stops_->find(t) >= 0) return;
        toks_.push_back(t);
    }

    // Every maximal run of word characters of length >= 2 (== findall of \b\w\w+\b on ASCII).
    void split_ascii(std::string_view text, int64_t doc_index) {
        const size_t n = text.size();
        const char* p = text.data();
        if (opt_.lowercase) {
            lowered_.resize(n);
            for (size_t i = 0; i < n; ++i) {
                char c = p[i];
                lowered_[i] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
            }
            p = lowered_.data();
        }
        size_t i = 0;
        while (i < n) {
            unsigned char c = (unsigned char)p[i];
            if (!kWord.is_word[c]) {
                PYLLM_CHECK(c < 0x80, InvalidArgument, "document ", doc_index,
                            ": the built-in tokenizer needs ASCII text (byte 0x", std::hex, (int)c, std::dec,
                            " at offset ", i, "); pre-split non-ASCII documents");
                ++i;
                continue;
            }
            size_t s = i;
            while (i < n && kWord.is_word[(unsigned char)p[i]]) ++i;
            if (i - s >= 2) push(std::string_view(p + s, i - s));
        }
    }

    const CountOptions& opt_;
    const StringTable* stops_;
    std::string lowered_;                 // [len(text)] lowered copy (tokens point into it)
    std::vector<std::string_view> toks_;  // tokens of the current document (after stop words)
    std::string gram_;                    // the n-gram being built
};

void check_options(const CountOptions& opt) {
    PYLLM_CHECK(opt.ngram_min >= 1 && opt.ngram_min <= opt.ngram_max, InvalidArgument,
                "invalid ngram_range (", opt.ngram_min, ", ", opt.ngram_max,
                "): need 1 <= min_n <= max_n");
    PYLLM_CHECK(opt.n_threads >= 1, InvalidArgument, "n_threads must be >= 1, got ", opt.n_threads);
}

// Rows produced by one thread for its contiguous range of documents. Column ids are local to the
// thread (fit) or final (transform).
struct RowBlock {
    std::vector<int64_t> row_off;  // [n_docs_in_block + 1] into cols/cnts
    std::vector<int32_t> cols;     // [nnz]
    std::vector<int64_t> cnts;     // [nnz]
};

// Per-document counting with "stamp" arrays: stamp[id] == doc -> slot[id] is its entry in the row.
struct RowCounter {
    std::vector<int64_t> stamp;
    std::vector<int64_t> slot;
    void add(RowBlock& rb, int32_t id, int64_t doc) {
        if ((size_t)id >= stamp.size()) {
            size_t n = std::max<size_t>((size_t)id + 1, stamp.size() * 2);
            stamp.resize(n, -1);
            slot.resize(n, 0);
        }
        if (stamp[id] != doc) {
            stamp[id] = doc;
            slot[id] = (int64_t)rb.cols.size();
            rb.cols.push_back(id);
            rb.cnts.push_back(1);
        } else {
            rb.cnts[slot[id]]++;
        }
    }
};

void sort_row(int32_t* cols, int64_t* cnts, int64_t n, std::vector<std::pair<int32_t, int64_t>>& tmp) {
    tmp.resize(n);
    for (int64_t k = 0; k < n; ++k) tmp[k] = {cols[k], cnts[k]};
    std::sort(tmp.begin(), tmp.end());
    for (int64_t k = 0; k < n; ++k) {
        cols[k] = tmp[k].first;
        cnts[k] = tmp[k].second;
    }
}

// Concatenate the thread blocks (in document order) into one CSR matrix.
CountMatrix assemble(std::vector<RowBlock>& blocks, int64_t n_rows, int64_t n_cols, ThreadPool& pool) {
    CountMatrix X;
    X.n_rows = n_rows;
    X.n_cols = n_cols;
    X.indptr.resize(n_rows + 1);
    X.indptr[0] = 0;
    std::vector<int64_t> block_start(blocks.size() + 1, 0);
    int64_t r = 0;
    for (size_t b = 0; b < blocks.size(); ++b) {
        const RowBlock& rb = blocks[b];
        block_start[b] = X.indptr[r];
        for (size_t k = 0; k + 1 < rb.row_off.size(); ++k, ++r) X.indptr[r + 1] = X.indptr[r] + (rb.row_off[k + 1] - rb.row_off[k]);
    }
    int64_t nnz = X.indptr[n_rows];
    X.indices.resize(nnz);
    X.counts.resize(nnz);
    pool.run([&](int i, int n) {
        for (size_t b = (size_t)i; b < blocks.size(); b += (size_t)n) {
            const RowBlock& rb = blocks[b];
            std::copy(rb.cols.begin(), rb.cols.end(), X.indices.begin() + block_start[b]);
            std::copy(rb.cnts.begin(), rb.cnts.end(), X.counts.begin() + block_start[b]);
        }
    });
    return X;
}

std::unique_ptr<StringTable> make_stops(const CountOptions& opt) {
    if (opt.stop_words.empty()) return nullptr;
    auto t = std::make_unique<StringTable>();
    for (const std::string& s : opt.stop_words) t->insert(s);
    return t;
}

int effective_threads(const CountOptions& opt, size_t n_docs) {
    int n = opt.n_threads;
    if ((size_t)n > n_docs / 64 + 1) n = (int)(n_docs / 64 + 1);  // tiny inputs: one thread
    return std::max(1, n);
}

}  // namespace

Vocabulary::Vocabulary(const std::vector<std::string>& terms) {
    table_.reserve(terms.size());
    columns_.reserve(terms.size());
    for (size_t j = 0; j < terms.size(); ++j) {
        int32_t before = table_.size();
        int32_t id = table_.insert(terms[j]);
        PYLLM_CHECK(id == before, InvalidArgument, "duplicate term in vocabulary: '", terms[j], "'");
        columns_.push_back((int32_t)j);
    }
}

CountFit count_fit(const std::vector<DocSource>& docs, const CountOptions& opt) {
    check_options(opt);
    const int64_t n_docs = (int64_t)docs.size();
    const int nt = effective_threads(opt, docs.size());
    std::unique_ptr<StringTable> stops = make_stops(opt);
    ThreadPool pool(nt);

    // 1. count per thread with thread-local term ids
    std::vector<RowBlock> blocks(nt);
    std::vector<StringTable> locals(nt);
    pool.run([&](int i, int n) {
        int64_t b, e;
        ThreadPool::chunk(n_docs, i, n, 1, &b, &e);
        RowBlock& rb = blocks[i];
        StringTable& local = locals[i];
        Analyzer an(opt, stops.get());
        RowCounter rc;
        rb.row_off.reserve(e - b + 1);
        for (int64_t d = b; d < e; ++d) {
            rb.row_off.push_back((int64_t)rb.cols.size());
            an.run(docs[d], d, [&](std::string_view t) { rc.add(rb, local.insert(t), d); });
        }
        rb.row_off.push_back((int64_t)rb.cols.size());
    });

    // 2. merge the thread vocabularies, sort the terms (byte order == code point order)
    StringTable global;
    std::vector<std::vector<int32_t>> to_global(nt);
    for (int i = 0; i < nt; ++i) {
        to_global[i].resize(locals[i].size());
        for (int32_t id = 0; id < locals[i].size(); ++id) to_global[i][id] = global.insert(locals[i].view(id));
    }
    const int32_t n_terms = global.size();
    std::vector<int32_t> order(n_terms);
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](int32_t a, int32_t b) { return global.view(a) < global.view(b); });
    std::vector<int32_t> rank(n_terms);
    CountFit fit;
    fit.terms.resize(n_terms);
    for (int32_t r = 0; r < n_terms; ++r) {
        rank[order[r]] = r;
        fit.terms[r] = std::string(global.view(order[r]));
    }

    // 3. renumber columns, sort each row, accumulate df / tf per thread
    std::vector<std::vector<int64_t>> dfs(nt), tfs(nt);
    pool.run([&](int i, int n) {
        RowBlock& rb = blocks[i];
        std::vector<int32_t>& map = to_global[i];
        for (int32_t& id : map) id = rank[id];
        std::vector<int64_t>& df = dfs[i];
        std::vector<int64_t>& tf = tfs[i];
        df.assign(n_terms, 0);
        tf.assign(n_terms, 0);
        std::vector<std::pair<int32_t, int64_t>> tmp;
        for (size_t k = 0; k < rb.cols.size(); ++k) rb.cols[k] = map[rb.cols[k]];
        for (size_t r = 0; r + 1 < rb.row_off.size(); ++r) {
            int64_t s = rb.row_off[r], e = rb.row_off[r + 1];
            sort_row(rb.cols.data() + s, rb.cnts.data() + s, e - s, tmp);
            for (int64_t k = s; k < e; ++k) {
                df[rb.cols[k]] += 1;
                tf[rb.cols[k]] += rb.cnts[k];
            }
        }
    });
    fit.df.assign(n_terms, 0);
    fit.tf.assign(n_terms, 0);
    for (int i = 0; i < nt; ++i)
        for (int32_t j = 0; j < n_terms; ++j) {
            fit.df[j] += dfs[i][j];
            fit.tf[j] += tfs[i][j];
        }

    // 4. one CSR matrix
    fit.X = assemble(blocks, n_docs, n_terms, pool);
    return fit;
}

CountMatrix count_transform(const std::vector<DocSource>& docs, const CountOptions& opt, const Vocabulary& vocab) {
    check_options(opt);
    const int64_t n_docs = (int64_t)docs.size();
    const int nt = effective_threads(opt, docs.size());
    std::unique_ptr<StringTable> stops = make_stops(opt);
    ThreadPool pool(nt);
    std::vector<RowBlock> blocks(nt);
    pool.run([&](int i, int n) {
        int64_t b, e;
        ThreadPool::chunk(n_docs, i, n, 1, &b, &e);
        RowBlock& rb = blocks[i];
        Analyzer an(opt, stops.get());
        RowCounter rc;
        std::vector<std::pair<int32_t, int64_t>> tmp;
        rb.row_off.reserve(e - b + 1);
        for (int64_t d = b; d < e; ++d) {
            int64_t start = (int64_t)rb.cols.size();
            rb.row_off.push_back(start);
            an.run(docs[d], d, [&](std::string_view t) {
                int32_t col = vocab.column(t);
                if (col >= 0) rc.add(rb, col, d);
            });
            sort_row(rb.cols.data() + start, rb.cnts.data() + start, (int64_t)rb.cols.size() - start, tmp);
        }
        rb.row_off.push_back((int64_t)rb.cols.size());
    });
    return assemble(blocks, n_docs, vocab.size(), pool);
}

CountMatrix select_columns(const CountMatrix& X, const std::vector<uint8_t>& keep) {
    PYLLM_CHECK((int64_t)keep.size() == X.n_cols, InvalidArgument, "keep mask has ", keep.size(),
                " entries for ", X.n_cols, " columns");
    std::vector<int32_t> map(keep.size(), -1);
    int32_t next = 0;
    for (size_t j = 0; j < keep.size(); ++j)
        if (keep[j]) map[j] = next++;
    CountMatrix Y;
    Y.n_rows = X.n_rows;
    Y.n_cols = next;
    Y.indptr.resize(X.n_rows + 1);
    Y.indptr[0] = 0;
    Y.indices.reserve(X.indices.size());
    Y.counts.reserve(X.counts.size());
    for (int64_t r = 0; r < X.n_rows; ++r) {
        for (int64_t k = X.indptr[r]; k < X.indptr[r + 1]; ++k) {
            int32_t c = map[X.indices[k]];
            if (c >= 0) {
                Y.indices.push_back(c);
                Y.counts.push_back(X.counts[k]);
            }
        }
        Y.indptr[r + 1] = (int64_t)Y.indices.size();
    }
    return Y;
}

template <typename Index>
void tfidf_inplace(double* data, const Index* indices, const Index* indptr, int64_t n_rows,
                   const double* idf, bool sublinear, Norm norm) {
    const int64_t nnz = (int64_t)indptr[n_rows];
    if (sublinear)
        for (int64_t k = 0; k < nnz; ++k) data[k] = std::log(data[k]) + 1.0;
    if (idf)
        for (int64_t k = 0; k < nnz; ++k) data[k] *= idf[indices[k]];
    if (norm == Norm::None) return;
    for (int64_t r = 0; r < n_rows; ++r) {
        const int64_t s = (int64_t)indptr[r], e = (int64_t)indptr[r + 1];
        double sum = 0.0;
        if (norm == Norm::L2) {
            for (int64_t k = s; k < e; ++k) sum += data[k] * data[k];
            if (sum == 0.0) continue;
            sum = std::sqrt(sum);
        } else {
            for (int64_t k = s; k < e; ++k) sum += std::fabs(data[k]);
            if (sum == 0.0) continue;
        }
        for (int64_t k = s; k < e; ++k) data[k] /= sum;
    }
}

template void tfidf_inplace<int32_t>(double*, const int32_t*, const int32_t*, int64_t, const double*, bool, Norm);
template void tfidf_inplace<int64_t>(double*, const int64_t*, const int64_t*, int64_t, const double*, bool, Norm);

}  // namespace pyllm::classic
