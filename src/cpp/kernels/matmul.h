// matmul.h — y = x · Wᵀ for a weight matrix of any supported GGML type.
//
//   W: [n_out][n_in] in `type` (GGUF ne = {n_in, n_out}; each row is n_in / block_size blocks)
//   x: [n_tokens][n_in] float32, y: [n_tokens][n_out] float32
//
// Threads split the output rows. This is the engine's only entry to the matmul kernels.
#pragma once

#include <cstdint>

#include "common/thread_pool.h"
#include "gguf/gguf_types.h"

namespace pyllm {

struct QMatrix {
    gguf::TensorType type;
    const void* data;  // n_out rows of row_bytes() bytes each
    int64_t n_in;      // row length (elements), a multiple of the type's block size
    int64_t n_out;     // number of rows
    uint64_t row_bytes() const;
};

// Throws InvalidArgument if the shapes or type do not fit.
void matmul(const QMatrix& w, const float* x, float* y, int64_t n_tokens, ThreadPool& pool);

}  // namespace pyllm
