// special.cpp — see special.h.
#include "tokenizer/special.h"

#include <algorithm>
#include <cctype>

namespace pyllm::tokenizer {

namespace {
// isspace() in the C locale.
inline bool is_c_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
}  // namespace

SpecialSplitter::SpecialSplitter(const Vocab& v) : v_(v) {
    const int32_t n = v.size();
    for (int32_t i = 0; i < n; ++i) {
        const TokenType t = v.types[static_cast<size_t>(i)];
        if (t == TokenType::Control || t == TokenType::UserDefined || t == TokenType::Unknown) order_.push_back(i);
    }
    std::stable_sort(order_.begin(), order_.end(), [&](int32_t a, int32_t b) {
        return v.tokens[static_cast<size_t>(a)].size() > v.tokens[static_cast<size_t>(b)].size();
    });
    rank_.assign(static_cast<size_t>(n), -1);
    for (size_t k = 0; k < order_.size(); ++k) rank_[static_cast<size_t>(order_[k])] = static_cast<int32_t>(k);
    lstrip_.assign(static_cast<size_t>(n), 0);
    rstrip_.assign(static_cast<size_t>(n), 0);
    auto contains = [](const std::string& hay, std::initializer_list<const char*> needles) {
        for (const char* x : needles)
            if (hay.find(x) != std::string::npos) return true;
        return false;
    };
    auto id_of = [&](const char* text) {
        for (int32_t i = 0; i < n; ++i)
            if (v.tokens[static_cast<size_t>(i)] == text) return i;
        return -1;
    };
    std::string lname = v.name;
    for (char& c : lname) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (contains(v.pre, {"jina-v2-de", "jina-v2-es", "jina-v2-code"})) {
        if (int32_t id = id_of("<mask>"); id >= 0) lstrip_[static_cast<size_t>(id)] = 1;
    } else if (contains(lname, {"phi-3", "phi3"})) {
        for (int32_t id : order_) rstrip_[static_cast<size_t>(id)] = 1;
        if (int32_t id = id_of("</s>"); id >= 0) rstrip_[static_cast<size_t>(id)] = 1;
        for (const char* t : {"<unk>", "<s>", "<|endoftext|>"})
            if (int32_t id = id_of(t); id >= 0) rstrip_[static_cast<size_t>(id)] = 0;
    }

    term_.push_back(-1);  // root
    for (int32_t id : order_) {
        const std::string& s = v.tokens[static_cast<size_t>(id)];
        const unsigned char c0 = static_cast<unsigned char>(s[0]);
        first_byte_[1][c0] = any_usable_[1] = true;
        if (v.types[static_cast<size_t>(id)] == TokenType::UserDefined) first_byte_[0][c0] = any_usable_[0] = true;
        int32_t node = 0;
        for (unsigned char c : s) {
            const uint64_t key = (static_cast<uint64_t>(node) << 8) | c;
            auto it = edges_.find(key);
            if (it == edges_.end()) {
                it = edges_.emplace(key, static_cast<int32_t>(term_.size())).first;
                term_.push_back(-1);
            }
            node = it->second;
        }
        term_[static_cast<size_t>(node)] = id;  // duplicates: the later id wins, as text lookups do
    }
}

void SpecialSplitter::split(std::string_view text, bool parse_special, std::vector<Fragment>& out) const {
    const uint32_t n = static_cast<uint32_t>(text.size());
    if (n == 0) return;
    if (!any_usable_[parse_special ? 1 : 0]) {
        out.push_back(Fragment{0, n, -1});
        return;
    }
    auto usable = [&](int32_t id) {
        return parse_special || v_.types[static_cast<size_t>(id)] == TokenType::UserDefined;
    };
    // 1. Every occurrence of every usable special token, from one trie walk per candidate position:
    //    occ: (rank in order_, start byte), generated in increasing start order.
    std::vector<std::pair<int32_t, uint32_t>> occ;
    const bool* first = first_byte_[parse_special ? 1 : 0];
    const unsigned char* u = reinterpret_cast<const unsigned char*>(text.data());
    for (uint32_t i = 0; i < n; ++i) {
        if (!first[u[i]]) continue;
        int32_t node = 0;
        for (uint32_t j = i; j < n; ++j) {
            auto it = edges_.find((static_cast<uint64_t>(node) << 8) | u[j]);
            if (it == edges_.end()) break;
            node = it->second;
            const int32_t id = term_[static_cast<size_t>(node)];
            if (id >= 0 && usable(id)) occ.emplace_back(rank_[static_cast<size_t>(id)], i);
        }
    }
    if (occ.empty()) {
        out.push_back(Fragment{0, n, -1});
        return;
    }
    // 2. llama.cpp's order: token by token (longest first), each taking its leftmost occurrences
    //    that overlap neither text already claimed by earlier tokens nor its own previous match.
    //    Stripped white space (lstrip/rstrip) is claimed too, without producing a token.
    std::stable_sort(occ.begin(), occ.end(),
                     [](const std::pair<int32_t, uint32_t>& a, const std::pair<int32_t, uint32_t>& b) {
                         return a.first < b.first;
                     });
    std::vector<uint8_t> claimed(n, 0);
    std::vector<Fragment> spans;  // accepted specials (token >= 0) and stripped ranges (token == -2)
    auto free_range = [&](uint32_t b, uint32_t e) {
        for (uint32_t k = b; k < e; ++k)
            if (claimed[k]) return false;
        return true;
    };
    for (size_t k = 0; k < occ.size();) {
        const int32_t rank = occ[k].first;
        const int32_t id = order_[static_cast<size_t>(rank)];
        const uint32_t len = static_cast<uint32_t>(v_.tokens[static_cast<size_t>(id)].size());
        uint32_t own_end = 0;
        for (; k < occ.size() && occ[k].first == rank; ++k) {
            const uint32_t b = occ[k].second, e = b + len;
            if (b < own_end || !free_range(b, e)) continue;
            std::fill(claimed.begin() + b, claimed.begin() + e, 1);
            spans.push_back(Fragment{b, e, id});
            own_end = e;
            if (lstrip_[static_cast<size_t>(id)]) {
                uint32_t l = b;
                while (l > 0 && !claimed[l - 1] && is_c_space(text[l - 1])) claimed[--l] = 1;
                if (l < b) spans.push_back(Fragment{l, b, -2});
            }
            if (rstrip_[static_cast<size_t>(id)]) {
                uint32_t r = e;
                while (r < n && !claimed[r] && is_c_space(text[r])) claimed[r++] = 1;
                if (r > e) spans.push_back(Fragment{e, r, -2});
                own_end = r;
            }
        }
    }
    // 3. Fragments in text order: raw text in the gaps, specials as tokens, stripped ranges dropped.
    std::sort(spans.begin(), spans.end(), [](const Fragment& a, const Fragment& b) { return a.begin < b.begin; });
    uint32_t pos = 0;
    for (const Fragment& f : spans) {
        if (f.begin > pos) out.push_back(Fragment{pos, f.begin, -1});
        if (f.token >= 0) out.push_back(f);
        pos = f.end;
    }
    if (pos < n) out.push_back(Fragment{pos, n, -1});
}

}  // namespace pyllm::tokenizer
