// word_vocab.h — the word tokenization of pyllm.classic.simple_tokenize on ASCII text, and a
// growing word -> id vocabulary (id 0 is "<unk>"), for NGramLM on texts.
//
// On ASCII text, Python's re pattern \w+|[^\w\s] finds: every maximal run of [A-Za-z0-9_], and
// every other single character that is not whitespace (whitespace = \t \n \v \f \r \x1c-\x1f and
// space, as Python's str.isspace()). `lowercase` lowers A-Z first (Python's str.lower() on ASCII).
// Non-ASCII text is split by the caller (Python's re) and passed as tokens.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "classic/string_table.h"

namespace pyllm::classic {

class WordVocab {
public:
    WordVocab() { table_.insert("<unk>"); }

    int32_t size() const { return table_.size(); }
    std::string_view word(int32_t id) const { return table_.view(id); }

    // Append the ids of the tokens of `text` (must be ASCII; InvalidArgument otherwise) to out.
    // grow: unseen words get new ids; else they map to 0.
    void encode_ascii(std::string_view text, bool lowercase, bool grow, std::vector<int32_t>& out);
    // Same for already split tokens.
    void encode_tokens(const std::vector<std::string>& tokens, bool grow, std::vector<int32_t>& out);

private:
    int32_t id_of(std::string_view w, bool grow);
    StringTable table_;
    std::string scratch_;  // lowered text
};

}  // namespace pyllm::classic
