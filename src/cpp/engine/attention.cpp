#include "engine/attention.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "engine/attn_kernels.h"
#include "kernels/dispatch.h"

namespace pyllm::engine {

namespace {

// dst = the row as float32.   src: [n] in the cache type
inline const float* row_f32(const model::KVCache& c, const void* src, float* dst, int64_t n, const KernelTable& k) {
    if (c.type() == model::KVType::F32) return static_cast<const float*>(src);
    k.f16_to_f32(static_cast<const uint16_t*>(src), dst, (size_t)n);
    return dst;
}

}  // namespace

void attention(const AttentionArgs& a, ThreadPool& pool) {
    const KernelTable& k = kernels();
    const int64_t hd = a.head_dim, qd = a.n_head * hd, group = a.n_head / a.n_kv_head;
    // An item: one token and up to kAttnHeads query heads of one K/V head (their K/V rows are read
    // and converted once for all of them).
    const int64_t subs = (group + kAttnHeads - 1) / kAttnHeads;  // items per (token, K/V head)
    const int64_t items = a.n_tokens * a.n_kv_head * subs;
    const bool f16 = a.cache->type() == model::KVType::F16;
    const AttnKernels& ak = attn_kernels();
    const int64_t n_ctx = a.cache->n_ctx();
    auto softmax = [&](float* sc, int64_t n) { ak.softmax(sc, n, a.scale, a.softcap); };
    auto body = [&](int ti, int nt) {
        float* scores = a.scratch + (int64_t)ti * a.scratch_stride;  // [kAttnHeads][n_ctx]
        float* buf = scores + kAttnHeads * n_ctx;                     // [head_dim]
        // Items dealt round-robin, not in contiguous ranges: under the causal mask a later token costs
        // more (it sees more positions), so contiguous ranges gave the last thread most of a prompt's
        // attention (2 threads: ~3/4 of it).
        for (int64_t it = ti; it < items; it += nt) {
            const int64_t t = it / (a.n_kv_head * subs), rest = it % (a.n_kv_head * subs);
            const int64_t g = rest / subs, h0 = g * group + (rest % subs) * kAttnHeads;
            const int nh = (int)std::min<int64_t>(kAttnHeads, (g + 1) * group - h0);
            const int64_t p = a.pos0 + t;
            const int64_t lo = a.n_swa > 0 ? std::max<int64_t>(0, p - a.n_swa + 1) : 0;
            const int64_t n = p - lo + 1;
            const float* q = a.q + t * qd + h0 * hd;  // nh heads, hd apart
            float* o = a.out + t * qd + h0 * hd;
            std::memset(o, 0, (size_t)(nh * hd) * sizeof(float));
            if (f16) {
                const size_t stride = (size_t)a.cache->kv_dim();
                const uint16_t* k0 = static_cast<const uint16_t*>(a.cache->k_row(a.layer, lo)) + g * hd;
                ak.scores_f16(q, nh, k0, stride, n, hd, scores, (size_t)n_ctx);
                for (int h = 0; h < nh; ++h) softmax(scores + h * n_ctx, n);
                const uint16_t* v0 = static_cast<const uint16_t*>(a.cache->v_row(a.layer, lo)) + g * hd;
                ak.mix_f16(scores, (size_t)n_ctx, nh, v0, stride, n, hd, o);
                continue;
            }
            const size_t koff = (size_t)(g * hd) * a.cache->elem_size();
            for (int h = 0; h < nh; ++h) {
                for (int64_t j = lo; j <= p; ++j) {
                    const void* kr = static_cast<const uint8_t*>(a.cache->k_row(a.layer, j)) + koff;
                    scores[j - lo] = k.dot_f32(q + h * hd, row_f32(*a.cache, kr, buf, hd, k), (size_t)hd);
                }
                softmax(scores, n);
                for (int64_t j = lo; j <= p; ++j) {
                    const void* vr = static_cast<const uint8_t*>(a.cache->v_row(a.layer, j)) + koff;
                    const float* v = row_f32(*a.cache, vr, buf, hd, k);
                    const float wj = scores[j - lo];
                    for (int64_t d = 0; d < hd; ++d) o[h * hd + d] += wj * v[d];
                }
            }
        }
    };
    // Small jobs (decode at short context) run on the calling thread: a pool wake-up (~2 us) would
    // cost more than it saves; from ~32k multiply-adds per side (~8 us) on, the pool splits them.
    // Either way every item is computed the same way.
    const double work = (double)a.n_tokens * (double)a.n_head * (double)(a.pos0 + a.n_tokens) * (double)hd;
    if (pool.size() == 1 || work < 32768.0) {
        body(0, 1);
    } else {
        pool.run(body);
    }
}

}  // namespace pyllm::engine
