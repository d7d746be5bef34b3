// qdot_scalar.cpp — scalar reference dot products of every quantized weight type with its quantized
// activation format (the oracle of the SIMD versions and the fallback on any CPU).
//
// The arithmetic is the one every ISA implements (so they agree up to float summation order):
//   32-element types, activation Q8A {d_a, s_a = d_a * sum(q_a), q_a[32]}:
//     unsigned-code types (Q4_0, Q4_1, Q5_0, Q5_1): block = (d_w*d_a) * sum(q_w*q_a) + c_w * s_a,
//       with q_w the stored unsigned code and c_w = m (Q4_1, Q5_1) or -8*d_w (Q4_0) or -16*d_w (Q5_0);
//     signed types (Q8_0, IQ4_NL): block = (d_w*d_a) * sum(v_w*q_a), v_w the int8 value / table level.
//   256-element types, activation Q8K {d_a, q_a[256], bsums[16]}: an exact int32 sum per block,
//     block = (d_w*d_a) * isum - (dmin_w*d_a) * msum (msum from the per-16 activation sums bsums).
#include <cmath>

#include "gguf/gguf_types.h"
#include "kernels/fp16.h"
#include "kernels/kernels.h"
#include "quant/blocks.h"
#include "quant/quant_ref.h"
#include "quant/repack.h"

