#include "engine/matmul_group.h"

#include <algorithm>

#include "common/error.h"
#include "kernels/dispatch.h"

namespace pyllm::engine {

namespace {
constexpr int kMaxGroup = 4;
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
    const TypeKernels& tk0 = k.q->types[static_cast<uint32_t>(ws[0]->type)];
    // The panel path (as matmul() takes it for >= 2 tokens; for one token too when the caller wants
    // the prefill arithmetic) if every matrix has it with the same sub-block size.
    bool panel = T >= 2 || !allow_matvec;
    bool any_panel = false, all_matvec = true, any_x8 = false;
    for (int i = 0; i < n; ++i) {
        const TypeKernels& tk = k.q->types[static_cast<uint32_t>(ws[i]->type)];
        panel = panel && tk.pack != nullptr && tk.panel_sub == tk0.panel_sub && tk.panel_q8k == tk0.panel_q8k;
        any_panel = any_panel || tk.pack != nullptr;
        all_matvec = all_matvec && matvec_applies(tk, 1, ws[i]->x8);
        any_x8 = any_x8 || ws[i]->x8;
    }
    if (!panel && T >= 2 && any_panel) {
        // Mixed panel / non-panel types (e.g. Q5_0 with Q8_0, Q4_K with Q6_K): one matmul() each, so
        // every matrix still takes the path matmul() would give it.
        for (int i = 0; i < n; ++i) matmul(*ws[i], x, ys[i], T, pool);
        return;
    }
    const RowPath path = panel ? RowPath::Panel : (T == 1 && allow_matvec && all_matvec) ? RowPath::Matvec : RowPath::Tiles;
    const size_t pab = panel ? panel_act_row_bytes(tk0, n_in) : 0;
    if (pact_.size() < pab * (size_t)T) pact_.resize(pab * (size_t)T);
    uint8_t* pa = pab ? pact_.data() : nullptr;
    quantize_activations(k.q->quantize_act[at], static_cast<ActType>(at), x, n_in, T, act_.data(), arb, tk0.panel_sub,
                         pa, pab, pool);
    const uint8_t* a = pa ? pa : act_.data();
    const size_t as = pa ? pab : arb;

    // Rows of all matrices, concatenated, each matrix starting at a multiple of 8 rows: matrix i owns
    // [start[i], start[i] + n_out_i), the rows up to start[i+1] are padding. Chunks (whole panels,
    // tiles or x8 groups: they never straddle a matrix start) are claimed by whichever thread is
    // free, largest first (for_guided); within a chunk, each matrix's part runs through matmul_rows,
    // the code matmul() runs.
    // One activation broadcast for all x8 matrices of a one-token call (they share the activations).
    const uint8_t* ab = nullptr;
    for (int i = 0; i < n && !ab; ++i) ab = x8_act_bcast(*ws[i], k, path, a, T, bcast_);
    int64_t start[kMaxGroup + 1];
    start[0] = 0;
    for (int i = 0; i < n; ++i) start[i + 1] = start[i] + (ws[i]->n_out + kPanelRows - 1) / kPanelRows * kPanelRows;
    const int64_t total = start[n];
    auto part = [&](int64_t r0, int64_t r1) {
        for (int i = 0; i < n && r0 < r1; ++i) {
            const int64_t b = std::max(r0, start[i]), e = std::min(r1, start[i] + ws[i]->n_out);
            if (b >= e) continue;
            const QMatrix& w = *ws[i];
            matmul_rows(w, k.q->types[static_cast<uint32_t>(w.type)], path, b - start[i], e - start[i], a, as, T,
                        ys[i] + (b - start[i]), (size_t)w.n_out, w.x8 ? ab : nullptr);
        }
    };
    const int64_t align = row_align(path, any_x8);
    pool.for_guided(total, align, path == RowPath::Matvec ? matvec_min_rows(ws[0]->row_bytes()) : 1, part);
}

}  // namespace pyllm::engine
