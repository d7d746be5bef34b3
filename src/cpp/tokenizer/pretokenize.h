// pretokenize.h — splitting text into pre-tokens before BPE, one hand-written scanner per regex
// family (no std::regex). The semantics follow llama.cpp's pre-tokenizers (facts, not code): a
// pre-tokenizer is a sequence of passes; each pass splits every piece produced by the previous one
// into the matches of its regex AND the unmatched gaps between them.
//
//   gpt-2, mpt, ...   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
//   llama-bpe (3)     (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
//   qwen2             the same with \p{N} (single digits)
//   smollm, starcoder \p{N} ; then gpt-2
//   falcon            [\p{P}\$\+<=>\^~\|`]+ ; gpt-2 ; [0-9][0-9][0-9]
//   default (BPE)     [\p{P}\$\+<=>\^~\|]+ ; gpt-2 ; \p{N}+ ; [0-9][0-9][0-9]
//   deepseek-coder    [\r\n] ; \s?\p{L}+ ; \s?\p{P}+ ; [一-龥ࠀ-一가-퟿]+ ; \p{N}
// Character classes follow llama.cpp's conventions: \s is the White_Space property; non-ASCII
// white space never counts as a letter/number/punctuation for the regex passes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pyllm::tokenizer {

enum class PreType { Gpt2, Default, Llama3, Qwen2, Falcon, DeepseekCoder, Smollm };

struct PreTokenizerInfo {
    PreType type;
    bool ignore_merges;  // llama3 family: a pre-token that is itself in the vocabulary is emitted whole
    bool add_bos;        // llama.cpp's default add_bos for this family (overridden by GGUF metadata)
};

// Map tokenizer.ggml.pre to a family; throws UnsupportedError for unknown names.
PreTokenizerInfo pre_tokenizer_info(const std::string& pre_name);
const char* pre_type_name(PreType t);

// A piece: [begin, end) byte offsets into the text.
using Span = std::pair<uint32_t, uint32_t>;

class PreTokenizer {
public:
    explicit PreTokenizer(PreType t) : type_(t) {}
    PreType type() const { return type_; }

    // Split `text` (must decode without U+FFFD substitutions; see utf8_is_lenient_valid) into
    // pieces, appended to `out` in order. They cover the text exactly. text.size() < 4 GiB.
    void split(std::string_view text, std::vector<Span>& out) const;

private:
    PreType type_;
};

}  // namespace pyllm::tokenizer
