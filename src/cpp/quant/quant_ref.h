// quant_ref.h — scalar reference dequantizers (every supported GGML block type) and the scalar
// activation quantizers (float row -> Q8A / Q8K blocks). Portable code; the tests' oracle.
#pragma once

#include <cstdint>

#include "gguf/gguf_types.h"

namespace pyllm::quant {

// True if dequantize_blocks_ref handles `type` (the block formats of blocks.h; not F32/F16/BF16).
bool has_block_dequantizer(gguf::TensorType type);

// dst: [n_blocks * block_size] float32 <- src: n_blocks blocks of `type`.
// Bit-exact with the gguf package's numpy dequantizers (same float32 operation order).
void dequantize_blocks_ref(gguf::TensorType type, const void* src, float* dst, int64_t n_blocks);

// Activation quantizers. x: [n] float32 (n a multiple of 32 resp. 256), dst: n/32 BlockQ8A resp.
// n/256 BlockQ8K. Per block: d = max|x| / 127, q = round-half-even(x / d) (0 when d == 0).
// Every ISA's version must produce identical bytes (the tests check it).
void quantize_row_q8a_ref(const float* x, void* dst, int64_t n);

// Float row -> n/32 GGUF Q8_0 blocks, as the gguf package's (and llama.cpp's reference) quantizer:
// d = max|x| / 127, id = 1/d (0 when d == 0), code = round-half-away-from-zero(x * id), d stored as
// f16. The Q8_0 KV cache's format (model/kv_cache.h). x: [n] float32, n a multiple of 32.
void quantize_row_q8_0_ref(const float* x, void* dst, int64_t n);
void quantize_row_q8k_ref(const float* x, void* dst, int64_t n);

}  // namespace pyllm::quant
