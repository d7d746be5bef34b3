#include "model/config.h"

#include <cmath>

#include "common/error.h"
#include "model/tensor_names.h"

namespace pyllm::model {

std::string arch_key(const std::string& arch, const char* suffix) { return arch + "." + suffix; }

namespace {

int64_t get_pos(const gguf::Metadata& md, const std::string& key) {
    uint64_t v = md.get_uint(key);
    PYLLM_CHECK(v > 0 && v < (1ull << 31), FormatError, "metadata key '", key, "' = ", v, " is out of range (1..2^31)");
    return (int64_t)v;
}

int64_t opt_pos(const gguf::Metadata& md, const std::string& key, int64_t dflt) {
    auto v = md.opt_uint(key);
    if (!v) return dflt;
    PYLLM_CHECK(*v > 0 && *v < (1ull << 31), FormatError, "metadata key '", key, "' = ", *v, " is out of range (1..2^31)");
    return (int64_t)*v;
}

}  // namespace

void read_common(const gguf::File& f, const gguf::Metadata& md, Config& c) {
    const std::string& a = c.arch;
    c.n_ctx_train = get_pos(md, arch_key(a, "context_length"));
    c.n_embd = get_pos(md, arch_key(a, "embedding_length"));
    c.n_layer = get_pos(md, arch_key(a, "block_count"));
    c.n_ff = get_pos(md, arch_key(a, "feed_forward_length"));
    c.n_head = get_pos(md, arch_key(a, "attention.head_count"));
    c.n_kv_head = opt_pos(md, arch_key(a, "attention.head_count_kv"), c.n_head);
    PYLLM_CHECK(c.n_embd % c.n_head == 0 || md.has(arch_key(a, "attention.key_length")), FormatError,
                "metadata: embedding_length ", c.n_embd, " is not a multiple of '", arch_key(a, "attention.head_count"),
                "' = ", c.n_head, " and there is no '", arch_key(a, "attention.key_length"), "'");
    c.head_dim = opt_pos(md, arch_key(a, "attention.key_length"), c.n_embd / c.n_head);
    int64_t hd_v = opt_pos(md, arch_key(a, "attention.value_length"), c.head_dim);
    PYLLM_CHECK(hd_v == c.head_dim, UnsupportedError, "metadata '", arch_key(a, "attention.value_length"), "' = ", hd_v,
                " differs from the key length ", c.head_dim, "; pyllm needs equal key and value head sizes");
    c.n_rot = opt_pos(md, arch_key(a, "rope.dimension_count"), c.head_dim);
    c.rope_base = (float)md.opt_float(arch_key(a, "rope.freq_base")).value_or(10000.0);
    c.rope_base_swa = c.rope_base;

    // Linear RoPE scaling: rope.scaling.type = "linear" with rope.scaling.factor, or the older
    // rope.scale_linear. Other scaling types change the frequencies in ways pyllm does not implement.
    auto stype = md.opt_string(arch_key(a, "rope.scaling.type"));
    double factor = md.opt_float(arch_key(a, "rope.scaling.factor")).value_or(0.0);
    if (stype && *stype != "none" && *stype != "linear") {
        PYLLM_CHECK(factor == 0.0 || factor == 1.0, UnsupportedError, "metadata '", arch_key(a, "rope.scaling.type"),
                    "' = '", *stype, "' is not supported (only linear RoPE scaling)");
    }
    if (stype && *stype == "none") factor = 0.0;
    if (factor == 0.0) factor = md.opt_float(arch_key(a, "rope.scale_linear")).value_or(0.0);
    if (factor != 0.0) {
        PYLLM_CHECK(factor > 0.0 && std::isfinite(factor), FormatError, "metadata: RoPE scaling factor ", factor,
                    " must be positive");
        c.rope_scale = (float)(1.0 / factor);
    }

    const gguf::TensorInfo* emb = f.find_tensor(names::kTokEmbd);
    PYLLM_CHECK(emb, FormatError, "model is missing tensor '", names::kTokEmbd, "' (expected shape [", c.n_embd,
                ", n_vocab])");
    PYLLM_CHECK(emb->ne.size() == 2 && (int64_t)emb->ne[0] == c.n_embd && emb->ne[1] > 0, FormatError, "tensor '",
                names::kTokEmbd, "' has the wrong shape (expected [", c.n_embd, ", n_vocab])");
    c.n_vocab = (int64_t)emb->ne[1];
    c.layer_swa.assign((size_t)c.n_layer, 0);
}

void Config::validate() const {
    const std::string& a = arch;
    PYLLM_CHECK(n_kv_head >= 1 && n_kv_head <= n_head && n_head % n_kv_head == 0, FormatError, "metadata '",
                arch_key(a, "attention.head_count_kv"), "' = ", n_kv_head, " must divide '",
                arch_key(a, "attention.head_count"), "' = ", n_head);
    PYLLM_CHECK(head_dim >= 1 && head_dim <= 4096, FormatError, "head size ", head_dim, " ('",
                arch_key(a, "attention.key_length"), "') is out of range");
    if (rope != RopeKind::None) {
        PYLLM_CHECK(n_rot >= 2 && n_rot % 2 == 0 && n_rot <= head_dim, FormatError, "metadata '",
                    arch_key(a, "rope.dimension_count"), "' = ", n_rot, " must be even and <= the head size ", head_dim);
        PYLLM_CHECK(rope_base > 0.f && std::isfinite(rope_base), FormatError, "metadata '",
                    arch_key(a, "rope.freq_base"), "' = ", rope_base, " must be positive");
    }
    PYLLM_CHECK(norm_eps > 0.f && norm_eps < 1.f, FormatError, "normalisation epsilon ", norm_eps,
                " (metadata '", arch_key(a, norm == NormKind::RMS ? "attention.layer_norm_rms_epsilon"
                                                                   : "attention.layer_norm_epsilon"),
                "') must be in (0, 1)");
    PYLLM_CHECK((int64_t)layer_swa.size() == n_layer, InvalidArgument, "internal: layer_swa has ", layer_swa.size(),
                " entries for ", n_layer, " layers");
    for (uint8_t s : layer_swa)
        PYLLM_CHECK(!s || n_swa > 0, FormatError, "metadata '", arch_key(a, "attention.sliding_window"),
                    "' must be positive for sliding-window layers");
    PYLLM_CHECK(n_vocab >= 1 && n_vocab < (1ll << 31), FormatError, "vocabulary size ", n_vocab, " is out of range");
    PYLLM_CHECK(final_softcap >= 0.f && attn_softcap >= 0.f, FormatError, "soft-capping values must be >= 0");
}

}  // namespace pyllm::model
