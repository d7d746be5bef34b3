// qdot_avx2.cpp — AVX2 (+FMA, F16C) quantized dot-product tiles and activation quantizers.
// Compiled with -mavx2 -mfma -mf16c -mbmi2 (see kernels.h rules: everything here is in an anonymous
// namespace except the kQuantKernelsAvx2 table; only static-inline headers are included).
//
// Same arithmetic as qdot_scalar.cpp: the integer sums per block are identical; the float
// combination of the blocks differs only in summation order (8 lanes, FMA), so results agree with
// the scalar reference to a few float32 ulps of the sum of |block terms| (tests assert 1e-5).
//
// Tiles: nr (<= 4) weight rows x nc (<= 4) activation rows. Each weight block is unpacked once per
// tile into int8 codes (32-element types: registers; K-quants: a small L1 buffer) and reused for
// all nc activation rows — that reuse is what makes prefill compute-bound instead of memory-bound.
#include <immintrin.h>

#include "kernels/kernels.h"
#include "quant/blocks.h"

namespace pyllm {

namespace {

using namespace quant;

inline float h2f(uint16_t h) { return _cvtsh_ss(h); }

inline float hsum_ps(__m256 v) {
    __m128 lo = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    lo = _mm_add_ps(lo, _mm_movehl_ps(lo, lo));
    return _mm_cvtss_f32(_mm_add_ss(lo, _mm_movehdup_ps(lo)));
}

inline int hsum_i32(__m256i v) {
    __m128i lo = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    lo = _mm_add_epi32(lo, _mm_unpackhi_epi64(lo, lo));
    lo = _mm_add_epi32(lo, _mm_shuffle_epi32(lo, 1));
    return _mm_cvtsi128_si32(lo);
}

inline __m256i loadu256(const void* p) { return _mm256_loadu_si256(static_cast<const __m256i*>(p)); }

// 16 bytes of packed nibbles -> 32 codes: low nibbles (elements 0..15), then high nibbles (16..31).
inline __m256i unpack_nibbles16(const uint8_t* qs) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(qs));
    const __m256i v = _mm256_set_m128i(_mm_srli_epi16(x, 4), x);
    return _mm256_and_si256(v, _mm256_set1_epi8(15));
}

// 32 bits -> 32 bytes, byte i = 0xFF if bit i is set else 0.
inline __m256i bits_to_bytes(uint32_t bits) {
    const __m256i shuf = _mm256_set_epi64x(0x0303030303030303LL, 0x0202020202020202LL,
                                           0x0101010101010101LL, 0x0000000000000000LL);
    __m256i v = _mm256_shuffle_epi8(_mm256_set1_epi32((int)bits), shuf);
    v = _mm256_or_si256(v, _mm256_set1_epi64x(0x7fbfdfeff7fbfdfeLL));  // all bits but bit (i % 8)
    return _mm256_cmpeq_epi8(v, _mm256_set1_epi64x(-1));
}

// 8 int32 lanes, each the sum of 4 products u8 x s8 (no saturation for u <= 127·… see callers).
inline __m256i dot_u8s8(__m256i u, __m256i s) {
    return _mm256_madd_epi16(_mm256_maddubs_epi16(u, s), _mm256_set1_epi16(1));
}

