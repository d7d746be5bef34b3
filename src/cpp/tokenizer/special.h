// special.h — splitting text at special tokens before the model sees it (llama.cpp's
// tokenizer_st_partition semantics): special tokens are taken in order of decreasing text length;
// each one splits every remaining raw-text fragment at its leftmost non-overlapping occurrences.
// Control and unknown tokens take part only with parse_special; user-defined tokens always do.
// A trie first finds which special tokens occur at all, so the cost is ~linear in the text.
// llama.cpp's per-model strip rules: Phi-3 (general.name contains "phi-3"/"phi3") strips white space
// after its special tokens (rstrip; not after <unk>, <s>, <|endoftext|>); jina-v2 strips it before
// "<mask>" (lstrip).
#pragma once

#include <cstdint>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tokenizer/tokenizer.h"

namespace pyllm::tokenizer {

struct Fragment {
    uint32_t begin, end;  // byte range of raw text (when token < 0)
    int32_t token;        // >= 0: a special token
};

class SpecialSplitter {
public:
    explicit SpecialSplitter(const Vocab& v);  // v must outlive this object
    bool empty() const { return order_.empty(); }
    // Fragments of text, in order. Without any special token present: one raw fragment.
    void split(std::string_view text, bool parse_special, std::vector<Fragment>& out) const;

private:
    const Vocab& v_;
    std::vector<int32_t> order_;  // special token ids by decreasing length (ties: lower id first)
    std::vector<int32_t> rank_;   // [n_vocab] position in order_ or -1
    std::vector<char> lstrip_, rstrip_;  // [n_vocab]
    // Trie over the special token texts: node -> edges keyed (node << 8 | byte); term_[node] = token or -1.
    std::unordered_map<uint64_t, int32_t> edges_;
    std::vector<int32_t> term_;
    bool first_byte_[2][256] = {};  // [parse_special][byte]: can a usable special token start here?
    bool any_usable_[2] = {false, false};
};

}  // namespace pyllm::tokenizer
