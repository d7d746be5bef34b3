// repack.h — the "x8" weight layouts: 8 rows interleaved, for the decode matvec kernels.
//
// Why: the row layout makes a one-token matvec reduce every block horizontally (each row is one dot
// product, its 32 products summed across vector lanes) and assemble per-block scales lane by lane.
// In the x8 layout, vector lane r belongs to weight row r: a block of 8 rows against one activation
// block is 8 broadcast loads + 8 maddubs summed in int16 (exact, see below) + one madd + one convert
// + 2 FMA, nothing horizontal. Measured on the development VM (AVX2, 1 thread, in-cache, GB/s of
// weights): Q4_1 8.7 (rows) -> 12.8 (x8).
//
// A matrix of n_out rows is stored as ceil(n_out / 8) groups of 8 rows (rows past n_out are zero),
// each group 8 * row_bytes bytes: its blocks in row-block order b = 0, 1, ..., each x8 block the
// 8 rows' block b. Same bytes per block as the source format, except Q3_K, Q4_K and Q5_K (+32 bytes
// per 8 rows: unpacked 6-bit scales; IQ4_XS +16). Codes keep their values; only their places move, so the arithmetic is the
// same integer sums (see qdot_scalar.cpp).
//
// Codes of a 32-element sub-block for 8 rows, 128 bytes: qs[p][4 r + i] (p < 4, r < 8, i < 4) holds
//   low nibble  = code of element 4 p + i        of row r     (k-group j = p)
//   high nibble = code of element 4 p + 16 + i   of row r     (k-group j = p + 4)
// so the code vector of k-group j (elements 4j .. 4j+3 of all 8 rows, 4 bytes per row) is one and or
// one shift + and of a 32-byte load, and its activation is a 4-byte broadcast.
//
// Per type, one x8 block (8 rows):
//   Q4_0 (144 B):  d[8] f16 | qs[128]                                   x = d * (q - 8)
//   IQ4_NL (144 B): as Q4_0                                            x = d * kIQ4NLValues[q]
//   Q4_1 (160 B):  d[8] f16 | m[8] f16 | qs[128]                        x = d * q + m
//   Q5_0 (176 B):  d[8] f16 | qh[32] | qs[128]                          x = d * (q - 16)
//        the fifth bit of element 4 j + i of row r is bit j of qh[4 r + i] (j < 8)
//   Q5_1 (192 B):  d[8] f16 | m[8] f16 | qh[32] | qs[128]               x = d * q + m
//   Q8_0 (272 B):  d[8] f16 | qs[8][32] int8: qs[j][4 r + i] = element 4 j + i of row r
//                                                                      x = d * q
//   Q4_K (1184 B per 256 elements): d[8] f16 | dmin[8] f16 | sc[8 sub][8 rows] u8 |
//        mn[4 pairs][8 rows][2] u8 (mn[p][r] = {min 2p, min 2p+1} of row r) | qs[8 sub][128]
//                                                                      x = d * sc * q - dmin * mn
//   Q5_K (1440 B per 256 elements): as Q4_K with qh[8 sub][32] (fifth-bit planes, as Q5_0's, one per
//        32-element sub-block) between mn and qs: ... | mn | qh[8][32] | qs[8][128]
//   Q6_K (1680 B per 256 elements, the source's 8 * 210): d[8] f16 |
//        sc[8 sub][8 rows][2] int8 (sc[j][r] = {scale 2j, scale 2j+1} of row r: the two 16-element
//        scales of sub-block j) | v[8 sub][6][32]: the 6-bit codes of sub-block j, 256 codes in 192
//        bytes, so that 6 of its 8 code vectors are one and each and the other two are assembled from
//        the top bits of all six:
//          v[j][m][4 r + i] bits 0-5 = code of element 4 m + i of row r            (k-group m < 6)
//          v[j][m][4 r + i] bits 6-7 = bits 2(m % 3) .. 2(m % 3)+1 of the code of element
//                                      4 (6 + m / 3) + i of row r                   (k-groups 6, 7)
//                                                                      x = d * sc * (q - 32)
//   Q3_K (912 B per 256 elements, the source's 8 * 110 + 32: scales unpacked): d[8] f16 |
//        sc[8 sub][8 rows][2] int8 (as Q6_K's; the 6-bit scales minus 32) | v[8 sub][3][32]: the
//        3-bit codes of sub-block j in 96 bytes, two k-groups per vector and the last two in the
//        top bits:
//          v[j][m / 2][4 r + i] bits 3(m % 2) .. 3(m % 2)+2 = code of element 4 m + i  (m < 6)
//          t = the top 2 bits of v[j][0], v[j][1], v[j][2] at byte (4 r + i), as bits 0-1, 2-3,
//              4-5 of a 6-bit number: code of element 24 + i = t & 7, of element 28 + i = t >> 3
//                                                                      x = d * sc * (q - 4)
//   Q2_K (672 B per 256 elements, the source's 8 * 84): d[8] f16 | dmin[8] f16 |
//        sm[8 sub][8 rows][2] u8 (the source's scale bytes, scale | min << 4, of 16-element groups
//        2j and 2j+1 of row r) | v[8 sub][2][32]: 2-bit codes, four k-groups per vector:
//          v[j][m / 4][4 r + i] bits 2(m % 4) .. 2(m % 4)+1 = code of element 4 m + i of row r
//                                                                      x = d * sc * q - dmin * mn
//   IQ4_XS (1104 B per 256 elements, the source's 8 * 136 + 16: scales unpacked): d[8] f16 |
//        sc[8 sub][8 rows] int8 (the 6-bit scales minus 32) | qs[8 sub][128] (sub-block j's nibble
//        codes as a 32-element code block above)                      x = d * sc * kIQ4NLValues[q]
#pragma once

