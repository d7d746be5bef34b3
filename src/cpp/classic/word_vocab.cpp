// word_vocab.cpp — ASCII word/punctuation splitting and the word -> id table (see word_vocab.h).
#include "classic/word_vocab.h"

#include "common/error.h"

namespace pyllm::classic {

namespace {

enum CharClass : uint8_t { kSpace = 0, kWord = 1, kPunct = 2, kNonAscii = 3 };

struct ClassTable {
    uint8_t c[256];
    ClassTable() {
        for (int i = 0; i < 256; ++i) {
            bool word = (i >= 'a' && i <= 'z') || (i >= 'A' && i <= 'Z') || (i >= '0' && i <= '9') || i == '_';
            bool space = (i >= 0x09 && i <= 0x0d) || (i >= 0x1c && i <= 0x1f) || i == 0x20;
            c[i] = i >= 0x80 ? kNonAscii : word ? kWord : space ? kSpace : kPunct;
        }
    }
};
const ClassTable kClass;

}  // namespace

int32_t WordVocab::id_of(std::string_view w, bool grow) {
    if (grow) return table_.insert(w);
    int32_t id = table_.find(w);
    return id < 0 ? 0 : id;
}

void WordVocab::encode_ascii(std::string_view text, bool lowercase, bool grow, std::vector<int32_t>& out) {
    const char* p = text.data();
    const size_t n = text.size();
    if (lowercase) {
        scratch_.resize(n);
        for (size_t i = 0; i < n; ++i) {
            char ch = p[i];
            scratch_[i] = (ch >= 'A' && ch <= 'Z') ? (char)(ch + 32) : ch;
        }
        p = scratch_.data();
    }
    size_t i = 0;
    while (i < n) {
        uint8_t k = kClass.c[(unsigned char)p[i]];
        if (k == kSpace) {
            ++i;
        } else if (k == kWord) {
            size_t s = i;
            while (i < n && kClass.c[(unsigned char)p[i]] == kWord) ++i;
            out.push_back(id_of(std::string_view(p + s, i - s), grow));
        } else if (k == kPunct) {
            out.push_back(id_of(std::string_view(p + i, 1), grow));
            ++i;
        } else {
            throw InvalidArgument(str("text is not ASCII (byte at offset ", i, "); split it in Python"));
        }
    }
}

void WordVocab::encode_tokens(const std::vector<std::string>& tokens, bool grow, std::vector<int32_t>& out) {
    for (const std::string& t : tokens) out.push_back(id_of(t, grow));
}

}  // namespace pyllm::classic
