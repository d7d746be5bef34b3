#include "quant/dequantize.h"

#include <cstring>

#include "common/error.h"
#include "kernels/dispatch.h"
#include "quant/quant_ref.h"

namespace pyllm {

bool can_dequantize(gguf::TensorType type) {
    switch (type) {
        case gguf::TensorType::F32: case gguf::TensorType::F16: case gguf::TensorType::BF16: return true;
        default: return quant::has_block_dequantizer(type);
    }
}

void dequantize_to_f32(gguf::TensorType type, const void* src, float* dst, uint64_t n) {
    const gguf::TypeTraits& tt = gguf::type_traits(type);
    PYLLM_CHECK(tt.name, InvalidArgument, "unknown tensor type id ", static_cast<uint32_t>(type));
    PYLLM_CHECK(n % tt.block_size == 0, InvalidArgument, n, " elements is not a whole number of ",
                tt.name, " blocks of ", tt.block_size);
    const KernelTable& k = kernels();
    switch (type) {
        case gguf::TensorType::F32: std::memcpy(dst, src, n * sizeof(float)); return;
        case gguf::TensorType::F16: k.f16_to_f32(static_cast<const uint16_t*>(src), dst, n); return;
        case gguf::TensorType::BF16: k.bf16_to_f32(static_cast<const uint16_t*>(src), dst, n); return;
        default: break;
    }
    if (quant::has_block_dequantizer(type)) {
        quant::dequantize_blocks_ref(type, src, dst, (int64_t)(n / tt.block_size));
        return;
    }
    throw NotImplemented(str("dequantizing tensor type ", tt.name, " is not implemented"));
}

}  // namespace pyllm
