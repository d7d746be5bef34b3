#include "model/kv_cache.h"

#include <cstring>

#include "common/error.h"
#include "kernels/dispatch.h"

namespace pyllm::model {

KVCache::KVCache(int64_t n_layer, int64_t n_ctx, int64_t n_kv_head, int64_t head_dim, KVType type)
    : n_layer_(n_layer), n_ctx_(n_ctx), n_kv_head_(n_kv_head), head_dim_(head_dim), type_(type) {
    PYLLM_CHECK(n_layer > 0 && n_ctx > 0 && n_kv_head > 0 && head_dim > 0, InvalidArgument,
                "KV cache: bad size n_layer=", n_layer, " n_ctx=", n_ctx, " n_kv_head=", n_kv_head,
                " head_dim=", head_dim);
    const uint64_t kv_dim = (uint64_t)n_kv_head * (uint64_t)head_dim;
    const uint64_t n = (uint64_t)n_layer * (uint64_t)n_ctx * kv_dim * elem_size();
    PYLLM_CHECK(n / elem_size() / kv_dim / (uint64_t)n_layer == (uint64_t)n_ctx && n < (1ull << 40),
                InvalidArgument, "KV cache of n_ctx=", n_ctx, " is too large");
    // Small pages: memory is committed as positions are written (with huge pages the first token
    // committed the whole cache, 190 MB for SmolLM2 at n_ctx 8192). std::bad_alloc (MemoryError)
    // if the address space cannot be had.
    k_ = BigBuffer((size_t)n, /*huge=*/false);
    v_ = BigBuffer((size_t)n, /*huge=*/false);
}

void KVCache::store(uint8_t* base, int64_t il, int64_t pos, const float* src) {
    for (int64_t g = 0; g < n_kv_head_; ++g, src += head_dim_) {
        uint8_t* dst = base + offset(il, g, pos);
        if (type_ == KVType::F32) {
            std::memcpy(dst, src, (size_t)head_dim_ * 4);
            continue;
        }
        kernels().f32_to_f16(src, reinterpret_cast<uint16_t*>(dst), (size_t)head_dim_);  // F16C where the CPU has it
    }
}

void KVCache::store_k(int64_t il, int64_t pos, const float* src) { store(k_.data(), il, pos, src); }
void KVCache::store_v(int64_t il, int64_t pos, const float* src) { store(v_.data(), il, pos, src); }

}  // namespace pyllm::model
