// word2vec.h — word2vec (Mikolov et al. 2013): skip-gram or CBOW with negative sampling,
// frequent-word subsampling, linear learning-rate decay, Hogwild-style threads.
//
//   Word2VecOptions o; o.vector_size = 100; o.workers = 2;
//   Word2VecModel m = train_word2vec(words, offsets, o);    // sentence s: words[offsets[s]..offsets[s+1])
//   m.vectors  // [vocab][vector_size] float32, row i = m.words[i]
//
// Vocabulary: words seen >= min_count times, sorted by descending count (ties: first occurrence).
// Other words are dropped from the sentences before windowing; sentences longer than
// max_sentence_length are cut into pieces of that length.
// Subsampling: word w (count c, corpus N kept words) is kept with probability
// min(1, (sqrt(c / (sample N)) + 1) * sample N / c); sample <= 0 keeps every word.
// Skip-gram: for each kept position i, a reduced window b = window - r, r uniform in [0, window),
// and every j in [i - b, i + b], j != i, trains the input vector of word j to predict word i.
// CBOW: the mean (cbow_mean) or sum of the input vectors of the window predicts word i; the error
// is added to every window word (divided by the window size when summing, as gensim does).
// Negative sampling: `negative` noise words per prediction from count^ns_exponent (alias method);
// logistic loss; sigmoid from a table on [-6, 6], saturated outside.
// Learning rate: alpha -> min_alpha linearly in the fraction of (epochs x corpus words) done.
// Initialisation: input vectors uniform in [-0.5, 0.5) / vector_size, output vectors zero.
// Threads: jobs of ~10k words are taken in order from a shared counter; updates are lock-free
// (Hogwild). workers = 1 with a fixed seed is deterministic.
// Doc2Vec PV-DBOW (Le & Mikolov 2014), with doc_vectors: each input sentence is a document whose
// vector is trained, like a skip-gram context vector, to predict every (kept) word of it; with
// dbow_words, word vectors are trained in the same pass as above.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pyllm::classic {

struct Word2VecOptions {
    int vector_size = 100;
    int window = 5;
    int min_count = 5;
    int negative = 5;
    int epochs = 5;
    bool sg = true;              // skip-gram (true) or CBOW (false)
    bool cbow_mean = true;
    double sample = 1e-3;
    double ns_exponent = 0.75;
    float alpha = 0.025f, min_alpha = 0.0001f;
    int workers = 1;
    uint64_t seed = 0;
    bool compute_loss = false;
    int max_sentence_length = 10000;
    bool doc_vectors = false;    // Doc2Vec PV-DBOW: one vector per input sentence (document) predicts its words
    bool dbow_words = false;     // with doc_vectors: also train word vectors (skip-gram / CBOW) in the same pass
};

struct Word2VecModel {
    std::vector<std::string> words;     // [V] by descending count
    std::vector<int64_t> counts;        // [V]
    int vector_size = 0;
    std::vector<float> vectors;         // [V][vector_size] input vectors (the embeddings)
    std::vector<float> out_vectors;     // [V][vector_size] output (negative-sampling) vectors
    std::vector<float> doc_vectors;     // [n_sentences][vector_size] if doc_vectors
    std::vector<double> epoch_loss;     // [epochs] summed logistic loss -ln sigmoid(+-f) (if compute_loss; tabulated)
    int64_t corpus_words = 0;           // words in the corpus (all of them)
    int64_t trained_words = 0;          // words actually trained on (after min_count + subsampling), all epochs
    const char* kernels = "";           // the kernel table used
};

// Throws InvalidArgument on bad options, an empty corpus, or no word with count >= min_count.
Word2VecModel train_word2vec(const std::vector<std::string_view>& words, const std::vector<int64_t>& offsets,
                             const Word2VecOptions& opt);

}  // namespace pyllm::classic
