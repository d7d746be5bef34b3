// config.h — the hyper-parameters of a transformer, read from GGUF metadata and validated.
//
// One Config describes every supported architecture: the per-architecture loaders
// (arch_llama.cpp, arch_gemma3.cpp, arch_gpt2.cpp, arch_qwen2.cpp) read their keys and set the
// flags below; the engine's forward pass (engine/forward.cpp) is generic over these flags.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "gguf/gguf_metadata.h"
#include "gguf/gguf_reader.h"

namespace pyllm::model {

enum class NormKind { RMS, Layer };          // RMSNorm (x / rms · w) or LayerNorm ((x-μ)/σ · w + b)
enum class RopeKind { None, Normal, Neox };  // Normal: pairs (x[2i], x[2i+1]); Neox: (x[i], x[i+n_rot/2])
enum class FfnKind { SwiGLU, GeGLU, GeluMLP };  // silu(gate)·up, gelu_tanh(gate)·up, gelu_tanh(up+b)

struct Config {
    std::string arch;       // general.architecture
    int64_t n_vocab = 0;    // rows of token_embd
    int64_t n_ctx_train = 0;
    int64_t n_embd = 0;
    int64_t n_layer = 0;
    int64_t n_head = 0;
    int64_t n_kv_head = 0;
    int64_t head_dim = 0;   // per head, for K, Q and V
    int64_t n_ff = 0;
    float norm_eps = 1e-5f;
    NormKind norm = NormKind::RMS;

    // Rotary embeddings (RopeKind::None: learned absolute positions, gpt2).
    RopeKind rope = RopeKind::None;
    int64_t n_rot = 0;          // leading dims of each head that rotate (even, <= head_dim)
    float rope_base = 10000.f;  // global layers
    float rope_scale = 1.f;     // frequency scale = 1 / linear scaling factor (global layers)
    float rope_base_swa = 10000.f;  // sliding-window layers (gemma3)
    float rope_scale_swa = 1.f;

    // Sliding-window attention: layer_swa[il] says layer il only sees the last n_swa positions
    // (key position j is visible to query position p iff p - j < n_swa).
    int64_t n_swa = 0;
    std::vector<uint8_t> layer_swa;  // [n_layer]

    float embd_scale = 1.f;     // token embeddings are multiplied by this (gemma3: sqrt(n_embd))
    float attn_scale = 1.f;     // scores = q·k · attn_scale
    float attn_softcap = 0.f;   // 0 = off; else scores = cap·tanh(scores/cap)
    float final_softcap = 0.f;  // 0 = off; else logits = cap·tanh(logits/cap)

    bool qk_norm = false;       // RMSNorm of each q and k head (gemma3)
    bool post_norms = false;    // RMSNorm after attention and after the FFN (gemma3)
    bool qkv_bias = false;      // biases on q, k, v (qwen2, gpt2)
    bool out_bias = false;      // biases on attn_output, ffn_up/ffn_down (gpt2)
    bool fused_qkv = false;     // one attn_qkv matrix (gpt2)
    bool learned_pos = false;   // position_embd added to the input (gpt2)
    FfnKind ffn = FfnKind::SwiGLU;

    int64_t q_dim() const { return n_head * head_dim; }
    int64_t kv_dim() const { return n_kv_head * head_dim; }

    // Throws InvalidArgument / FormatError naming the key if the values do not make sense.
    void validate() const;
};

// Helpers the architecture loaders share. `key(arch, "embedding_length")` -> "llama.embedding_length".
std::string arch_key(const std::string& arch, const char* suffix);

// Reads the keys common to all architectures: context_length, embedding_length, block_count,
// feed_forward_length, attention.head_count(_kv), attention.key_length, rope.*; n_vocab from the
// token_embd tensor. Leaves arch-specific flags at their defaults.
void read_common(const gguf::File& f, const gguf::Metadata& md, Config& c);

}  // namespace pyllm::model
