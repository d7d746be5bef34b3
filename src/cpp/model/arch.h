// arch.h — the registry of supported architectures. Each arch_<name>.cpp reads its metadata keys
// into a Config and binds its tensors into Weights; the forward pass itself is generic
// (engine/forward.cpp), driven by the Config flags.
#pragma once

#include <string>
#include <vector>

#include "gguf/gguf_metadata.h"
#include "gguf/gguf_reader.h"
#include "model/config.h"
#include "model/weights.h"

namespace pyllm::model {

using ArchLoader = void (*)(const gguf::File& f, const gguf::Metadata& md, Config& c, Weights& w);

struct ArchSpec {
    const char* name;  // general.architecture
    ArchLoader load;
};

// The loaders (one per file).
void load_llama(const gguf::File& f, const gguf::Metadata& md, Config& c, Weights& w);
void load_qwen2(const gguf::File& f, const gguf::Metadata& md, Config& c, Weights& w);
void load_gemma3(const gguf::File& f, const gguf::Metadata& md, Config& c, Weights& w);
void load_gpt2(const gguf::File& f, const gguf::Metadata& md, Config& c, Weights& w);

const std::vector<ArchSpec>& supported_architectures();
// Throws UnsupportedError naming `name` and listing the supported ones.
const ArchSpec& find_architecture(const std::string& name);

// Shared binding steps (arch_common.cpp).
// token_embd, output_norm(+bias), output (tied to token_embd when absent).
void bind_embeddings_and_head(Binder& b, const Config& c, Weights& w, bool norm_bias);
// attn_q/k/v (+biases when c.qkv_bias) and attn_output (+bias when c.out_bias).
void bind_attention(Binder& b, const Config& c, int64_t il, LayerWeights& L);
// ffn_gate (gated kinds), ffn_up, ffn_down (+biases when c.out_bias).
void bind_ffn(Binder& b, const Config& c, int64_t il, LayerWeights& L);

}  // namespace pyllm::model
