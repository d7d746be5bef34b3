// tokenizer.cpp — the Tokenizer (factory from tokenizer.ggml.model, special-token splitting,
// BOS/EOS, decoding) and the streaming Detokenizer.
#include "tokenizer/tokenizer.h"

#include <algorithm>
#include <atomic>

#include "common/error.h"
#include "common/thread_pool.h"
#include "tokenizer/byte_bpe.h"
#include "tokenizer/hash_tables.h"
#include "tokenizer/special.h"
#include "tokenizer/spm.h"
#include "tokenizer/unicode.h"

namespace pyllm::tokenizer {

struct Tokenizer::Impl {
    std::unique_ptr<TextModel> model;
    std::unique_ptr<SpecialSplitter> special;
};

namespace {

// Texts llama.cpp recognises as end-of-turn / end-of-generation tokens (and forces to control).
const char* const kEotTexts[] = {"<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<EOT>",
                                 "<｜end▁of▁sentence｜>"};
const char* const kEogTexts[] = {"<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>",
                                 "<|eom_id|>", "<EOT>"};

// The bytes a token decodes to.
std::string make_piece(const Vocab& v, int32_t id) {
    const std::string& text = v.tokens[static_cast<size_t>(id)];
    const TokenType t = v.types[static_cast<size_t>(id)];
    if (t == TokenType::Control || t == TokenType::Unknown || t == TokenType::UserDefined) return text;
    if (v.kind == ModelKind::SentencePiece) {
        if (t == TokenType::Byte) {
            // "<0xXX>"
            auto hex = [](char c) {
                return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
            };
            if (text.size() == 6 && text.compare(0, 3, "<0x") == 0 && text[5] == '>' && hex(text[3]) >= 0 &&
                hex(text[4]) >= 0)
                return std::string(1, static_cast<char>(hex(text[3]) * 16 + hex(text[4])));
            return text;
        }
        if (t != TokenType::Normal) return std::string();
        std::string out;
        out.reserve(text.size());
        for (size_t i = 0; i < text.size();) {
            if (text.compare(i, 3, "\xE2\x96\x81") == 0) {
                out.push_back(' ');
                i += 3;
            } else {
                out.push_back(text[i++]);
            }
        }
        return out;
    }
    if (t != TokenType::Normal) return std::string();
    // Byte-level BPE: each code point maps back to one byte; code points outside GPT-2's byte map
    // (not produced by our encoder) are kept as their UTF-8.
    std::string out;
    size_t pos = 0;
    while (pos < text.size()) {
        const size_t b = pos;
        const uint32_t cp = utf8_decode(text.data(), text.size(), &pos);
        const int byte = unicode_to_byte(cp);
        if (byte >= 0) out.push_back(static_cast<char>(byte));
        else out.append(text, b, pos - b);
    }
    return out;
}

}  // namespace

std::shared_ptr<Tokenizer> Tokenizer::from_file(const gguf::File& f) {
    return std::make_shared<Tokenizer>(Vocab::from_gguf(f));
}

std::shared_ptr<Tokenizer> Tokenizer::from_path(const std::string& path) { return from_file(*gguf::File::open(path)); }

Tokenizer::Tokenizer(Vocab v) : vocab_(std::move(v)), impl_(new Impl) {
    const int32_t n = vocab_.size();
    // The models own the text -> id maps; build the model first (types do not affect it).
    if (vocab_.kind == ModelKind::BytePairBPE) impl_->model.reset(new ByteBPE(vocab_));
    else impl_->model.reset(new SentencePieceBPE(vocab_));

    // EOT auto-detection and control overrides, as llama.cpp does.
    auto force_control = [&](int32_t id) { vocab_.types[static_cast<size_t>(id)] = TokenType::Control; };
    if (vocab_.eot < 0) {
        for (const char* t : kEotTexts) {
            const int32_t id = impl_->model->lookup(t);
            if (id >= 0) {
                vocab_.eot = id;
                force_control(id);
                break;
            }
        }
    }
    for (const char* t : kEogTexts) {
        const int32_t id = impl_->model->lookup(t);
        if (id >= 0) {
            eog_ids_.push_back(id);
            force_control(id);
        }
    }
    for (int32_t id : {vocab_.eos, vocab_.eot, vocab_.eom})
        if (id >= 0) eog_ids_.push_back(id);
    std::sort(eog_ids_.begin(), eog_ids_.end());
    eog_ids_.erase(std::unique(eog_ids_.begin(), eog_ids_.end()), eog_ids_.end());

    impl_->special.reset(new SpecialSplitter(vocab_));

    pieces_.resize(static_cast<size_t>(n));
    for (int32_t i = 0; i < n; ++i) pieces_[static_cast<size_t>(i)] = make_piece(vocab_, i);
}

Tokenizer::~Tokenizer() = default;

std::vector<int32_t> Tokenizer::encode(std::string_view text, bool add_special, bool parse_special) const {
    std::vector<int32_t> out;
    out.reserve(text.size() / 3 + 4);
    if (add_special && vocab_.add_bos) {
        PYLLM_CHECK(vocab_.bos >= 0, InvalidArgument, "the vocabulary asks for a BOS token but has no valid bos id");
        out.push_back(vocab_.bos);
    }
    thread_local std::vector<Fragment> tls_frags;
    std::vector<Fragment>& frags = tls_frags;  // the models never re-enter encode(), so reuse is safe
    frags.clear();
    if (!text.empty()) {
        PYLLM_CHECK(text.size() < 0x7FFFFFF0u, InvalidArgument, "text of ", text.size(), " bytes is too long (max 2 GiB)");
        impl_->special->split(text, parse_special, frags);
    }
    bool prev_special = true;  // SentencePiece prefixes a space to the first fragment and after specials
    for (const Fragment& f : frags) {
        if (f.token >= 0) {
            out.push_back(f.token);
            prev_special = true;
        } else {
            impl_->model->encode(text.substr(f.begin, f.end - f.begin), prev_special, out);
            prev_special = false;
        }
    }
    if (add_special && vocab_.add_eos) {
        PYLLM_CHECK(vocab_.eos >= 0, InvalidArgument, "the vocabulary asks for an EOS token but has no valid eos id");
        out.push_back(vocab_.eos);
    }
    return out;
}

std::vector<std::vector<int32_t>> Tokenizer::encode_batch(const std::vector<std::string_view>& texts, bool add_special,
                                                          bool parse_special, ThreadPool* pool) const {
    std::vector<std::vector<int32_t>> out(texts.size());
    if (!pool || pool->size() <= 1 || texts.size() <= 1) {
        for (size_t i = 0; i < texts.size(); ++i) out[i] = encode(texts[i], add_special, parse_special);
        return out;
    }
    std::atomic<size_t> next{0};
    pool->run([&](int, int) {
        for (size_t i; (i = next.fetch_add(1)) < texts.size();) out[i] = encode(texts[i], add_special, parse_special);
    });
    return out;
}

void Tokenizer::check_id(int32_t id) const {
    PYLLM_CHECK(id >= 0 && id < n_vocab(), InvalidArgument, "token id ", id, " is out of range (vocabulary size ",
                n_vocab(), ")");
}

const std::string& Tokenizer::token_to_piece(int32_t id) const {
    PYLLM_CHECK(id >= 0 && id < n_vocab(), OutOfRange, "token id ", id, " is out of range (vocabulary size ",
                n_vocab(), ")");
    return pieces_[static_cast<size_t>(id)];
}

std::string Tokenizer::token_to_piece(int32_t id, bool special) const {
    const std::string& p = token_to_piece(id);
    if (!special && is_special(id)) return std::string();
    return p;
}

std::string Tokenizer::decode(const int32_t* ids, size_t n, bool skip_special) const {
    for (size_t i = 0; i < n; ++i) check_id(ids[i]);
    Detokenizer d(*this, skip_special);
    std::string out;
    for (size_t i = 0; i < n; ++i) out += d.add(ids[i]);
    out += d.flush();
    return out;
}

int32_t Tokenizer::token_to_id(std::string_view text) const { return impl_->model->lookup(text); }

const std::string& Tokenizer::id_to_token(int32_t id) const {
    PYLLM_CHECK(id >= 0 && id < n_vocab(), OutOfRange, "token id ", id, " is out of range (vocabulary size ",
                n_vocab(), ")");
    return vocab_.tokens[static_cast<size_t>(id)];
}

TokenType Tokenizer::token_type(int32_t id) const {
    id_to_token(id);  // range check
    return vocab_.types[static_cast<size_t>(id)];
}

bool Tokenizer::is_special(int32_t id) const {
    const TokenType t = token_type(id);
    return t == TokenType::Control || t == TokenType::Unknown;
}

bool Tokenizer::is_eog(int32_t id) const { return std::binary_search(eog_ids_.begin(), eog_ids_.end(), id); }

// ---- Detokenizer ---------------------------------------------------------------------------------

std::string Detokenizer::add(int32_t id) {
    tok_.check_id(id);
    const Vocab& v = tok_.vocab_;
    if (skip_special_ && tok_.is_special(id)) {
        if (first_ && id == v.bos) after_bos_ = true;
        return std::string();
    }
    std::string_view piece = tok_.pieces_[static_cast<size_t>(id)];
    // SentencePiece: undo the space the encoder prefixed to the text (first token, or first after BOS).
    if (first_) {
        if (id == v.bos && v.add_bos) {
            after_bos_ = true;
        } else {
            first_ = false;
            if (v.kind == ModelKind::SentencePiece && v.add_space_prefix && !tok_.is_special(id) &&
                !piece.empty() && piece[0] == ' ')
                piece.remove_prefix(1);
        }
    }
    pending_.append(piece.data(), piece.size());
    const size_t hold = utf8_incomplete_tail(pending_);
    std::string out = pending_.substr(0, pending_.size() - hold);
    pending_.erase(0, pending_.size() - hold);
    return out;
}

std::string Detokenizer::flush() {
    std::string out;
    out.swap(pending_);
    return out;
}

void Detokenizer::reset() {
    pending_.clear();
    first_ = strip_;
    after_bos_ = false;
}

}  // namespace pyllm::tokenizer
