// matmul.h — y = x · Wᵀ for a weight matrix of any supported GGML type.
//
//   W: [n_out][n_in] in `type` (GGUF ne = {n_in, n_out}; each row is n_in / block_size blocks)
//   x: [n_tokens][n_in] float32, y: [n_tokens][n_out] float32
//
// Quantized weights: x is quantized once per call to the weight type's activation format
// (KernelTable::q->types[type].act: Q8A or Q8K blocks), then integer dot-product tiles of up to
// 4 weight rows x 8 tokens run on the pool's threads, rows claimed in chunks by whichever thread is
// free (n_tokens > 1: every 4-row weight group is reused across all tokens while it is in L1).
// n_tokens >= 2 on types with a panel kernel (AVX2 level: Q4_0 Q4_1 Q5_0 Q5_1 Q2_K..Q6_K) takes
// the panel path instead of the tiles: 8 weight rows unpacked once per call, every token run on them
// (Q2_K, Q3_K, Q6_K: the integer-scale K16 panels, on the Q8K rows).
// n_tokens == 1 (decode) uses the type's dedicated matvec kernel where the table has one
// (TypeKernels::matvec: one horizontal reduction per row instead of per block), and stays on the
// calling thread when the matrix is under 128 KB (waking the pool would cost more than it saves).
// F32/F16/BF16 weights take the float path: KernelTable::matmul_f's 4-row x 3-token FMA tiles.
// This is the engine's only entry to the matmul kernels.
#pragma once

#include <cstdint>
#include <vector>

#include "common/thread_pool.h"
#include "gguf/gguf_types.h"
#include "kernels/kernels.h"

namespace pyllm {

struct QMatrix {
    gguf::TensorType type;
    const void* data;  // n_out rows of row_bytes() bytes each (x8: ceil(n_out / 8) x8 groups)
    int64_t n_in;      // row length (elements), a multiple of the type's block size
    int64_t n_out;     // number of rows
    bool x8 = false;   // data is in the x8 layout (quant/repack.h) instead of rows
    uint64_t row_bytes() const;
};

// True if matmul supports weights of this type (on every ISA).
bool matmul_supports(gguf::TensorType type);

// ---- the pieces of matmul() that engine::MatmulGroup shares -----------------------------------------
// True if a call with n_tokens tokens takes the panel path: the type has a panel kernel on this
// level and there are >= 2 tokens (one token streams the weights once anyway: matvec or tiles).
inline bool panel_applies(const TypeKernels& tk, int64_t n_tokens) { return tk.pack != nullptr && n_tokens >= 2; }
// Bytes per token of the panel activation rows a call on the panel path builds (0: its panel kernel
// reads the quantized rows themselves, TypeKernels::panel_q8k).
inline size_t panel_act_row_bytes(const TypeKernels& tk, int64_t n_in) {
    return tk.panel_q8k ? 0 : kPanelActBytes(n_in, tk.panel_sub);
}
// True if a call takes the type's dedicated matvec kernel: one token and a matvec on this level
// (for an x8 matrix: its matvec_x8 kernel).
bool matvec_applies(const TypeKernels& tk, int64_t n_tokens, bool x8 = false);
// Quantize the T rows of x ([T][n_in]) with `quantize` into format `at` (arb bytes per row at qa)
// and, if pa != nullptr, convert each to a panel activation row (pab = kPanelActBytes(n_in, sub)
// bytes per row at pa: the same int8 codes, per-sub-block d and s). Split across the pool by tokens
// from 16 tokens on.
void quantize_activations(QuantizeActFn quantize, ActType at, const float* x, int64_t n_in, int64_t T, uint8_t* qa,
                          size_t arb, int sub, uint8_t* pa, size_t pab, ThreadPool& pool);

// How a call computes its rows from the quantized activations.
enum class RowPath {
    Panel,   // act: panel activation rows (quantize_activations' pa); the quantized rows (qa) if panel_q8k
    Matvec,  // act: quantized rows (qa); the type's matvec kernel, once per token
    Tiles,   // act: quantized rows (qa); 4-row x 8-token tiles
};
// Rows [r0, r1) of w for T tokens: y[t * y_stride + (r - r0)], act rows act_stride bytes apart.
// Every output depends only on its own row and token, whatever the range. For an x8 matrix r0 must be
// a multiple of 8 (and r1 too unless it is n_out). Panel and matvec_x8 kernels run on the x8 groups
// directly; any other case runs the row kernels on rows unpacked from each group, with the same values.
// ab: nullptr, or (one token on the Matvec path) the activation broadcast for the x8 kernels
// (x8_act_bcast below), built once per call instead of once per chunk of rows.
void matmul_rows(const QMatrix& w, const TypeKernels& tk, RowPath path, int64_t r0, int64_t r1, const uint8_t* act,
                 size_t act_stride, int64_t T, float* y, size_t y_stride, const uint8_t* ab = nullptr);
// The broadcast activations for an x8 matrix's one-token call, in `buf` (resized as needed), or
// nullptr when the call does not take the x8 matvec, the type's kernel broadcasts in its loop
// (TypeKernels::x8_bcast) or the level has no bcast_act.
const uint8_t* x8_act_bcast(const QMatrix& w, const KernelTable& k, RowPath path, const uint8_t* act, int64_t T,
                            std::vector<uint8_t>& buf);
// The row alignment of the chunks the pool hands out on `path` (ThreadPool::for_guided): whole
// panels, tiles or x8 groups.
inline int64_t row_align(RowPath path, bool x8) { return path == RowPath::Panel || x8 ? kPanelRows : kTileRows; }

// The smallest chunk, in rows of row_bytes bytes, into which a one-token matvec is split across the pool.
int64_t matvec_min_rows(uint64_t row_bytes);

// x and y must not overlap. Throws InvalidArgument if the shapes do not fit, NotImplemented for an
// unsupported type.
void matmul(const QMatrix& w, const float* x, float* y, int64_t n_tokens, ThreadPool& pool);
// The same with an explicit kernel table (tests compare ISA levels with it).
void matmul(const QMatrix& w, const float* x, float* y, int64_t n_tokens, ThreadPool& pool, const KernelTable& k);

}  // namespace pyllm
