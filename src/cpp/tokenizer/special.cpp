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
    auto usable = [&](int32_t id) {
        const TokenType t = v_.types[static_cast<size_t>(id)];
        return parse_special || t == TokenType::UserDefined;
    };
    if (!any_usable_[parse_special ? 1 : 0]) {
        out.push_back(Fragment{0, n, -1});
        return;
    }
    // 1. Which special tokens occur anywhere in the text?
    std::vector<char> present(order_.size(), 0);
    bool any = false;
    const bool* first = first_byte_[parse_special ? 1 : 0];
    {
        const unsigned char* u = reinterpret_cast<const unsigned char*>(text.data());
        for (uint32_t i = 0; i < n; ++i) {
            if (!first[u[i]]) continue;
            int32_t node = 0;
            for (uint32_t j = i; j < n; ++j) {
                auto it = edges_.find((static_cast<uint64_t>(node) << 8) | u[j]);
                if (it == edges_.end()) break;
                node = it->second;
                const int32_t id = term_[static_cast<size_t>(node)];
                if (id >= 0 && usable(id)) {
                    present[static_cast<size_t>(rank_[static_cast<size_t>(id)])] = 1;
                    any = true;
                }
            }
        }
    }
    if (!any) {
        out.push_back(Fragment{0, n, -1});
        return;
    }
    // 2. Split fragments token by token, longest first.
    std::vector<Fragment> cur{Fragment{0, n, -1}}, nxt;
    for (size_t k = 0; k < order_.size(); ++k) {
        if (!present[k]) continue;
        const int32_t id = order_[k];
        const std::string& tok = v_.tokens[static_cast<size_t>(id)];
        nxt.clear();
        for (const Fragment& f : cur) {
            if (f.token >= 0) {
                nxt.push_back(f);
                continue;
            }
            uint32_t b = f.begin;
            while (b < f.end) {
                const size_t m = text.substr(0, f.end).find(tok, b);
                if (m == std::string_view::npos) break;
                uint32_t left_end = static_cast<uint32_t>(m);
                if (lstrip_[static_cast<size_t>(id)])
                    while (left_end > b && is_c_space(text[left_end - 1])) --left_end;
                if (left_end > b) nxt.push_back(Fragment{b, left_end, -1});
                nxt.push_back(Fragment{static_cast<uint32_t>(m), static_cast<uint32_t>(m + tok.size()), id});
                b = static_cast<uint32_t>(m + tok.size());
                if (rstrip_[static_cast<size_t>(id)])
                    while (b < f.end && is_c_space(text[b])) ++b;
            }
            if (b < f.end) nxt.push_back(Fragment{b, f.end, -1});
        }
        cur.swap(nxt);
    }
    out.insert(out.end(), cur.begin(), cur.end());
}

}  // namespace pyllm::tokenizer
