// dequantize.h — convert tensor data of any supported GGML type to float32.
#pragma once

#include <cstdint>

#include "gguf/gguf_types.h"

namespace pyllm {

// True if dequantize_to_f32 handles `type`.
bool can_dequantize(gguf::TensorType type);

// dst[i] = value of element i, for i < n.   src: n elements of `type` (n a multiple of its block size)
// Throws NotImplemented for types without a dequantizer, InvalidArgument if n is not whole blocks.
void dequantize_to_f32(gguf::TensorType type, const void* src, float* dst, uint64_t n);

}  // namespace pyllm
