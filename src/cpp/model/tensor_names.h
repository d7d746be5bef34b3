// tensor_names.h — GGUF tensor names (the llama.cpp naming every converter writes).
//   token_embd.weight: [n_vocab][n_embd]   (GGUF ne = {n_embd, n_vocab})
//   blk.<i>.<name>.weight / .bias for the per-layer tensors.
#pragma once

#include <string>

namespace pyllm::model::names {

constexpr const char* kTokEmbd = "token_embd.weight";
constexpr const char* kPosEmbd = "position_embd.weight";
constexpr const char* kOutput = "output.weight";
constexpr const char* kOutputNorm = "output_norm.weight";
constexpr const char* kOutputNormBias = "output_norm.bias";
constexpr const char* kRopeFreqs = "rope_freqs.weight";

// Per-layer names (without the "blk.<i>." prefix and the ".weight"/".bias" suffix).
constexpr const char* kAttnNorm = "attn_norm";
constexpr const char* kAttnQ = "attn_q";
constexpr const char* kAttnK = "attn_k";
constexpr const char* kAttnV = "attn_v";
constexpr const char* kAttnQKV = "attn_qkv";
constexpr const char* kAttnOut = "attn_output";
constexpr const char* kAttnQNorm = "attn_q_norm";
constexpr const char* kAttnKNorm = "attn_k_norm";
constexpr const char* kAttnPostNorm = "post_attention_norm";
constexpr const char* kFfnNorm = "ffn_norm";
constexpr const char* kFfnGate = "ffn_gate";
constexpr const char* kFfnUp = "ffn_up";
constexpr const char* kFfnDown = "ffn_down";
constexpr const char* kFfnPostNorm = "post_ffw_norm";

// "blk.3.attn_q.weight"
inline std::string layer_tensor(int64_t il, const char* name, const char* suffix = "weight") {
    return "blk." + std::to_string(il) + "." + name + "." + suffix;
}

}  // namespace pyllm::model::names
