// arch_llama.cpp — llama (SmolLM2, TinyLlama, Llama-2/3, Mistral):
//   x = embd[id]
//   per layer: h = x + Wo·attn(rope(Wq·n), rope(Wk·n), Wv·n),  n = rmsnorm(x)·attn_norm
//              x = h + Wdown·(silu(Wgate·m) ⊙ Wup·m),          m = rmsnorm(h)·ffn_norm
//   logits = Wout·(rmsnorm(x)·output_norm)   (Wout = token_embd when output.weight is absent)
// RoPE is the "normal" adjacent-pair rotation: llama.cpp's converter permutes the rows of Q and K
// so that GGUF llama models rotate (x[2i], x[2i+1]). Scores are scaled by 1/sqrt(head_dim).
#include <cmath>

#include "common/error.h"
#include "model/arch.h"
#include "model/tensor_names.h"

namespace pyllm::model {

using names::layer_tensor;

void load_llama(const gguf::File& f, const gguf::Metadata& md, Config& c, Weights& w) {
    read_common(f, md, c);
    c.norm = NormKind::RMS;
    c.norm_eps = (float)md.get_float(arch_key(c.arch, "attention.layer_norm_rms_epsilon"));
    c.rope = RopeKind::Normal;
    c.rope_base_swa = c.rope_base;
    c.rope_scale_swa = c.rope_scale;
    c.attn_scale = 1.0f / std::sqrt((float)c.head_dim);
    c.ffn = FfnKind::SwiGLU;
    c.validate();

    Binder b(f);
    bind_embeddings_and_head(b, c, w, /*norm_bias=*/false);
    w.rope_freqs = b.vector(names::kRopeFreqs, c.n_rot / 2, /*required=*/false);
    w.layers.resize((size_t)c.n_layer);
    for (int64_t il = 0; il < c.n_layer; ++il) {
        LayerWeights& L = w.layers[(size_t)il];
        L.attn_norm = b.vector(layer_tensor(il, names::kAttnNorm), c.n_embd);
        bind_attention(b, c, il, L);
        L.ffn_norm = b.vector(layer_tensor(il, names::kFfnNorm), c.n_embd);
        bind_ffn(b, c, il, L);
    }
    w.matrix_bytes = b.matrix_bytes();
}

}  // namespace pyllm::model
