// spm.h — SentencePiece-style BPE (tokenizer.ggml.model = "llama"), as llama.cpp's llm_tokenizer_spm:
// spaces become U+2581 ("▁"), an optional space is prefixed (add_space_prefix), the text is split
// into UTF-8 characters, and the adjacent pair whose concatenation is the vocabulary token with the
// highest score is merged first (leftmost on ties) until no pair forms a token. Symbols that are not
// tokens fall back to byte tokens <0xXX>.
#pragma once

#include <string_view>
#include <vector>

#include "tokenizer/hash_tables.h"
#include "tokenizer/tokenizer.h"

namespace pyllm::tokenizer {

class SentencePieceBPE : public TextModel {
public:
    explicit SentencePieceBPE(const Vocab& v);  // v must outlive this object
    void encode(std::string_view text, bool prefix_space, std::vector<int32_t>& out) const override;
    int32_t lookup(std::string_view text) const override { return text_to_id_.get(text); }

private:
    // The merge loop on one chunk of escaped text (a heap of candidate pairs).
    void encode_chunk(std::string_view s, std::vector<int32_t>& out) const;

    const Vocab& v_;
    uint64_t instance_id_;  // owner tag in the per-thread chunk cache
    StringIdMap text_to_id_;
    // Every pair of adjacent code points that occurs inside some token ((a << 21) | b). Where the
    // text has a pair outside this set, no token can span that point, so no merge ever crosses it
    // and the text is cut there into chunks that are merged independently (same result, and the
    // merge heap stays small on long texts).
    std::vector<uint64_t> pair_set_;  // open addressing, kNoPair = empty
    size_t pair_mask_ = 0;
    bool has_pair(uint32_t a, uint32_t b) const;
    int32_t byte_token_[256];  // <0xXX> (or the one-byte token, or unk; -1 = none)
};

}  // namespace pyllm::tokenizer
