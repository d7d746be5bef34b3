// matmul.cpp — the threaded matmul over the KernelTable's quantized tiles (see matmul.h).
#include "kernels/matmul.h"

#include <algorithm>
#include <vector>

#include "common/error.h"
#include "kernels/dispatch.h"
#include "quant/blocks.h"
#include "quant/dequantize.h"
#include "quant/repack.h"

namespace pyllm {

namespace {

static_assert(kTypeKernelSlots == (int)gguf::kTensorTypeLimit, "one TypeKernels slot per tensor type id");

bool is_float_type(gguf::TensorType t) {
    return t == gguf::TensorType::F32 || t == gguf::TensorType::F16 || t == gguf::TensorType::BF16;
}

// Tokens at or above which the activation quantization itself is split across the threads.
constexpr int64_t kParallelQuantizeTokens = 16;
// Calls with fewer tokens than this use the type's matvec kernel (if it has one) once per token.
constexpr int64_t kMatvecMaxTokens = 2;
// One-token calls take the type's matvec kernel on every row length. On short rows the tiles are a
// little faster when the matrix sits in L2 (bench, Q4_1 576x3072: 5.6 vs 5.2 GB/s), but the matvec
// prefetches the weight stream and wins in the engine, where weights come from DRAM (SmolLM2 decode,
// 1 thread, same run: 52.5 tok/s with matvec on its 576-wide rows, 45.9 with tiles).
// Matvecs over fewer weight bytes than this run on the calling thread only: below ~128 KB (a few
// microseconds of streaming) waking the workers and waiting for the slowest costs about what the
// split saves (and much more when the machine is oversubscribed).
constexpr uint64_t kMatvecParallelBytes = 128 * 1024;

// The smallest chunk of a one-token matvec split: rows of about kMatvecMinChunkBytes of weights, so
// that claiming a chunk (an atomic on a line both threads write) stays well below streaming it.
constexpr uint64_t kMatvecMinChunkBytes = 16 * 1024;

}  // namespace

int64_t matvec_min_rows(uint64_t row_bytes) {
    return (int64_t)((kMatvecMinChunkBytes + row_bytes - 1) / (row_bytes ? row_bytes : 1));
}

namespace {

// Float weights (F32 / F16 / BF16): KernelTable::matmul_f's tiles (4 rows x 3 tokens, converted in
// registers), rows claimed in chunks of multiples of 4 by whichever thread is free. Every output
// depends only on its row and token (the kernel's contract), so the split changes nothing.
void matmul_float(const QMatrix& w, const float* x, float* y, int64_t n_tokens, ThreadPool& pool, const KernelTable& k) {
    const uint64_t rb = w.row_bytes();
    const auto* base = static_cast<const uint8_t*>(w.data);
    const int wt = w.type == gguf::TensorType::F16 ? kFloatF16 : w.type == gguf::TensorType::BF16 ? kFloatBF16 : kFloatF32;
    auto rows = [&](int64_t r0, int64_t r1) {
        thread_local std::vector<float> scratch;  // 4 rows converted to f32 (F16 / BF16, many tokens)
        if (scratch.size() < (size_t)(4 * w.n_in)) scratch.resize((size_t)(4 * w.n_in));
        k.matmul_f(wt, base + r0 * rb, rb, r1 - r0, w.n_in, x, n_tokens, y + r0, (size_t)w.n_out, scratch.data());
    };
    if (n_tokens == 1 && rb * (uint64_t)w.n_out < kMatvecParallelBytes) rows(0, w.n_out);
    else pool.for_guided(w.n_out, 4, n_tokens == 1 ? matvec_min_rows(rb) : 4, rows);
}

void matmul_quant(const QMatrix& w, const float* x, float* y, int64_t n_tokens, ThreadPool& pool, const KernelTable& k) {
    const TypeKernels& tk = k.q->types[static_cast<uint32_t>(w.type)];
    const int at = static_cast<int>(tk.act);
    const QuantizeActFn quantize = k.q->quantize_act[at];
    const size_t arb = (size_t)(w.n_in / kActBlock[at]) * kActBlockBytes[at];  // bytes per quantized token
    const size_t rb = (size_t)w.row_bytes();

    // Quantized activations: [n_tokens][arb] bytes; on the panel path also [n_tokens][pab] panel
    // activation rows. Owned by the calling thread, reused across calls.
    const RowPath path = panel_applies(tk, n_tokens)        ? RowPath::Panel
                         : matvec_applies(tk, n_tokens, w.x8) ? RowPath::Matvec
                                                              : RowPath::Tiles;
    const size_t pab = path == RowPath::Panel ? panel_act_row_bytes(tk, w.n_in) : 0;
    thread_local std::vector<uint8_t> act, pact;
    if (act.size() < arb * (size_t)n_tokens) act.resize(arb * (size_t)n_tokens);
    if (pact.size() < pab * (size_t)n_tokens) pact.resize(pab * (size_t)n_tokens);
    uint8_t* pa = pab ? pact.data() : nullptr;
    quantize_activations(quantize, tk.act, x, w.n_in, n_tokens, act.data(), arb, tk.panel_sub, pa, pab, pool);

    const uint8_t* a = pa ? pa : act.data();
    const size_t as = pa ? pab : arb;
    thread_local std::vector<uint8_t> bcast;
    const uint8_t* ab = x8_act_bcast(w, k, path, a, n_tokens, bcast);
    auto rows = [&](int64_t r0, int64_t r1) {
        matmul_rows(w, tk, path, r0, r1, a, as, n_tokens, y + r0, (size_t)w.n_out, ab);
    };
    // A small one-token matvec stays on the calling thread. Otherwise rows are claimed in chunks by
    // whichever thread is free, largest first (ThreadPool::for_guided); every output depends only on
    // its row and token, so the split does not change any value.
    if (path == RowPath::Matvec && (uint64_t)rb * (uint64_t)w.n_out < kMatvecParallelBytes) rows(0, w.n_out);
    else pool.for_guided(w.n_out, row_align(path, w.x8), path == RowPath::Matvec ? matvec_min_rows(rb) : 1, rows);
}

// One token's panel activation row (kPanelActBytes(n, sub) bytes at pa) from its quantized row qa in
// format `at` (Q8A or Q8K, sub 32; the K16 panels read the Q8K rows themselves).
void panel_act_row(ActType at, int sub, const uint8_t* qa, int64_t n, uint8_t* pa) {
    int8_t* q = reinterpret_cast<int8_t*>(pa);
    float* d = reinterpret_cast<float*>(pa + n);  // [n / sub], then s: [n / sub]
    float* s = d + n / sub;
    if (at == ActType::Q8A) {  // sub == 32: one block per sub-block, copied as is
        const auto* blk = reinterpret_cast<const quant::BlockQ8A*>(qa);
        for (int64_t b = 0; b < n / quant::kQK32; ++b) {
            std::copy(blk[b].qs, blk[b].qs + quant::kQK32, q + b * quant::kQK32);
            d[b] = blk[b].d;
            s[b] = blk[b].s;
        }
        return;
    }
    // Q8K: one scale per 256; the per-16 code sums give each sub-block's sum exactly.
    const auto* blk = reinterpret_cast<const quant::BlockQ8K*>(qa);
    const int per = quant::kQKK / sub;  // sub-blocks per Q8K block
    const int sums = sub / 16;          // bsums per sub-block
    for (int64_t b = 0; b < n / quant::kQKK; ++b) {
        std::copy(blk[b].qs, blk[b].qs + quant::kQKK, q + b * quant::kQKK);
        for (int j = 0; j < per; ++j) {
            int sum = 0;
            for (int k = 0; k < sums; ++k) sum += blk[b].bsums[j * sums + k];
            d[b * per + j] = blk[b].d;
            s[b * per + j] = blk[b].d * (float)sum;
        }
    }
}

}  // namespace

bool matvec_applies(const TypeKernels& tk, int64_t n_tokens, bool x8) {
    return (x8 ? tk.matvec_x8 != nullptr : tk.matvec != nullptr) && n_tokens < kMatvecMaxTokens;
}

void quantize_activations(QuantizeActFn quantize, ActType at, const float* x, int64_t n_in, int64_t T, uint8_t* qa,
                          size_t arb, int sub, uint8_t* pa, size_t pab, ThreadPool& pool) {
    auto rows = [&](int64_t t0, int64_t t1) {
        for (int64_t t = t0; t < t1; ++t) {
            quantize(x + t * n_in, qa + t * arb, n_in);
            if (pa) panel_act_row(at, sub, qa + t * arb, n_in, pa + t * pab);
        }
    };
    if (T < kParallelQuantizeTokens || pool.size() == 1) {
        rows(0, T);
    } else {
        pool.run([&](int ti, int nt) {
            int64_t t0, t1;
            ThreadPool::chunk(T, ti, nt, 1, &t0, &t1);
            rows(t0, t1);
        });
    }
}

namespace {

// Rows [r0, r1) of an x8 matrix (r0 a multiple of 8).
void matmul_rows_x8(const QMatrix& w, const TypeKernels& tk, RowPath path, int64_t r0, int64_t r1, const uint8_t* act,
                    size_t as, int64_t T, float* y, size_t ys, const uint8_t* ab) {
    PYLLM_CHECK(r0 % quant::kX8Rows == 0, InvalidArgument, "matmul: x8 rows must start at a multiple of 8, got ", r0);
    const uint64_t gb = quant::x8_group_bytes(w.type, w.n_in);
    const auto* g0 = static_cast<const uint8_t*>(w.data) + (uint64_t)(r0 / quant::kX8Rows) * gb;
    if (path == RowPath::Matvec && tk.matvec_x8) {
        for (int64_t t = 0; t < T; ++t) tk.matvec_x8(w.n_in, g0, r1 - r0, act + t * as, T == 1 ? ab : nullptr, y + t * ys);
        return;
    }
    thread_local std::vector<uint8_t> panel;  // kPanelBytes(n_in, sub) bytes
    thread_local std::vector<uint8_t> rows;   // 8 unpacked rows: [8][row_bytes]
    const size_t rb = (size_t)w.row_bytes();
    for (int64_t r = r0; r < r1; r += quant::kX8Rows) {
        const int nr = (int)std::min<int64_t>(quant::kX8Rows, r1 - r);
        const uint8_t* g = g0 + (uint64_t)((r - r0) / quant::kX8Rows) * gb;
        if (path == RowPath::Panel && tk.pack_x8) {
            const size_t pb = kPanelBytes(w.n_in, tk.panel_sub);
            if (panel.size() < pb) panel.resize(pb);
            tk.pack_x8(w.n_in, g, 0, nr, panel.data());
            tk.panel(w.n_in, panel.data(), act, as, T, y + (r - r0), ys, nr);
            continue;
        }
        if (rows.size() < quant::kX8Rows * rb) rows.resize(quant::kX8Rows * rb);
        quant::unrepack_x8_group(w.type, g, w.n_in, nr, rows.data(), rb);
        QMatrix v{w.type, rows.data(), w.n_in, nr};
        matmul_rows(v, tk, path, 0, nr, act, as, T, y + (r - r0), ys);
    }
}

}  // namespace

const uint8_t* x8_act_bcast(const QMatrix& w, const KernelTable& k, RowPath path, const uint8_t* act, int64_t T,
                            std::vector<uint8_t>& buf) {
    if (!w.x8 || path != RowPath::Matvec || T != 1 || !k.q || !k.q->bcast_act) return nullptr;
    const TypeKernels& tk = k.q->types[static_cast<uint32_t>(w.type)];
    if (!tk.x8_bcast) return nullptr;
    if (buf.size() < kActBcastBytes(w.n_in)) buf.resize(kActBcastBytes(w.n_in));
    k.q->bcast_act(act, tk.act, w.n_in, buf.data());
    return buf.data();
}

void matmul_rows(const QMatrix& w, const TypeKernels& tk, RowPath path, int64_t r0, int64_t r1, const uint8_t* act,
                 size_t as, int64_t T, float* y, size_t ys, const uint8_t* ab) {
    if (w.x8) {
        matmul_rows_x8(w, tk, path, r0, r1, act, as, T, y, ys, ab);
        return;
    }
    const size_t rb = (size_t)w.row_bytes();
    const auto* wb = static_cast<const uint8_t*>(w.data);
    switch (path) {
        case RowPath::Panel: {
            thread_local std::vector<uint8_t> panel;  // one packed panel: kPanelBytes(n_in, sub) bytes
            const size_t pb = kPanelBytes(w.n_in, tk.panel_sub);
            if (panel.size() < pb) panel.resize(pb);
            for (int64_t r = r0; r < r1; r += kPanelRows) {
                const int nr = (int)std::min<int64_t>(kPanelRows, r1 - r);
                tk.pack(w.n_in, wb + r * rb, rb, nr, panel.data());
                tk.panel(w.n_in, panel.data(), act, as, T, y + (r - r0), ys, nr);
            }
            return;
        }
        case RowPath::Matvec:  // decode: the rows streamed once per token
            for (int64_t t = 0; t < T; ++t) tk.matvec(w.n_in, wb + r0 * rb, rb, r1 - r0, act + t * as, y + t * ys);
            return;
        case RowPath::Tiles:
            for (int64_t r = r0; r < r1; r += kTileRows) {
                const int nr = (int)std::min<int64_t>(kTileRows, r1 - r);
                for (int64_t t = 0; t < T; t += kTileCols) {
                    const int nc = (int)std::min<int64_t>(kTileCols, T - t);
                    tk.gemm(w.n_in, wb + r * rb, rb, nr, act + t * as, as, nc, y + t * ys + (r - r0), ys);
                }
            }
            return;
    }
}

uint64_t QMatrix::row_bytes() const {
    const gguf::TypeTraits& tt = gguf::type_traits(type);
    return (uint64_t)(n_in / tt.block_size) * tt.type_size;
}

bool matmul_supports(gguf::TensorType type) {
    const uint32_t id = static_cast<uint32_t>(type);
    if (id >= (uint32_t)kTypeKernelSlots) return false;
    return is_float_type(type) || kernel_table_scalar()->q->types[id].gemm != nullptr;
}

void matmul(const QMatrix& w, const float* x, float* y, int64_t n_tokens, ThreadPool& pool) {
    matmul(w, x, y, n_tokens, pool, kernels());
}

void matmul(const QMatrix& w, const float* x, float* y, int64_t n_tokens, ThreadPool& pool, const KernelTable& k) {
    const uint32_t id = static_cast<uint32_t>(w.type);
    const gguf::TypeTraits& tt = gguf::type_traits(id);
    PYLLM_CHECK(tt.name, InvalidArgument, "matmul: unknown weight type id ", id);
    PYLLM_CHECK(w.n_in > 0 && w.n_out > 0 && n_tokens >= 0, InvalidArgument, "matmul: bad shape n_in=", w.n_in,
                " n_out=", w.n_out, " n_tokens=", n_tokens);
    PYLLM_CHECK(w.n_in % tt.block_size == 0, InvalidArgument, "matmul: row length ", w.n_in,
                " is not a multiple of the ", tt.name, " block size ", tt.block_size);
    PYLLM_CHECK(matmul_supports(w.type), NotImplemented, "matmul: weight type ", tt.name, " is not supported");
    PYLLM_CHECK(!w.x8 || quant::x8_supported(w.type), NotImplemented, "matmul: no x8 layout for ", tt.name);
    PYLLM_CHECK(w.data != nullptr && (n_tokens == 0 || (x != nullptr && y != nullptr)), InvalidArgument,
                "matmul: null data pointer");
    if (n_tokens == 0) return;
    if (is_float_type(w.type)) matmul_float(w, x, y, n_tokens, pool, k);
    else matmul_quant(w, x, y, n_tokens, pool, k);
}

}  // namespace pyllm
