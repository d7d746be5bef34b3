// string_table.h — an append-only interned string set: string -> dense id (0, 1, 2, ... in insertion
// order), open addressing with linear probing, all strings stored in one arena.
//
// Used by the vectorizers (term -> column), the n-gram LM and word2vec (word -> id). Not thread
// safe for concurrent inserts; concurrent find() on a table nobody modifies is fine.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace pyllm::classic {

// 64-bit hash of a byte string (8 bytes per step; not cryptographic, good enough for tables).
inline uint64_t hash_bytes(const char* p, size_t n) {
    uint64_t h = 0x9E3779B97F4A7C15ull ^ (n * 0xff51afd7ed558ccdull);
    while (n >= 8) {
        uint64_t v;
        std::memcpy(&v, p, 8);
        h = (h ^ v) * 0xff51afd7ed558ccdull;
        h ^= h >> 32;
        p += 8;
        n -= 8;
    }
    uint64_t v = 0;
    if (n) std::memcpy(&v, p, n);
    h = (h ^ v) * 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 29;
    h *= 0x9E3779B97F4A7C15ull;
    h ^= h >> 32;
    return h;
}

class StringTable {
public:
    StringTable() { rehash(64); }

    int32_t size() const { return (int32_t)offsets_.size(); }

    std::string_view view(int32_t id) const {
        return std::string_view(arena_.data() + offsets_[id], lengths_[id]);
    }

    // Id of s, or -1 if absent.
    int32_t find(std::string_view s) const { return find_h(s, hash_bytes(s.data(), s.size())); }

    int32_t find_h(std::string_view s, uint64_t h) const {
        size_t i = h & mask_;
        while (true) {
            int32_t id = slots_[i];
            if (id < 0) return -1;
            if (hashes_[id] == h && equal(id, s)) return id;
            i = (i + 1) & mask_;
        }
    }

    // Id of s, inserting it (as the next id) if absent.
    int32_t insert(std::string_view s) {
        uint64_t h = hash_bytes(s.data(), s.size());
        size_t i = h & mask_;
        while (true) {
            int32_t id = slots_[i];
            if (id < 0) break;
            if (hashes_[id] == h && equal(id, s)) return id;
            i = (i + 1) & mask_;
        }
        int32_t id = size();
        offsets_.push_back(arena_.size());
        lengths_.push_back((uint32_t)s.size());
        hashes_.push_back(h);
        arena_.append(s.data(), s.size());
        slots_[i] = id;
        if ((size_t)size() * 2 > slots_.size()) rehash(slots_.size() * 2);
        return id;
    }

    void reserve(size_t n) {
        size_t cap = slots_.size();
        while (n * 2 > cap) cap *= 2;
        if (cap != slots_.size()) rehash(cap);
    }

private:
    bool equal(int32_t id, std::string_view s) const {
        return lengths_[id] == s.size() && std::memcmp(arena_.data() + offsets_[id], s.data(), s.size()) == 0;
    }
    void rehash(size_t cap) {
        slots_.assign(cap, -1);
        mask_ = cap - 1;
        for (int32_t id = 0; id < size(); ++id) {
            size_t i = hashes_[id] & mask_;
            while (slots_[i] >= 0) i = (i + 1) & mask_;
            slots_[i] = id;
        }
    }

    std::string arena_;              // all strings back to back
    std::vector<uint64_t> offsets_;  // [n] start of string id in arena_
    std::vector<uint32_t> lengths_;  // [n]
    std::vector<uint64_t> hashes_;   // [n]
    std::vector<int32_t> slots_;     // [capacity] id or -1; capacity a power of two
    size_t mask_ = 0;
};

}  // namespace pyllm::classic