// ---- 32-element weight types ----------------------------------------------------------------------
// Traits: codes(block) -> 32 codes in element order; d(block); c(block) = the coefficient of s_a
// (unsigned-code types only). kSigned: codes are int8 values (no offset term).
struct TQ4_0 {
    using B = BlockQ4_0; static constexpr bool kSigned = false;
    static __m256i codes(const B& b) { return unpack_nibbles16(b.qs); }
    static float d(const B& b) { return h2f(b.d); }
    static float c(const B& b, float d) { return -8.0f * d; }
};
struct TQ4_1 {
    using B = BlockQ4_1; static constexpr bool kSigned = false;
    static __m256i codes(const B& b) { return unpack_nibbles16(b.qs); }
    static float d(const B& b) { return h2f(b.d); }
    static float c(const B& b, float) { return h2f(b.m); }
};
inline uint32_t load_u32(const uint8_t* p) { uint32_t v; __builtin_memcpy(&v, p, 4); return v; }
struct TQ5_0 {
    using B = BlockQ5_0; static constexpr bool kSigned = false;
    static __m256i codes(const B& b) {
        const __m256i hb = _mm256_and_si256(bits_to_bytes(load_u32(b.qh)), _mm256_set1_epi8(16));
        return _mm256_or_si256(unpack_nibbles16(b.qs), hb);
    }
    static float d(const B& b) { return h2f(b.d); }
    static float c(const B& b, float d) { return -16.0f * d; }
};
struct TQ5_1 {
    using B = BlockQ5_1; static constexpr bool kSigned = false;
    static __m256i codes(const B& b) {
        const __m256i hb = _mm256_and_si256(bits_to_bytes(load_u32(b.qh)), _mm256_set1_epi8(16));
        return _mm256_or_si256(unpack_nibbles16(b.qs), hb);
    }
    static float d(const B& b) { return h2f(b.d); }
    static float c(const B& b, float) { return h2f(b.m); }
};
struct TQ8_0 {
    using B = BlockQ8_0; static constexpr bool kSigned = true;
    static __m256i codes(const B& b) { return loadu256(b.qs); }
    static float d(const B& b) { return h2f(b.d); }
    static float c(const B&, float) { return 0.0f; }
};
struct TIQ4_NL {
    using B = BlockIQ4_NL; static constexpr bool kSigned = true;
    static __m256i codes(const B& b) {
        const __m256i table = _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(kIQ4NLValues)));
        return _mm256_shuffle_epi8(table, unpack_nibbles16(b.qs));
    }
    static float d(const B& b) { return h2f(b.d); }
    static float c(const B&, float) { return 0.0f; }
};

template <class T, int NR, int NC>
void tile32(int64_t n, const uint8_t* w, size_t ws, const uint8_t* a, size_t as, float* y, size_t ys) {
    using B = typename T::B;
    const int64_t nb = n / kQK32;
    __m256 acc[NR][NC];
    __m128 corr[NC];  // lanes = rows
    for (int t = 0; t < NC; ++t) {
        corr[t] = _mm_setzero_ps();
        for (int r = 0; r < NR; ++r) acc[r][t] = _mm256_setzero_ps();
    }
    for (int64_t b = 0; b < nb; ++b) {
        __m256i q[NR];
        __m256 dw[NR];
        alignas(16) float cw[4] = {0, 0, 0, 0};
        for (int r = 0; r < NR; ++r) {
            const B& blk = reinterpret_cast<const B*>(w + r * ws)[b];
            q[r] = T::codes(blk);
            const float d = T::d(blk);
            dw[r] = _mm256_set1_ps(d);
            if (!T::kSigned) cw[r] = T::c(blk, d);
        }
        __m256i qa[NR];  // |codes| for the sign trick
        if (T::kSigned)
            for (int r = 0; r < NR; ++r) qa[r] = _mm256_sign_epi8(q[r], q[r]);
        const __m128 cv = _mm_load_ps(cw);
        for (int t = 0; t < NC; ++t) {
            const BlockQ8A& ab = reinterpret_cast<const BlockQ8A*>(a + t * as)[b];
            const __m256i ya = loadu256(ab.qs);
            const __m256 da = _mm256_broadcast_ss(&ab.d);
            if (!T::kSigned) corr[t] = _mm_fmadd_ps(cv, _mm_broadcast_ss(&ab.s), corr[t]);
            for (int r = 0; r < NR; ++r) {
                const __m256i p = T::kSigned ? dot_u8s8(qa[r], _mm256_sign_epi8(ya, q[r])) : dot_u8s8(q[r], ya);
                acc[r][t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(p), _mm256_mul_ps(dw[r], da), acc[r][t]);
            }
        }
    }
    for (int t = 0; t < NC; ++t) {
        alignas(16) float c4[4];
        _mm_store_ps(c4, corr[t]);
        for (int r = 0; r < NR; ++r) y[t * ys + r] = hsum_ps(acc[r][t]) + c4[r];
    }
}

