#include "engine/attention.h"

#include <algorithm>
#include <cmath>
#include <cstring>

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
    const int64_t items = a.n_tokens * a.n_head;
    auto body = [&](int ti, int nt) {
        int64_t i0, i1;
        ThreadPool::chunk(items, ti, nt, 1, &i0, &i1);
        float* scores = a.scratch + (int64_t)ti * a.scratch_stride;  // [n_ctx]
        float* buf = scores + a.cache->n_ctx();                       // [head_dim]
        for (int64_t it = i0; it < i1; ++it) {
            const int64_t t = it / a.n_head, h = it % a.n_head, g = h / group;
            const int64_t p = a.pos0 + t;
            const int64_t lo = a.n_swa > 0 ? std::max<int64_t>(0, p - a.n_swa + 1) : 0;
            const float* q = a.q + t * qd + h * hd;
            const size_t koff = (size_t)(g * hd) * a.cache->elem_size();
            float mx = -INFINITY;
            for (int64_t j = lo; j <= p; ++j) {
                const void* kr = static_cast<const uint8_t*>(a.cache->k_row(a.layer, j)) + koff;
                float s = k.dot_f32(q, row_f32(*a.cache, kr, buf, hd, k), (size_t)hd) * a.scale;
                if (a.softcap > 0.f) s = a.softcap * std::tanh(s / a.softcap);
                scores[j - lo] = s;
                mx = std::max(mx, s);
            }
            double sum = 0.0;
            for (int64_t j = lo; j <= p; ++j) {
                const float e = std::exp(scores[j - lo] - mx);
                scores[j - lo] = e;
                sum += e;
            }
            const float inv = (float)(1.0 / sum);
            float* o = a.out + t * qd + h * hd;
            std::memset(o, 0, (size_t)hd * sizeof(float));
            for (int64_t j = lo; j <= p; ++j) {
                const void* vr = static_cast<const uint8_t*>(a.cache->v_row(a.layer, j)) + koff;
                const float* v = row_f32(*a.cache, vr, buf, hd, k);
                const float wj = scores[j - lo] * inv;
                for (int64_t d = 0; d < hd; ++d) o[d] += wj * v[d];
            }
        }
    };
    // Small jobs (decode at short context) run on the calling thread: a pool wake-up would cost
    // more than it saves. Either way every (token, head) item is computed the same way.
    const double work = (double)items * (double)(a.pos0 + a.n_tokens) * (double)hd;
    if (pool.size() == 1 || work < 262144.0) {
        body(0, 1);
    } else {
        pool.run(body);
    }
}

}  // namespace pyllm::engine
