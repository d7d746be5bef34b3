// hash_tables.h — small open-addressing hash tables for the tokenizer's hot paths (token text -> id,
// merge pair -> rank). Keys of StringIdMap are views into storage the caller keeps alive.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

namespace pyllm::tokenizer {

inline uint64_t hash_bytes(const char* p, size_t n) {
    // 8 bytes at a time with multiply-xorshift mixing; the tail is read as one (overlapping) word,
    // short keys with two overlapping 4-byte loads, so there is no byte loop.
    uint64_t h = 0x9E3779B97F4A7C15ull ^ (n * 0xFF51AFD7ED558CCDull);
    auto mix = [&h](uint64_t v) {
        h = (h ^ v) * 0xC2B2AE3D27D4EB4Full;
        h ^= h >> 29;
    };
    if (n >= 8) {
        const char* end = p + n;
        while (end - p > 8) {
            uint64_t v;
            std::memcpy(&v, p, 8);
            mix(v);
            p += 8;
        }
        uint64_t v;
        std::memcpy(&v, end - 8, 8);
        mix(v);
    } else if (n >= 4) {
        uint32_t lo, hi;
        std::memcpy(&lo, p, 4);
        std::memcpy(&hi, p + n - 4, 4);
        mix(lo | (static_cast<uint64_t>(hi) << 32));
    } else if (n > 0) {
        const unsigned char* u = reinterpret_cast<const unsigned char*>(p);
        mix(u[0] | (static_cast<uint64_t>(u[n / 2]) << 8) | (static_cast<uint64_t>(u[n - 1]) << 16));
    }
    h *= 0x94D049BB133111EBull;
    return h ^ (h >> 31);
}

inline uint64_t hash_u64(uint64_t x) {
    x ^= x >> 33;
    x *= 0xFF51AFD7ED558CCDull;
    x ^= x >> 33;
    x *= 0xC4CEB9FE1A85EC53ull;
    return x ^ (x >> 33);
}

// A key's bytes as two words: for keys of <= 16 bytes, (len, a, b) equal <=> keys equal (first and
// last 8 / 4 bytes, overlapping), so short keys compare without touching their storage.
struct KeyWords {
    uint64_t a = 0, b = 0;
    KeyWords() = default;
    KeyWords(const char* p, size_t n) {
        if (n >= 8) {
            std::memcpy(&a, p, 8);
            std::memcpy(&b, p + n - 8, 8);
        } else if (n >= 4) {
            uint32_t lo, hi;
            std::memcpy(&lo, p, 4);
            std::memcpy(&hi, p + n - 4, 4);
            a = lo | (static_cast<uint64_t>(hi) << 32);
        } else if (n > 0) {
            const unsigned char* u = reinterpret_cast<const unsigned char*>(p);
            a = u[0] | (static_cast<uint64_t>(u[n / 2]) << 8) | (static_cast<uint64_t>(u[n - 1]) << 16);
        }
    }
    uint64_t hash(const char* p, size_t n) const {
        if (n > 16) return hash_bytes(p, n);
        uint64_t h = (a ^ (n * 0x9E3779B97F4A7C15ull)) * 0xC2B2AE3D27D4EB4Full;
        h ^= (h >> 29) ^ b;
        h *= 0x94D049BB133111EBull;
        return h ^ (h >> 31);
    }
};

// string_view -> int32 (later inserts of an existing key overwrite it).
class StringIdMap {
public:
    void reserve(size_t n) {
        size_t cap = 16;
        while (cap < n * 2) cap <<= 1;
        slots_.assign(cap, Slot{});
        mask_ = cap - 1;
        size_ = 0;
    }
    void set(std::string_view key, int32_t value) {
        if ((size_ + 1) * 2 > slots_.size()) grow();
        insert(key, value);
    }
    int32_t get(std::string_view key, int32_t missing = -1) const {
        if (slots_.empty()) return missing;
        const KeyWords kw(key.data(), key.size());
        const uint64_t h = kw.hash(key.data(), key.size());
        for (size_t i = h & mask_;; i = (i + 1) & mask_) {
            const Slot& s = slots_[i];
            if (s.ptr == nullptr) return missing;
            if (s.hash == h && s.len == key.size() && s.kw.a == kw.a && s.kw.b == kw.b &&
                (key.size() <= 16 || std::memcmp(s.ptr, key.data(), key.size()) == 0))
                return s.value;
        }
    }
    // The stored value itself (nullptr if absent), for callers that keep per-entry state in spare
    // bits with relaxed atomic builtins (see ByteBPE).
    int32_t* find_value(std::string_view key) const {
        if (slots_.empty()) return nullptr;
        const KeyWords kw(key.data(), key.size());
        const uint64_t h = kw.hash(key.data(), key.size());
        for (size_t i = h & mask_;; i = (i + 1) & mask_) {
            const Slot& s = slots_[i];
            if (s.ptr == nullptr) return nullptr;
            if (s.hash == h && s.len == key.size() && s.kw.a == kw.a && s.kw.b == kw.b &&
                (key.size() <= 16 || std::memcmp(s.ptr, key.data(), key.size()) == 0))
                return &s.value;
        }
    }
    size_t size() const { return size_; }

private:
    struct Slot {
        const char* ptr = nullptr;  // nullptr = empty slot
        uint64_t hash = 0;
        KeyWords kw;
        uint32_t len = 0;
        mutable int32_t value = 0;
    };
    void insert(std::string_view key, int32_t value) {
        const KeyWords kw(key.data(), key.size());
        const uint64_t h = kw.hash(key.data(), key.size());
        // An empty key still needs a non-null pointer to mark the slot used.
        static const char kEmpty = 0;
        const char* p = key.empty() ? &kEmpty : key.data();
        for (size_t i = h & mask_;; i = (i + 1) & mask_) {
            Slot& s = slots_[i];
            if (s.ptr == nullptr) {
                s.ptr = p;
                s.hash = h;
                s.kw = kw;
                s.len = static_cast<uint32_t>(key.size());
                s.value = value;
                ++size_;
                return;
            }
            if (s.hash == h && s.len == key.size() && std::memcmp(s.ptr, key.data(), key.size()) == 0) {
                s.value = value;
                return;
            }
        }
    }
    void grow() {
        std::vector<Slot> old;
        old.swap(slots_);
        const size_t cap = old.empty() ? 16 : old.size() * 2;
        slots_.assign(cap, Slot{});
        mask_ = cap - 1;
        size_ = 0;
        for (const Slot& s : old)
            if (s.ptr) insert(std::string_view(s.ptr, s.len), s.value);
    }
    std::vector<Slot> slots_;
    size_t mask_ = 0;
    size_t size_ = 0;
};

// (left id, right id) -> (rank, merged id); the first insert of a pair wins (lowest rank).
class PairMap {
public:
    struct Value {
        int32_t rank;
        int32_t merged;
    };
    void reserve(size_t n) {
        size_t cap = 16;
        while (cap < n * 2) cap <<= 1;
        keys_.assign(cap, kEmpty);
        vals_.assign(cap, Value{-1, -1});
        mask_ = cap - 1;
    }
    void insert_if_absent(int32_t l, int32_t r, Value v) {
        const uint64_t k = key(l, r);
        for (size_t i = hash_u64(k) & mask_;; i = (i + 1) & mask_) {
            if (keys_[i] == kEmpty) { keys_[i] = k; vals_[i] = v; return; }
            if (keys_[i] == k) return;
        }
    }
    const Value* find(int32_t l, int32_t r) const {
        const uint64_t k = key(l, r);
        for (size_t i = hash_u64(k) & mask_;; i = (i + 1) & mask_) {
            if (keys_[i] == k) return &vals_[i];
            if (keys_[i] == kEmpty) return nullptr;
        }
    }

private:
    static constexpr uint64_t kEmpty = ~0ull;
    static uint64_t key(int32_t l, int32_t r) { return (uint64_t(uint32_t(l)) << 32) | uint32_t(r); }
    std::vector<uint64_t> keys_;
    std::vector<Value> vals_;
    size_t mask_ = 0;
};

}  // namespace pyllm::tokenizer
