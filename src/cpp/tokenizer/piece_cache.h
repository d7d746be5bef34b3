// piece_cache.h — a per-thread cache from text pieces (pre-tokens, SentencePiece chunks) to ids.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

#include "tokenizer/hash_tables.h"

namespace pyllm::tokenizer {

// Per-thread cache: pre-token bytes -> ids. Open addressing; short keys (<= 16 bytes) and short
// results (<= 2 ids) live inside the slot, so a typical hit touches one cache line. Longer keys /
// results go to side arenas. Dropped when full or when another tokenizer uses the thread.
class PieceCache {
public:
    static constexpr size_t kMaxKey = 128;

    // The calling thread's cache (one per thread, shared by all tokenizers: entries are tagged with
    // an owner id and the cache is dropped when another owner stores into it).
    static PieceCache& for_this_thread() {
        thread_local PieceCache cache;
        return cache;
    }
    // A fresh owner id for each tokenizer model instance.
    static uint64_t new_owner_id() {
        static std::atomic<uint64_t> next{1};
        return next++;
    }

    bool lookup(uint64_t owner, std::string_view key, std::vector<int32_t>& out) const {
        if (owner != owner_ || slots_.empty()) return false;
        const KeyWords kw(key.data(), key.size());
        const uint64_t h = kw.hash(key.data(), key.size()) | 1;
        for (size_t i = h & mask_;; i = (i + 1) & mask_) {
            const Slot& s = slots_[i];
            if (s.hash == 0) return false;
            if (s.hash == h && s.klen == key.size() && s.kw.a == kw.a && s.kw.b == kw.b &&
                (key.size() <= 16 || std::memcmp(key_of(s), key.data(), key.size()) == 0)) {
                if (s.nids <= 2) out.insert(out.end(), s.ids, s.ids + s.nids);
                else out.insert(out.end(), ids_.begin() + s.ids[0], ids_.begin() + s.ids[0] + s.nids);
                return true;
            }
        }
    }

    void store(uint64_t owner, std::string_view key, const int32_t* ids, size_t n) {
        if (owner != owner_ || slots_.empty()) reset(owner, 4096);
        if ((used_ + 1) * 2 > slots_.size()) {
            if (slots_.size() >= kMaxSlots) reset(owner, slots_.size());
            else grow();
        }
        Slot s{};
        s.kw = KeyWords(key.data(), key.size());
        s.hash = s.kw.hash(key.data(), key.size()) | 1;
        s.klen = static_cast<uint32_t>(key.size());
        s.nids = static_cast<int32_t>(n);
        if (key.size() <= sizeof s.key) {
            std::memcpy(s.key, key.data(), key.size());
        } else {
            if (blocks_.empty() || block_used_ + key.size() > kBlock) {
                blocks_.emplace_back(new char[kBlock]);
                block_used_ = 0;
            }
            char* dst = blocks_.back().get() + block_used_;
            std::memcpy(dst, key.data(), key.size());
            block_used_ += key.size();
            std::memcpy(s.key, &dst, sizeof dst);
        }
        if (n <= 2) {
            std::copy(ids, ids + n, s.ids);
        } else {
            s.ids[0] = static_cast<int32_t>(ids_.size());
            ids_.insert(ids_.end(), ids, ids + n);
        }
        place(s);
        ++used_;
    }

private:
    static constexpr size_t kBlock = 1 << 20;
    static constexpr size_t kMaxSlots = 1 << 19;
    struct Slot {
        uint64_t hash;  // 0 = empty
        KeyWords kw;
        uint32_t klen;
        int32_t nids;
        char key[16];   // the key, or a pointer to it when klen > 16
        int32_t ids[2]; // the ids, or ids[0] = offset into ids_ when nids > 2
    };
    static const char* key_of(const Slot& s) {
        if (s.klen <= sizeof s.key) return s.key;
        const char* p;
        std::memcpy(&p, s.key, sizeof p);
        return p;
    }
    void place(const Slot& s) {
        for (size_t i = s.hash & mask_;; i = (i + 1) & mask_) {
            if (slots_[i].hash == 0) {
                slots_[i] = s;
                return;
            }
        }
    }
    void grow() {
        std::vector<Slot> old;
        old.swap(slots_);
        slots_.assign(old.size() * 2, Slot{});
        mask_ = slots_.size() - 1;
        for (const Slot& s : old)
            if (s.hash) place(s);
    }
    void reset(uint64_t owner, size_t n_slots) {
        owner_ = owner;
        slots_.assign(n_slots, Slot{});
        mask_ = n_slots - 1;
        used_ = 0;
        ids_.clear();
        blocks_.clear();
        block_used_ = 0;
    }
    uint64_t owner_ = 0;
    std::vector<Slot> slots_;
    size_t mask_ = 0;
    size_t used_ = 0;
    std::vector<int32_t> ids_;
    std::vector<std::unique_ptr<char[]>> blocks_;
    size_t block_used_ = 0;
};

}  // namespace pyllm::tokenizer
