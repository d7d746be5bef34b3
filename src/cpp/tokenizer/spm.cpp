// spm.cpp — see spm.h.
#include "tokenizer/spm.h"

#include <algorithm>
#include <cstdio>
#include <queue>
#include <string>

#include "tokenizer/piece_cache.h"
#include "tokenizer/unicode.h"

namespace pyllm::tokenizer {

namespace {
constexpr uint64_t kNoPair = ~0ull;
inline uint64_t pair_key(uint32_t a, uint32_t b) { return (static_cast<uint64_t>(a) << 21) | b; }
}  // namespace

bool SentencePieceBPE::has_pair(uint32_t a, uint32_t b) const {
    const uint64_t k = pair_key(a, b);
    for (size_t i = hash_u64(k) & pair_mask_;; i = (i + 1) & pair_mask_) {
        if (pair_set_[i] == k) return true;
        if (pair_set_[i] == kNoPair) return false;
    }
}

SentencePieceBPE::SentencePieceBPE(const Vocab& v) : v_(v), instance_id_(PieceCache::new_owner_id()) {
    text_to_id_.reserve(v.tokens.size());
    for (int32_t i = 0; i < v.size(); ++i) text_to_id_.set(v.tokens[i], i);
    // Adjacent code-point pairs inside tokens (tokens that are not valid UTF-8 disable chunking).
    std::vector<uint64_t> pairs;
    bool all_valid = true;
    for (const std::string& t : v.tokens) {
        if (!utf8_is_lenient_valid(t)) { all_valid = false; break; }
        size_t pos = 0;
        uint32_t prev = utf8_decode(t.data(), t.size(), &pos);
        while (pos < t.size()) {
            const uint32_t c = utf8_decode(t.data(), t.size(), &pos);
            pairs.push_back(pair_key(prev, c));
            prev = c;
        }
    }
    if (all_valid) {
        std::sort(pairs.begin(), pairs.end());
        pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
        size_t cap = 16;
        while (cap < pairs.size() * 2) cap <<= 1;
        pair_set_.assign(cap, kNoPair);
        pair_mask_ = cap - 1;
        for (uint64_t k : pairs) {
            size_t i = hash_u64(k) & pair_mask_;
            while (pair_set_[i] != kNoPair) i = (i + 1) & pair_mask_;
            pair_set_[i] = k;
        }
    }
    for (int b = 0; b < 256; ++b) {
        char hex[8];
        std::snprintf(hex, sizeof hex, "<0x%02X>", b);
        int32_t id = text_to_id_.get(hex);
        if (id < 0) {
            const char c = static_cast<char>(b);
            id = text_to_id_.get(std::string_view(&c, 1));
        }
        if (id < 0) id = v.unk;
        byte_token_[b] = id;
    }
}

void SentencePieceBPE::encode(std::string_view text, bool prefix_space, std::vector<int32_t>& out) const {
    // s: the escaped text (' ' -> U+2581), with the optional prefix space.
    std::string s;
    s.reserve(text.size() + text.size() / 2 + 4);
    static const char kSpace[] = "\xE2\x96\x81";
    if (v_.add_space_prefix && prefix_space) s.append(kSpace, 3);
    for (char c : text) {
        if (c == ' ') s.append(kSpace, 3);
        else s.push_back(c);
    }
    if (s.empty()) return;

    // Cut where no token can span (see has_pair); only for well-formed text.
    if (pair_set_.empty() || !utf8_is_lenient_valid(s)) {
        encode_chunk(s, out);
        return;
    }
    PieceCache& cache = PieceCache::for_this_thread();
    thread_local std::vector<int32_t> tls_tmp;
    std::vector<int32_t>& tmp = tls_tmp;
    auto flush = [&](std::string_view chunk) {
        const bool cacheable = chunk.size() <= PieceCache::kMaxKey;
        if (cacheable && cache.lookup(instance_id_, chunk, out)) return;
        tmp.clear();
        encode_chunk(chunk, tmp);
        if (cacheable) cache.store(instance_id_, chunk, tmp.data(), tmp.size());
        out.insert(out.end(), tmp.begin(), tmp.end());
    };
    size_t chunk = 0, pos = 0;
    uint32_t prev = utf8_decode(s.data(), s.size(), &pos);
    while (pos < s.size()) {
        const size_t at = pos;
        const uint32_t c = utf8_decode(s.data(), s.size(), &pos);
        if (!has_pair(prev, c)) {
            flush(std::string_view(s).substr(chunk, at - chunk));
            chunk = at;
        }
        prev = c;
    }
    flush(std::string_view(s).substr(chunk));
}

void SentencePieceBPE::encode_chunk(std::string_view s, std::vector<int32_t>& out) const {
    if (s.empty()) return;
    // Symbols: [start, start+len) byte ranges of s, linked; len == 0 once merged away.
    struct Sym {
        uint32_t start, len;
        int32_t prev, next;
    };
    std::vector<Sym> sym;
    sym.reserve(s.size());
    for (size_t pos = 0; pos < s.size();) {
        const size_t len = std::min(utf8_len_from_lead(static_cast<unsigned char>(s[pos])), s.size() - pos);
        const int32_t idx = static_cast<int32_t>(sym.size());
        sym.push_back(Sym{static_cast<uint32_t>(pos), static_cast<uint32_t>(len), idx - 1,
                          pos + len < s.size() ? idx + 1 : -1});
        pos += len;
    }

    struct Bigram {
        float score;
        int32_t left, right;
        uint32_t size;
    };
    auto lower = [](const Bigram& a, const Bigram& b) { return a.score < b.score || (a.score == b.score && a.left > b.left); };
    std::priority_queue<Bigram, std::vector<Bigram>, decltype(lower)> heap(lower);
    auto try_add = [&](int32_t l, int32_t r) {
        if (l < 0 || r < 0) return;
        const uint32_t size = sym[l].len + sym[r].len;
        const int32_t id = text_to_id_.get(std::string_view(s.data() + sym[l].start, size));
        if (id < 0) return;
        heap.push(Bigram{v_.scores[static_cast<size_t>(id)], l, r, size});
    };
    for (int32_t i = 1; i < static_cast<int32_t>(sym.size()); ++i) try_add(i - 1, i);

    while (!heap.empty()) {
        const Bigram bg = heap.top();
        heap.pop();
        Sym& L = sym[bg.left];
        Sym& R = sym[bg.right];
        if (L.len == 0 || R.len == 0 || L.len + R.len != bg.size) continue;  // stale
        L.len += R.len;
        R.len = 0;
        L.next = R.next;
        if (R.next >= 0) sym[R.next].prev = bg.left;
        try_add(L.prev, bg.left);
        try_add(bg.left, L.next);
    }

    for (int32_t i = 0; i >= 0; i = sym[i].next) {
        const std::string_view piece(s.data() + sym[i].start, sym[i].len);
        const int32_t id = text_to_id_.get(piece);
        if (id >= 0) {
            out.push_back(id);
            continue;
        }
        for (unsigned char c : piece)
            if (byte_token_[c] >= 0) out.push_back(byte_token_[c]);
    }
}

}  // namespace pyllm::tokenizer