// ---- 256-element weight types ----------------------------------------------------------------------
// A weight block unpacked for reuse across activation rows:
//   q[k]:  32 codes of elements 32k..32k+31 (unsigned, or signed for kSigned types)
//   sc[k]: int16 x16 multipliers for the 16 maddubs pairs of chunk k (lanes 0-7: elements
//          32k..32k+15, lanes 8-15: elements 32k+16..32k+31)
//   m16:   int16 x16 per-16 coefficients of bsums (msum = sum_g m16[g] * bsums[g])
//   d, dm: block result = (d*d_a) * isum - (dm*d_a) * msum   (kMode == kMin)
//          block result = (d*d_a) * (isum - msum)              (kMode == kOffset)
//          block result = (d*d_a) * isum                        (kMode == kPlain)
struct KUnpacked {
    __m256i q[8];
    __m256i sc[8];
    __m256i m16;
    float d, dm;
};
enum KMode { kMin, kOffset, kPlain };

// int8 scales[16] (one per 16 elements) -> sc[k] = [s(2k) x8 | s(2k+1) x8] as int16.
inline void scales16_to_chunks(__m128i s8, __m256i* sc) {
    const __m128i evens_odds = _mm_setr_epi8(0, 2, 4, 6, 8, 10, 12, 14, 1, 3, 5, 7, 9, 11, 13, 15);
    const __m256i s16 = _mm256_cvtepi8_epi16(_mm_shuffle_epi8(s8, evens_odds));  // [evens | odds]
    for (int k = 0; k < 8; ++k) sc[k] = _mm256_shuffle_epi8(s16, _mm256_set1_epi16((short)(0x0100 * (2 * k + 1) + 2 * k)));
}

struct KQ2_K {
    using B = BlockQ2_K; static constexpr bool kSigned = false; static constexpr KMode kMode = kMin;
    static void unpack(const B& b, KUnpacked& u) {
        const __m256i m3 = _mm256_set1_epi8(3);
        for (int h = 0; h < 2; ++h) {
            const __m256i x = loadu256(b.qs + 32 * h);
            for (int j = 0; j < 4; ++j) u.q[4 * h + j] = _mm256_and_si256(_mm256_srli_epi16(x, 2 * j), m3);
        }
        const __m128i s = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b.scales));
        scales16_to_chunks(_mm_and_si128(s, _mm_set1_epi8(15)), u.sc);
        u.m16 = _mm256_cvtepu8_epi16(_mm_and_si128(_mm_srli_epi16(s, 4), _mm_set1_epi8(15)));
        u.d = h2f(b.d);
        u.dm = h2f(b.dmin);
    }
};

struct KQ3_K {
    using B = BlockQ3_K; static constexpr bool kSigned = false; static constexpr KMode kMode = kOffset;
    static void unpack(const B& b, KUnpacked& u) {
        const __m256i m3 = _mm256_set1_epi8(3);
        const __m256i hm = loadu256(b.hmask);
        for (int h = 0; h < 2; ++h) {
            const __m256i x = loadu256(b.qs + 32 * h);
            for (int j = 0; j < 4; ++j) {
                const int k = 4 * h + j;
                // hbit k of hmask[l] -> +4
                const __m256i hb = _mm256_and_si256(_mm256_srli_epi16(hm, k), _mm256_set1_epi8(1));
                u.q[k] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(x, 2 * j), m3), _mm256_slli_epi16(hb, 2));
            }
        }
        alignas(16) int8_t s[16];
        for (int g = 0; g < 16; ++g) s[g] = (int8_t)q3k_scale(b.scales, g);
        const __m128i s8 = _mm_load_si128(reinterpret_cast<const __m128i*>(s));
        scales16_to_chunks(s8, u.sc);
        u.m16 = _mm256_slli_epi16(_mm256_cvtepi8_epi16(s8), 2);  // 4 * s_g
        u.d = h2f(b.d);
        u.dm = 0.0f;
    }
};

struct KQ4_K {
    using B = BlockQ4_K; static constexpr bool kSigned = false; static constexpr KMode kMode = kMin;
    static void unpack(const B& b, KUnpacked& u) {
        const __m256i m4 = _mm256_set1_epi8(15);
        for (int c = 0; c < 4; ++c) {
            const __m256i x = loadu256(b.qs + 32 * c);
            u.q[2 * c] = _mm256_and_si256(x, m4);
            u.q[2 * c + 1] = _mm256_and_si256(_mm256_srli_epi16(x, 4), m4);
        }
        alignas(32) int16_t mn16[16];
        for (int j = 0; j < 8; ++j) {
            int sc, mn;
            k_scale_min(b.scales, j, &sc, &mn);
            u.sc[j] = _mm256_set1_epi16((short)sc);
            mn16[2 * j] = mn16[2 * j + 1] = (int16_t)mn;
        }
        u.m16 = _mm256_load_si256(reinterpret_cast<const __m256i*>(mn16));
        u.d = h2f(b.d);
        u.dm = h2f(b.dmin);
    }
};

