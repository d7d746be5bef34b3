#include "engine/session.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "common/error.h"
#include "engine/attention.h"
#include "engine/ffn_kernels.h"
#include "engine/ops.h"
#include "kernels/matmul.h"
#include "quant/dequantize.h"

namespace pyllm::engine {

using model::Config;
using model::FfnKind;
using model::LayerWeights;
using model::NormKind;
using model::RopeKind;
using model::Weights;

namespace {

int64_t resolve_ctx(const Config& c, int64_t n_ctx) {
    PYLLM_CHECK(n_ctx >= 0, InvalidArgument, "n_ctx must be >= 1 (or 0 for the model's ", c.n_ctx_train, "), got ",
                n_ctx);
    if (n_ctx == 0) n_ctx = c.n_ctx_train;
    PYLLM_CHECK(n_ctx <= (1 << 20), InvalidArgument, "n_ctx = ", n_ctx, " is too large (max 1048576)");
    PYLLM_CHECK(!c.learned_pos || n_ctx <= c.n_ctx_train, InvalidArgument, "n_ctx = ", n_ctx,
                " exceeds the ", c.n_ctx_train, " learned positions of this ", c.arch, " model");
    return n_ctx;
}

}  // namespace

Session::Session(std::shared_ptr<const model::Model> m, const SessionParams& p)
    : model_(std::move(m)),
      cfg_(model_->config()),
      n_ctx_(resolve_ctx(cfg_, p.n_ctx)),
      n_batch_(std::min<int64_t>(std::max<int64_t>(p.n_batch, 1), n_ctx_)),
      cache_(cfg_.n_layer, n_ctx_, cfg_.n_kv_head, cfg_.head_dim, p.kv_type),
      mm_(n_batch_, std::max({cfg_.n_embd, cfg_.q_dim(), cfg_.n_ff})) {
    PYLLM_CHECK(p.n_batch >= 1, InvalidArgument, "n_batch must be >= 1, got ", p.n_batch);
    const Config& c = cfg_;
    const size_t nb = (size_t)n_batch_;
    x_.assign(nb * c.n_embd, 0.f);
    xn_.assign(nb * c.n_embd, 0.f);
    tmp_.assign(nb * c.n_embd, 0.f);
    q_.assign(nb * c.q_dim(), 0.f);
    k_.assign(nb * c.kv_dim(), 0.f);
    v_.assign(nb * c.kv_dim(), 0.f);
    if (c.fused_qkv) qkv_.assign(nb * (c.q_dim() + 2 * c.kv_dim()), 0.f);
    att_.assign(nb * c.q_dim(), 0.f);
    gate_.assign(c.ffn == FfnKind::GeluMLP ? 0 : nb * c.n_ff, 0.f);
    up_.assign(nb * c.n_ff, 0.f);
    attn_scratch_.assign((size_t)model_->n_threads() * attention_scratch_floats(n_ctx_, c.head_dim) +
                             attention_shared_floats(n_ctx_, c.head_dim, c.n_head, c.n_kv_head),
                         0.f);
    logits_.assign((size_t)c.n_vocab, 0.f);
    build_rope_tables();
}

void Session::build_rope_tables() {
    const Config& c = cfg_;
    if (c.rope == RopeKind::None) return;
    const int64_t half = c.n_rot / 2;
    const Weights& w = model_->weights();
    auto build = [&](float base, float scale, bool use_factors, std::vector<float>& cs, std::vector<float>& sn) {
        cs.assign((size_t)(n_ctx_ * half), 0.f);
        sn.assign((size_t)(n_ctx_ * half), 0.f);
        for (int64_t i = 0; i < half; ++i) {
            // theta(pos, i) = pos · scale · base^(-2i/n_rot) / freq_factor[i]
            double inv = std::pow((double)base, -2.0 * (double)i / (double)c.n_rot) * (double)scale;
            if (use_factors && !w.rope_freqs.empty()) inv /= (double)w.rope_freqs[(size_t)i];
            for (int64_t p = 0; p < n_ctx_; ++p) {
                const double th = (double)p * inv;
                cs[(size_t)(p * half + i)] = (float)std::cos(th);
                sn[(size_t)(p * half + i)] = (float)std::sin(th);
            }
        }
    };
    build(c.rope_base, c.rope_scale, true, cos_g_, sin_g_);
    bool any_swa = false;
    for (uint8_t s : c.layer_swa) any_swa = any_swa || s;
    if (any_swa) build(c.rope_base_swa, c.rope_scale_swa, false, cos_l_, sin_l_);
}

void Session::truncate(int64_t n) {
    PYLLM_CHECK(n >= 0 && n <= n_past_, InvalidArgument, "truncate(", n, "): must be in [0, n_past = ", n_past_, "]");
    n_past_ = n;
}

const float* Session::eval(const int32_t* ids, int64_t n, float* all_logits) {
    std::lock_guard<std::mutex> lock(mutex_);
    PYLLM_CHECK(n >= 1, InvalidArgument, "eval needs at least one token");
    PYLLM_CHECK(n_past_ + n <= n_ctx_, InvalidArgument, "context overflow: ", n_past_, " tokens already evaluated + ",
                n, " new > n_ctx = ", n_ctx_, " (create the session with a larger n_ctx, or truncate/reset)");
    for (int64_t i = 0; i < n; ++i)
        PYLLM_CHECK(ids[i] >= 0 && ids[i] < cfg_.n_vocab, OutOfRange, "token id ", ids[i], " at index ", i,
                    " is out of range for the vocabulary of ", cfg_.n_vocab, " tokens");
    model_->prepare();
    const int64_t start = n_past_;
    try {
        for (int64_t done = 0; done < n; done += n_batch_) {
            const int64_t T = std::min(n_batch_, n - done);
            if (all_logits) {
                forward(ids + done, T, all_logits + done * cfg_.n_vocab, true);
            } else if (done + T == n) {
                forward(ids + done, T, logits_.data(), false);
            } else {
                forward(ids + done, T, nullptr, false);  // no logits needed for this batch
            }
            n_past_ += T;
        }
    } catch (...) {
        n_past_ = start;
        throw;
    }
    if (all_logits)
        std::memcpy(logits_.data(), all_logits + (n - 1) * cfg_.n_vocab, (size_t)cfg_.n_vocab * sizeof(float));
    return logits_.data();
}

namespace {
// Element-wise FFN activations, split across the pool for prefill-sized inputs (one token's worth
// stays on the calling thread). Each element is computed the same way wherever it runs.
constexpr int64_t kParallelElementwise = 16384;
template <class F>
void for_range(int64_t n, ThreadPool& pool, const F& f) {
    pool.for_chunks(n, n < kParallelElementwise ? n : pool.grain_for(n, 64, 1), f);
}
// gate[i] = act(gate[i]) * up[i]:  SwiGLU (silu) or GeGLU (gelu_tanh).   gate, up: [n]
void gated_activation(bool swiglu, float* gate, const float* up, int64_t n, ThreadPool& pool) {
    const FfnKernels& fk = ffn_kernels();
    const auto fn = swiglu ? fk.silu_mul : fk.gelu_mul;
    for_range(n, pool, [&](int64_t i0, int64_t i1) { fn(gate + i0, up + i0, i1 - i0); });
}
// fn(t0, t1) over the tokens [0, T): split across the pool for prompt batches (the per-token norms,
// RoPE, cache stores and residual adds between the matmuls), on the calling thread for a few tokens.
// Each token's values are computed by the same code wherever it runs.
constexpr int64_t kParallelTokens = 8;
template <class F>
void per_token(int64_t T, ThreadPool& pool, const F& fn) {
    if (T < kParallelTokens) fn((int64_t)0, T);
    else pool.for_chunks(T, pool.grain_for(T, 1, 4), fn);
}
// x[i] = gelu_tanh(x[i]).   x: [n]
void gelu_inplace(float* x, int64_t n, ThreadPool& pool) {
    const FfnKernels& fk = ffn_kernels();
    for_range(n, pool, [&](int64_t i0, int64_t i1) { fk.gelu_mul(x + i0, nullptr, i1 - i0); });
}
}  // namespace

void Session::forward(const int32_t* ids, int64_t T, float* out, bool all) {
    const Config& c = cfg_;
    const Weights& w = model_->weights();
    ThreadPool& pool = model_->pool();
    const int64_t E = c.n_embd, QD = c.q_dim(), KD = c.kv_dim(), HD = c.head_dim, F = c.n_ff;
    const int64_t pos0 = n_past_;
    float *x = x_.data(), *xn = xn_.data(), *tmp = tmp_.data();
    float *q = q_.data(), *k = k_.data(), *v = v_.data(), *att = att_.data();

    auto norm = [&](const float* src, const model::Vec& wt, const model::Vec& b, float* dst) {
        if (c.norm == NormKind::RMS)
            rms_norm(src, wt.data(), dst, E, c.norm_eps);
        else
            layer_norm(src, wt.data(), b.data(), dst, E, c.norm_eps);
    };

    // The residual add after attention and after the FFN: x[t] += post_norm(tmp[t] + bias), then
    // (if next_norm) xn[t] = next_norm(x[t]): the input of the next matmul.
    auto residual = [&](const model::Vec& bias, const model::Vec& post_norm, const model::Vec* next_norm,
                        const model::Vec* next_norm_b) {
        per_token(T, pool, [&](int64_t t0, int64_t t1) {
            for (int64_t t = t0; t < t1; ++t) {
                float* r = tmp + t * E;
                if (!bias.empty()) add_to(r, bias.data(), E);
                if (c.post_norms) rms_norm(r, post_norm.data(), r, E, c.norm_eps);
                add_to(x + t * E, r, E);
                if (next_norm) norm(x + t * E, *next_norm, *next_norm_b, xn + t * E);
            }
        });
    };

    // Input: x[t] = embd[id] · embd_scale (+ position_embd[pos]).
    // Then xn[t] = attn_norm(x[t]) of the first layer.
    const uint64_t erb = w.tok_embd.row_bytes();
    per_token(T, pool, [&](int64_t t0, int64_t t1) {
        for (int64_t t = t0; t < t1; ++t) {
            float* xt = x + t * E;
            dequantize_to_f32(w.tok_embd.type, static_cast<const uint8_t*>(w.tok_embd.data) + (uint64_t)ids[t] * erb,
                              xt, (uint64_t)E);
            if (c.embd_scale != 1.f)
                for (int64_t i = 0; i < E; ++i) xt[i] *= c.embd_scale;
            if (c.learned_pos) {
                const uint64_t prb = w.pos_embd.row_bytes();
                float* pe = tmp + t * E;  // this token's scratch row
                dequantize_to_f32(w.pos_embd.type,
                                  static_cast<const uint8_t*>(w.pos_embd.data) + (uint64_t)(pos0 + t) * prb, pe,
                                  (uint64_t)E);
                add_to(xt, pe, E);
            }
            norm(xt, w.layers[0].attn_norm, w.layers[0].attn_norm_b, xn + t * E);
        }
    });

    for (int64_t il = 0; il < c.n_layer; ++il) {
        const LayerWeights& L = w.layers[(size_t)il];
        const bool swa = c.layer_swa[(size_t)il] != 0;

        // ---- attention ----   (xn = attn_norm(x): by the input loop or the previous layer's residual)
        if (c.fused_qkv) {
            const int64_t NQKV = QD + 2 * KD;
            float* qkv = qkv_.data();
            matmul(L.wqkv, xn, qkv, T, pool);
            per_token(T, pool, [&](int64_t t0, int64_t t1) {
                for (int64_t t = t0; t < t1; ++t) {
                    float* r = qkv + t * NQKV;
                    if (!L.bqkv.empty()) add_to(r, L.bqkv.data(), NQKV);
                    std::memcpy(q + t * QD, r, (size_t)QD * 4);
                    std::memcpy(k + t * KD, r + QD, (size_t)KD * 4);
                    std::memcpy(v + t * KD, r + QD + KD, (size_t)KD * 4);
                }
            });
        } else {
            const QMatrix* ws[3] = {&L.wq, &L.wk, &L.wv};
            float* ys[3] = {q, k, v};
            mm_.run(ws, ys, 3, xn, T, pool);
        }
        // Per token: QKV biases, Q/K norms, RoPE, then K and V into the cache at its position.
        const bool neox = c.rope == RopeKind::Neox;
        const float* cs = swa ? cos_l_.data() : cos_g_.data();
        const float* sn = swa ? sin_l_.data() : sin_g_.data();
        per_token(T, pool, [&](int64_t t0, int64_t t1) {
            for (int64_t t = t0; t < t1; ++t) {
                float *qt = q + t * QD, *kt = k + t * KD, *vt = v + t * KD;
                if (!c.fused_qkv && !L.bq.empty()) {
                    add_to(qt, L.bq.data(), QD);
                    add_to(kt, L.bk.data(), KD);
                    add_to(vt, L.bv.data(), KD);
                }
                if (c.qk_norm) {
                    for (int64_t h = 0; h < c.n_head; ++h)
                        rms_norm(qt + h * HD, L.q_norm.data(), qt + h * HD, HD, c.norm_eps);
                    for (int64_t h = 0; h < c.n_kv_head; ++h)
                        rms_norm(kt + h * HD, L.k_norm.data(), kt + h * HD, HD, c.norm_eps);
                }
                if (c.rope != RopeKind::None) {
                    const int64_t half = c.n_rot / 2;
                    const float* ct = cs + (pos0 + t) * half;
                    const float* st = sn + (pos0 + t) * half;
                    for (int64_t h = 0; h < c.n_head; ++h) rope_head(qt + h * HD, ct, st, c.n_rot, neox);
                    for (int64_t h = 0; h < c.n_kv_head; ++h) rope_head(kt + h * HD, ct, st, c.n_rot, neox);
                }
                cache_.store_k(il, pos0 + t, kt);
                cache_.store_v(il, pos0 + t, vt);
            }
        });
        AttentionArgs aa{&cache_, il, T, pos0, c.n_head, c.n_kv_head, HD, swa ? c.n_swa : 0, c.attn_scale,
                         c.attn_softcap, q, att, attn_scratch_.data(),
                         attention_scratch_floats(n_ctx_, HD)};
        attention(aa, pool);
        matmul(L.wo, att, tmp, T, pool);
        residual(L.bo, L.post_attn_norm, &L.ffn_norm, &L.ffn_norm_b);

        // ---- feed-forward ----   (xn = ffn_norm(x))
        float* up = up_.data();
        if (c.ffn == FfnKind::GeluMLP) {
            matmul(L.w_up, xn, up, T, pool);
            if (!L.b_up.empty())
                per_token(T, pool, [&](int64_t t0, int64_t t1) {
                    for (int64_t t = t0; t < t1; ++t) add_to(up + t * F, L.b_up.data(), F);
                });
            gelu_inplace(up, T * F, pool);
            matmul(L.w_down, up, tmp, T, pool);
        } else {
            float* gate = gate_.data();
            const QMatrix* ws[2] = {&L.w_gate, &L.w_up};
            float* ys[2] = {gate, up};
            mm_.run(ws, ys, 2, xn, T, pool);
            gated_activation(c.ffn == FfnKind::SwiGLU, gate, up, T * F, pool);
            matmul(L.w_down, gate, tmp, T, pool);
        }
        // then the next layer's attention norm (the output head normalises on its own)
        const bool last = il + 1 == c.n_layer;
        residual(L.b_down, L.post_ffn_norm, last ? nullptr : &w.layers[(size_t)il + 1].attn_norm,
                 last ? nullptr : &w.layers[(size_t)il + 1].attn_norm_b);
    }

    // ---- output head ----
    if (!out) return;
    const int64_t t0 = all ? 0 : T - 1, nrows = all ? T : 1;
    for (int64_t t = t0; t < T; ++t) norm(x + t * E, w.output_norm, w.output_norm_b, xn + t * E);
    if (!all && T > 1 && MatmulGroup::has_tiles(w.output)) {
        // The last row of a prompt through the prefill tiles: equal to its all_logits row.
        const QMatrix* ws[1] = {&w.output};
        float* ys[1] = {out};
        mm_.run(ws, ys, 1, xn + t0 * E, 1, pool, /*allow_matvec=*/false);
    } else {
        matmul(w.output, xn + t0 * E, out, nrows, pool);
    }
    if (c.final_softcap > 0.f) {
        const int64_t n = nrows * c.n_vocab;
        for (int64_t i = 0; i < n; ++i) out[i] = softcap(out[i], c.final_softcap);
    }
}

}  // namespace pyllm::engine
