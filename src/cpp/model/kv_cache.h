// kv_cache.h — the keys and values of every past position, per layer and K/V head.
//   k, v: [n_layer][n_kv_head][n_ctx][head_dim]   (f16 bits or f32)
// Rows are written once (when a token is evaluated) and read by every later token's attention.
// Per-head planes: attention reads one K/V head's positions as one contiguous stream (with
// [pos][kv_dim] rows it read head_dim of every kv_dim elements, a stride the hardware prefetcher
// follows badly). The memory is an anonymous mapping (common/big_buffer.h): pages are touched only
// as positions are written, and large caches get transparent huge pages.
#pragma once

#include <cstddef>
#include <cstdint>

#include "common/big_buffer.h"

namespace pyllm::model {

enum class KVType { F16, F32 };

class KVCache {
public:
    KVCache(int64_t n_layer, int64_t n_ctx, int64_t n_kv_head, int64_t head_dim, KVType type);

    KVType type() const { return type_; }
    int64_t n_ctx() const { return n_ctx_; }
    size_t elem_size() const { return type_ == KVType::F16 ? 2 : 4; }
    uint64_t bytes() const { return (uint64_t)(k_.size() + v_.size()); }

    // The row of (layer, K/V head g, pos): head_dim elements of elem_size() bytes; the next
    // position's row follows it directly.
    const void* k_head(int64_t il, int64_t g, int64_t pos) const { return k_.data() + offset(il, g, pos); }
    const void* v_head(int64_t il, int64_t g, int64_t pos) const { return v_.data() + offset(il, g, pos); }

    // Store one position's float32 K / V (all heads, converted to the cache type).
    //   src: [n_kv_head * head_dim]
    void store_k(int64_t il, int64_t pos, const float* src);
    void store_v(int64_t il, int64_t pos, const float* src);

private:
    size_t offset(int64_t il, int64_t g, int64_t pos) const {
        return (size_t)(((il * n_kv_head_ + g) * n_ctx_ + pos) * head_dim_) * elem_size();
    }
    void store(uint8_t* base, int64_t il, int64_t pos, const float* src);
    int64_t n_layer_, n_ctx_, n_kv_head_, head_dim_;
    KVType type_;
    BigBuffer k_, v_;
};

}  // namespace pyllm::model