struct KQ5_K {
    using B = BlockQ5_K; static constexpr bool kSigned = false; static constexpr KMode kMode = kMin;
    static void unpack(const B& b, KUnpacked& u) {
        const __m256i m4 = _mm256_set1_epi8(15), one = _mm256_set1_epi8(1);
        const __m256i hm = loadu256(b.qh);
        for (int c = 0; c < 4; ++c) {
            const __m256i x = loadu256(b.qs + 32 * c);
            const __m256i h0 = _mm256_and_si256(_mm256_srli_epi16(hm, 2 * c), one);
            const __m256i h1 = _mm256_and_si256(_mm256_srli_epi16(hm, 2 * c + 1), one);
            u.q[2 * c] = _mm256_or_si256(_mm256_and_si256(x, m4), _mm256_slli_epi16(h0, 4));
            u.q[2 * c + 1] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(x, 4), m4), _mm256_slli_epi16(h1, 4));
        }
        alignas(32) int16_t mn16[16];
        for (int j = 0; j < 8; ++j) {
            int sc, mn;
            k_scale_min(b.scales, j, &sc, &mn);
            u.sc[j] = _mm256_set1_epi16((short)sc);
            mn16[2 * j] = mn16[2 * j + 1] = (int16_t)mn;
        }
        u.m16 = _mm256_load_si256(reinterpret_cast<const __m256i*>(mn16));
        u.d = h2f(b.d);
        u.dm = h2f(b.dmin);
    }
};

struct KQ6_K {
    using B = BlockQ6_K; static constexpr bool kSigned = false; static constexpr KMode kMode = kOffset;
    static void unpack(const B& b, KUnpacked& u) {
        const __m256i m4 = _mm256_set1_epi8(15), m2 = _mm256_set1_epi8(3);
        for (int h = 0; h < 2; ++h) {
            const __m256i la = loadu256(b.ql + 64 * h), lb = loadu256(b.ql + 64 * h + 32);
            const __m256i hh = loadu256(b.qh + 32 * h);
            const __m256i lo[4] = {_mm256_and_si256(la, m4), _mm256_and_si256(lb, m4),
                                   _mm256_and_si256(_mm256_srli_epi16(la, 4), m4),
                                   _mm256_and_si256(_mm256_srli_epi16(lb, 4), m4)};
            for (int g = 0; g < 4; ++g) {
                const __m256i hi = _mm256_and_si256(_mm256_srli_epi16(hh, 2 * g), m2);
                u.q[4 * h + g] = _mm256_or_si256(lo[g], _mm256_slli_epi16(hi, 4));
            }
        }
        const __m128i s8 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b.scales));
        scales16_to_chunks(s8, u.sc);
        u.m16 = _mm256_slli_epi16(_mm256_cvtepi8_epi16(s8), 5);  // 32 * s_g
        u.d = h2f(b.d);
        u.dm = 0.0f;
    }
};

struct KIQ4_XS {
    using B = BlockIQ4_XS; static constexpr bool kSigned = true; static constexpr KMode kMode = kPlain;
    static void unpack(const B& b, KUnpacked& u) {
        const __m256i table = _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(kIQ4NLValues)));
        for (int j = 0; j < 8; ++j) {
            u.q[j] = _mm256_shuffle_epi8(table, unpack_nibbles16(b.qs + 16 * j));
            u.sc[j] = _mm256_set1_epi16((short)iq4xs_scale(b, j));
        }
        u.m16 = _mm256_setzero_si256();
        u.d = h2f(b.d);
        u.dm = 0.0f;
    }
};

