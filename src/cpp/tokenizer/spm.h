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

private:
    const Vocab& v_;
    StringIdMap text_to_id_;
    int32_t byte_token_[256];  // <0xXX> (or the one-byte token, or unk; -1 = none)
};

}  // namespace pyllm::tokenizer
