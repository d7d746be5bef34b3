// matmul_group.h — several matmuls that share one input, in one pass over the thread pool.
//
//   y_i[T][n_out_i] = x[T][n_in] · W_iᵀ   for i < n   (e.g. Q, K and V; or gate and up)
//
// When every W_i is a quantized type taking the same activation format, x is quantized ONCE and
// a single pool.run covers the rows of all matrices (fewer thread wake-ups and activation passes
// per decode step than n separate matmul() calls). Otherwise it falls back to matmul() per matrix.
// Each output element is the same dot product matmul() computes (tiles, panels or matvec, chosen by
// the same rules), so results are identical.
#pragma once

#include <cstdint>
#include <vector>

#include "common/thread_pool.h"
#include "kernels/matmul.h"

namespace pyllm::engine {

class MatmulGroup {
public:
    // max_tokens x max_n_in: the largest input the scratch must hold (allocated once, here).
    MatmulGroup(int64_t max_tokens, int64_t max_n_in);

    // ws: [n] matrices with equal n_in; ys: [n] outputs.   x: [T][n_in]
    // T == 1 uses the kernels' matvec (as matmul() does) unless allow_matvec is false: then the
    // prefill tiles, so a prompt's last-token logits equal its all-logits row bit for bit.
    void run(const QMatrix* const* ws, float* const* ys, int n, const float* x, int64_t T, ThreadPool& pool,
             bool allow_matvec = true);

    // True if `w` has integer tile kernels (quantized weights); float weights use one path for
    // every token count anyway.
    static bool has_tiles(const QMatrix& w);

private:
    std::vector<uint8_t> act_;   // quantized activations: [max_tokens][bytes per row]
    std::vector<uint8_t> pact_;  // panel activation rows (kernels.h): [T][kPanelActBytes], grown on demand
    std::vector<uint8_t> bcast_; // one token's activations broadcast for the x8 matvecs (kActBcastBytes)
};

}  // namespace pyllm::engine