template <class K, int NR, int NC>
void tileK(int64_t n, const uint8_t* w, size_t ws, const uint8_t* a, size_t as, float* y, size_t ys) {
    using B = typename K::B;
    const int64_t nb = n / kQKK;
    float acc[NR][NC] = {};
    KUnpacked u[NR];
    for (int64_t b = 0; b < nb; ++b) {
        for (int r = 0; r < NR; ++r) K::unpack(reinterpret_cast<const B*>(w + r * ws)[b], u[r]);
        for (int t = 0; t < NC; ++t) {
            const BlockQ8K& ab = reinterpret_cast<const BlockQ8K*>(a + t * as)[b];
            __m256i s[NR];
            for (int r = 0; r < NR; ++r) s[r] = _mm256_setzero_si256();
            for (int k = 0; k < 8; ++k) {
                const __m256i ya = loadu256(ab.qs + 32 * k);
                for (int r = 0; r < NR; ++r) {
                    const __m256i p = K::kSigned
                        ? _mm256_maddubs_epi16(_mm256_sign_epi8(u[r].q[k], u[r].q[k]), _mm256_sign_epi8(ya, u[r].q[k]))
                        : _mm256_maddubs_epi16(u[r].q[k], ya);
                    s[r] = _mm256_add_epi32(s[r], _mm256_madd_epi16(p, u[r].sc[k]));
                }
            }
            const __m256i bs = loadu256(ab.bsums);
            for (int r = 0; r < NR; ++r) {
                const int isum = hsum_i32(s[r]);
                const float dd = u[r].d * ab.d;
                if (K::kMode == kMin) {
                    const int msum = hsum_i32(_mm256_madd_epi16(bs, u[r].m16));
                    acc[r][t] += dd * (float)isum - (u[r].dm * ab.d) * (float)msum;
                } else if (K::kMode == kOffset) {
                    const int msum = hsum_i32(_mm256_madd_epi16(bs, u[r].m16));
                    acc[r][t] += dd * (float)(isum - msum);
                } else {
                    acc[r][t] += dd * (float)isum;
                }
            }
        }
    }
    for (int t = 0; t < NC; ++t)
        for (int r = 0; r < NR; ++r) y[t * ys + r] = acc[r][t];
}

// ---- dispatch on (nr, nc) to the fixed-size instantiations -----------------------------------------
template <template <class, int, int> class Tile, class T, int NR>
void by_cols(int64_t n, const uint8_t* w, size_t ws, const uint8_t* a, size_t as, int nc, float* y, size_t ys) {
    switch (nc) {
        case 1: return Tile<T, NR, 1>::run(n, w, ws, a, as, y, ys);
        case 2: return Tile<T, NR, 2>::run(n, w, ws, a, as, y, ys);
        case 3: return Tile<T, NR, 3>::run(n, w, ws, a, as, y, ys);
        default: return Tile<T, NR, 4>::run(n, w, ws, a, as, y, ys);
    }
}
template <class T, int NR, int NC> struct Tile32 {
    static void run(int64_t n, const uint8_t* w, size_t ws, const uint8_t* a, size_t as, float* y, size_t ys) {
        tile32<T, NR, NC>(n, w, ws, a, as, y, ys);
    }
};
template <class T, int NR, int NC> struct TileK {
    static void run(int64_t n, const uint8_t* w, size_t ws, const uint8_t* a, size_t as, float* y, size_t ys) {
        tileK<T, NR, NC>(n, w, ws, a, as, y, ys);
    }
};
template <template <class, int, int> class Tile, class T>
void gemm(int64_t n, const void* vw, size_t ws, int nr, const void* va, size_t as, int nc, float* y, size_t ys) {
    const uint8_t* w = static_cast<const uint8_t*>(vw);
    const uint8_t* a = static_cast<const uint8_t*>(va);
    switch (nr) {
        case 1: return by_cols<Tile, T, 1>(n, w, ws, a, as, nc, y, ys);
        case 2: return by_cols<Tile, T, 2>(n, w, ws, a, as, nc, y, ys);
        case 3: return by_cols<Tile, T, 3>(n, w, ws, a, as, nc, y, ys);
        default: return by_cols<Tile, T, 4>(n, w, ws, a, as, nc, y, ys);
    }
}

// ---- activation quantizers (byte-identical to quant_ref.cpp) ---------------------------------------
inline float max_abs8(const float* x, int n) {
    const __m256 sign = _mm256_set1_ps(-0.0f);
    __m256 m = _mm256_setzero_ps();
    for (int i = 0; i < n; i += 8) m = _mm256_max_ps(m, _mm256_andnot_ps(sign, _mm256_loadu_ps(x + i)));
    __m128 h = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
    h = _mm_max_ps(h, _mm_movehl_ps(h, h));
    h = _mm_max_ss(h, _mm_movehdup_ps(h));
    return _mm_cvtss_f32(h);
}

