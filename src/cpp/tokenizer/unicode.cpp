// unicode.cpp — flags lookup (a two-stage table built once from the generated ranges), UTF-8 helpers,
// and the GPT-2 byte <-> unicode map.
#include "tokenizer/unicode.h"

#include <array>
#include <cstring>
#include <unordered_map>
#include <vector>

namespace pyllm::tokenizer {

namespace {

// Two-stage table: stage1[cp >> 8] indexes a 256-entry block in stage2; identical blocks are shared.
struct FlagTable {
    std::vector<uint16_t> stage1;  // [0x1100]
    std::vector<uint8_t> stage2;   // [n_unique_blocks][256]

    FlagTable() {
        using namespace unicode_data;
        std::vector<uint8_t> flat(0x110000, kOther);
        for (uint32_t i = 0; i < kNumFlagRanges; ++i) {
            const uint32_t start = kFlagRanges[i] >> 8;
            const uint32_t end = i + 1 < kNumFlagRanges ? (kFlagRanges[i + 1] >> 8) : 0x110000;
            const uint8_t f = static_cast<uint8_t>(kFlagRanges[i] & 0xFF);
            for (uint32_t cp = start; cp < end && cp < 0x110000; ++cp) flat[cp] = f;
        }
        stage1.resize(0x1100);
        std::unordered_map<std::string, uint16_t> seen;
        for (uint32_t blk = 0; blk < 0x1100; ++blk) {
            const uint8_t* b = &flat[blk << 8];
            std::string key(reinterpret_cast<const char*>(b), 256);
            auto it = seen.find(key);
            if (it == seen.end()) {
                it = seen.emplace(std::move(key), static_cast<uint16_t>(stage2.size() / 256)).first;
                stage2.insert(stage2.end(), b, b + 256);
            }
            stage1[blk] = it->second;
        }
    }
};

const FlagTable& flag_table() {
    static const FlagTable t;
    return t;
}

struct ByteMap {
    std::array<uint32_t, 256> to_cp{};
    std::array<int16_t, 512> from_cp{};  // every mapped code point is < 512
    ByteMap() {
        from_cp.fill(-1);
        int n = 0;
        for (int b = 0; b < 256; ++b) {
            const bool printable = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            to_cp[b] = printable ? static_cast<uint32_t>(b) : static_cast<uint32_t>(256 + n++);
            from_cp[to_cp[b]] = static_cast<int16_t>(b);
        }
    }
};

const ByteMap& byte_map() {
    static const ByteMap m;
    return m;
}

}  // namespace

uint8_t cpt_flags(uint32_t cp) {
    if (cp >= 0x110000) return kOther;
    const FlagTable& t = flag_table();
    return t.stage2[(static_cast<size_t>(t.stage1[cp >> 8]) << 8) | (cp & 0xFF)];
}

const char* unicode_version() { return unicode_data::kUnicodeVersion; }

void utf8_append(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp <= 0x10FFFF) {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        utf8_append(out, kReplacementChar);
    }
}

size_t utf8_incomplete_tail(std::string_view s) {
    // Look back at most 3 bytes for a lead byte whose sequence is not complete yet.
    const size_t n = s.size();
    for (size_t k = 1; k <= 3 && k <= n; ++k) {
        const unsigned char c = static_cast<unsigned char>(s[n - k]);
        if ((c & 0xC0) == 0x80) continue;  // continuation byte: keep looking for the lead
        size_t need = 0;
        if ((c & 0xE0) == 0xC0) need = 2;
        else if ((c & 0xF0) == 0xE0) need = 3;
        else if ((c & 0xF8) == 0xF0) need = 4;
        return (need > k) ? k : 0;
    }
    return 0;
}

bool utf8_is_lenient_valid(std::string_view s) {
    size_t pos = 0;
    while (pos < s.size()) {
        // ASCII fast path, 8 bytes at a time.
        while (pos + 8 <= s.size()) {
            uint64_t w;
            std::memcpy(&w, s.data() + pos, 8);
            if (w & 0x8080808080808080ull) break;
            pos += 8;
        }
        if (pos >= s.size()) break;
        if (static_cast<unsigned char>(s[pos]) < 0x80) { ++pos; continue; }
        const size_t before = pos;
        const uint32_t cp = utf8_decode(s.data(), s.size(), &pos);
        if (cp == kReplacementChar && pos - before == 1) return false;
    }
    return true;
}

uint32_t byte_to_unicode(uint8_t b) { return byte_map().to_cp[b]; }

int unicode_to_byte(uint32_t cp) { return cp < 512 ? byte_map().from_cp[cp] : -1; }

}  // namespace pyllm::tokenizer
