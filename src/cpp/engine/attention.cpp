#include "engine/attention.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <vector>

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
    model::KVType kv;

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
        if (kv == model::KVType::F16) {
            const uint16_t* k0 = static_cast<const uint16_t*>(cache.k_head(a.layer, i.g, i.lo + j0));
            const uint16_t* v0 = static_cast<const uint16_t*>(cache.v_head(a.layer, i.g, i.lo + j0));
            ak.scores_f16(q, i.nh, k0, stride, n, hd, scores, (size_t)kAttnChunk, v0);
            for (int h = 0; h < i.nh; ++h) l[h] = ak.exp_scores(scores + h * kAttnChunk, n, a.scale, a.softcap, m + h);
            ak.mix_f16(scores, (size_t)kAttnChunk, i.nh, v0, stride, n, hd, o);
            return;
        }
        if (kv == model::KVType::Q8_0) {
            const uint8_t* k0 = static_cast<const uint8_t*>(cache.k_head(a.layer, i.g, i.lo + j0));
            const uint8_t* v0 = static_cast<const uint8_t*>(cache.v_head(a.layer, i.g, i.lo + j0));
            ak.scores_q8(q, i.nh, k0, cache.row_bytes(), n, hd, scores, (size_t)kAttnChunk, v0);
            for (int h = 0; h < i.nh; ++h) l[h] = ak.exp_scores(scores + h * kAttnChunk, n, a.scale, a.softcap, m + h);
            ak.mix_q8(scores, (size_t)kAttnChunk, i.nh, v0, cache.row_bytes(), n, hd, o);
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

// ---- the prompt path ----------------------------------------------------------------------------
// An item is kAttnTokens consecutive new tokens and all the query heads of one K/V head: R = tokens x
// heads query rows. The key axis is walked in tiles of kAttnTile keys aligned to multiples of
// kAttnTile (positions, not per-query offsets); each tile's K and V rows are converted to f32 once per
// item and shared by all R rows:
//   s = q·Kᵀ (scores_tile), then per row, over the keys it sees in the tile (a contiguous range: the
//   causal end and the sliding window), x = scale·s (softcapped), m_c = max x, p = e^(x - m_c) and
//   l_c = Σ p (exp_scores), p = 0 on the keys it does not see; o_c = p·V (mix_tile); folded into the
//   row's running result in tile order: M = max(m, m_c), o = o·e^(m-M) + o_c·e^(m_c-M), l likewise.
// A row's scores, its p (zero outside its range) and so o_c and the fold depend only on its token's
// position and head: results do not depend on which item, thread or batch computes it.
constexpr int64_t kAttnTokens = 8;

struct PromptScratch {
    std::vector<const float*> q;      // [R] row pointers
    std::vector<int64_t> lo, hi;      // [R] keys lo .. hi-1 visible to the row
    std::vector<float> s, o, co, m, l, mc, lc, kt, kv, vf;
    void size(int64_t rows, int64_t hd) {
        q.resize((size_t)rows);
        lo.resize((size_t)rows);
        hi.resize((size_t)rows);
        s.resize((size_t)(rows * kAttnTile));
        o.resize((size_t)(rows * hd));
        co.resize((size_t)(rows * hd));
        m.resize((size_t)rows);
        l.resize((size_t)rows);
        mc.resize((size_t)rows);
        lc.resize((size_t)rows);
        kt.resize((size_t)(hd * kAttnTile));
        kv.resize((size_t)(hd * kAttnTile));
        vf.resize((size_t)(hd * kAttnTile));
    }
};

// Rows [tile of kAttnTile keys from c0]: n (<= kAttnTile) cache rows of head g from position c0, as
// f32 rows at dst ([kAttnTile][hd], rows n.. zero).
void tile_rows(const model::KVCache& cache, const KernelTable& k, const AttnKernels& ak, bool key, int64_t layer,
               int64_t g, int64_t c0, int64_t n, int64_t hd, float* dst) {
    const void* src = key ? cache.k_head(layer, g, c0) : cache.v_head(layer, g, c0);
    if (cache.type() == model::KVType::F16)
        k.f16_to_f32(static_cast<const uint16_t*>(src), dst, (size_t)(n * hd));
    else if (cache.type() == model::KVType::Q8_0)
        ak.rows_q8(static_cast<const uint8_t*>(src), cache.row_bytes(), n, hd, dst);
    else
        std::memcpy(dst, src, (size_t)(n * hd) * sizeof(float));
    std::memset(dst + n * hd, 0, (size_t)((kAttnTile - n) * hd) * sizeof(float));
}

void prompt_item(const AttentionArgs& a, const KernelTable& k, const AttnKernels& ak, int64_t t0, int64_t nt,
                 int64_t g, PromptScratch& w) {
    const int64_t hd = a.head_dim, group = a.n_head / a.n_kv_head, qd = a.n_head * hd;
    const int64_t R = nt * group;
    w.size(R, hd);
    int64_t first = INT64_MAX, end = 0;
    for (int64_t tt = 0; tt < nt; ++tt) {
        const int64_t p = a.pos0 + t0 + tt;
        const int64_t lo = a.n_swa > 0 ? std::max<int64_t>(0, p - a.n_swa + 1) : 0;
        for (int64_t h = 0; h < group; ++h) {
            const int64_t r = tt * group + h;
            w.q[(size_t)r] = a.q + (t0 + tt) * qd + (g * group + h) * hd;
            w.lo[(size_t)r] = lo;
            w.hi[(size_t)r] = p + 1;
        }
        first = std::min(first, lo);
        end = std::max(end, p + 1);
    }
    std::fill(w.o.begin(), w.o.end(), 0.f);
    std::fill(w.l.begin(), w.l.end(), 0.f);
    std::fill(w.m.begin(), w.m.end(), -INFINITY);
    for (int64_t c0 = first / kAttnTile * kAttnTile; c0 < end; c0 += kAttnTile) {
        const int64_t n = std::min<int64_t>(kAttnTile, end - c0);
        // K transposed: kt[d][j]
        if (a.cache->type() == model::KVType::F16) {
            ak.transpose_tile_f16(static_cast<const uint16_t*>(a.cache->k_head(a.layer, g, c0)), n, hd, w.kt.data());
        } else if (a.cache->type() == model::KVType::Q8_0) {
            ak.transpose_tile_q8(static_cast<const uint8_t*>(a.cache->k_head(a.layer, g, c0)), a.cache->row_bytes(), n,
                                 hd, w.kt.data());
        } else {
            tile_rows(*a.cache, k, ak, true, a.layer, g, c0, n, hd, w.kv.data());
            for (int64_t j = 0; j < kAttnTile; ++j)
                for (int64_t d = 0; d < hd; ++d) w.kt[(size_t)(d * kAttnTile + j)] = w.kv[(size_t)(j * hd + d)];
        }
        tile_rows(*a.cache, k, ak, false, a.layer, g, c0, n, hd, w.vf.data());
        ak.scores_tile(w.q.data(), (int)R, w.kt.data(), hd, w.s.data(), (size_t)kAttnTile);
        for (int64_t r = 0; r < R; ++r) {
            float* sr = w.s.data() + r * kAttnTile;
            const int64_t b = std::max(w.lo[(size_t)r], c0) - c0, e = std::min(w.hi[(size_t)r], c0 + kAttnTile) - c0;
            if (b >= e) {
                std::fill(sr, sr + kAttnTile, 0.f);
                w.lc[(size_t)r] = 0.f;  // no keys here: no fold
                continue;
            }
            w.lc[(size_t)r] = ak.exp_scores(sr + b, e - b, a.scale, a.softcap, &w.mc[(size_t)r]);
            std::fill(sr, sr + b, 0.f);
            std::fill(sr + e, sr + kAttnTile, 0.f);
        }
        ak.mix_tile(w.s.data(), (size_t)kAttnTile, (int)R, w.vf.data(), hd, w.co.data(), (size_t)hd);
        for (int64_t r = 0; r < R; ++r) {
            if (w.lc[(size_t)r] == 0.f) continue;
            const float m0 = w.m[(size_t)r], m1 = w.mc[(size_t)r], mx = std::max(m0, m1);
            const float f0 = m0 == -INFINITY ? 0.f : std::exp(m0 - mx), f1 = std::exp(m1 - mx);
            float* o = w.o.data() + r * hd;
            const float* co = w.co.data() + r * hd;
            for (int64_t d = 0; d < hd; ++d) o[d] = o[d] * f0 + co[d] * f1;
            w.l[(size_t)r] = w.l[(size_t)r] * f0 + w.lc[(size_t)r] * f1;
            w.m[(size_t)r] = mx;
        }
    }
    for (int64_t r = 0; r < R; ++r) {
        const int64_t tt = r / group, h = r % group;
        float* out = a.out + (t0 + tt) * qd + (g * group + h) * hd;
        const float inv = 1.f / w.l[(size_t)r];
        const float* o = w.o.data() + r * hd;
        for (int64_t d = 0; d < hd; ++d) out[d] = o[d] * inv;
    }
}

}  // namespace