namespace pyllm {

namespace {

using namespace quant;

static_assert(kActBlockBytes[static_cast<int>(ActType::Q8A)] == sizeof(BlockQ8A), "Q8A size in kernels.h");
static_assert(kActBlockBytes[static_cast<int>(ActType::Q8K)] == sizeof(BlockQ8K), "Q8K size in kernels.h");
static_assert(kActBlock[static_cast<int>(ActType::Q8A)] == kQK32 && kActBlock[static_cast<int>(ActType::Q8K)] == kQKK,
              "activation block sizes in kernels.h");

inline float h2f(uint16_t h) { return fp16_to_fp32(h); }

// ---- 32-element weight types · Q8A ----------------------------------------------------------------
// The 32 unsigned codes of a 4-bit block, in element order.
inline void codes4(const uint8_t* qs, int* q) {
    for (int i = 0; i < 16; ++i) { q[i] = qs[i] & 15; q[i + 16] = qs[i] >> 4; }
}
inline void codes5(const uint8_t* qs, const uint8_t* qh8, int* q) {
    uint32_t qh = (uint32_t)qh8[0] | (uint32_t)qh8[1] << 8 | (uint32_t)qh8[2] << 16 | (uint32_t)qh8[3] << 24;
    for (int i = 0; i < 16; ++i) {
        q[i] = (qs[i] & 15) | (int)((qh >> i) & 1) << 4;
        q[i + 16] = (qs[i] >> 4) | (int)((qh >> (i + 16)) & 1) << 4;
    }
}
inline int idot32(const int* q, const int8_t* a) {
    int s = 0;
    for (int i = 0; i < 32; ++i) s += q[i] * a[i];
    return s;
}

float dot_q4_0(int64_t nb, const void* vw, const void* va) {
    const BlockQ4_0* w = static_cast<const BlockQ4_0*>(vw);
    const BlockQ8A* a = static_cast<const BlockQ8A*>(va);
    float acc = 0.0f, corr = 0.0f;
    int q[32];
    for (int64_t b = 0; b < nb; ++b) {
        const float d = h2f(w[b].d);
        codes4(w[b].qs, q);
        acc += (d * a[b].d) * (float)idot32(q, a[b].qs);
        corr += (-8.0f * d) * a[b].s;
    }
    return acc + corr;
}

float dot_q4_1(int64_t nb, const void* vw, const void* va) {
    const BlockQ4_1* w = static_cast<const BlockQ4_1*>(vw);
    const BlockQ8A* a = static_cast<const BlockQ8A*>(va);
    float acc = 0.0f, corr = 0.0f;
    int q[32];
    for (int64_t b = 0; b < nb; ++b) {
        codes4(w[b].qs, q);
        acc += (h2f(w[b].d) * a[b].d) * (float)idot32(q, a[b].qs);
        corr += h2f(w[b].m) * a[b].s;
    }
    return acc + corr;
}

float dot_q5_0(int64_t nb, const void* vw, const void* va) {
    const BlockQ5_0* w = static_cast<const BlockQ5_0*>(vw);
    const BlockQ8A* a = static_cast<const BlockQ8A*>(va);
    float acc = 0.0f, corr = 0.0f;
    int q[32];
    for (int64_t b = 0; b < nb; ++b) {
        const float d = h2f(w[b].d);
        codes5(w[b].qs, w[b].qh, q);
        acc += (d * a[b].d) * (float)idot32(q, a[b].qs);
        corr += (-16.0f * d) * a[b].s;
    }
    return acc + corr;
}

float dot_q5_1(int64_t nb, const void* vw, const void* va) {
    const BlockQ5_1* w = static_cast<const BlockQ5_1*>(vw);
    const BlockQ8A* a = static_cast<const BlockQ8A*>(va);
    float acc = 0.0f, corr = 0.0f;
    int q[32];
    for (int64_t b = 0; b < nb; ++b) {
        codes5(w[b].qs, w[b].qh, q);
        acc += (h2f(w[b].d) * a[b].d) * (float)idot32(q, a[b].qs);
        corr += h2f(w[b].m) * a[b].s;
    }
    return acc + corr;
}

float dot_q8_0(int64_t nb, const void* vw, const void* va) {
    const BlockQ8_0* w = static_cast<const BlockQ8_0*>(vw);
    const BlockQ8A* a = static_cast<const BlockQ8A*>(va);
    float acc = 0.0f;
    for (int64_t b = 0; b < nb; ++b) {
        int s = 0;
        for (int i = 0; i < 32; ++i) s += w[b].qs[i] * a[b].qs[i];
        acc += (h2f(w[b].d) * a[b].d) * (float)s;
    }
    return acc;
}

float dot_iq4_nl(int64_t nb, const void* vw, const void* va) {
    const BlockIQ4_NL* w = static_cast<const BlockIQ4_NL*>(vw);
    const BlockQ8A* a = static_cast<const BlockQ8A*>(va);
    float acc = 0.0f;
    for (int64_t b = 0; b < nb; ++b) {
        int s = 0;
        for (int i = 0; i < 16; ++i)
            s += kIQ4NLValues[w[b].qs[i] & 15] * a[b].qs[i] + kIQ4NLValues[w[b].qs[i] >> 4] * a[b].qs[i + 16];
        acc += (h2f(w[b].d) * a[b].d) * (float)s;
    }
    return acc;
}

// ---- 256-element weight types · Q8K --------------------------------------------------------------
float dot_q2_k(int64_t nb, const void* vw, const void* va) {
    const BlockQ2_K* w = static_cast<const BlockQ2_K*>(vw);
    const BlockQ8K* a = static_cast<const BlockQ8K*>(va);
    float acc = 0.0f;
    for (int64_t b = 0; b < nb; ++b) {
        int isum = 0, msum = 0;
        for (int g = 0; g < 16; ++g) {
            int s = 0;
            for (int e = 16 * g; e < 16 * g + 16; ++e) s += quant::q2k_code(w[b], e) * a[b].qs[e];
            isum += (w[b].scales[g] & 15) * s;
            msum += (w[b].scales[g] >> 4) * a[b].bsums[g];
        }
        acc += (h2f(w[b].d) * a[b].d) * (float)isum - (h2f(w[b].dmin) * a[b].d) * (float)msum;
    }
    return acc;
}

float dot_q3_k(int64_t nb, const void* vw, const void* va) {
    const BlockQ3_K* w = static_cast<const BlockQ3_K*>(vw);
    const BlockQ8K* a = static_cast<const BlockQ8K*>(va);
    float acc = 0.0f;
    for (int64_t b = 0; b < nb; ++b) {
        int isum = 0;
        for (int g = 0; g < 16; ++g) {
            int s = 0;
            for (int e = 16 * g; e < 16 * g + 16; ++e) s += quant::q3k_code(w[b], e) * a[b].qs[e];
            isum += q3k_scale(w[b].scales, g) * (s - 4 * a[b].bsums[g]);
        }
        acc += (h2f(w[b].d) * a[b].d) * (float)isum;
    }
    return acc;
}

float dot_q4_k(int64_t nb, const void* vw, const void* va) {
    const BlockQ4_K* w = static_cast<const BlockQ4_K*>(vw);
    const BlockQ8K* a = static_cast<const BlockQ8K*>(va);
    float acc = 0.0f;
    for (int64_t b = 0; b < nb; ++b) {
        int isum = 0, msum = 0;
        for (int j = 0; j < 8; ++j) {
            int sc, mn;
            k_scale_min(w[b].scales, j, &sc, &mn);
            int s = 0;
            for (int l = 0; l < 32; ++l) s += ((w[b].qs[32 * (j / 2) + l] >> (4 * (j % 2))) & 15) * a[b].qs[32 * j + l];
            isum += sc * s;
            msum += mn * (a[b].bsums[2 * j] + a[b].bsums[2 * j + 1]);
        }
        acc += (h2f(w[b].d) * a[b].d) * (float)isum - (h2f(w[b].dmin) * a[b].d) * (float)msum;
    }
    return acc;
}

float dot_q5_k(int64_t nb, const void* vw, const void* va) {
    const BlockQ5_K* w = static_cast<const BlockQ5_K*>(vw);
    const BlockQ8K* a = static_cast<const BlockQ8K*>(va);
    float acc = 0.0f;
    for (int64_t b = 0; b < nb; ++b) {
        int isum = 0, msum = 0;
        for (int j = 0; j < 8; ++j) {
            int sc, mn;
            k_scale_min(w[b].scales, j, &sc, &mn);
            int s = 0;
            for (int l = 0; l < 32; ++l) {
                const int q = ((w[b].qs[32 * (j / 2) + l] >> (4 * (j % 2))) & 15) | (((w[b].qh[l] >> j) & 1) << 4);
                s += q * a[b].qs[32 * j + l];
            }
            isum += sc * s;
            msum += mn * (a[b].bsums[2 * j] + a[b].bsums[2 * j + 1]);
        }
        acc += (h2f(w[b].d) * a[b].d) * (float)isum - (h2f(w[b].dmin) * a[b].d) * (float)msum;
    }
    return acc;
}

float dot_q6_k(int64_t nb, const void* vw, const void* va) {
    const BlockQ6_K* w = static_cast<const BlockQ6_K*>(vw);
    const BlockQ8K* a = static_cast<const BlockQ8K*>(va);
    float acc = 0.0f;
    for (int64_t b = 0; b < nb; ++b) {
        int isum = 0;
        for (int g = 0; g < 16; ++g) {
            int s = 0;
            for (int e = 16 * g; e < 16 * g + 16; ++e) s += quant::q6k_code(w[b], e) * a[b].qs[e];
            isum += w[b].scales[g] * (s - 32 * a[b].bsums[g]);
        }
        acc += (h2f(w[b].d) * a[b].d) * (float)isum;
    }
    return acc;
}

float dot_iq4_xs(int64_t nb, const void* vw, const void* va) {
    const BlockIQ4_XS* w = static_cast<const BlockIQ4_XS*>(vw);
    const BlockQ8K* a = static_cast<const BlockQ8K*>(va);
    float acc = 0.0f;
    for (int64_t b = 0; b < nb; ++b) {
        int isum = 0;
        for (int j = 0; j < 8; ++j) {
            int s = 0;
            for (int l = 0; l < 16; ++l) {
                s += kIQ4NLValues[w[b].qs[16 * j + l] & 15] * a[b].qs[32 * j + l];
                s += kIQ4NLValues[w[b].qs[16 * j + l] >> 4] * a[b].qs[32 * j + 16 + l];
            }
            isum += iq4xs_scale(w[b], j) * s;
        }
        acc += (h2f(w[b].d) * a[b].d) * (float)isum;
    }
    return acc;
}

// ---- x8 layout (quant/repack.h): the reference of the SIMD matvec_x8 kernels ----------------------
// Per row r of a group and block b, in this order (the SIMD kernels do the same per lane):
//   32-element types: f = float(isum);  acc = fma(d_w*d_a, f, acc);  acc2 = fma(c_w, k*s_a, acc2)
//     with (c_w, k) = (m, 1) for Q4_1 and Q5_1, (d_w, -8) for Q4_0, (d_w, -16) for Q5_0, and no acc2 term
//     for Q8_0 and IQ4_NL (signed values);  y = acc + acc2.
//   Q4_K / Q5_K: isum = sum_j sc_j * isum_j, msum = sum_j mn_j * bsum_j (exact int32);
//     acc = fma(d*d_a, float(isum), acc);  acc2 = fma(dmin*d_a, float(msum), acc2);  y = acc - acc2.
//   Q6_K / Q3_K / Q2_K: as below (Q2_K with a second accumulator for the mins).
//   IQ4_XS: isum = sum_j sc_j * isum_j (exact int32);  acc = fma(d*d_a, float(isum), acc).
// The loops every x8 reference shares: each row r of each 8-row group, its blocks in order (kBytes
// x8 bytes each), two float accumulators per row; block(p, b, r, acc, acc2) adds block b.
template <int kBytes, bool kSub, class Block>
void x8_rows_ref(int64_t nb, const void* vw, int64_t nr, float* y, const Block& block) {
    const auto* w = static_cast<const uint8_t*>(vw);
    for (int64_t g = 0; g * 8 < nr; ++g) {
        for (int r = 0; r < 8 && g * 8 + r < nr; ++r) {
            float acc = 0.0f, acc2 = 0.0f;
            for (int64_t b = 0; b < nb; ++b) block(w + (g * nb + b) * kBytes, b, r, acc, acc2);
            y[g * 8 + r] = kSub ? acc - acc2 : acc + acc2;
        }
    }
}
inline float x8_h2f(const uint8_t* p, int r) {  // the f16 field of row r in an [8] f16 array
    uint16_t h;
    __builtin_memcpy(&h, p + 2 * r, 2);
    return h2f(h);
}

void matvec_x8_q8_0(int64_t n, const void* vw, int64_t nr, const void* va, const void*, float* y) {
    const auto* a = static_cast<const BlockQ8A*>(va);
    x8_rows_ref<8 * sizeof(BlockQ8_0), false>(n / kQK32, vw, nr, y, [a](const uint8_t* p, int64_t b, int r, float& acc, float&) {
        int isum = 0;
        for (int e = 0; e < 32; ++e) isum += (int)(int8_t)p[16 + 32 * (e / 4) + 4 * r + e % 4] * a[b].qs[e];
        acc = std::fma(x8_h2f(p, r) * a[b].d, (float)isum, acc);
    });
}

void matvec_x8_iq4_nl(int64_t n, const void* vw, int64_t nr, const void* va, const void*, float* y) {
    const auto* a = static_cast<const BlockQ8A*>(va);
    x8_rows_ref<8 * sizeof(BlockIQ4_NL), false>(n / kQK32, vw, nr, y, [a](const uint8_t* p, int64_t b, int r, float& acc, float&) {
        int isum = 0;
        for (int e = 0; e < 32; ++e) isum += kIQ4NLValues[quant::x8_code(p + 16, nullptr, r, e)] * a[b].qs[e];
        acc = std::fma(x8_h2f(p, r) * a[b].d, (float)isum, acc);
    });
}

void matvec_x8_iq4_xs(int64_t n, const void* vw, int64_t nr, const void* va, const void*, float* y) {
    const auto* a = static_cast<const BlockQ8K*>(va);
    x8_rows_ref<1104, false>(n / kQKK, vw, nr, y, [a](const uint8_t* p, int64_t b, int r, float& acc, float&) {
        int isum = 0;
        for (int j = 0; j < 8; ++j) {
            int s = 0;
            for (int e = 0; e < 32; ++e) s += kIQ4NLValues[quant::x8_code(p + 80 + 128 * j, nullptr, r, e)] * a[b].qs[32 * j + e];
            isum += (int)(int8_t)p[16 + 8 * j + r] * s;
        }
        acc = std::fma(x8_h2f(p, r) * a[b].d, (float)isum, acc);
    });
}

template <gguf::TensorType T>
void matvec_x8_32(int64_t n, const void* vw, int64_t nr, const void* va, const void*, float* y) {
    constexpr bool kMin = T == gguf::TensorType::Q4_1 || T == gguf::TensorType::Q5_1;
    constexpr bool kFifth = T == gguf::TensorType::Q5_0 || T == gguf::TensorType::Q5_1;
    constexpr int kBytes = 144 + (kMin ? 16 : 0) + (kFifth ? 32 : 0);
    constexpr float kK = kMin ? 1.0f : kFifth ? -16.0f : -8.0f;
    const auto* a = static_cast<const BlockQ8A*>(va);
    x8_rows_ref<kBytes, false>(n / kQK32, vw, nr, y, [a](const uint8_t* p, int64_t b, int r, float& acc, float& acc2) {
        const uint8_t* qh = kFifth ? p + (kMin ? 32 : 16) : nullptr;
        const uint8_t* qs = p + kBytes - 128;
        int isum = 0;
        for (int e = 0; e < 32; ++e) isum += quant::x8_code(qs, qh, r, e) * a[b].qs[e];
        acc = std::fma(x8_h2f(p, r) * a[b].d, (float)isum, acc);
        acc2 = std::fma(x8_h2f(p + (kMin ? 16 : 0), r), kK * a[b].s, acc2);
    });
}

template <bool kFifth>  // Q4_K (false) / Q5_K (true)
void matvec_x8_k(int64_t n, const void* vw, int64_t nr, const void* va, const void*, float* y) {
    constexpr int kBytes = kFifth ? 1440 : 1184, kQs = kFifth ? 416 : 160;
    const auto* a = static_cast<const BlockQ8K*>(va);
    x8_rows_ref<kBytes, true>(n / kQKK, vw, nr, y, [a](const uint8_t* p, int64_t b, int r, float& acc, float& acc2) {
        int isum = 0, msum = 0;
        for (int j = 0; j < 8; ++j) {
            int s = 0;
            for (int e = 0; e < 32; ++e)
                s += quant::x8_code(p + kQs + 128 * j, kFifth ? p + 160 + 32 * j : nullptr, r, e) * a[b].qs[32 * j + e];
            isum += p[32 + 8 * j + r] * s;
            msum += p[96 + 16 * (j / 2) + 2 * r + (j & 1)] * (a[b].bsums[2 * j] + a[b].bsums[2 * j + 1]);
        }
        acc = std::fma(x8_h2f(p, r) * a[b].d, (float)isum, acc);
        acc2 = std::fma(x8_h2f(p + 16, r) * a[b].d, (float)msum, acc2);
    });
}

// Q6_K / Q3_K (kBits 6 / 3, offset 32 / 4): isum = sum_g sc_g * isum_g (16-element groups),
//   msum = sum_g sc_g * bsum_g (exact int32);  acc = fma(d*d_a, float(isum - offset * msum), acc).
template <int kBits>
void matvec_x8_s16(int64_t n, const void* vw, int64_t nr, const void* va, const void*, float* y) {
    constexpr int kSub = 32 * kBits, kBytes = 144 + 8 * kSub, kOffset = 1 << (kBits - 1);
    const auto* a = static_cast<const BlockQ8K*>(va);
    x8_rows_ref<kBytes, false>(n / kQKK, vw, nr, y, [a](const uint8_t* p, int64_t b, int r, float& acc, float&) {
        int isum = 0, msum = 0;
        for (int g = 0; g < 16; ++g) {
            const int sc = (int8_t)p[16 + quant::x8_scale_at(g, r)];
            const uint8_t* v = p + 144 + kSub * (g / 2);
            int s = 0;
            for (int e = 16 * (g % 2); e < 16 * (g % 2) + 16; ++e)
                s += (kBits == 6 ? quant::x8_code6(v, r, e) : quant::x8_code3(v, r, e)) * a[b].qs[16 * g + e % 16];
            isum += sc * s;
            msum += sc * a[b].bsums[g];
        }
        acc = std::fma(x8_h2f(p, r) * a[b].d, (float)(isum - kOffset * msum), acc);
    });
}

// Q2_K: isum = sum_g sc_g * isum_g, msum = sum_g mn_g * bsum_g (exact int32);
//   acc = fma(d*d_a, float(isum), acc);  acc2 = fma(dmin*d_a, float(msum), acc2);  y = acc - acc2.
void matvec_x8_q2k(int64_t n, const void* vw, int64_t nr, const void* va, const void*, float* y) {
    const auto* a = static_cast<const BlockQ8K*>(va);
    x8_rows_ref<672, true>(n / kQKK, vw, nr, y, [a](const uint8_t* p, int64_t b, int r, float& acc, float& acc2) {
        int isum = 0, msum = 0;
        for (int g = 0; g < 16; ++g) {
            const int sm = p[32 + quant::x8_scale_at(g, r)];
            int s = 0;
            for (int e = 16 * (g % 2); e < 16 * (g % 2) + 16; ++e)
                s += quant::x8_code2(p + 160 + 64 * (g / 2), r, e) * a[b].qs[16 * g + e % 16];
            isum += (sm & 15) * s;
            msum += (sm >> 4) * a[b].bsums[g];
        }
        acc = std::fma(x8_h2f(p, r) * a[b].d, (float)isum, acc);
        acc2 = std::fma(x8_h2f(p + 16, r) * a[b].d, (float)msum, acc2);
    });
}

// ---- tiles: the scalar "tile" is just nr x nc independent dot products -------------------------------
template <float (*Dot)(int64_t, const void*, const void*), int QK>
void gemm(int64_t n, const void* w, size_t ws, int nr, const void* a, size_t as, int nc, float* y, size_t ys) {
    const int64_t nb = n / QK;
    for (int t = 0; t < nc; ++t)
        for (int r = 0; r < nr; ++r)
            y[t * ys + r] = Dot(nb, static_cast<const uint8_t*>(w) + r * ws, static_cast<const uint8_t*>(a) + t * as);
}

constexpr TypeKernels kNone = {ActType::F32, nullptr, nullptr};
constexpr TypeKernels k32(GemmTileFn f, MatvecX8Fn x8 = nullptr) {
    return {ActType::Q8A, f, nullptr, nullptr, nullptr, 0, x8};
}
constexpr TypeKernels kK(GemmTileFn f) { return {ActType::Q8K, f, nullptr}; }

}  // namespace

// Indexed by TensorType id (gguf_types.h): 0 F32, 1 F16, 2 Q4_0, 3 Q4_1, 6 Q5_0, 7 Q5_1, 8 Q8_0,
// 10 Q2_K, 11 Q3_K, 12 Q4_K, 13 Q5_K, 14 Q6_K, 20 IQ4_NL, 23 IQ4_XS, 30 BF16.
extern const QuantKernels kQuantKernelsScalar = {
    {nullptr, quant::quantize_row_q8a_ref, quant::quantize_row_q8k_ref},
    {
        kNone, kNone, k32(gemm<dot_q4_0, 32>, matvec_x8_32<gguf::TensorType::Q4_0>),
        k32(gemm<dot_q4_1, 32>, matvec_x8_32<gguf::TensorType::Q4_1>), kNone, kNone,       // 0-5
        k32(gemm<dot_q5_0, 32>, matvec_x8_32<gguf::TensorType::Q5_0>), k32(gemm<dot_q5_1, 32>, matvec_x8_32<gguf::TensorType::Q5_1>), k32(gemm<dot_q8_0, 32>, matvec_x8_q8_0), kNone,    // 6-9
        {ActType::Q8K, gemm<dot_q2_k, 256>, nullptr, nullptr, nullptr, 0, matvec_x8_q2k}, {ActType::Q8K, gemm<dot_q3_k, 256>, nullptr, nullptr, nullptr, 0, matvec_x8_s16<3>}, {ActType::Q8K, gemm<dot_q4_k, 256>, nullptr, nullptr, nullptr, 0, matvec_x8_k<false>},          // 10-12
        {ActType::Q8K, gemm<dot_q5_k, 256>, nullptr, nullptr, nullptr, 0, matvec_x8_k<true>}, {ActType::Q8K, gemm<dot_q6_k, 256>, nullptr, nullptr, nullptr, 0, matvec_x8_s16<6>}, kNone, kNone, kNone, kNone, kNone,  // 13-19
        k32(gemm<dot_iq4_nl, 32>, matvec_x8_iq4_nl), kNone, kNone, {ActType::Q8K, gemm<dot_iq4_xs, 256>, nullptr, nullptr, nullptr, 0, matvec_x8_iq4_xs}, kNone, kNone,    // 20-25
        kNone, kNone, kNone, kNone, kNone, kNone, kNone, kNone, kNone, kNone, kNone, kNone,  // 26-37
        kNone, kNone,                                                                       // 38-39
    },
};

}  // namespace pyllm
