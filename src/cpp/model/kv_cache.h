// kv_cache.h — the keys and values of every past position, per layer.
//   k, v: [n_layer][n_ctx][kv_dim]   (kv_dim = n_kv_head * head_dim; f16 bits or f32)
// Rows are written once (when a token is evaluated) and read by every later token's attention.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace pyllm::model {

enum class KVType { F16, F32 };

class KVCache {
public:
    KVCache(int64_t n_layer, int64_t n_ctx, int64_t kv_dim, KVType type);

    KVType type() const { return type_; }
    int64_t n_ctx() const { return n_ctx_; }
    int64_t kv_dim() const { return kv_dim_; }
    size_t elem_size() const { return type_ == KVType::F16 ? 2 : 4; }
    uint64_t bytes() const { return (uint64_t)(k_.size() + v_.size()); }

    // Row for (layer, pos): kv_dim elements of elem_size() bytes.
    void* k_row(int64_t il, int64_t pos) { return k_.data() + offset(il, pos); }
    void* v_row(int64_t il, int64_t pos) { return v_.data() + offset(il, pos); }
    const void* k_row(int64_t il, int64_t pos) const { return k_.data() + offset(il, pos); }
    const void* v_row(int64_t il, int64_t pos) const { return v_.data() + offset(il, pos); }

    // Store float32 rows (converted to the cache type).   src: [kv_dim]
    void store_k(int64_t il, int64_t pos, const float* src);
    void store_v(int64_t il, int64_t pos, const float* src);

private:
    size_t offset(int64_t il, int64_t pos) const { return (size_t)((il * n_ctx_ + pos) * kv_dim_) * elem_size(); }
    void store(uint8_t* dst, const float* src);
    int64_t n_layer_, n_ctx_, kv_dim_;
    KVType type_;
    std::vector<uint8_t> k_, v_;
};

}  // namespace pyllm::model
