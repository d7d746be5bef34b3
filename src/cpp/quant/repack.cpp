// repack.cpp — row layout <-> x8 layout (repack.h), scalar and exact (codes, scales and mins are
// moved, never recomputed, so unrepack(repack(W)) == W byte for byte).
#include "quant/repack.h"

#include <algorithm>
#include <cstring>
#include <type_traits>

#include "common/error.h"
#include "quant/blocks.h"

namespace pyllm::quant {

namespace {

using gguf::TensorType;

// x8 code block (128 bytes: repack.h) -> codes c[r][e] of 8 rows (qh: fifth bits, or nullptr).
void get_codes(const uint8_t* qs, const uint8_t* qh, uint8_t c[kX8Rows][32]) {
    for (int r = 0; r < kX8Rows; ++r)
        for (int e = 0; e < 32; ++e) c[r][e] = (uint8_t)x8_code(qs, qh, r, e);
}

// Q4_K: 6-bit scales/mins packing (blocks.h k_scale_min) and its inverse.
void encode_k_scales(const uint8_t sc[8], const uint8_t mn[8], uint8_t* s) {
    for (int j = 0; j < 4; ++j) {
        s[j] = (uint8_t)((sc[j] & 63) | ((sc[j + 4] >> 4) << 6));
        s[j + 4] = (uint8_t)((mn[j] & 63) | ((mn[j + 4] >> 4) << 6));
        s[j + 8] = (uint8_t)((sc[j + 4] & 15) | (mn[j + 4] & 15) << 4);
    }
}

constexpr int kQ4KGroupBlock = 16 + 16 + 64 + 64 + 8 * 128;  // x8 bytes per 256 elements (1184)
constexpr int kQ5KGroupBlock = kQ4KGroupBlock + 8 * 32;       // plus the fifth-bit planes (1440)

// Q8_0: x8 byte (j, r, i) = element 4j+i of row r, a 4-byte move.
void x8_block_q8_0(const uint8_t* const* rows, int nr, int64_t b, uint8_t* out) {
    std::memset(out, 0, 8 * sizeof(BlockQ8_0));
    for (int r = 0; r < nr; ++r) {
        const uint8_t* blk = rows[r] + b * sizeof(BlockQ8_0);
        std::memcpy(out + 2 * r, blk, 2);
        for (int j = 0; j < 8; ++j) std::memcpy(out + 16 + 32 * j + 4 * r, blk + 2 + 4 * j, 4);
    }
}
void row_block_q8_0(const uint8_t* in, int nr, int64_t b, uint8_t* dst, uint64_t ds) {
    for (int r = 0; r < nr; ++r) {
        uint8_t* blk = dst + r * ds + b * sizeof(BlockQ8_0);
        std::memcpy(blk, in + 2 * r, 2);
        for (int j = 0; j < 8; ++j) std::memcpy(blk + 2 + 4 * j, in + 16 + 32 * j + 4 * r, 4);
    }
}

// Where the fields of a 32-element block are, in the source block and in the x8 block (repack.h);
// -1: the format has no such field.
struct Layout32 {
    int src_m, src_qh, src_qs;  // source block (d at 0)
    int x_m, x_qh, x_qs;        // x8 block (d[8] at 0)
};
Layout32 layout32(TensorType t) {
    switch (t) {
        case TensorType::Q4_1: return {2, -1, 4, 16, -1, 32};
        case TensorType::Q5_0: return {-1, 2, 6, -1, 16, 48};
        case TensorType::Q5_1: return {2, 4, 8, 16, 32, 64};
        default: return {-1, -1, 2, -1, -1, 16};  // Q4_0, IQ4_NL
    }
}

void x8_block32(TensorType t, const uint8_t* const* rows, int nr, int64_t b, uint64_t bb, uint8_t* out) {
    // The 4-bit part needs no unpacking: x8 byte (p, r, i) holds elements 4p+i (low nibble) and
    // 4p+16+i (high nibble) of row r, which is exactly source byte qs[4p+i] of the row's block.
    const Layout32 L = layout32(t);
    std::memset(out, 0, 8 * bb);
    for (int r = 0; r < nr; ++r) {
        const uint8_t* blk = rows[r] + b * bb;
        std::memcpy(out + 2 * r, blk, 2);
        if (L.src_m >= 0) std::memcpy(out + L.x_m + 2 * r, blk + L.src_m, 2);
        for (int p = 0; p < 4; ++p) std::memcpy(out + L.x_qs + 32 * p + 4 * r, blk + L.src_qs + 4 * p, 4);
        if (L.src_qh >= 0) {
            uint32_t qh;
            std::memcpy(&qh, blk + L.src_qh, 4);
            for (int i = 0; i < 4; ++i) {
                uint8_t v = 0;
                for (int j = 0; j < 8; ++j) v |= (uint8_t)(((qh >> (4 * j + i)) & 1) << j);
                out[L.x_qh + 4 * r + i] = v;
            }
        }
    }
}

void row_block32(TensorType t, const uint8_t* in, int nr, int64_t b, uint64_t bb, uint8_t* dst, uint64_t ds) {
    const Layout32 L = layout32(t);
    if (L.x_qh < 0) {  // 4-bit codes: the byte moves of x8_block32 backwards (prefill unpacks groups per call)
        for (int r = 0; r < nr; ++r) {
            uint8_t* blk = dst + r * ds + b * bb;
            std::memcpy(blk, in + 2 * r, 2);
            if (L.src_m >= 0) std::memcpy(blk + L.src_m, in + L.x_m + 2 * r, 2);
            for (int p = 0; p < 4; ++p) std::memcpy(blk + L.src_qs + 4 * p, in + L.x_qs + 32 * p + 4 * r, 4);
        }
        return;
    }
    uint8_t c[kX8Rows][32];
    get_codes(in + L.x_qs, L.x_qh >= 0 ? in + L.x_qh : nullptr, c);
    for (int r = 0; r < nr; ++r) {
        uint8_t* blk = dst + r * ds + b * bb;
        std::memcpy(blk, in + 2 * r, 2);
        if (L.src_m >= 0) std::memcpy(blk + L.src_m, in + L.x_m + 2 * r, 2);
        if (L.src_qh >= 0) {
            uint32_t qh = 0;
            for (int i = 0; i < 32; ++i) qh |= (uint32_t)((c[r][i] >> 4) & 1) << i;
            std::memcpy(blk + L.src_qh, &qh, 4);
        }
        for (int i = 0; i < 16; ++i) blk[L.src_qs + i] = (uint8_t)((c[r][i] & 15) | (c[r][i + 16] & 15) << 4);
    }
}

// Q4_K / Q5_K (kFifth): the 256-element x8 block. Source element i of sub-block 2k+h (h < 2) is
// nibble h of qs[32k + i] (and, for Q5_K, bit 2k+h of qh[i]).
template <bool kFifth>
void x8_block_k(const uint8_t* const* rows, int nr, int64_t b, uint8_t* out) {
    using B = typename std::conditional<kFifth, BlockQ5_K, BlockQ4_K>::type;
    constexpr int kQs = kFifth ? 160 + 256 : 160;
    uint8_t sc[kX8Rows][8] = {}, mn[kX8Rows][8] = {};
    std::memset(out, 0, kFifth ? kQ5KGroupBlock : kQ4KGroupBlock);
    for (int r = 0; r < nr; ++r) {
        const B* blk = reinterpret_cast<const B*>(rows[r]) + b;
        std::memcpy(out + 2 * r, &blk->d, 2);
        std::memcpy(out + 16 + 2 * r, &blk->dmin, 2);
        for (int j = 0; j < 8; ++j) {
            int s, m;
            k_scale_min(blk->scales, j, &s, &m);
            sc[r][j] = (uint8_t)s;
            mn[r][j] = (uint8_t)m;
        }
        // sub-block 2k: low nibbles of qs[32k .. 32k+31], sub-block 2k+1: their high nibbles
        for (int k = 0; k < 4; ++k)
            for (int p = 0; p < 4; ++p)
                for (int i = 0; i < 4; ++i) {
                    const uint8_t lo = blk->qs[32 * k + 4 * p + i], hi = blk->qs[32 * k + 4 * p + 16 + i];
                    out[kQs + 128 * (2 * k) + 32 * p + 4 * r + i] = (uint8_t)((lo & 15) | (hi & 15) << 4);
                    out[kQs + 128 * (2 * k + 1) + 32 * p + 4 * r + i] = (uint8_t)((lo >> 4) | (hi & 0xF0));
                }
        if constexpr (kFifth) {
            const uint8_t* qh = reinterpret_cast<const BlockQ5_K*>(blk)->qh;
            for (int j = 0; j < 8; ++j)          // sub-block
                for (int i = 0; i < 4; ++i) {
                    uint8_t v = 0;
                    for (int g = 0; g < 8; ++g)  // k-group: element 4g+i of the sub-block
                        v |= (uint8_t)(((qh[4 * g + i] >> j) & 1) << g);
                    out[160 + 32 * j + 4 * r + i] = v;
                }
        }
    }
    for (int j = 0; j < 8; ++j)
        for (int r = 0; r < kX8Rows; ++r) out[32 + 8 * j + r] = sc[r][j];
    for (int p = 0; p < 4; ++p)
        for (int r = 0; r < kX8Rows; ++r) {
            out[96 + 16 * p + 2 * r] = mn[r][2 * p];
            out[96 + 16 * p + 2 * r + 1] = mn[r][2 * p + 1];
        }
}

template <bool kFifth>
void row_block_k(const uint8_t* in, int nr, int64_t b, uint8_t* dst, uint64_t ds) {
    using B = typename std::conditional<kFifth, BlockQ5_K, BlockQ4_K>::type;
    constexpr int kQs = kFifth ? 160 + 256 : 160;
    uint8_t c[8][kX8Rows][32];
    for (int j = 0; j < 8; ++j) get_codes(in + kQs + 128 * j, kFifth ? in + 160 + 32 * j : nullptr, c[j]);
    for (int r = 0; r < nr; ++r) {
        B* blk = reinterpret_cast<B*>(dst + r * ds) + b;
        std::memcpy(&blk->d, in + 2 * r, 2);
        std::memcpy(&blk->dmin, in + 16 + 2 * r, 2);
        uint8_t sc[8], mn[8];
        for (int j = 0; j < 8; ++j) {
            sc[j] = in[32 + 8 * j + r];
            mn[j] = in[96 + 16 * (j / 2) + 2 * r + (j & 1)];
        }
        encode_k_scales(sc, mn, blk->scales);
        for (int k = 0; k < 4; ++k)
            for (int i = 0; i < 32; ++i)
                blk->qs[32 * k + i] = (uint8_t)((c[2 * k][r][i] & 15) | (c[2 * k + 1][r][i] & 15) << 4);
        if constexpr (kFifth) {
            uint8_t* qh = reinterpret_cast<BlockQ5_K*>(blk)->qh;
            for (int i = 0; i < 32; ++i) {
                uint8_t v = 0;
                for (int j = 0; j < 8; ++j) v |= (uint8_t)(((c[j][r][i] >> 4) & 1) << j);
                qh[i] = v;
            }
        }
    }
}

// Q6_K: the 256-element x8 block (repack.h). Codes move as whole 6-bit values (q6k_code), scales
// as bytes.
constexpr int kQ6KGroupBlock = 16 + 128 + 8 * 192;  // 1680 = 8 * sizeof(BlockQ6_K)

void x8_block_q6k(const uint8_t* const* rows, int nr, int64_t b, uint8_t* out) {
    std::memset(out, 0, kQ6KGroupBlock);
    for (int r = 0; r < nr; ++r) {
        const BlockQ6_K& blk = reinterpret_cast<const BlockQ6_K*>(rows[r])[b];
        std::memcpy(out + 2 * r, &blk.d, 2);
        for (int g = 0; g < 16; ++g) out[16 + x8_scale_at(g, r)] = (uint8_t)blk.scales[g];
        for (int e = 0; e < 256; ++e) x8_set_code6(out + 144 + 192 * (e / 32), r, e % 32, q6k_code(blk, e));
    }
}

void row_block_q6k(const uint8_t* in, int nr, int64_t b, uint8_t* dst, uint64_t ds) {
    for (int r = 0; r < nr; ++r) {
        BlockQ6_K& blk = reinterpret_cast<BlockQ6_K*>(dst + r * ds)[b];
        std::memcpy(&blk.d, in + 2 * r, 2);
        for (int g = 0; g < 16; ++g) blk.scales[g] = (int8_t)in[16 + x8_scale_at(g, r)];
        std::memset(blk.ql, 0, sizeof(blk.ql));
        std::memset(blk.qh, 0, sizeof(blk.qh));
        for (int e = 0; e < 256; ++e) {  // the inverse of q6k_code (blocks.h)
            const int c = x8_code6(in + 144 + 192 * (e / 32), r, e % 32);
            const int h = e / 128, l = e % 128;
            blk.ql[64 * h + l % 64] |= (uint8_t)((c & 15) << (4 * (l / 64)));
            blk.qh[32 * h + l % 32] |= (uint8_t)((c >> 4) << (2 * (l / 32)));
        }
    }
}

// Q3_K: the 256-element x8 block (repack.h): scales unpacked to int8 (minus 32), codes as 3-bit values.
constexpr int kQ3KGroupBlock = 16 + 128 + 8 * 96;  // 912

void x8_block_q3k(const uint8_t* const* rows, int nr, int64_t b, uint8_t* out) {
    std::memset(out, 0, kQ3KGroupBlock);
    for (int r = 0; r < nr; ++r) {
        const BlockQ3_K& blk = reinterpret_cast<const BlockQ3_K*>(rows[r])[b];
        std::memcpy(out + 2 * r, &blk.d, 2);
        for (int g = 0; g < 16; ++g) out[16 + x8_scale_at(g, r)] = (uint8_t)(int8_t)q3k_scale(blk.scales, g);
        for (int e = 0; e < 256; ++e) x8_set_code3(out + 144 + 96 * (e / 32), r, e % 32, q3k_code(blk, e));
    }
}

void row_block_q3k(const uint8_t* in, int nr, int64_t b, uint8_t* dst, uint64_t ds) {
    for (int r = 0; r < nr; ++r) {
        BlockQ3_K& blk = reinterpret_cast<BlockQ3_K*>(dst + r * ds)[b];
        std::memcpy(&blk.d, in + 2 * r, 2);
        // scales: 16 6-bit values s + 32 (q3k_scale in blocks.h, inverted)
        std::memset(blk.scales, 0, sizeof(blk.scales));
        for (int g = 0; g < 16; ++g) {
            const int u = (int)(int8_t)in[16 + x8_scale_at(g, r)] + 32;
            blk.scales[g % 8] |= (uint8_t)((u & 15) << (4 * (g / 8)));
            blk.scales[8 + (g & 3)] |= (uint8_t)(((u >> 4) & 3) << (2 * (g >> 2)));
        }
        std::memset(blk.qs, 0, sizeof(blk.qs));
        std::memset(blk.hmask, 0, sizeof(blk.hmask));
        for (int e = 0; e < 256; ++e) {  // the inverse of q3k_code (blocks.h)
            const int c = x8_code3(in + 144 + 96 * (e / 32), r, e % 32);
            const int h = e / 128, j = (e / 32) % 4, l = e % 32;
            blk.qs[32 * h + l] |= (uint8_t)((c & 3) << (2 * j));
            blk.hmask[l] |= (uint8_t)(((c >> 2) & 1) << (e / 32));
        }
    }
}

// Q2_K: the 256-element x8 block (repack.h): scale bytes and codes moved.
constexpr int kQ2KGroupBlock = 32 + 128 + 8 * 64;  // 672 = 8 * sizeof(BlockQ2_K)

void x8_block_q2k(const uint8_t* const* rows, int nr, int64_t b, uint8_t* out) {
    std::memset(out, 0, kQ2KGroupBlock);
    for (int r = 0; r < nr; ++r) {
        const BlockQ2_K& blk = reinterpret_cast<const BlockQ2_K*>(rows[r])[b];
        std::memcpy(out + 2 * r, &blk.d, 2);
        std::memcpy(out + 16 + 2 * r, &blk.dmin, 2);
        for (int g = 0; g < 16; ++g) out[32 + x8_scale_at(g, r)] = blk.scales[g];
        for (int e = 0; e < 256; ++e) x8_set_code2(out + 160 + 64 * (e / 32), r, e % 32, q2k_code(blk, e));
    }
}

void row_block_q2k(const uint8_t* in, int nr, int64_t b, uint8_t* dst, uint64_t ds) {
    for (int r = 0; r < nr; ++r) {
        BlockQ2_K& blk = reinterpret_cast<BlockQ2_K*>(dst + r * ds)[b];
        std::memcpy(&blk.d, in + 2 * r, 2);
        std::memcpy(&blk.dmin, in + 16 + 2 * r, 2);
        for (int g = 0; g < 16; ++g) blk.scales[g] = in[32 + x8_scale_at(g, r)];
        std::memset(blk.qs, 0, sizeof(blk.qs));
        for (int e = 0; e < 256; ++e)  // the inverse of q2k_code (blocks.h)
            blk.qs[32 * (e / 128) + e % 32] |= (uint8_t)(x8_code2(in + 160 + 64 * (e / 32), r, e % 32) << (2 * ((e / 32) % 4)));
    }
}

// IQ4_XS: d[8] f16 | sc[8 sub][8 rows] int8 (the 6-bit scales minus 32) | qs[8 sub][128] (each
// sub-block's nibbles as a 32-element x8 code block: source qs[16j + 4p + i] is x8 byte (p, r, i)).
constexpr int kIQ4XSGroupBlock = 16 + 64 + 8 * 128;  // 1104 = 8 * sizeof(BlockIQ4_XS) + 16
void x8_block_iq4xs(const uint8_t* const* rows, int nr, int64_t b, uint8_t* out) {
    std::memset(out, 0, kIQ4XSGroupBlock);
    for (int r = 0; r < nr; ++r) {
        const BlockIQ4_XS& blk = reinterpret_cast<const BlockIQ4_XS*>(rows[r])[b];
        std::memcpy(out + 2 * r, &blk.d, 2);
        for (int j = 0; j < 8; ++j) {
            out[16 + 8 * j + r] = (uint8_t)(int8_t)iq4xs_scale(blk, j);
            for (int p = 0; p < 4; ++p) std::memcpy(out + 80 + 128 * j + 32 * p + 4 * r, blk.qs + 16 * j + 4 * p, 4);
        }
    }
}
void row_block_iq4xs(const uint8_t* in, int nr, int64_t b, uint8_t* dst, uint64_t ds) {
    for (int r = 0; r < nr; ++r) {
        BlockIQ4_XS& blk = reinterpret_cast<BlockIQ4_XS*>(dst + r * ds)[b];
        std::memcpy(&blk.d, in + 2 * r, 2);
        blk.scales_h = 0;
        std::memset(blk.scales_l, 0, sizeof(blk.scales_l));
        for (int j = 0; j < 8; ++j) {
            const int s6 = (int)(int8_t)in[16 + 8 * j + r] + 32;  // the inverse of iq4xs_scale
            blk.scales_l[j / 2] |= (uint8_t)((s6 & 15) << (4 * (j % 2)));
            blk.scales_h |= (uint16_t)(((s6 >> 4) & 3) << (2 * j));
            for (int p = 0; p < 4; ++p) std::memcpy(blk.qs + 16 * j + 4 * p, in + 80 + 128 * j + 32 * p + 4 * r, 4);
        }
    }
}

uint64_t x8_block_bytes(TensorType t) {
    switch (t) {
        case TensorType::Q4_0: return 8 * sizeof(BlockQ4_0);
        case TensorType::IQ4_NL: return 8 * sizeof(BlockIQ4_NL);  // Q4_0's layout, the codes index a table
        case TensorType::Q4_1: return 8 * sizeof(BlockQ4_1);
        case TensorType::Q5_0: return 8 * sizeof(BlockQ5_0);
        case TensorType::Q5_1: return 8 * sizeof(BlockQ5_1);
        case TensorType::Q8_0: return 8 * sizeof(BlockQ8_0);
        case TensorType::Q4_K: return kQ4KGroupBlock;
        case TensorType::Q5_K: return kQ5KGroupBlock;
        case TensorType::Q6_K: return kQ6KGroupBlock;
        case TensorType::Q3_K: return kQ3KGroupBlock;
        case TensorType::Q2_K: return kQ2KGroupBlock;
        case TensorType::IQ4_XS: return kIQ4XSGroupBlock;
        default: return 0;
    }
}

}  // namespace

bool x8_supported(TensorType t) { return x8_block_bytes(t) != 0; }

uint64_t x8_group_bytes(TensorType t, int64_t n_in) {
    PYLLM_CHECK(x8_supported(t), NotImplemented, "no x8 layout for weight type ", gguf::type_name(t));
    const int64_t bs = gguf::type_traits(t).block_size;
    return x8_block_bytes(t) * (uint64_t)(n_in / bs);
}

void repack_x8(TensorType t, const void* src, int64_t n_in, int64_t n_out, int64_t g0, int64_t g1, void* dst) {
    const uint64_t gb = x8_group_bytes(t, n_in), xb = x8_block_bytes(t);
    const gguf::TypeTraits& tt = gguf::type_traits(t);
    const uint64_t bb = tt.type_size, rb = bb * (uint64_t)(n_in / tt.block_size);
    const int64_t nb = n_in / tt.block_size;
    for (int64_t g = g0; g < g1; ++g) {
        const int nr = (int)std::min<int64_t>(kX8Rows, n_out - g * kX8Rows);
        const uint8_t* rows[kX8Rows];
        for (int r = 0; r < nr; ++r) rows[r] = static_cast<const uint8_t*>(src) + (uint64_t)(g * kX8Rows + r) * rb;
        uint8_t* out = static_cast<uint8_t*>(dst) + (uint64_t)g * gb;
        for (int64_t b = 0; b < nb; ++b) {
            if (t == TensorType::Q4_K) x8_block_k<false>(rows, nr, b, out + b * xb);
            else if (t == TensorType::Q5_K) x8_block_k<true>(rows, nr, b, out + b * xb);
            else if (t == TensorType::Q6_K) x8_block_q6k(rows, nr, b, out + b * xb);
            else if (t == TensorType::Q3_K) x8_block_q3k(rows, nr, b, out + b * xb);
            else if (t == TensorType::Q2_K) x8_block_q2k(rows, nr, b, out + b * xb);
            else if (t == TensorType::Q8_0) x8_block_q8_0(rows, nr, b, out + b * xb);
            else if (t == TensorType::IQ4_XS) x8_block_iq4xs(rows, nr, b, out + b * xb);
            else x8_block32(t, rows, nr, b, bb, out + b * xb);
        }
    }
}

void unrepack_x8_group(TensorType t, const void* group, int64_t n_in, int nr, void* dst, uint64_t ds) {
    const uint64_t xb = x8_block_bytes(t);
    PYLLM_CHECK(xb != 0, NotImplemented, "no x8 layout for weight type ", gguf::type_name(t));
    const gguf::TypeTraits& tt = gguf::type_traits(t);
    const int64_t nb = n_in / tt.block_size;
    const auto* in = static_cast<const uint8_t*>(group);
    for (int64_t b = 0; b < nb; ++b) {
        if (t == TensorType::Q4_K) row_block_k<false>(in + b * xb, nr, b, static_cast<uint8_t*>(dst), ds);
        else if (t == TensorType::Q5_K) row_block_k<true>(in + b * xb, nr, b, static_cast<uint8_t*>(dst), ds);
        else if (t == TensorType::Q6_K) row_block_q6k(in + b * xb, nr, b, static_cast<uint8_t*>(dst), ds);
        else if (t == TensorType::Q3_K) row_block_q3k(in + b * xb, nr, b, static_cast<uint8_t*>(dst), ds);
        else if (t == TensorType::Q2_K) row_block_q2k(in + b * xb, nr, b, static_cast<uint8_t*>(dst), ds);
        else if (t == TensorType::Q8_0) row_block_q8_0(in + b * xb, nr, b, static_cast<uint8_t*>(dst), ds);
        else if (t == TensorType::IQ4_XS) row_block_iq4xs(in + b * xb, nr, b, static_cast<uint8_t*>(dst), ds);
        else row_block32(t, in + b * xb, nr, b, tt.type_size, static_cast<uint8_t*>(dst), ds);
    }
}

void unrepack_x8(TensorType t, const void* src, int64_t n_in, int64_t n_out, void* dst) {
    const uint64_t gb = x8_group_bytes(t, n_in);
    const gguf::TypeTraits& tt = gguf::type_traits(t);
    const uint64_t rb = (uint64_t)tt.type_size * (uint64_t)(n_in / tt.block_size);
    for (int64_t g = 0; g * kX8Rows < n_out; ++g)
        unrepack_x8_group(t, static_cast<const uint8_t*>(src) + (uint64_t)g * gb, n_in,
                          (int)std::min<int64_t>(kX8Rows, n_out - g * kX8Rows),
                          static_cast<uint8_t*>(dst) + (uint64_t)g * kX8Rows * rb, rb);
}

}  // namespace pyllm::quant
