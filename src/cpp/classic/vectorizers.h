// vectorizers.h — bag of words and TF-IDF, matching scikit-learn's CountVectorizer /
// TfidfVectorizer (analyzer='word') exactly.
//
//   CountOptions opt;  opt.ngram_min = 1; opt.ngram_max = 2; opt.n_threads = 2;
//   std::vector<DocSource> docs = {{"In the beginning God created"}, ...};
//   CountFit fit = count_fit(docs, opt);          // terms sorted, X: [n_docs][terms.size()] counts
//   tfidf_inplace(...);                           // on a float copy of X.counts
//
// Tokenization (built-in): scikit-learn's default token_pattern (?u)\b\w\w+\b on ASCII text, i.e.
// every maximal run of [A-Za-z0-9_] of length >= 2; with `lowercase`, ASCII letters are lowered
// first (Python's str.lower() on ASCII). Raw texts MUST be ASCII: non-ASCII text (where Python's
// Unicode \w and str.lower() apply) is tokenized by the caller and passed as pre-split tokens.
// Then, as in scikit-learn: stop words are removed, n-grams (ngram_min..ngram_max, joined by ' ')
// are formed, and terms are counted per document.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "classic/string_table.h"

namespace pyllm::classic {

struct CountOptions {
    bool lowercase = true;                // lower ASCII letters of raw texts (not of pre-split tokens)
    int ngram_min = 1, ngram_max = 1;     // 1 <= ngram_min <= ngram_max
    std::vector<std::string> stop_words;  // removed before n-grams are formed (exact match)
    int n_threads = 1;                    // >= 1; documents are split into contiguous chunks
};

// One document: either a raw ASCII text (tokens == nullptr) or pre-split tokens (UTF-8).
struct DocSource {
    std::string_view text;
    const std::vector<std::string>* tokens = nullptr;
};

// A CSR matrix of counts; columns sorted within each row, no explicit zeros.
struct CountMatrix {
    int64_t n_rows = 0, n_cols = 0;
    std::vector<int64_t> indptr;   // [n_rows + 1]
    std::vector<int32_t> indices;  // [nnz] column ids
    std::vector<int64_t> counts;   // [nnz]
};

struct CountFit {
    std::vector<std::string> terms;  // [n_terms] sorted by code point (UTF-8 byte order); column j = terms[j]
    std::vector<int64_t> df;         // [n_terms] number of documents containing the term
    std::vector<int64_t> tf;         // [n_terms] total count over all documents
    CountMatrix X;                   // [n_docs][n_terms]
};

// A fixed vocabulary for transform(): term -> column (columns given by the caller, need not be sorted).
class Vocabulary {
public:
    // terms[j] is the term of column j; duplicates are an InvalidArgument naming the term.
    explicit Vocabulary(const std::vector<std::string>& terms);
    int32_t column(std::string_view term) const { int32_t id = table_.find(term); return id < 0 ? -1 : columns_[id]; }
    int64_t size() const { return (int64_t)columns_.size(); }
private:
    StringTable table_;
    std::vector<int32_t> columns_;  // [table id] -> column
};

// Learn the vocabulary and count. Throws InvalidArgument on bad options or non-ASCII raw text.
CountFit count_fit(const std::vector<DocSource>& docs, const CountOptions& opt);

// Count with a fixed vocabulary (terms outside it are ignored).
CountMatrix count_transform(const std::vector<DocSource>& docs, const CountOptions& opt, const Vocabulary& vocab);

// Keep the columns with keep[j] != 0, renumbered in order (scikit-learn's X[:, kept_indices]).
CountMatrix select_columns(const CountMatrix& X, const std::vector<uint8_t>& keep);

enum class Norm { None, L1, L2 };

// TF-IDF on CSR data in place, as scikit-learn's TfidfTransformer.transform:
// sublinear: x = log(x) + 1; idf (nullable, [n_cols]): x *= idf[col]; then each row divided by its
// L1 (sum |x|) or L2 (sqrt(sum x^2)) norm, accumulated in column order; all-zero rows untouched.
// data, indices: [nnz]; indptr: [n_rows + 1].
template <typename Index>
void tfidf_inplace(double* data, const Index* indices, const Index* indptr, int64_t n_rows,
                   const double* idf, bool sublinear, Norm norm);

}  // namespace pyllm::classic
