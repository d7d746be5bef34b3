// byte_bpe.h — GPT-2-style byte-level BPE (tokenizer.ggml.model = "gpt2").
//
// Each pre-token's bytes map to printable code points (GPT-2's byte<->unicode map), one symbol per
// byte; adjacent symbols merge in order of merge rank (lowest first, leftmost on ties) until no
// ranked pair remains — llama.cpp's llm_tokenizer_bpe, done on integer ids: merges live in a hash
// map keyed by the (left id, right id) pair. Strings that occur in merges but not in the vocabulary
// get "virtual" ids >= n_vocab so the merge order stays exact; a final symbol that is not a real
// token is emitted byte by byte (as llama.cpp does). Results are cached per pre-token, per thread.
#pragma once

#include <atomic>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tokenizer/hash_tables.h"
#include "tokenizer/pretokenize.h"
#include "tokenizer/tokenizer.h"

namespace pyllm::tokenizer {

class ByteBPE : public TextModel {
public:
    explicit ByteBPE(const Vocab& v);  // v must outlive this object
    void encode(std::string_view text, bool prefix_space, std::vector<int32_t>& out) const override;
    int32_t lookup(std::string_view text) const override {
        const int32_t id = text_to_id_.get(text);
        return id < n_vocab_ ? id : -1;  // virtual ids are not tokens
    }

    // BPE of one pre-token (raw bytes), uncached; appends ids.
    void encode_piece(std::string_view piece, std::vector<int32_t>& out) const;

private:
    void merge_naive(std::vector<int32_t>& sym) const;
    void merge_heap(std::vector<int32_t>& sym) const;
    void emit_symbol(int32_t id, std::vector<int32_t>& out) const;
    int32_t intern(const std::string& s);  // id of s, creating a virtual id if needed

    const Vocab& v_;
    PreTokenizer pre_;
    int32_t n_vocab_;
    uint64_t instance_id_;
    StringIdMap text_to_id_;          // token text (and virtual strings) -> id
    std::deque<std::string> virtual_;  // texts of ids n_vocab_ + i
    PairMap merges_;
    int32_t byte_sym_[256];           // initial symbol of each byte
    // Fast path: a pre-token whose bytes are exactly a token. raw_: [n_vocab] the token's bytes
    // ("" if its text is not byte-level); raw_to_id_ values are id | verdict << 30 with verdict
    // 0 = not checked yet, 1 = BPE of its bytes is that single token, 2 = it is not (computed
    // lazily and idempotently, so relaxed atomic loads/stores suffice).
    std::vector<std::string> raw_;
    StringIdMap raw_to_id_;
};

}  // namespace pyllm::tokenizer
