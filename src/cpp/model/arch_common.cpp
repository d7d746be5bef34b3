#include "common/error.h"
#include "model/arch.h"
#include "model/tensor_names.h"

namespace pyllm::model {

using names::layer_tensor;

const std::vector<ArchSpec>& supported_architectures() {
    static const std::vector<ArchSpec> archs = {
        {"llama", load_llama},
        {"gemma3", load_gemma3},
        {"gpt2", load_gpt2},
        {"qwen2", load_qwen2},
    };
    return archs;
}

const ArchSpec& find_architecture(const std::string& name) {
    std::string list;
    for (const ArchSpec& a : supported_architectures()) {
        if (name == a.name) return a;
        list += (list.empty() ? "" : ", ") + std::string(a.name);
    }
    throw UnsupportedError(str("unsupported model architecture '", name, "' (supported: ", list, ")"));
}

void bind_embeddings_and_head(Binder& b, const Config& c, Weights& w, bool norm_bias) {
    w.tok_embd = b.matrix(names::kTokEmbd, c.n_embd, c.n_vocab);
    w.output_norm = b.vector(names::kOutputNorm, c.n_embd);
    if (norm_bias) w.output_norm_b = b.vector(names::kOutputNormBias, c.n_embd);
    w.output = b.matrix(names::kOutput, c.n_embd, c.n_vocab, /*required=*/false);
    if (!w.output.data) {
        w.output = w.tok_embd;
        w.tied_output = true;
    }
}

void bind_attention(Binder& b, const Config& c, int64_t il, LayerWeights& L) {
    L.wq = b.matrix(layer_tensor(il, names::kAttnQ), c.n_embd, c.q_dim());
    L.wk = b.matrix(layer_tensor(il, names::kAttnK), c.n_embd, c.kv_dim());
    L.wv = b.matrix(layer_tensor(il, names::kAttnV), c.n_embd, c.kv_dim());
    if (c.qkv_bias) {
        L.bq = b.vector(layer_tensor(il, names::kAttnQ, "bias"), c.q_dim());
        L.bk = b.vector(layer_tensor(il, names::kAttnK, "bias"), c.kv_dim());
        L.bv = b.vector(layer_tensor(il, names::kAttnV, "bias"), c.kv_dim());
    }
    L.wo = b.matrix(layer_tensor(il, names::kAttnOut), c.q_dim(), c.n_embd);
    if (c.out_bias) L.bo = b.vector(layer_tensor(il, names::kAttnOut, "bias"), c.n_embd);
}

void bind_ffn(Binder& b, const Config& c, int64_t il, LayerWeights& L) {
    if (c.ffn != FfnKind::GeluMLP) L.w_gate = b.matrix(layer_tensor(il, names::kFfnGate), c.n_embd, c.n_ff);
    L.w_up = b.matrix(layer_tensor(il, names::kFfnUp), c.n_embd, c.n_ff);
    L.w_down = b.matrix(layer_tensor(il, names::kFfnDown), c.n_ff, c.n_embd);
    if (c.out_bias) {
        L.b_up = b.vector(layer_tensor(il, names::kFfnUp, "bias"), c.n_ff);
        L.b_down = b.vector(layer_tensor(il, names::kFfnDown, "bias"), c.n_embd);
    }
}

}  // namespace pyllm::model
