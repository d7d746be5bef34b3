// matmul.h — y = x · Wᵀ for a weight matrix of any supported GGML type.
//
//   W: [n_out][n_in] in `type` (GGUF ne = {n_in, n_out}; each row is n_in / block_size blocks)
//   x: [n_tokens][n_in] float32, y: [n_tokens][n_out] float32
//
// Quantized weights: x is quantized once per call to the weight type's activation format
// (KernelTable::q->types[type].act: Q8A or Q8K blocks), then integer dot-product tiles of up to
// 4 weight rows x 8 tokens run on the pool's threads, each thread owning a contiguous range of output
// rows (n_tokens > 1: every 4-row weight group is reused across all tokens while it is in L1).
// n_tokens == 1 (decode) uses the type's dedicated matvec kernel where the table has one (32-element
// types: rows of >= 1024 elements)
// (TypeKernels::matvec: one horizontal reduction per row instead of per block), and stays on the
// calling thread when the matrix is under 128 KB (waking the pool would cost more than it saves). F32/F16/BF16 weights take a float path (dequantize a row, dot per token).
// This is the engine's only entry to the matmul kernels.
#pragma once

#include <cstdint>

#include "common/thread_pool.h"
#include "gguf/gguf_types.h"
#include "kernels/kernels.h"

namespace pyllm {

struct QMatrix {
    gguf::TensorType type;
    const void* data;  // n_out rows of row_bytes() bytes each
    int64_t n_in;      // row length (elements), a multiple of the type's block size
    int64_t n_out;     // number of rows
    uint64_t row_bytes() const;
};

// True if matmul supports weights of this type (on every ISA).
bool matmul_supports(gguf::TensorType type);

// x and y must not overlap. Throws InvalidArgument if the shapes do not fit, NotImplemented for an
// unsupported type.
void matmul(const QMatrix& w, const float* x, float* y, int64_t n_tokens, ThreadPool& pool);
// The same with an explicit kernel table (tests compare ISA levels with it).
void matmul(const QMatrix& w, const float* x, float* y, int64_t n_tokens, ThreadPool& pool, const KernelTable& k);

}  // namespace pyllm
