// byte_bpe.cpp — see byte_bpe.h.
#include "tokenizer/byte_bpe.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <memory>
#include <queue>

#include "common/error.h"
#include "tokenizer/piece_cache.h"
#include "tokenizer/unicode.h"

namespace pyllm::tokenizer {

namespace {


constexpr int32_t kIdMask = (1 << 30) - 1;

// Relaxed atomic access to a plain int32 (the verdict bits of raw_to_id_ values).
inline int32_t load_relaxed(const int32_t* p) {
#if defined(__GNUC__) || defined(__clang__)
    return __atomic_load_n(p, __ATOMIC_RELAXED);
#else
    return *static_cast<const volatile int32_t*>(p);
#endif
}
inline void store_relaxed(int32_t* p, int32_t v) {
#if defined(__GNUC__) || defined(__clang__)
    __atomic_store_n(p, v, __ATOMIC_RELAXED);
#else
    *static_cast<volatile int32_t*>(p) = v;
#endif
}


// Replace every byte that does not decode (lenient rules) with U+FFFD, as llama.cpp's
// pre-tokenizer does before BPE.
std::string sanitize_utf8(std::string_view text) {
    std::string s;
    s.reserve(text.size() + 8);
    size_t pos = 0;
    while (pos < text.size()) {
        const size_t b = pos;
        const uint32_t cp = utf8_decode(text.data(), text.size(), &pos);
        if (cp == kReplacementChar && pos - b == 1) utf8_append(s, kReplacementChar);
        else s.append(text.data() + b, pos - b);
    }
    return s;
}

}  // namespace

ByteBPE::ByteBPE(const Vocab& v)
    : v_(v), pre_(pre_tokenizer_info(v.pre).type), n_vocab_(v.size()), instance_id_(PieceCache::new_owner_id()) {
    text_to_id_.reserve(v.tokens.size() + 1024);
    for (int32_t i = 0; i < n_vocab_; ++i) text_to_id_.set(v.tokens[i], i);
    merges_.reserve(v.merges.size() + 16);
    for (size_t r = 0; r < v.merges.size(); ++r) {
        const std::string& m = v.merges[r];
        const size_t sp = m.size() > 1 ? m.find(' ', 1) : std::string::npos;
        if (sp == std::string::npos) continue;
        const std::string left = m.substr(0, sp), right = m.substr(sp + 1);
        const int32_t l = intern(left), rr = intern(right), res = intern(left + right);
        merges_.insert_if_absent(l, rr, PairMap::Value{static_cast<int32_t>(r), res});
    }
    for (int b = 0; b < 256; ++b) {
        std::string s;
        utf8_append(s, byte_to_unicode(static_cast<uint8_t>(b)));
        byte_sym_[b] = intern(s);
    }
    raw_.resize(static_cast<size_t>(n_vocab_));
    raw_to_id_.reserve(static_cast<size_t>(n_vocab_));
    for (int32_t i = 0; i < n_vocab_; ++i) {
        const std::string& t = v.tokens[static_cast<size_t>(i)];
        std::string raw;
        bool ok = true;
        for (size_t pos = 0; pos < t.size() && ok;) {
            const int b = unicode_to_byte(utf8_decode(t.data(), t.size(), &pos));
            if (b < 0) ok = false;
            else raw.push_back(static_cast<char>(b));
        }
        if (ok) raw_[static_cast<size_t>(i)] = std::move(raw);
    }
    for (int32_t i = 0; i < n_vocab_; ++i)
        if (!raw_[static_cast<size_t>(i)].empty()) raw_to_id_.set(raw_[static_cast<size_t>(i)], i);
}

int32_t ByteBPE::intern(const std::string& s) {
    const int32_t id = text_to_id_.get(s);
    if (id >= 0) return id;
    virtual_.push_back(s);
    const int32_t nid = n_vocab_ + static_cast<int32_t>(virtual_.size() - 1);
    text_to_id_.set(virtual_.back(), nid);
    return nid;
}

void ByteBPE::emit_symbol(int32_t id, std::vector<int32_t>& out) const {
    if (id < n_vocab_) {
        out.push_back(id);
        return;
    }
    // Not a real token: llama.cpp looks each byte of the symbol's text up as a one-byte token.
    const std::string& s = virtual_[static_cast<size_t>(id - n_vocab_)];
    for (char c : s) {
        const int32_t t = text_to_id_.get(std::string_view(&c, 1));
        if (t >= 0 && t < n_vocab_) out.push_back(t);
    }
}

// O(n^2) merging for short pieces: repeatedly merge the adjacent pair of lowest rank (leftmost
// on ties). Equivalent to the heap order. sym: [n] ids, merged in place (-1 = removed).
void ByteBPE::merge_naive(std::vector<int32_t>& sym) const {
    size_t n = sym.size();
    while (n > 1) {
        int32_t best_rank = INT32_MAX, best_res = -1;
        size_t best = 0;
        for (size_t i = 0; i + 1 < n; ++i) {
            const PairMap::Value* v = merges_.find(sym[i], sym[i + 1]);
            if (v && v->rank < best_rank) {
                best_rank = v->rank;
                best_res = v->merged;
                best = i;
            }
        }
        if (best_res < 0) break;
        sym[best] = best_res;
        sym.erase(sym.begin() + static_cast<std::ptrdiff_t>(best) + 1);
        --n;
    }
}

// O(n log n) merging for long pieces (e.g. 100k repeated characters): a heap of candidate pairs
// ordered by (rank, left position); stale entries are skipped when popped.
void ByteBPE::merge_heap(std::vector<int32_t>& sym) const {
    const int32_t n = static_cast<int32_t>(sym.size());
    std::vector<int32_t> prev(n), next(n);  // linked list over positions; next = -1 at the end
    for (int32_t i = 0; i < n; ++i) {
        prev[i] = i - 1;
        next[i] = i + 1 < n ? i + 1 : -1;
    }
    struct Cand {
        int32_t rank, left, right, lid, rid, res;
    };
    auto worse = [](const Cand& a, const Cand& b) { return a.rank > b.rank || (a.rank == b.rank && a.left > b.left); };
    std::priority_queue<Cand, std::vector<Cand>, decltype(worse)> heap(worse);
    auto add = [&](int32_t l, int32_t r) {
        if (l < 0 || r < 0) return;
        if (const PairMap::Value* v = merges_.find(sym[l], sym[r])) heap.push(Cand{v->rank, l, r, sym[l], sym[r], v->merged});
    };
    for (int32_t i = 0; i + 1 < n; ++i) add(i, i + 1);
    while (!heap.empty()) {
        const Cand c = heap.top();
        heap.pop();
        if (sym[c.left] != c.lid || sym[c.right] != c.rid || next[c.left] != c.right) continue;  // stale
        sym[c.left] = c.res;
        sym[c.right] = -1;
        next[c.left] = next[c.right];
        if (next[c.right] >= 0) prev[next[c.right]] = c.left;
        add(prev[c.left], c.left);
        add(c.left, next[c.left]);
    }
    size_t w = 0;
    for (int32_t i = 0; i >= 0 && i < n; i = next[i]) sym[w++] = sym[i];
    sym.resize(w);
}

void ByteBPE::encode_piece(std::string_view piece, std::vector<int32_t>& out) const {
    if (piece.empty()) return;
    if (v_.ignore_merges) {
        // llama3: a pre-token whose byte-level text is a token is kept whole (raw bytes <-> text is 1:1).
        const int32_t id = raw_to_id_.get(piece);
        if (id >= 0) {
            out.push_back(id & kIdMask);
            return;
        }
    }
    thread_local std::vector<int32_t> sym;
    sym.resize(piece.size());
    for (size_t i = 0; i < piece.size(); ++i) sym[i] = byte_sym_[static_cast<unsigned char>(piece[i])];
    if (sym.size() <= 48) merge_naive(sym);
    else merge_heap(sym);
    for (int32_t id : sym) emit_symbol(id, out);
}

void ByteBPE::encode(std::string_view text, bool /*prefix_space*/, std::vector<int32_t>& out) const {
    std::string clean;
    if (!utf8_is_lenient_valid(text)) {
        clean = sanitize_utf8(text);
        text = clean;
    }
    thread_local std::vector<Span> tls_spans;
    thread_local std::vector<int32_t> tls_tmp;
    std::vector<Span>& spans = tls_spans;
    std::vector<int32_t>& tmp = tls_tmp;
    PieceCache& cache = PieceCache::for_this_thread();
    spans.clear();
    pre_.split(text, spans);
    for (const Span& sp : spans) {
        const std::string_view piece = text.substr(sp.first, sp.second - sp.first);
        // Most pre-tokens are a whole token whose BPE is itself: one lookup in the vocabulary-sized map.
        if (int32_t* slot = raw_to_id_.find_value(piece)) {
            const int32_t val = load_relaxed(slot);
            const int32_t direct = val & kIdMask;
            const int32_t vd = static_cast<int32_t>(static_cast<uint32_t>(val) >> 30);
            if (vd == 1) {
                out.push_back(direct);
                continue;
            }
            if (vd == 0) {
                tmp.clear();
                encode_piece(piece, tmp);
                const uint32_t verdict = (tmp.size() == 1 && tmp[0] == direct) ? 1u : 2u;
                store_relaxed(slot, static_cast<int32_t>(static_cast<uint32_t>(direct) | (verdict << 30)));
                out.insert(out.end(), tmp.begin(), tmp.end());
                continue;
            }
        }
        const bool cacheable = piece.size() <= PieceCache::kMaxKey;
        if (cacheable && cache.lookup(instance_id_, piece, out)) continue;
        tmp.clear();
        encode_piece(piece, tmp);
        if (cacheable) cache.store(instance_id_, piece, tmp.data(), tmp.size());
        out.insert(out.end(), tmp.begin(), tmp.end());
    }
}

}  // namespace pyllm::tokenizer
