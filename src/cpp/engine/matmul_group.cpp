#include "engine/matmul_group.h"

#include <algorithm>

#include "common/error.h"
#include "kernels/dispatch.h"

namespace pyllm::engine {

namespace {
constexpr int kMaxGroup = 4;
constexpr int64_t kParallelQuantizeTokens = 16;
}  // namespace

MatmulGroup::MatmulGroup(int64_t max_tokens, int64_t max_n_in) {
    // The largest activation format is Q8K: 292 bytes per 256 elements (< 1.25 bytes/element).
    const int64_t per_row = (max_n_in / 32 + 1) * 48;
    act_.assign((size_t)(max_tokens * per_row), 0);
}

void MatmulGroup::run(const QMatrix* const* ws, float* const* ys, int n, const float* x, int64_t T,
                      ThreadPool& pool) {
    const KernelTable& k = kernels();
    bool fused = n >= 1 && n <= kMaxGroup && k.q != nullptr;
    int at = -1;
    for (int i = 0; fused && i < n; ++i) {
        const TypeKernels& tk = k.q->types[static_cast<uint32_t>(ws[i]->type)];
        const int a = static_cast<int>(tk.act);
        fused = tk.gemm != nullptr && a != static_cast<int>(ActType::F32) && (at < 0 || a == at) &&
                ws[i]->n_in == ws[0]->n_in && ws[i]->n_in % kActBlock[a] == 0;
        at = a;
    }
    const int64_t n_in = ws[0]->n_in;
    const size_t arb = fused ? (size_t)(n_in / kActBlock[at]) * kActBlockBytes[at] : 0;
    if (!fused || arb * (size_t)T > act_.size()) {
        for (int i = 0; i < n; ++i) matmul(*ws[i], x, ys[i], T, pool);
        return;
    }
    const QuantizeActFn quantize = k.q->quantize_act[at];
    uint8_t* qa = act_.data();
    if (T < kParallelQuantizeTokens || pool.size() == 1) {
        for (int64_t t = 0; t < T; ++t) quantize(x + t * n_in, qa + t * arb, n_in);
    } else {
        pool.run([&](int ti, int nt) {
            int64_t t0, t1;
            ThreadPool::chunk(T, ti, nt, 1, &t0, &t1);
            for (int64_t t = t0; t < t1; ++t) quantize(x + t * n_in, qa + t * arb, n_in);
        });
    }
    // Rows of all matrices, concatenated: matrix i owns [start[i], start[i+1]).
    int64_t start[kMaxGroup + 1];
    start[0] = 0;
    for (int i = 0; i < n; ++i) start[i + 1] = start[i] + ws[i]->n_out;
    const int64_t total = start[n];
    pool.run([&](int ti, int nt) {
        int64_t r0, r1;
        ThreadPool::chunk(total, ti, nt, kTileRows, &r0, &r1);
        int i = 0;
        for (int64_t r = r0; r < r1;) {
            while (r >= start[i + 1]) ++i;
            const QMatrix& w = *ws[i];
            const GemmTileFn gemm = k.q->types[static_cast<uint32_t>(w.type)].gemm;
            const size_t rb = (size_t)w.row_bytes();
            const int64_t lr = r - start[i];
            const int nr = (int)std::min<int64_t>({(int64_t)kTileRows, r1 - r, start[i + 1] - r});
            const auto* wb = static_cast<const uint8_t*>(w.data) + lr * rb;
            for (int64_t t = 0; t < T; t += kTileCols) {
                const int nc = (int)std::min<int64_t>(kTileCols, T - t);
                gemm(n_in, wb, rb, nr, qa + t * arb, arb, nc, ys[i] + t * w.n_out + lr, (size_t)w.n_out);
            }
            r += nr;
        }
    });
}

}  // namespace pyllm::engine
