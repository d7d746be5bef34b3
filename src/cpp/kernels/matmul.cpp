// matmul.cpp — baseline: dequantize each weight row once, then float dot products per token.
// (To be replaced by quantized-activation integer kernels; kept simple and correct meanwhile.)
#include "kernels/matmul.h"

#include <vector>

#include "common/error.h"
#include "kernels/dispatch.h"
#include "quant/dequantize.h"

namespace pyllm {

uint64_t QMatrix::row_bytes() const {
    const gguf::TypeTraits& tt = gguf::type_traits(type);
    return (uint64_t)(n_in / tt.block_size) * tt.type_size;
}

void matmul(const QMatrix& w, const float* x, float* y, int64_t n_tokens, ThreadPool& pool) {
    const gguf::TypeTraits& tt = gguf::type_traits(w.type);
    PYLLM_CHECK(tt.name, InvalidArgument, "matmul: unknown weight type id ", static_cast<uint32_t>(w.type));
    PYLLM_CHECK(w.n_in > 0 && w.n_out > 0 && n_tokens >= 0, InvalidArgument, "matmul: bad shape n_in=", w.n_in,
                " n_out=", w.n_out, " n_tokens=", n_tokens);
    PYLLM_CHECK(w.n_in % tt.block_size == 0, InvalidArgument, "matmul: row length ", w.n_in,
                " is not a multiple of the ", tt.name, " block size ", tt.block_size);
    PYLLM_CHECK(can_dequantize(w.type), NotImplemented, "matmul: weight type ", tt.name, " is not supported yet");
    const KernelTable& k = kernels();
    const uint64_t rb = w.row_bytes();
    pool.run([&](int ti, int nt) {
        int64_t r0, r1;
        ThreadPool::chunk(w.n_out, ti, nt, 1, &r0, &r1);
        std::vector<float> row((size_t)w.n_in);  // scratch: one dequantized weight row
        for (int64_t r = r0; r < r1; ++r) {
            dequantize_to_f32(w.type, static_cast<const uint8_t*>(w.data) + r * rb, row.data(), (uint64_t)w.n_in);
            for (int64_t t = 0; t < n_tokens; ++t) y[t * w.n_out + r] = k.dot_f32(row.data(), x + t * w.n_in, (size_t)w.n_in);
        }
    });
}

}  // namespace pyllm
