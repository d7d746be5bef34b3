// kv_cache.h — the keys and values of every past position, per layer and K/V head.
//   k, v: [n_layer][n_kv_head][n_ctx][row]   row: head_dim f16 bits, head_dim f32, or (Q8_0)
//   head_dim / 32 GGUF Q8_0 blocks (f16 scale d + 32 int8 codes, 34 bytes; value = d * code)
// Rows are written once (when a token is evaluated) and read by every later token's attention.
// Per-head planes: attention reads one K/V head's positions as one contiguous stream (with
// [pos][kv_dim] rows it read head_dim of every kv_dim elements, a stride the hardware prefetcher
// follows badly). The memory is an anonymous mapping (common/big_buffer.h): pages are touched only
// as positions are written, and large caches get transparent huge pages.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "common/big_buffer.h"

namespace pyllm::model {

enum class KVType { F16, F32, Q8_0 };

// "f16", "f32", "q8_0" -> the type; InvalidArgument naming the accepted values otherwise.
KVType kv_type_from_name(const std::string& name);

class KVCache {
public:
    KVCache(int64_t n_layer, int64_t n_ctx, int64_t n_kv_head, int64_t head_dim, KVType type);

    KVType type() const { return type_; }
    int64_t n_ctx() const { return n_ctx_; }
    // Bytes of one (layer, head, position) row.
    size_t row_bytes() const { return row_bytes_; }
    uint64_t bytes() const { return (uint64_t)(k_.size() + v_.size()); }

    // The row of (layer, K/V head g, pos): row_bytes() bytes; the next position's row follows it
    // directly (so n rows of a Q8_0 cache are n * head_dim / 32 consecutive blocks).
    const void* k_head(int64_t il, int64_t g, int64_t pos) const { return k_.data() + offset(il, g, pos); }
    const void* v_head(int64_t il, int64_t g, int64_t pos) const { return v_.data() + offset(il, g, pos); }

    // Store one position's float32 K / V (all heads, converted to the cache type: f16 rounds to
    // nearest even; Q8_0 per 32 elements d = max|x| / 127, code = round-half-away(x * (1/d)), d
    // stored as f16, the gguf package's / llama.cpp's Q8_0 quantizer).
    //   src: [n_kv_head * head_dim]
    void store_k(int64_t il, int64_t pos, const float* src);
    void store_v(int64_t il, int64_t pos, const float* src);

private:
    size_t offset(int64_t il, int64_t g, int64_t pos) const {
        return (size_t)((il * n_kv_head_ + g) * n_ctx_ + pos) * row_bytes_;
    }
    void store(uint8_t* base, int64_t il, int64_t pos, const float* src);
    int64_t n_layer_, n_ctx_, n_kv_head_, head_dim_;
    KVType type_;
    size_t row_bytes_;
    BigBuffer k_, v_;
};

}  // namespace pyllm::model
