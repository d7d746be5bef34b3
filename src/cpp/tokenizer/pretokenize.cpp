// pretokenize.cpp — the scanners. Text is decoded once into per-code-point arrays
// (cp: [n] code points, fl: [n] flags, off: [n+1] byte offsets); passes work on code-point spans.
#include "tokenizer/pretokenize.h"

#include "common/error.h"
#include "tokenizer/unicode.h"

namespace pyllm::tokenizer {

namespace {

struct Text {
    const uint32_t* cp;
    const uint8_t* fl;
};

// flags at i if i is inside [b, e), else 0 (every in-range code point has a nonzero flag).
inline uint8_t F(const Text& t, uint32_t i, uint32_t e) { return i < e ? t.fl[i] : 0; }
inline uint32_t C(const Text& t, uint32_t i, uint32_t e) { return i < e ? t.cp[i] : 0xFFFFFFFFu; }

inline uint32_t ascii_lower(uint32_t c) { return (c >= 'A' && c <= 'Z') ? c + 32 : c; }

// 's 't 're 've 'm 'll 'd at pos (pos is an apostrophe); returns the end or pos if none.
inline uint32_t match_contraction(const Text& t, uint32_t pos, uint32_t e, bool ignore_case) {
    if (pos + 1 >= e) return pos;
    uint32_t c1 = t.cp[pos + 1];
    if (ignore_case) c1 = ascii_lower(c1);
    if (c1 == 's' || c1 == 't' || c1 == 'm' || c1 == 'd') return pos + 2;
    if (pos + 2 < e) {
        uint32_t c2 = t.cp[pos + 2];
        if (ignore_case) c2 = ascii_lower(c2);
        if ((c1 == 'r' && c2 == 'e') || (c1 == 'v' && c2 == 'e') || (c1 == 'l' && c2 == 'l')) return pos + 3;
    }
    return pos;
}

constexpr uint8_t kWLN = kWhitespace | kLetter | kNumber;

// Append a span; the scanners call this per piece, so keep the common path inline.
#if defined(__GNUC__)
#define PYLLM_INLINE inline __attribute__((always_inline))
#else
#define PYLLM_INLINE inline
#endif
PYLLM_INLINE void put(std::vector<Span>& out, uint32_t b, uint32_t e) {
    if (out.size() < out.capacity()) {
        out.emplace_back(b, e);
    } else {
        out.reserve(out.capacity() * 2 + 64);
        out.emplace_back(b, e);
    }
}

// gpt-2: 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
void pass_gpt2(const Text& t, uint32_t b, uint32_t e, std::vector<Span>& out) {
    uint32_t pos = b;
    while (pos < e) {
        const uint32_t start = pos;
        const uint32_t c = t.cp[pos];
        if (c == '\'') {
            const uint32_t m = match_contraction(t, pos, e, false);
            if (m != pos) { put(out, start, m); pos = m; continue; }
        }
        const uint8_t f2 = (c == ' ') ? F(t, pos + 1, e) : t.fl[pos];
        if (f2 & kLetter) {
            pos += (c == ' ');
            while (F(t, pos, e) & kLetter) ++pos;
        } else if (f2 & kNumber) {
            pos += (c == ' ');
            while (F(t, pos, e) & kNumber) ++pos;
        } else if (f2 && !(f2 & kWLN)) {
            pos += (c == ' ');
            for (uint8_t f; (f = F(t, pos, e)) && !(f & kWLN);) ++pos;
        } else {
            uint32_t k = 0;
            while (F(t, pos + k, e) & kWhitespace) ++k;
            if (k > 1 && pos + k < e) pos += k - 1;  // \s+(?!\S): leave the last space to the next word
            else if (k > 0) pos += k;
            else pos += 1;
        }
        put(out, start, pos);
    }
}

// llama3 / qwen2: (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,max_digits}|
//                 ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
void pass_llama3(const Text& t, uint32_t b, uint32_t e, uint32_t max_digits, std::vector<Span>& out) {
    uint32_t pos = b;
    while (pos < e) {
        const uint32_t start = pos;
        const uint32_t c = t.cp[pos];
        const uint8_t f = t.fl[pos];
        if (c == '\'') {
            const uint32_t m = match_contraction(t, pos, e, true);
            if (m != pos) { put(out, start, m); pos = m; continue; }
        }
        if (!(c == '\r' || c == '\n' || (f & kNumber))) {
            if ((f & kLetter) || (F(t, pos + 1, e) & kLetter)) {
                ++pos;
                while (F(t, pos, e) & kLetter) ++pos;
                put(out, start, pos);
                continue;
            }
        }
        if (f & kNumber) {
            uint32_t ini = pos;
            while (F(t, pos, e) & kNumber) {
                ++pos;
                if (pos - ini >= max_digits) { put(out, ini, pos); ini = pos; }
            }
            if (pos > ini) put(out, ini, pos);
            continue;
        }
        const uint8_t f2 = (c == ' ') ? F(t, pos + 1, e) : f;
        if (!(f2 & kWLN)) {
            pos += (c == ' ');
            for (uint8_t g; (g = F(t, pos, e)) && !(g & kWLN);) ++pos;
            for (uint32_t c2; (c2 = C(t, pos, e)) == '\r' || c2 == '\n';) ++pos;
            put(out, start, pos);
            continue;
        }
        uint32_t k = 0, last_nl = 0;
        while (F(t, pos + k, e) & kWhitespace) {
            const uint32_t c2 = t.cp[pos + k];
            if (c2 == '\r' || c2 == '\n') last_nl = pos + k + 1;
            ++k;
        }
        if (last_nl > 0) pos = last_nl;
        else if (k > 1 && pos + k < e) pos += k - 1;
        else if (k > 0) pos += k;
        else pos += 1;
        put(out, start, pos);
    }
}

// ---- the regex passes of the generic (std::regex in llama.cpp) families ------------------------

enum class Cls { FalconPunct, DefaultPunct, Number, Letter, Punct, Cjk, CrLf };

inline bool in_class(Cls k, uint32_t c, uint8_t f) {
    switch (k) {
        case Cls::FalconPunct:
        case Cls::DefaultPunct:
            if (c < 128) {
                if (f & kPunct) return true;
                switch (c) {
                    case '$': case '+': case '<': case '=': case '>': case '^': case '~': case '|': return true;
                    case '`': return k == Cls::FalconPunct;
                    default: return false;
                }
            }
            return (f & kPunct) && !(f & kWhitespace);
        case Cls::Number: return (f & kNumber) && !(f & kWhitespace);
        case Cls::Letter: return (f & kLetter) && !(f & kWhitespace);
        case Cls::Punct: return (f & kPunct) && !(f & kWhitespace);
        case Cls::Cjk:
            return !(f & kWhitespace) &&
                   ((c >= 0x4E00 && c <= 0x9FA5) || (c >= 0x0800 && c <= 0x4E00) || (c >= 0xAC00 && c <= 0xD7FF));
        case Cls::CrLf: return c == '\r' || c == '\n';
    }
    return false;
}

enum class PassKind { Gpt2, Llama3, Qwen2, Run, Single, WsOptRun, Digits3 };
struct Pass {
    PassKind kind;
    Cls cls = Cls::Number;
};

// Matches of a pass at pos (returns pos if no match starts there).
inline uint32_t match_at(const Pass& p, const Text& t, uint32_t pos, uint32_t e) {
    switch (p.kind) {
        case PassKind::Run: {
            uint32_t q = pos;
            while (q < e && in_class(p.cls, t.cp[q], t.fl[q])) ++q;
            return q;
        }
        case PassKind::Single: return in_class(p.cls, t.cp[pos], t.fl[pos]) ? pos + 1 : pos;
        case PassKind::WsOptRun: {
            uint32_t q = pos;
            if ((t.fl[q] & kWhitespace) && q + 1 < e && in_class(p.cls, t.cp[q + 1], t.fl[q + 1])) ++q;
            const uint32_t s = q;
            while (q < e && in_class(p.cls, t.cp[q], t.fl[q])) ++q;
            return q > s ? q : pos;
        }
        case PassKind::Digits3: {
            auto dig = [&](uint32_t i) { return i < e && t.cp[i] >= '0' && t.cp[i] <= '9'; };
            return (dig(pos) && dig(pos + 1) && dig(pos + 2)) ? pos + 3 : pos;
        }
        default: return pos;
    }
}

// Split [b, e) into matches and the gaps between them (leftmost, non-overlapping).
void pass_isolate(const Pass& p, const Text& t, uint32_t b, uint32_t e, std::vector<Span>& out) {
    uint32_t gap = b, pos = b;
    while (pos < e) {
        const uint32_t m = match_at(p, t, pos, e);
        if (m > pos) {
            if (pos > gap) put(out, gap, pos);
            put(out, pos, m);
            pos = gap = m;
        } else {
            ++pos;
        }
    }
    if (e > gap) put(out, gap, e);
}

void run_pass(const Pass& p, const Text& t, uint32_t b, uint32_t e, std::vector<Span>& out) {
    switch (p.kind) {
        case PassKind::Gpt2: pass_gpt2(t, b, e, out); break;
        case PassKind::Llama3: pass_llama3(t, b, e, 3, out); break;
        case PassKind::Qwen2: pass_llama3(t, b, e, 1, out); break;
        default: pass_isolate(p, t, b, e, out); break;
    }
}

std::vector<Pass> passes_for(PreType type) {
    using K = PassKind;
    switch (type) {
        case PreType::Gpt2: return {{K::Gpt2}};
        case PreType::Llama3: return {{K::Llama3}};
        case PreType::Qwen2: return {{K::Qwen2}};
        case PreType::Smollm: return {{K::Single, Cls::Number}, {K::Gpt2}};
        case PreType::Falcon: return {{K::Run, Cls::FalconPunct}, {K::Gpt2}, {K::Digits3}};
        case PreType::Default:
            return {{K::Run, Cls::DefaultPunct}, {K::Gpt2}, {K::Run, Cls::Number}, {K::Digits3}};
        case PreType::DeepseekCoder:
            return {{K::Single, Cls::CrLf}, {K::WsOptRun, Cls::Letter}, {K::WsOptRun, Cls::Punct},
                    {K::Run, Cls::Cjk}, {K::Single, Cls::Number}};
    }
    return {{K::Gpt2}};
}

// Flags of the ASCII range, looked up without the two-stage table.
struct AsciiFlags {
    uint8_t f[128];
    AsciiFlags() {
        for (uint32_t c = 0; c < 128; ++c) f[c] = cpt_flags(c);
    }
};
const AsciiFlags kAscii;

struct Scratch {
    std::vector<uint32_t> cp, off;
    std::vector<uint8_t> fl;
    std::vector<Span> a, b;
};

}  // namespace

PreTokenizerInfo pre_tokenizer_info(const std::string& n) {
    auto any = [&](std::initializer_list<const char*> names) {
        for (const char* x : names)
            if (n == x) return true;
        return false;
    };
    if (n.empty() || n == "default") return {PreType::Default, false, false};
    if (any({"llama3", "llama-v3", "llama-bpe", "falcon3"})) return {PreType::Llama3, true, true};
    if (any({"dbrx", "smaug-bpe", "chatglm-bpe"})) return {PreType::Llama3, false, false};
    if (any({"qwen2", "stablelm2", "megrez"})) return {PreType::Qwen2, false, false};
    if (any({"gpt-2", "mpt", "olmo", "jais", "phi-2", "jina-es", "jina-de", "gigachat", "jina-v1-en", "jina-v2-es",
             "jina-v2-de", "jina-v2-code", "roberta-bpe"}))
        return {PreType::Gpt2, false, false};
    if (any({"smollm", "starcoder", "refact", "command-r", "codeshell", "exaone", "minerva-7b"}))
        return {PreType::Smollm, false, false};
    if (n == "falcon") return {PreType::Falcon, false, false};
    if (n == "deepseek-coder") return {PreType::DeepseekCoder, false, false};
    throw UnsupportedError(str("tokenizer.ggml.pre = '", n,
                               "' is not supported (known: default, gpt-2, mpt, llama-bpe, qwen2, smollm, "
                               "starcoder, falcon, deepseek-coder, ...)"));
}

const char* pre_type_name(PreType t) {
    switch (t) {
        case PreType::Gpt2: return "gpt-2";
        case PreType::Default: return "default";
        case PreType::Llama3: return "llama3";
        case PreType::Qwen2: return "qwen2";
        case PreType::Falcon: return "falcon";
        case PreType::DeepseekCoder: return "deepseek-coder";
        case PreType::Smollm: return "smollm";
    }
    return "?";
}

void PreTokenizer::split(std::string_view text, std::vector<Span>& out) const {
    if (text.empty()) return;
    PYLLM_CHECK(text.size() < 0xFFFFFFF0u, InvalidArgument, "text of ", text.size(), " bytes is too long (max 4 GiB)");
    thread_local Scratch tls_scratch;
    Scratch& s = tls_scratch;
    // Decode: cp/fl: [n], off: [n+1] byte offsets.
    const size_t nb = text.size();
    s.cp.resize(nb);
    s.fl.resize(nb);
    s.off.resize(nb + 1);
    // Raw pointers: stores through uint8_t* may alias anything, so vector members would be reloaded.
    uint32_t* const cp = s.cp.data();
    uint8_t* const fl = s.fl.data();
    uint32_t* const off = s.off.data();
    const uint8_t* const ascii = kAscii.f;
    uint32_t n = 0;
    size_t pos = 0;
    const unsigned char* u = reinterpret_cast<const unsigned char*>(text.data());
    while (pos < nb) {
        const unsigned char c0 = u[pos];
        if (c0 < 0x80) {
            off[n] = static_cast<uint32_t>(pos);
            cp[n] = c0;
            fl[n] = ascii[c0];
            ++n;
            ++pos;
            continue;
        }
        off[n] = static_cast<uint32_t>(pos);
        const uint32_t c = utf8_decode(text.data(), nb, &pos);
        cp[n] = c;
        fl[n] = cpt_flags(c);
        ++n;
    }
    off[n] = static_cast<uint32_t>(nb);
    const Text t{s.cp.data(), s.fl.data()};

    static thread_local PreType cached_type = PreType::Gpt2;
    static thread_local std::vector<Pass> passes = passes_for(PreType::Gpt2);
    if (cached_type != type_) {
        passes = passes_for(type_);
        cached_type = type_;
    }

    // Run the passes: spans of code points; the last pass writes into s.a.
    s.a.clear();
    s.a.reserve(n / 2 + 16);
    run_pass(passes[0], t, 0, n, s.a);
    for (size_t k = 1; k < passes.size(); ++k) {
        s.b.clear();
        for (const Span& sp : s.a) run_pass(passes[k], t, sp.first, sp.second, s.b);
        std::swap(s.a, s.b);
    }
    const size_t base = out.size();
    out.resize(base + s.a.size());
    for (size_t i = 0; i < s.a.size(); ++i) out[base + i] = {s.off[s.a[i].first], s.off[s.a[i].second]};
}

}  // namespace pyllm::tokenizer