// 8 floats * id, rounded half-to-even, as int32.
inline __m256i round8(const float* x, __m256 id) {
    return _mm256_cvtps_epi32(_mm256_round_ps(_mm256_mul_ps(_mm256_loadu_ps(x), id), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
}

// 32 int32 (4 vectors) -> 32 int8 in order.
inline __m256i pack32(__m256i a, __m256i b, __m256i c, __m256i d) {
    const __m256i ab = _mm256_packs_epi32(a, b), cd = _mm256_packs_epi32(c, d);
    const __m256i v = _mm256_packs_epi16(ab, cd);
    return _mm256_permutevar8x32_epi32(v, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
}

void quantize_q8a(const float* x, void* dst, int64_t n) {
    BlockQ8A* out = static_cast<BlockQ8A*>(dst);
    for (int64_t b = 0; b < n / kQK32; ++b, x += kQK32) {
        const float amax = max_abs8(x, kQK32);
        const float d = amax / 127.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        const __m256 vid = _mm256_set1_ps(id);
        const __m256i i0 = round8(x, vid), i1 = round8(x + 8, vid), i2 = round8(x + 16, vid), i3 = round8(x + 24, vid);
        const int sum = hsum_i32(_mm256_add_epi32(_mm256_add_epi32(i0, i1), _mm256_add_epi32(i2, i3)));
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(out[b].qs), pack32(i0, i1, i2, i3));
        out[b].d = d;
        out[b].s = d * (float)sum;
    }
}

void quantize_q8k(const float* x, void* dst, int64_t n) {
    BlockQ8K* out = static_cast<BlockQ8K*>(dst);
    for (int64_t b = 0; b < n / kQKK; ++b, x += kQKK) {
        const float amax = max_abs8(x, kQKK);
        const float d = amax / 127.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        const __m256 vid = _mm256_set1_ps(id);
        for (int k = 0; k < 8; ++k) {
            const float* xk = x + 32 * k;
            const __m256i i0 = round8(xk, vid), i1 = round8(xk + 8, vid), i2 = round8(xk + 16, vid), i3 = round8(xk + 24, vid);
            out[b].bsums[2 * k] = (int16_t)hsum_i32(_mm256_add_epi32(i0, i1));
            out[b].bsums[2 * k + 1] = (int16_t)hsum_i32(_mm256_add_epi32(i2, i3));
            _mm256_storeu_si256(reinterpret_cast<__m256i*>(out[b].qs + 32 * k), pack32(i0, i1, i2, i3));
        }
        out[b].d = d;
    }
}

constexpr TypeKernels kNone = {ActType::F32, nullptr};
constexpr TypeKernels k32(GemmTileFn f) { return {ActType::Q8A, f}; }
constexpr TypeKernels kK(GemmTileFn f) { return {ActType::Q8K, f}; }

}  // namespace

extern const QuantKernels kQuantKernelsAvx2 = {
    {nullptr, quantize_q8a, quantize_q8k},
    {
        kNone, kNone, k32(gemm<Tile32, TQ4_0>), k32(gemm<Tile32, TQ4_1>), kNone, kNone,          // 0-5
        k32(gemm<Tile32, TQ5_0>), k32(gemm<Tile32, TQ5_1>), k32(gemm<Tile32, TQ8_0>), kNone,       // 6-9
        kK(gemm<TileK, KQ2_K>), kK(gemm<TileK, KQ3_K>), kK(gemm<TileK, KQ4_K>),                    // 10-12
        kK(gemm<TileK, KQ5_K>), kK(gemm<TileK, KQ6_K>), kNone, kNone, kNone, kNone, kNone,          // 13-19
        k32(gemm<Tile32, TIQ4_NL>), kNone, kNone, kK(gemm<TileK, KIQ4_XS>), kNone, kNone,          // 20-25
        kNone, kNone, kNone, kNone, kNone, kNone, kNone, kNone, kNone, kNone, kNone, kNone,        // 26-37
        kNone, kNone,                                                                             // 38-39
    },
};

}  // namespace pyllm
