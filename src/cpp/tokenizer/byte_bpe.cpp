// byte_bpe.cpp — see byte_bpe.h.
#include "tokenizer/byte_bpe.h"

#include <algorithm>
#include <atomic>
#include <memory>
#include <queue>

#include "common/error.h"
#include "tokenizer/unicode.h"

namespace pyllm::tokenizer {

namespace {

std::atomic<uint64_t> g_next_instance{1};

// Per-thread cache: pre-token bytes -> ids. Keys live in fixed blocks so views stay valid; the
// whole cache is dropped when it grows past its budget or belongs to another tokenizer.
class PieceCache {
public:
    static constexpr size_t kMaxKey = 128;
    static constexpr size_t kMaxEntries = 1 << 18;

    bool lookup(uint64_t owner, std::string_view key, std::vector<int32_t>& out) {
        if (owner != owner_) return false;
        const int32_t e = map_.get(key);
        if (e < 0) return false;
        const Entry& en = entries_[static_cast<size_t>(e)];
        out.insert(out.end(), ids_.begin() + en.off, ids_.begin() + en.off + en.len);
        return true;
    }
    void store(uint64_t owner, std::string_view key, const int32_t* ids, size_t n) {
        if (owner != owner_ || entries_.size() >= kMaxEntries) reset(owner);
        if (blocks_.empty() || block_used_ + key.size() > kBlock) {
            blocks_.emplace_back(new char[kBlock]);
            block_used_ = 0;
        }
        char* dst = blocks_.back().get() + block_used_;
        std::copy(key.begin(), key.end(), dst);
        block_used_ += key.size();
        entries_.push_back(Entry{static_cast<uint32_t>(ids_.size()), static_cast<uint32_t>(n)});
        ids_.insert(ids_.end(), ids, ids + n);
        map_.set(std::string_view(dst, key.size()), static_cast<int32_t>(entries_.size() - 1));
    }

private:
    static constexpr size_t kBlock = 1 << 20;
    struct Entry {
        uint32_t off, len;
    };
    void reset(uint64_t owner) {
        owner_ = owner;
        map_ = StringIdMap();
        map_.reserve(1024);
        entries_.clear();
        ids_.clear();
        blocks_.clear();
        block_used_ = 0;
    }
    uint64_t owner_ = 0;
    StringIdMap map_;
    std::vector<Entry> entries_;
    std::vector<int32_t> ids_;
    std::vector<std::unique_ptr<char[]>> blocks_;
    size_t block_used_ = 0;
};

thread_local PieceCache t_cache;

// The byte-level (GPT-2 unicode) form of raw bytes.
std::string byte_encode(std::string_view raw) {
    std::string s;
    s.reserve(raw.size() * 2);
    for (unsigned char c : raw) utf8_append(s, byte_to_unicode(c));
    return s;
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
    : v_(v), pre_(pre_tokenizer_info(v.pre).type), n_vocab_(v.size()), instance_id_(g_next_instance++) {
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
        const int32_t id = text_to_id_.get(byte_encode(piece));
        if (id >= 0 && id < n_vocab_) {
            out.push_back(id);
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
    PieceCache& cache = t_cache;
    spans.clear();
    pre_.split(text, spans);
    for (const Span& sp : spans) {
        const std::string_view piece = text.substr(sp.first, sp.second - sp.first);
        const bool cacheable = piece.size() <= PieceCache::kMaxKey;
        if (cacheable && cache.lookup(instance_id_, piece, out)) continue;
        tmp.clear();
        encode_piece(piece, tmp);
        if (cacheable) cache.store(instance_id_, piece, tmp.data(), tmp.size());
        out.insert(out.end(), tmp.begin(), tmp.end());
    }
}

}  // namespace pyllm::tokenizer
