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

bool MatmulGroup::has_tiles(const QMatrix& w) {
    const KernelTable& k = kernels();
    if (!k.q) return false;
    const TypeKernels& tk = k.q->types[static_cast<uint32_t>(w.type)];
    return tk.gemm != nullptr && tk.act != ActType::F32;
}

void MatmulGroup::run(const QMatrix* const* ws, float* const* ys, int n, const float* x, int64_t T,
                      ThreadPool& pool, bool allow_matvec) {
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
    // The panel path (as matmul() takes it for >= 2 tokens; for one token too when the caller wants
    // the prefill arithmetic) if every matrix has it with the same sub-block size.
    bool panel = T >= 2 || !allow_matvec;
    for (int i = 0; panel && i < n; ++i) {
        const TypeKernels& tk = k.q->types[static_cast<uint32_t>(ws[i]->type)];
        panel = tk.pack != nullptr && tk.panel_sub == k.q->types[static_cast<uint32_t>(ws[0]->type)].panel_sub;
    }
    if (!panel && T >= 2) {
        // Mixed panel / non-panel types (e.g. Q5_0 with Q8_0, Q4_K with Q6_K): one matmul() each, so
        // every matrix still takes the path matmul() would give it.
        bool any = false;
        for (int i = 0; i < n; ++i) any = any || k.q->types[static_cast<uint32_t>(ws[i]->type)].pack != nullptr;
        if (any) {
            for (int i = 0; i < n; ++i) matmul(*ws[i], x, ys[i], T, pool);
            return;
        }
    }
    const int sub = k.q->types[static_cast<uint32_t>(ws[0]->type)].panel_sub;
    const size_t pab = panel ? kPanelActBytes(n_in, sub) : 0;
    if (pact_.size() < pab * (size_t)T) pact_.resize(pab * (size_t)T);
    const QuantizeActFn quantize = k.q->quantize_act[at];
    uint8_t* qa = act_.data();
    uint8_t* pa = pact_.data();
    auto quantize_rows = [&](int64_t t0, int64_t t1) {
        for (int64_t t = t0; t < t1; ++t) {
            quantize(x + t * n_in, qa + t * arb, n_in);
            if (panel) panel_act_row(static_cast<ActType>(at), sub, qa + t * arb, n_in, pa + t * pab);
        }
    };
    if (T < kParallelQuantizeTokens || pool.size() == 1) {
        quantize_rows(0, T);
    } else {
        pool.run([&](int ti, int nt) {
            int64_t t0, t1;
            ThreadPool::chunk(T, ti, nt, 1, &t0, &t1);
            quantize_rows(t0, t1);
        });
    }
    // Rows of all matrices, concatenated: matrix i owns [start[i], start[i+1]).
    int64_t start[kMaxGroup + 1];
    start[0] = 0;
    for (int i = 0; i < n; ++i) start[i + 1] = start[i] + ws[i]->n_out;
    const int64_t total = start[n];
    if (panel) {
        // Chunks of the concatenated rows, claimed by whichever thread is free (for_chunks); panel by
        // panel within each matrix.
        pool.for_chunks(total, pool.grain_for(total, kPanelRows), [&](int64_t r0, int64_t r1) {
            for (int i = 0; i < n && r0 < r1; ++i) {
                const int64_t b = std::max(r0, start[i]), e = std::min(r1, start[i + 1]);
                if (b >= e) continue;
                const QMatrix& w = *ws[i];
                panel_rows(w, k.q->types[static_cast<uint32_t>(w.type)], b - start[i], e - start[i], pa, pab, T,
                           ys[i] + (b - start[i]), (size_t)w.n_out);
            }
        });
        return;
    }
    bool use_matvec = T == 1 && allow_matvec;
    for (int i = 0; i < n; ++i)
        use_matvec = use_matvec && matvec_applies(k.q->types[static_cast<uint32_t>(ws[i]->type)], 1);
    if (use_matvec) {
        // Decode: chunks of the concatenated rows through the matvec kernels.
        pool.for_chunks(total, pool.grain_for(total, kTileRows), [&](int64_t r0, int64_t r1) {
            for (int i = 0; i < n && r0 < r1; ++i) {
                const int64_t b = std::max(r0, start[i]), e = std::min(r1, start[i + 1]);
                if (b >= e) continue;
                const QMatrix& w = *ws[i];
                const size_t rb = (size_t)w.row_bytes();
                const int64_t lr = b - start[i];
                k.q->types[static_cast<uint32_t>(w.type)].matvec(
                    n_in, static_cast<const uint8_t*>(w.data) + lr * rb, rb, e - b, qa, ys[i] + lr);
            }
        });
        return;
    }
    pool.for_chunks(total, pool.grain_for(total, kTileRows), [&](int64_t r0, int64_t r1) {
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
