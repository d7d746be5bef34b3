#include "model/kv_cache.h"

#include <cstring>

#include "common/error.h"
#include "kernels/fp16.h"

namespace pyllm::model {

KVCache::KVCache(int64_t n_layer, int64_t n_ctx, int64_t kv_dim, KVType type)
    : n_layer_(n_layer), n_ctx_(n_ctx), kv_dim_(kv_dim), type_(type) {
    PYLLM_CHECK(n_layer > 0 && n_ctx > 0 && kv_dim > 0, InvalidArgument, "KV cache: bad size n_layer=", n_layer,
                " n_ctx=", n_ctx, " kv_dim=", kv_dim);
    const uint64_t n = (uint64_t)n_layer * (uint64_t)n_ctx * (uint64_t)kv_dim * elem_size();
    PYLLM_CHECK(n / elem_size() / (uint64_t)kv_dim / (uint64_t)n_layer == (uint64_t)n_ctx && n < (1ull << 40),
                InvalidArgument, "KV cache of n_ctx=", n_ctx, " is too large");
    k_.assign(n, 0);
    v_.assign(n, 0);
}

void KVCache::store(uint8_t* dst, const float* src) {
    if (type_ == KVType::F32) {
        std::memcpy(dst, src, (size_t)kv_dim_ * 4);
        return;
    }
    uint16_t* d = reinterpret_cast<uint16_t*>(dst);
    for (int64_t i = 0; i < kv_dim_; ++i) d[i] = fp32_to_fp16(src[i]);
}

void KVCache::store_k(int64_t il, int64_t pos, const float* src) { store(k_.data() + offset(il, pos), src); }
void KVCache::store_v(int64_t il, int64_t pos, const float* src) { store(v_.data() + offset(il, pos), src); }

}  // namespace pyllm::model