void attention(const AttentionArgs& a, ThreadPool& pool) {
    const int64_t hd = a.head_dim, group = a.n_head / a.n_kv_head;
    // Small jobs (decode at short context) run on the calling thread: a pool wake-up (~2 us) would
    // cost more than it saves; from ~32k multiply-adds per side (~8 us) on, the pool shares them.
    const double work = (double)a.n_tokens * (double)a.n_head * (double)(a.pos0 + a.n_tokens) * (double)hd;
    const bool serial = pool.size() == 1 || work < 32768.0;
    if (a.n_tokens > 1) {
        // Prompt items (kAttnTokens tokens x one K/V head) claimed one at a time by whichever thread is
        // free, latest tokens first: under the causal mask a later token costs more (it sees more
        // positions), so the costliest items go first and the cheap early ones even out the end
        // (longest-processing-time order). Contiguous ranges gave the last thread ~3/4 of a prompt's
        // attention; a fixed round-robin deal left one thread waiting at the end.
        const KernelTable& k = kernels();
        const AttnKernels& ak = attn_kernels();
        const int64_t blocks = (a.n_tokens + kAttnTokens - 1) / kAttnTokens, n_items = blocks * a.n_kv_head;
        std::atomic<int64_t> next{0};
        auto claim = [&](int, int) {
            PromptScratch w;
            for (int64_t it = next.fetch_add(1); it < n_items; it = next.fetch_add(1)) {
                const int64_t b = blocks - 1 - it / a.n_kv_head, g = it % a.n_kv_head;
                const int64_t t0 = b * kAttnTokens;
                prompt_item(a, k, ak, t0, std::min(kAttnTokens, a.n_tokens - t0), g, w);
            }
        };
        if (serial) claim(0, 1);
        else pool.run(claim);
        return;
    }
    const Ctx cx{a, kernels(), attn_kernels(), hd, a.n_head * hd, group, attention_head_groups(a.n_head, a.n_kv_head),
                 a.cache->type()};
    const int64_t items = a.n_tokens * a.n_kv_head * cx.subs;
    const int64_t pstride = attention_partial_floats(hd);
    auto scores_of = [&](int ti) { return a.scratch + (int64_t)ti * a.scratch_stride; };  // [kAttnHeads][kAttnChunk]
    auto parts_of = [&](int ti) { return scores_of(ti) + kAttnHeads * kAttnChunk; };    // [max chunks][pstride]
    if (serial) {
        // Each item start to finish: its chunks in turn into the partials, then their combination.
        for (int64_t it = 0; it < items; ++it) {
            const Item i = cx.item(it);
            const int64_t nc = attention_chunks(i.n);
            for (int64_t c = 0; c < nc; ++c) cx.chunk(i, c, nc, scores_of(0), parts_of(0) + c * pstride);
            cx.combine(i, nc, parts_of(0), pstride);
        }
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
