#include "model/weights_x8.h"

#include <algorithm>
#include <vector>

#include "kernels/dispatch.h"
#include "quant/repack.h"

namespace pyllm::model {

namespace {

bool wants_x8(const QMatrix& m) {
    if (!m.data || m.x8 || !quant::x8_supported(m.type)) return false;
    const KernelTable& k = kernels();
    if (!k.q) return false;
    const TypeKernels& tk = k.q->types[static_cast<uint32_t>(m.type)];
    // A type with a prefill panel needs its x8 packer too (else prefill would unpack rows per call).
    return tk.matvec_x8 != nullptr && (tk.pack == nullptr || tk.pack_x8 != nullptr);
}

}  // namespace

int repack_weights_x8(Weights& w, const gguf::File& f, ThreadPool& pool, BigBuffer& buf) {
    std::vector<QMatrix*> ms;
    for (LayerWeights& L : w.layers)
        for (QMatrix* m : {&L.wq, &L.wk, &L.wv, &L.wqkv, &L.wo, &L.w_gate, &L.w_up, &L.w_down})
            if (wants_x8(*m)) ms.push_back(m);
    if (wants_x8(w.output)) ms.push_back(&w.output);
    if (ms.empty()) return 0;

    std::vector<uint64_t> off(ms.size() + 1, 0);
    for (size_t i = 0; i < ms.size(); ++i) off[i + 1] = off[i] + (quant::x8_bytes(ms[i]->type, ms[i]->n_in, ms[i]->n_out) + 63) / 64 * 64;
    buf = BigBuffer((size_t)off.back());

    // Slices of ~4 MB of source rows: each is copied by the pool, then its file pages are released,
    // so the peak resident memory exceeds the final one by about a slice, not by a whole matrix
    // (Gemma 3's 180 MB head would otherwise be resident twice for a moment).
    const uint8_t* base = f.mapping()->data();
    const uint64_t file_size = f.mapping()->size();
    constexpr uint64_t kSliceBytes = 4u << 20;
    for (size_t i = 0; i < ms.size(); ++i) {
        QMatrix& m = *ms[i];
        uint8_t* dst = buf.data() + off[i];
        const int64_t groups = (m.n_out + quant::kX8Rows - 1) / quant::kX8Rows;
        const uint64_t group_src = m.row_bytes() * quant::kX8Rows;
        const int64_t per_slice = std::max<int64_t>(1, (int64_t)(kSliceBytes / group_src));
        const auto* src = static_cast<const uint8_t*>(m.data);
        const bool in_file = src >= base && src < base + file_size;
        for (int64_t s0 = 0; s0 < groups; s0 += per_slice) {
            const int64_t s1 = std::min(groups, s0 + per_slice);
            pool.for_chunks(s1 - s0, pool.grain_for(s1 - s0, 1), [&](int64_t g0, int64_t g1) {
                quant::repack_x8(m.type, m.data, m.n_in, m.n_out, s0 + g0, s0 + g1, dst);
            });
            if (in_file) {
                // from one page before the slice (the page it shares with the previous slice) to its end
                const uint64_t a = (uint64_t)(src - base) + (uint64_t)s0 * group_src;
                const uint64_t e = std::min((uint64_t)(src - base) + m.row_bytes() * (uint64_t)m.n_out,
                                            (uint64_t)(src - base) + (uint64_t)s1 * group_src);
                const uint64_t from = a >= 4096 ? a - 4096 : 0;
                f.mapping()->release(from, e - from);
            }
        }
        m.data = dst;
        m.x8 = true;
    }
    return (int)ms.size();
}

}  // namespace pyllm::model
