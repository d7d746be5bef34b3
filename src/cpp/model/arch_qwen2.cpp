// arch_qwen2.cpp — qwen2: the llama block with biases on Q, K and V, and NEOX-style RoPE
// (rotating the halves (x[i], x[i+n_rot/2]) of each head, as llama.cpp does for qwen2).
#include "model/arch.h"

namespace pyllm::model {

void load_qwen2(const gguf::File& f, const gguf::Metadata& md, Config& c, Weights& w) {
    c.qkv_bias = true;
    load_llama(f, md, c, w);
    c.rope = RopeKind::Neox;
}

}  // namespace pyllm::model
