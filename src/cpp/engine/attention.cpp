#include "engine/attention.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>

#include "engine/attn_kernels.h"
#include "kernels/dispatch.h"

namespace pyllm::engine {

namespace {

// What an item needs: nh query heads (from h0) of K/V head g for the token at position p.
struct Item {
    int64_t t, g, h0, p, lo, n;  // keys lo .. p (n of them)
    int nh;
};

struct Ctx {
    const AttentionArgs& a;
    const KernelTable& k;
    const AttnKernels& ak;
    int64_t hd, qd, group, subs;
    bool f16;

    Item item(int64_t it) const {
        Item r;
        r.t = it / (a.n_kv_head * subs);
        const int64_t rest = it % (a.n_kv_head * subs);
        r.g = rest / subs;
        r.h0 = r.g * group + (rest % subs) * kAttnHeads;
        r.nh = (int)std::min<int64_t>(kAttnHeads, (r.g + 1) * group - r.h0);
        r.p = a.pos0 + r.t;
        r.lo = a.n_swa > 0 ? std::max<int64_t>(0, r.p - a.n_swa + 1) : 0;
        r.n = r.p - r.lo + 1;
        return r;
    }

    // The partial of chunk c (of nc) of item `i` into part (attention_partial_floats).
    //   scores: [kAttnHeads][kAttnChunk] scratch
    void chunk(const Item& i, int64_t c, int64_t nc, float* scores, float* part) const {
        const int64_t j0 = i.n * c / nc, n = i.n * (c + 1) / nc - j0;
        const float* q = a.q + i.t * qd + i.h0 * hd;  // nh heads, hd apart
        float* o = part;
        float* m = part + kAttnHeads * hd;
        float* l = m + kAttnHeads;
        std::memset(o, 0, (size_t)(i.nh * hd) * sizeof(float));
        const model::KVCache& cache = *a.cache;
        const size_t stride = (size_t)hd;  // a head's positions are consecutive rows
        if (f16) {
            const uint16_t* k0 = static_cast<const uint16_t*>(cache.k_head(a.layer, i.g, i.lo + j0));
            const uint16_t* v0 = static_cast<const uint16_t*>(cache.v_head(a.layer, i.g, i.lo + j0));
            ak.scores_f16(q, i.nh, k0, stride, n, hd, scores, (size_t)kAttnChunk, v0);
            for (int h = 0; h < i.nh; ++h) l[h] = ak.exp_scores(scores + h * kAttnChunk, n, a.scale, a.softcap, m + h);
            ak.mix_f16(scores, (size_t)kAttnChunk, i.nh, v0, stride, n, hd, o);
            return;
        }
        // f32 cache: the portable kernels, head by head
        const float* k0 = static_cast<const float*>(cache.k_head(a.layer, i.g, i.lo + j0));
        const float* v0 = static_cast<const float*>(cache.v_head(a.layer, i.g, i.lo + j0));
        for (int h = 0; h < i.nh; ++h) {
            float* s = scores + h * kAttnChunk;
            for (int64_t j = 0; j < n; ++j) s[j] = k.dot_f32(q + h * hd, k0 + j * stride, (size_t)hd);
            l[h] = ak.exp_scores(s, n, a.scale, a.softcap, m + h);
            for (int64_t j = 0; j < n; ++j) {
                const float* vr = v0 + j * stride;
                const float wj = s[j];
                for (int64_t d = 0; d < hd; ++d) o[h * hd + d] += wj * vr[d];
            }
        }
    }

    // out = the combination of the nc partials (part_stride floats apart), in chunk order.
    void combine(const Item& i, int64_t nc, const float* parts, int64_t part_stride) const {
        float* out = a.out + i.t * qd + i.h0 * hd;
        for (int h = 0; h < i.nh; ++h) {
            float mx = -INFINITY;
            for (int64_t c = 0; c < nc; ++c) mx = std::max(mx, parts[c * part_stride + kAttnHeads * hd + h]);
            float* oh = out + h * hd;
            std::memset(oh, 0, (size_t)hd * sizeof(float));
            float l = 0.f;
            for (int64_t c = 0; c < nc; ++c) {
                const float* p = parts + c * part_stride;
                const float w = nc == 1 ? 1.f : std::exp(p[kAttnHeads * hd + h] - mx);
                l += w * p[kAttnHeads * hd + kAttnHeads + h];
                for (int64_t d = 0; d < hd; ++d) oh[d] += w * p[h * hd + d];
            }
            const float inv = 1.f / l;
            for (int64_t d = 0; d < hd; ++d) oh[d] *= inv;
        }
    }
};

}  // namespace

void attention(const AttentionArgs& a, ThreadPool& pool) {
    const int64_t hd = a.head_dim, group = a.n_head / a.n_kv_head;
    const Ctx cx{a, kernels(), attn_kernels(), hd, a.n_head * hd, group, attention_head_groups(a.n_head, a.n_kv_head),
                 a.cache->type() == model::KVType::F16};
    const int64_t items = a.n_tokens * a.n_kv_head * cx.subs;
    const int64_t pstride = attention_partial_floats(hd);
    auto scores_of = [&](int ti) { return a.scratch + (int64_t)ti * a.scratch_stride; };  // [kAttnHeads][kAttnChunk]
    auto parts_of = [&](int ti) { return scores_of(ti) + kAttnHeads * kAttnChunk; };    // [max chunks][pstride]
    // One item start to finish: its chunks in turn into this thread's partials, then their combination.
    auto run_item = [&](int64_t it, int ti) {
        const Item i = cx.item(it);
        const int64_t nc = attention_chunks(i.n);
        for (int64_t c = 0; c < nc; ++c) cx.chunk(i, c, nc, scores_of(ti), parts_of(ti) + c * pstride);
        cx.combine(i, nc, parts_of(ti), pstride);
    };
    // Small jobs (decode at short context) run on the calling thread: a pool wake-up (~2 us) would
    // cost more than it saves; from ~32k multiply-adds per side (~8 us) on, the pool shares them.
    const double work = (double)a.n_tokens * (double)a.n_head * (double)(a.pos0 + a.n_tokens) * (double)hd;
    if (pool.size() == 1 || work < 32768.0) {
        for (int64_t it = 0; it < items; ++it) run_item(it, 0);
        return;
    }
    if (a.n_tokens > 1) {
        // Items dealt round-robin, not in contiguous ranges: under the causal mask a later token costs
        // more (it sees more positions), so contiguous ranges gave the last thread most of a prompt's
        // attention (2 threads: ~3/4 of it).
        pool.run([&](int ti, int nt) {
            for (int64_t it = ti; it < items; it += nt) run_item(it, ti);
        });
        return;
    }
    // One token: every chunk of every item is a task, claimed dynamically; partials go to the shared
    // area (slot it * max_chunks + c) and are combined on this thread once all are done.
    const int64_t nc = attention_chunks(cx.item(0).n), max_chunks = attention_chunks(a.cache->n_ctx());
    float* shared = a.scratch + (int64_t)pool.size() * a.scratch_stride;
    std::atomic<int64_t> next{0};
    pool.run([&](int ti, int) {
        for (int64_t task = next.fetch_add(1); task < items * nc; task = next.fetch_add(1)) {
            const int64_t it = task / nc, c = task % nc;
            cx.chunk(cx.item(it), c, nc, scores_of(ti), shared + (it * max_chunks + c) * pstride);
        }
    });
    for (int64_t it = 0; it < items; ++it) cx.combine(cx.item(it), nc, shared + it * max_chunks * pstride, pstride);
}

}  // namespace pyllm::engine
