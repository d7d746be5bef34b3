// dequantize.h — convert tensor data of any supported GGML type to float32
// (F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, IQ4_NL, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, IQ4_XS).
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
