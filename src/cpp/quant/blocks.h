// blocks.h — the byte layout of every GGML block format pyllm reads, plus pyllm's own activation
// block formats. One struct per format; sizes are checked against the GGUF type table sizes.
//
// Element order inside a block (as the public format defines it; see quant_ref.cpp for the exact
// unpacking). "f16" fields are IEEE half bits; use fp16_to_fp32() from kernels/fp16.h.
// Header-only, no functions: safe to include from the per-ISA kernel files.
#pragma once

#include <cstdint>

namespace pyllm::quant {

constexpr int kQK32 = 32;   // block size of the "legacy" formats (Q4_0 ... Q8_0, IQ4_NL)
constexpr int kQKK = 256;   // block size of the K-quants ("super-blocks") and IQ4_XS
constexpr int kKScaleBytes = 12;  // packed 6-bit scales+mins of Q4_K / Q5_K

// ---- 32-element formats ------------------------------------------------------------------------
// Q4_0: x = d * (q - 8), q 4-bit. qs[i] low nibble = element i, high nibble = element i + 16.
struct BlockQ4_0 { uint16_t d; uint8_t qs[kQK32 / 2]; };
// Q4_1: x = d * q + m, q 4-bit, same nibble order as Q4_0.
struct BlockQ4_1 { uint16_t d; uint16_t m; uint8_t qs[kQK32 / 2]; };
// Q5_0: x = d * (q - 16), q = nibble | (bit i of qh) << 4.
struct BlockQ5_0 { uint16_t d; uint8_t qh[4]; uint8_t qs[kQK32 / 2]; };
// Q5_1: x = d * q + m, q 5-bit as Q5_0.
struct BlockQ5_1 { uint16_t d; uint16_t m; uint8_t qh[4]; uint8_t qs[kQK32 / 2]; };
// Q8_0: x = d * q, q int8.
struct BlockQ8_0 { uint16_t d; int8_t qs[kQK32]; };
// IQ4_NL: x = d * kIQ4NLValues[q], q 4-bit, nibble order as Q4_0.
struct BlockIQ4_NL { uint16_t d; uint8_t qs[kQK32 / 2]; };

// ---- 256-element K-quants ------------------------------------------------------------------------
// Q2_K: 16 groups of 16; x = d * (scales[g] & 15) * q - dmin * (scales[g] >> 4), q 2-bit.
//   element 128*h + 32*j + l  (h<2, j<4, l<32)  ->  (qs[32*h + l] >> 2*j) & 3
struct BlockQ2_K { uint8_t scales[kQKK / 16]; uint8_t qs[kQKK / 4]; uint16_t d; uint16_t dmin; };
// Q3_K: 16 groups of 16; x = d * (s6[g] - 32) * (q2 - (hbit ? 0 : 4)).
//   q2 as in Q2_K; hbit of element 32*k + l = bit k of hmask[l]; s6 packed in scales[12].
struct BlockQ3_K { uint8_t hmask[kQKK / 8]; uint8_t qs[kQKK / 4]; uint8_t scales[12]; uint16_t d; };
// Q4_K: 8 groups of 32; x = d * sc[j] * q - dmin * mn[j] (6-bit sc/mn packed in scales[12]).
//   element 64*c + 32*s + l  (c<4, s<2, l<32)  ->  (qs[32*c + l] >> 4*s) & 15
struct BlockQ4_K { uint16_t d; uint16_t dmin; uint8_t scales[kKScaleBytes]; uint8_t qs[kQKK / 2]; };
// Q5_K: as Q4_K with a fifth bit: element 32*k + l has high bit = bit k of qh[l].
struct BlockQ5_K {
    uint16_t d; uint16_t dmin; uint8_t scales[kKScaleBytes]; uint8_t qh[kQKK / 8]; uint8_t qs[kQKK / 2];
};
// Q6_K: 16 groups of 16; x = d * scales[g] * (q - 32), q 6-bit.
//   element 128*h + 64*s + l (l<64): low 4 bits = (ql[64*h + l] >> 4*s) & 15
//   element 128*h + 32*s + l (l<32): high 2 bits = (qh[32*h + l] >> 2*s) & 3
struct BlockQ6_K { uint8_t ql[kQKK / 2]; uint8_t qh[kQKK / 4]; int8_t scales[kQKK / 16]; uint16_t d; };
// IQ4_XS: 8 groups of 32; x = d * (s6[j] - 32) * kIQ4NLValues[q];
//   s6[j] = ((scales_l[j/2] >> 4*(j%2)) & 15) | ((scales_h >> 2*j) & 3) << 4
//   element 32*j + 16*s + l (l<16)  ->  (qs[16*j + l] >> 4*s) & 15
struct BlockIQ4_XS { uint16_t d; uint16_t scales_h; uint8_t scales_l[kQKK / 64]; uint8_t qs[kQKK / 2]; };

// The 16 non-linear levels of IQ4_NL / IQ4_XS (public format constants).
static constexpr int8_t kIQ4NLValues[16] = {-127, -104, -83, -65, -49, -35, -22, -10,
                                            1,    13,   25,  38,  53,  69,  89,  113};

// ---- pyllm's activation formats (what a float activation row is quantized to) ---------------------
// Q8A: for every 32-element weight format. x ≈ d * qs[i]; s = d * sum(qs) (used by the formats
// with an offset or a min: their dot product needs sum(x)). float scales: a little more precise
// than ggml's f16 ones and no conversion in the inner loop.
struct BlockQ8A { float d; float s; int8_t qs[kQK32]; };
// Q8K: for every 256-element weight format. x ≈ d * qs[i]; bsums[g] = sum of qs[16g .. 16g+15].
struct BlockQ8K { float d; int8_t qs[kQKK]; int16_t bsums[kQKK / 16]; };

static_assert(sizeof(BlockQ4_0) == 18, "Q4_0 block size");
static_assert(sizeof(BlockQ4_1) == 20, "Q4_1 block size");
static_assert(sizeof(BlockQ5_0) == 22, "Q5_0 block size");
static_assert(sizeof(BlockQ5_1) == 24, "Q5_1 block size");
static_assert(sizeof(BlockQ8_0) == 34, "Q8_0 block size");
static_assert(sizeof(BlockIQ4_NL) == 18, "IQ4_NL block size");
static_assert(sizeof(BlockQ2_K) == 84, "Q2_K block size");
static_assert(sizeof(BlockQ3_K) == 110, "Q3_K block size");
static_assert(sizeof(BlockQ4_K) == 144, "Q4_K block size");
static_assert(sizeof(BlockQ5_K) == 176, "Q5_K block size");
static_assert(sizeof(BlockQ6_K) == 210, "Q6_K block size");
static_assert(sizeof(BlockIQ4_XS) == 136, "IQ4_XS block size");
static_assert(sizeof(BlockQ8A) == 40, "Q8A block size");
static_assert(sizeof(BlockQ8K) == 292, "Q8K block size");
static_assert(alignof(BlockQ4_0) == 2 && alignof(BlockQ8_0) == 2 && alignof(BlockQ6_K) == 2,
              "weight blocks are 2-byte aligned structs (GGUF data is at least 32-byte aligned)");

// The 6-bit scale j (< 8) and min j of a Q4_K / Q5_K scales[12] array.
//   bytes 0-3: low 6 bits = sc[0..3], top 2 bits = high bits of sc[4..7]
//   bytes 4-7: low 6 bits = mn[0..3], top 2 bits = high bits of mn[4..7]
//   bytes 8-11: low nibble = low 4 bits of sc[4..7], high nibble = low 4 bits of mn[4..7]
static inline void k_scale_min(const uint8_t* s, int j, int* sc, int* mn) {
    if (j < 4) {
        *sc = s[j] & 63;
        *mn = s[j + 4] & 63;
    } else {
        *sc = (s[j + 4] & 15) | ((s[j - 4] >> 6) << 4);
        *mn = (s[j + 4] >> 4) | ((s[j] >> 6) << 4);
    }
}

// The 2-bit code (0..3) of element e (< 256) of a Q2_K block: x = d * (sc & 15) * code - dmin * (sc >> 4)
// with sc = scales[e / 16]. Element 128 h + 32 j + l (h < 2, j < 4, l < 32): bits 2j..2j+1 of qs[32 h + l].
static inline int q2k_code(const BlockQ2_K& b, int e) { return (b.qs[32 * (e / 128) + e % 32] >> (2 * ((e / 32) % 4))) & 3; }

// The 3-bit code (0..7) of element e (< 256) of a Q3_K block: x = d * scale * (code - 4).
//   element 128 h + 32 j + l (h < 2, j < 4, l < 32): bits 2j..2j+1 of qs[32 h + l], and bit
//   4 h + j of hmask[l] as bit 2
static inline int q3k_code(const BlockQ3_K& b, int e) {
    const int h = e / 128, j = (e / 32) % 4, l = e % 32;
    return ((b.qs[32 * h + l] >> (2 * j)) & 3) | (((b.hmask[l] >> (e / 32)) & 1) << 2);
}

// The 6-bit code (0..63) of element e (< 256) of a Q6_K block: low 4 bits from ql, high 2 from qh.
//   element 128 h + 32 k + l (h < 2, k < 4, l < 32): nibble k / 2 of ql[64 h + 32 (k % 2) + l],
//   bits 2k..2k+1 of qh[32 h + l]
static inline int q6k_code(const BlockQ6_K& b, int e) {
    const int h = e / 128, r = e % 128;
    const int lo = (b.ql[64 * h + r % 64] >> (4 * (r / 64))) & 15;
    const int hi = (b.qh[32 * h + r % 32] >> (2 * (r / 32))) & 3;
    return lo | (hi << 4);
}

// The signed 6-bit scale g (< 16) of a Q3_K block, already minus 32.
static inline int q3k_scale(const uint8_t* s, int g) {
    int lo = g < 8 ? (s[g] & 15) : (s[g - 8] >> 4);
    int hi = (s[8 + (g & 3)] >> (2 * (g >> 2))) & 3;
    return (lo | (hi << 4)) - 32;
}

// The signed 6-bit scale j (< 8) of an IQ4_XS block, already minus 32.
static inline int iq4xs_scale(const BlockIQ4_XS& b, int j) {
    int lo = (b.scales_l[j / 2] >> (4 * (j % 2))) & 15;
    int hi = (b.scales_h >> (2 * j)) & 3;
    return (lo | (hi << 4)) - 32;
}

}  // namespace pyllm::quant
