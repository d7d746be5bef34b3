// arch_gemma3.cpp — gemma3 (Gemma 3 text models):
//   x = embd[id] · sqrt(n_embd)
//   per layer: n = rmsnorm(x)·attn_norm
//              q = rope(rmsnorm_head(Wq·n)·q_norm), k = rope(rmsnorm_head(Wk·n)·k_norm), v = Wv·n
//              h = x + rmsnorm(Wo·attn(q, k, v))·post_attention_norm
//              m = rmsnorm(h)·ffn_norm
//              x = h + rmsnorm(Wdown·(gelu_tanh(Wgate·m) ⊙ Wup·m))·post_ffw_norm
//   logits = token_embd·(rmsnorm(x)·output_norm), soft-capped if final_logit_softcapping is set.
// Facts (llama.cpp's gemma3 loader and converter): RoPE is NEOX-style (rotate halves); five
// sliding-window layers then one global layer (il % 6 < 5 is local), local layers use RoPE base
// 10000 and no scaling, global layers rope.freq_base and the linear scaling from metadata; the
// window is attention.sliding_window; scores are scaled by query_pre_attn_scalar^-1/2 =
// 1/sqrt(head_dim) (27B: 1/sqrt(n_embd/n_head)); the converter already stores the RMSNorm weights
// as (1 + w), so they multiply directly. Head size comes from attention.key_length.
#include <cmath>

#include "common/error.h"
#include "model/arch.h"
#include "model/tensor_names.h"

namespace pyllm::model {

using names::layer_tensor;

void load_gemma3(const gguf::File& f, const gguf::Metadata& md, Config& c, Weights& w) {
    read_common(f, md, c);
    const std::string& a = c.arch;
    c.norm = NormKind::RMS;
    c.norm_eps = (float)md.get_float(arch_key(a, "attention.layer_norm_rms_epsilon"));
    c.rope = RopeKind::Neox;
    c.rope_base_swa = 10000.f;
    c.rope_scale_swa = 1.f;
    uint64_t swa = md.get_uint(arch_key(a, "attention.sliding_window"));
    PYLLM_CHECK(swa > 0 && swa < (1ull << 31), FormatError, "metadata '", arch_key(a, "attention.sliding_window"),
                "' = ", swa, " is out of range");
    c.n_swa = (int64_t)swa;
    constexpr int64_t kPattern = 6;  // 5 local layers, then 1 global
    for (int64_t il = 0; il < c.n_layer; ++il) c.layer_swa[(size_t)il] = (il % kPattern) < kPattern - 1;
    c.embd_scale = std::sqrt((float)c.n_embd);
    if (auto s = md.opt_float(arch_key(a, "attention.scale"))) {
        c.attn_scale = (float)*s;
    } else {
        const bool is_27b = c.n_layer == 62;
        c.attn_scale = is_27b ? 1.0f / std::sqrt((float)(c.n_embd / c.n_head)) : 1.0f / std::sqrt((float)c.head_dim);
    }
    c.final_softcap = (float)md.opt_float(arch_key(a, "final_logit_softcapping")).value_or(0.0);
    c.attn_softcap = (float)md.opt_float(arch_key(a, "attn_logit_softcapping")).value_or(0.0);
    c.qk_norm = true;
    c.post_norms = true;
    c.ffn = FfnKind::GeGLU;
    c.validate();

    Binder b(f);
    bind_embeddings_and_head(b, c, w, /*norm_bias=*/false);
    w.layers.resize((size_t)c.n_layer);
    for (int64_t il = 0; il < c.n_layer; ++il) {
        LayerWeights& L = w.layers[(size_t)il];
        L.attn_norm = b.vector(layer_tensor(il, names::kAttnNorm), c.n_embd);
        bind_attention(b, c, il, L);
        L.q_norm = b.vector(layer_tensor(il, names::kAttnQNorm), c.head_dim);
        L.k_norm = b.vector(layer_tensor(il, names::kAttnKNorm), c.head_dim);
        L.post_attn_norm = b.vector(layer_tensor(il, names::kAttnPostNorm), c.n_embd);
        L.ffn_norm = b.vector(layer_tensor(il, names::kFfnNorm), c.n_embd);
        bind_ffn(b, c, il, L);
        L.post_ffn_norm = b.vector(layer_tensor(il, names::kFfnPostNorm), c.n_embd);
    }
    w.matrix_bytes = b.matrix_bytes();
}

}  // namespace pyllm::model
