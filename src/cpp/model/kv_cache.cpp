#include "model/kv_cache.h"

#include <cstring>

#include "common/error.h"
#include "kernels/dispatch.h"
#include "quant/blocks.h"
#include "quant/quant_ref.h"

namespace pyllm::model {

KVType kv_type_from_name(const std::string& name) {
    if (name == "f16") return KVType::F16;
    if (name == "f32") return KVType::F32;
    if (name == "q8_0") return KVType::Q8_0;
    throw InvalidArgument(str("kv_type must be 'f16', 'f32' or 'q8_0', got '", name, "'"));
}

namespace {
size_t kv_row_bytes(KVType type, int64_t head_dim) {
    switch (type) {
        case KVType::F16: return (size_t)head_dim * 2;
        case KVType::F32: return (size_t)head_dim * 4;
        case KVType::Q8_0: return (size_t)(head_dim / quant::kQK32) * sizeof(quant::BlockQ8_0);
    }
    return 0;
}
}  // namespace

KVCache::KVCache(int64_t n_layer, int64_t n_ctx, int64_t n_kv_head, int64_t head_dim, KVType type)
    : n_layer_(n_layer), n_ctx_(n_ctx), n_kv_head_(n_kv_head), head_dim_(head_dim), type_(type),
      row_bytes_(kv_row_bytes(type, head_dim)) {
    PYLLM_CHECK(n_layer > 0 && n_ctx > 0 && n_kv_head > 0 && head_dim > 0, InvalidArgument,
                "KV cache: bad size n_layer=", n_layer, " n_ctx=", n_ctx, " n_kv_head=", n_kv_head,
                " head_dim=", head_dim);
    PYLLM_CHECK(type != KVType::Q8_0 || head_dim % quant::kQK32 == 0, InvalidArgument,
                "kv_type='q8_0' stores blocks of 32 elements and needs a head dimension that is a multiple of 32; "
                "this model's is ", head_dim, " (use 'f16' or 'f32')");
    const uint64_t rows = (uint64_t)n_layer * (uint64_t)n_ctx * (uint64_t)n_kv_head;
    const uint64_t n = rows * row_bytes_;
    PYLLM_CHECK(n / row_bytes_ / (uint64_t)n_kv_head / (uint64_t)n_layer == (uint64_t)n_ctx && n < (1ull << 40),
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
        if (type_ == KVType::Q8_0) {
            quant::quantize_row_q8_0_ref(src, dst, head_dim_);
            continue;
        }
        kernels().f32_to_f16(src, reinterpret_cast<uint16_t*>(dst), (size_t)head_dim_);  // F16C where the CPU has it
    }
}

void KVCache::store_k(int64_t il, int64_t pos, const float* src) { store(k_.data(), il, pos, src); }
void KVCache::store_v(int64_t il, int64_t pos, const float* src) { store(v_.data(), il, pos, src); }

}  // namespace pyllm::model
