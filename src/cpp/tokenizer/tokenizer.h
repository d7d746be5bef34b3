// tokenizer.h — text <-> token ids for GGUF models, with llama.cpp-exact results.
//
//   auto tok = pyllm::tokenizer::Tokenizer::from_file(*pyllm::gguf::File::open("model.gguf"));
//   std::vector<int32_t> ids = tok->encode("Hello world", /*add_special=*/true, /*parse_special=*/false);
//   std::string bytes = tok->decode(ids.data(), ids.size(), /*skip_special=*/false);
//   pyllm::tokenizer::Detokenizer d(*tok);           // streaming: never emits broken UTF-8
//   for (int32_t id : ids) std::cout << d.add(id);
//   std::cout << d.flush();
//
// Two models, chosen from tokenizer.ggml.model: "gpt2" (byte-level BPE with merges, pre-tokenized
// per tokenizer.ggml.pre) and "llama" (SentencePiece-style: merge by score, byte fallback <0xXX>,
// whitespace as U+2581). The Tokenizer is immutable after loading and safe to use from many threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gguf/gguf_reader.h"

namespace pyllm {
class ThreadPool;
}

namespace pyllm::tokenizer {

// GGUF token types (tokenizer.ggml.token_type).
enum class TokenType : int32_t { Undefined = 0, Normal = 1, Unknown = 2, Control = 3, UserDefined = 4, Unused = 5, Byte = 6 };

enum class ModelKind { BytePairBPE, SentencePiece };

// Everything tokenizer.ggml.* says, loaded without touching tensor data.
struct Vocab {
    ModelKind kind = ModelKind::BytePairBPE;
    std::string model;  // tokenizer.ggml.model
    std::string pre;    // tokenizer.ggml.pre ("" if absent)
    std::string name;   // general.name (llama.cpp keys a few per-model special-token rules on it)
    std::vector<std::string> tokens;   // [n_vocab]; empty texts become "[EMPTY_<id>]" as in llama.cpp
    std::vector<float> scores;         // [n_vocab] (0 if absent)
    std::vector<TokenType> types;      // [n_vocab] (Normal if absent)
    std::vector<std::string> merges;   // [n_merges] "left right" (BPE only)
    int32_t bos = -1, eos = -1, eot = -1, eom = -1, pad = -1, unk = -1, sep = -1, mask = -1;
    bool add_bos = false, add_eos = false, add_space_prefix = false;
    bool ignore_merges = false;  // llama3-style: a pre-token already in the vocabulary is kept whole

    int32_t size() const { return static_cast<int32_t>(tokens.size()); }
    // Reads tokenizer.ggml.*; throws FormatError / UnsupportedError naming the key.
    static Vocab from_gguf(const gguf::File& f);
};

// A model turns one raw-text fragment (no special tokens inside) into ids.
class TextModel {
public:
    virtual ~TextModel() = default;
    // prefix_space: SentencePiece adds " " before a fragment that starts the text or follows a special token.
    virtual void encode(std::string_view text, bool prefix_space, std::vector<int32_t>& out) const = 0;
    // Id of the token whose vocabulary string is `text`, or -1 (later duplicates win).
    virtual int32_t lookup(std::string_view text) const = 0;
};

class Tokenizer {
public:
    static std::shared_ptr<Tokenizer> from_file(const gguf::File& f);
    static std::shared_ptr<Tokenizer> from_path(const std::string& path);
    explicit Tokenizer(Vocab v);
    ~Tokenizer();
    Tokenizer(const Tokenizer&) = delete;
    Tokenizer& operator=(const Tokenizer&) = delete;

    const Vocab& vocab() const { return vocab_; }
    int32_t n_vocab() const { return vocab_.size(); }

    // add_special: BOS/EOS as the vocabulary says (add_bos / add_eos).
    // parse_special: control tokens written in the text become single ids. User-defined tokens are
    // always matched (as llama.cpp and HF do); longer special tokens take precedence.
    std::vector<int32_t> encode(std::string_view text, bool add_special, bool parse_special) const;
    // Several texts at once on a pool (nullptr: the calling thread only). Results in input order.
    std::vector<std::vector<int32_t>> encode_batch(const std::vector<std::string_view>& texts, bool add_special,
                                                   bool parse_special, ThreadPool* pool) const;

    // The bytes a token stands for ("" for control/unknown tokens when !special). Throws OutOfRange.
    const std::string& token_to_piece(int32_t id) const;
    std::string token_to_piece(int32_t id, bool special) const;
    // ids -> bytes; skip_special drops control and unknown tokens. Throws InvalidArgument naming a bad id.
    std::string decode(const int32_t* ids, size_t n, bool skip_special) const;

    int32_t token_to_id(std::string_view text) const;  // -1 if absent
    const std::string& id_to_token(int32_t id) const;   // the raw vocabulary string; throws OutOfRange
    TokenType token_type(int32_t id) const;
    bool is_special(int32_t id) const;  // control or unknown
    bool is_eog(int32_t id) const;      // end of generation (EOS, EOT, EOM, <|im_end|>, ...)
    const std::vector<int32_t>& eog_ids() const { return eog_ids_; }
    void check_id(int32_t id) const;    // throws InvalidArgument naming id and vocabulary size

private:
    struct Impl;
    Vocab vocab_;
    std::vector<std::string> pieces_;   // [n_vocab] decoded bytes of each token (special: its text)
    std::vector<int32_t> eog_ids_;
    std::unique_ptr<Impl> impl_;
    friend class Detokenizer;
};

// Incremental, UTF-8-safe detokenizer for streaming: add(id) returns the bytes that are now
// complete characters; an incomplete multi-byte sequence at the end is held back until the next
// token completes it (or flush() releases it).
class Detokenizer {
public:
    // strip_prefix_space: remove the space a SentencePiece encoder prefixed to the text (on the first
    // token, or the first after BOS), as decode() does. Pass false when detokenizing a continuation
    // (e.g. generated tokens after a prompt), where that space is real.
    explicit Detokenizer(const Tokenizer& tok, bool skip_special = false, bool strip_prefix_space = true)
        : tok_(tok), skip_special_(skip_special), first_(strip_prefix_space) {}
    std::string add(int32_t id);
    std::string flush();
    void reset();

private:
    const Tokenizer& tok_;
    bool skip_special_;
    bool first_;
    bool strip_ = first_;
    bool after_bos_ = false;
    std::string pending_;
};

}  // namespace pyllm::tokenizer
