// arch_gpt2.cpp — gpt2:
//   x = embd[id] + position_embd[pos]
//   per layer: n = layernorm(x)·attn_norm + attn_norm.b;  [q|k|v] = Wqkv·n + bqkv
//              h = x + Wo·attn(q, k, v) + bo                (no RoPE; scores · 1/sqrt(head_dim))
//              m = layernorm(h)·ffn_norm + ffn_norm.b
//              x = h + Wdown·gelu_tanh(Wup·m + bup) + bdown
//   logits = Wout·(layernorm(x)·output_norm + output_norm.b)   (Wout = token_embd when absent)
#include <cmath>

#include "common/error.h"
#include "model/arch.h"
#include "model/tensor_names.h"

namespace pyllm::model {

using names::layer_tensor;

void load_gpt2(const gguf::File& f, const gguf::Metadata& md, Config& c, Weights& w) {
    read_common(f, md, c);
    c.norm = NormKind::Layer;
    c.norm_eps = (float)md.get_float(arch_key(c.arch, "attention.layer_norm_epsilon"));
    c.rope = RopeKind::None;
    c.learned_pos = true;
    c.fused_qkv = true;
    c.qkv_bias = true;
    c.out_bias = true;
    c.attn_scale = 1.0f / std::sqrt((float)c.head_dim);
    c.ffn = FfnKind::GeluMLP;
    c.validate();

    Binder b(f);
    bind_embeddings_and_head(b, c, w, /*norm_bias=*/true);
    w.pos_embd = b.matrix(names::kPosEmbd, c.n_embd, c.n_ctx_train);
    const int64_t n_qkv = c.q_dim() + 2 * c.kv_dim();
    w.layers.resize((size_t)c.n_layer);
    for (int64_t il = 0; il < c.n_layer; ++il) {
        LayerWeights& L = w.layers[(size_t)il];
        L.attn_norm = b.vector(layer_tensor(il, names::kAttnNorm), c.n_embd);
        L.attn_norm_b = b.vector(layer_tensor(il, names::kAttnNorm, "bias"), c.n_embd);
        L.wqkv = b.matrix(layer_tensor(il, names::kAttnQKV), c.n_embd, n_qkv);
        L.bqkv = b.vector(layer_tensor(il, names::kAttnQKV, "bias"), n_qkv);
        L.wo = b.matrix(layer_tensor(il, names::kAttnOut), c.q_dim(), c.n_embd);
        L.bo = b.vector(layer_tensor(il, names::kAttnOut, "bias"), c.n_embd);
        L.ffn_norm = b.vector(layer_tensor(il, names::kFfnNorm), c.n_embd);
        L.ffn_norm_b = b.vector(layer_tensor(il, names::kFfnNorm, "bias"), c.n_embd);
        bind_ffn(b, c, il, L);
    }
    w.matrix_bytes = b.matrix_bytes();
}

}  // namespace pyllm::model
