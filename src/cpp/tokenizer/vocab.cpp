// vocab.cpp — Vocab::from_gguf: the tokenizer.ggml.* keys, with llama.cpp's defaults.
#include <optional>

#include "common/error.h"
#include "gguf/gguf_metadata.h"
#include "tokenizer/pretokenize.h"
#include "tokenizer/tokenizer.h"

namespace pyllm::tokenizer {

Vocab Vocab::from_gguf(const gguf::File& f) {
    gguf::Metadata md(f);
    Vocab v;
    v.model = md.get_string("tokenizer.ggml.model");
    v.pre = md.opt_string("tokenizer.ggml.pre").value_or("");
    v.name = md.opt_string("general.name").value_or("");

    if (v.model == "gpt2") {
        v.kind = ModelKind::BytePairBPE;
        const PreTokenizerInfo info = pre_tokenizer_info(v.pre);  // throws for unknown pre types
        v.ignore_merges = info.ignore_merges;
        v.add_bos = info.add_bos;
        v.add_space_prefix = false;
        v.bos = 11;  // llama.cpp's defaults for gpt2 vocabularies
        v.eos = 11;
    } else if (v.model == "llama") {
        v.kind = ModelKind::SentencePiece;
        v.add_bos = true;
        v.add_space_prefix = true;
        v.bos = 1;
        v.eos = 2;
        v.unk = 0;
    } else {
        throw UnsupportedError(str("tokenizer.ggml.model = '", v.model,
                                   "' is not supported (supported: 'gpt2' byte-level BPE, 'llama' SentencePiece)"));
    }

    const auto& toks = md.get_string_array("tokenizer.ggml.tokens");
    PYLLM_CHECK(!toks.empty(), FormatError, "tokenizer.ggml.tokens is empty");
    PYLLM_CHECK(toks.size() < (1u << 30), FormatError, "tokenizer.ggml.tokens has ", toks.size(), " entries");
    const size_t n = toks.size();
    v.tokens.reserve(n);
    for (size_t i = 0; i < n; ++i) {
        if (toks[i].empty()) v.tokens.push_back("[EMPTY_" + std::to_string(i) + "]");
        else v.tokens.emplace_back(toks[i]);
    }

    v.scores.assign(n, 0.0f);
    if (md.has("tokenizer.ggml.scores")) {
        std::vector<float> s = md.get_float_array("tokenizer.ggml.scores");
        PYLLM_CHECK(s.size() == n, FormatError, "tokenizer.ggml.scores has ", s.size(), " entries, expected ", n);
        v.scores = std::move(s);
    }
    v.types.assign(n, TokenType::Normal);
    if (md.has("tokenizer.ggml.token_type")) {
        std::vector<int64_t> t = md.get_int_array("tokenizer.ggml.token_type");
        PYLLM_CHECK(t.size() == n, FormatError, "tokenizer.ggml.token_type has ", t.size(), " entries, expected ", n);
        for (size_t i = 0; i < n; ++i)
            v.types[i] = (t[i] >= 0 && t[i] <= 6) ? static_cast<TokenType>(t[i]) : TokenType::Undefined;
    }
    if (v.kind == ModelKind::BytePairBPE) {
        PYLLM_CHECK(md.has("tokenizer.ggml.merges"), FormatError,
                    "tokenizer.ggml.merges is missing (required for tokenizer.ggml.model = 'gpt2')");
        const auto& m = md.get_string_array("tokenizer.ggml.merges");
        v.merges.assign(m.begin(), m.end());
    }

    auto read_id = [&](const char* key, int32_t& dst) {
        if (std::optional<int64_t> x = md.opt_int(key)) {
            if (*x >= 0 && *x < static_cast<int64_t>(n)) dst = static_cast<int32_t>(*x);  // bad ids keep the default
        }
    };
    read_id("tokenizer.ggml.bos_token_id", v.bos);
    read_id("tokenizer.ggml.eos_token_id", v.eos);
    read_id("tokenizer.ggml.eot_token_id", v.eot);
    read_id("tokenizer.ggml.eom_token_id", v.eom);
    read_id("tokenizer.ggml.unknown_token_id", v.unk);
    read_id("tokenizer.ggml.seperator_token_id", v.sep);
    read_id("tokenizer.ggml.padding_token_id", v.pad);
    read_id("tokenizer.ggml.mask_token_id", v.mask);
    if (auto b = md.opt_bool("tokenizer.ggml.add_bos_token")) v.add_bos = *b;
    if (auto b = md.opt_bool("tokenizer.ggml.add_eos_token")) v.add_eos = *b;
    if (auto b = md.opt_bool("tokenizer.ggml.add_space_prefix")) v.add_space_prefix = *b;
    for (int32_t* id : {&v.bos, &v.eos, &v.unk})
        if (*id >= static_cast<int32_t>(n)) *id = -1;
    return v;
}

}  // namespace pyllm::tokenizer