#include <cstdint>

#include "gguf/gguf_types.h"

namespace pyllm::quant {

constexpr int kX8Rows = 8;

// The code of element e = 4j + i (< 32) of row r (< 8) in an x8 code block: qs as above, qh the
// fifth-bit plane or nullptr (4-bit codes). The one decoder of the layout: repack.cpp and the scalar
// reference kernels (qdot_scalar.cpp) both read codes through it.
static inline int x8_code(const uint8_t* qs, const uint8_t* qh, int r, int e) {
    const int j = e / 4, i = e % 4;
    const uint8_t v = qs[(j & 3) * 32 + 4 * r + i];
    int c = j < 4 ? (v & 15) : (v >> 4);
    if (qh) c |= ((qh[4 * r + i] >> j) & 1) << 4;
    return c;
}

// Q6_K / Q3_K / Q2_K: the byte of 16-element group g's scale for row r in the [8 sub][8 rows][2]
// scale array (group g is half g % 2 of sub-block g / 2).
static inline int x8_scale_at(int g, int r) { return 16 * (g / 2) + 2 * r + g % 2; }

// The 6-bit code of element e (< 32) of row r (< 8) in a Q6_K x8 sub-block v (192 bytes, as above).
static inline int x8_code6(const uint8_t* v, int r, int e) {
    const int m = e / 4, i = e % 4;
    if (m < 6) return v[32 * m + 4 * r + i] & 63;
    const uint8_t* t = v + 32 * 3 * (m - 6) + 4 * r + i;  // the top bits of k-groups 0-2 (m = 6) or 3-5 (m = 7)
    return (t[0] >> 6) | (t[32] >> 6) << 2 | (t[64] >> 6) << 4;
}

// The 3-bit code of element e (< 32) of row r (< 8) in a Q3_K x8 sub-block v (96 bytes, as above).
static inline int x8_code3(const uint8_t* v, int r, int e) {
    const int m = e / 4, i = e % 4;
    const uint8_t* b = v + 4 * r + i;
    if (m < 6) return (b[32 * (m / 2)] >> (3 * (m % 2))) & 7;
    const int t = (b[0] >> 6) | (b[32] >> 6) << 2 | (b[64] >> 6) << 4;
    return m == 6 ? t & 7 : t >> 3;
}

// The 2-bit code of element e (< 32) of row r (< 8) in a Q2_K x8 sub-block v (64 bytes, as above).
static inline int x8_code2(const uint8_t* v, int r, int e) {
    const int m = e / 4;
    return (v[32 * (m / 4) + 4 * r + e % 4] >> (2 * (m % 4))) & 3;
}

// The writers of those three layouts: code c of element e (< 32) of row r into sub-block v, which
// starts zeroed (the codes are or-ed in). x8_codeN(v, r, e) reads back c.
static inline void x8_set_code6(uint8_t* v, int r, int e, int c) {
    const int m = e / 4, i = e % 4;
    if (m < 6) {
        v[32 * m + 4 * r + i] |= (uint8_t)c;
        return;
    }
    for (int k = 0; k < 3; ++k)  // bits 2k, 2k+1 -> bits 6-7 of k-group 3 (m - 6) + k
        v[32 * (3 * (m - 6) + k) + 4 * r + i] |= (uint8_t)(((c >> (2 * k)) & 3) << 6);
}
static inline void x8_set_code3(uint8_t* v, int r, int e, int c) {
    const int m = e / 4, i = e % 4;
    if (m < 6) {
        v[32 * (m / 2) + 4 * r + i] |= (uint8_t)(c << (3 * (m % 2)));
        return;
    }
    const int t = m == 6 ? c : c << 3;  // the 6-bit top field: c6 | c7 << 3, two bits per vector
    for (int k = 0; k < 3; ++k) v[32 * k + 4 * r + i] |= (uint8_t)(((t >> (2 * k)) & 3) << 6);
}
static inline void x8_set_code2(uint8_t* v, int r, int e, int c) {
    const int m = e / 4;
    v[32 * (m / 4) + 4 * r + e % 4] |= (uint8_t)(c << (2 * (m % 4)));
}

// True for the types that have an x8 layout (Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K, Q3_K, Q4_K, Q5_K,
// Q6_K).
bool x8_supported(gguf::TensorType t);
// Bytes of one x8 group of 8 rows of n_in elements (n_in a multiple of the block size).
uint64_t x8_group_bytes(gguf::TensorType t, int64_t n_in);
// Bytes of a whole repacked matrix: ceil(n_out / 8) groups.
inline uint64_t x8_bytes(gguf::TensorType t, int64_t n_in, int64_t n_out) {
    return x8_group_bytes(t, n_in) * (uint64_t)((n_out + kX8Rows - 1) / kX8Rows);
}

// Repack groups [g0, g1) of the n_out rows at src (row layout, row_bytes apart) into dst (the whole
// x8 matrix; group g written at dst + g * x8_group_bytes). Rows >= n_out are written as zeros.
// Throws NotImplemented for a type without an x8 layout.
void repack_x8(gguf::TensorType t, const void* src, int64_t n_in, int64_t n_out, int64_t g0, int64_t g1, void* dst);
// The inverse for one group: rows 0 .. nr-1 (nr <= 8) of the group at `group` back to the row layout,
// row r at dst + r * dst_stride.
void unrepack_x8_group(gguf::TensorType t, const void* group, int64_t n_in, int nr, void* dst, uint64_t dst_stride);
// The inverse of repack_x8 for a whole matrix: n_out rows back to back at dst.
void unrepack_x8(gguf::TensorType t, const void* src, int64_t n_in, int64_t n_out, void* dst);

}  // namespace pyllm::quant
