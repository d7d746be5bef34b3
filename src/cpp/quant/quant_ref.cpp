// quant_ref.cpp — scalar reference dequantizers and activation quantizers (see quant_ref.h).
// The float operations follow the gguf package's numpy code step by step (each product rounded to
// float32 before the next operation), which is what makes the results bit-exact.
#include "quant/quant_ref.h"

#include <cmath>
#include <cstring>

#include "common/error.h"
#include "kernels/fp16.h"
#include "quant/blocks.h"

namespace pyllm::quant {

namespace {

using gguf::TensorType;

inline float h2f(uint16_t h) { return fp16_to_fp32(h); }

// One block each: y: [block_size] float32.
void deq_q4_0(const BlockQ4_0& b, float* y) {
    const float d = h2f(b.d);
    for (int i = 0; i < 16; ++i) {
        y[i] = d * (float)((b.qs[i] & 15) - 8);
        y[i + 16] = d * (float)((b.qs[i] >> 4) - 8);
    }
}

void deq_q4_1(const BlockQ4_1& b, float* y) {
    const float d = h2f(b.d), m = h2f(b.m);
    for (int i = 0; i < 16; ++i) {
        y[i] = d * (float)(b.qs[i] & 15) + m;
        y[i + 16] = d * (float)(b.qs[i] >> 4) + m;
    }
}

inline uint32_t load_u32(const uint8_t* p) { uint32_t v; std::memcpy(&v, p, 4); return v; }

void deq_q5_0(const BlockQ5_0& b, float* y) {
    const float d = h2f(b.d);
    const uint32_t qh = load_u32(b.qh);
    for (int i = 0; i < 16; ++i) {
        int lo = (b.qs[i] & 15) | (int)((qh >> i) & 1) << 4;
        int hi = (b.qs[i] >> 4) | (int)((qh >> (i + 16)) & 1) << 4;
        y[i] = d * (float)(lo - 16);
        y[i + 16] = d * (float)(hi - 16);
    }
}

void deq_q5_1(const BlockQ5_1& b, float* y) {
    const float d = h2f(b.d), m = h2f(b.m);
    const uint32_t qh = load_u32(b.qh);
    for (int i = 0; i < 16; ++i) {
        int lo = (b.qs[i] & 15) | (int)((qh >> i) & 1) << 4;
        int hi = (b.qs[i] >> 4) | (int)((qh >> (i + 16)) & 1) << 4;
        y[i] = d * (float)lo + m;
        y[i + 16] = d * (float)hi + m;
    }
}

void deq_q8_0(const BlockQ8_0& b, float* y) {
    const float d = h2f(b.d);
    for (int i = 0; i < 32; ++i) y[i] = (float)b.qs[i] * d;
}

void deq_iq4_nl(const BlockIQ4_NL& b, float* y) {
    const float d = h2f(b.d);
    for (int i = 0; i < 16; ++i) {
        y[i] = d * (float)kIQ4NLValues[b.qs[i] & 15];
        y[i + 16] = d * (float)kIQ4NLValues[b.qs[i] >> 4];
    }
}

void deq_q2_k(const BlockQ2_K& b, float* y) {
    const float d = h2f(b.d), dmin = h2f(b.dmin);
    for (int e = 0; e < 256; ++e) {
        const int g = e / 16;
        const float dl = d * (float)(b.scales[g] & 15);
        const float ml = dmin * (float)(b.scales[g] >> 4);
        y[e] = dl * (float)q2k_code(b, e) - ml;
    }
}

void deq_q3_k(const BlockQ3_K& b, float* y) {
    const float d = h2f(b.d);
    for (int e = 0; e < 256; ++e) {
        const float dl = d * (float)q3k_scale(b.scales, e / 16);
        y[e] = dl * (float)(q3k_code(b, e) - 4);
    }
}

void deq_q4_k(const BlockQ4_K& b, float* y) {
    const float d = h2f(b.d), dmin = h2f(b.dmin);
    for (int j = 0; j < 8; ++j) {
        int sc, mn;
        k_scale_min(b.scales, j, &sc, &mn);
        const float d1 = d * (float)sc, m1 = dmin * (float)mn;
        const int c = j / 2, s = j % 2;
        for (int l = 0; l < 32; ++l) y[32 * j + l] = d1 * (float)((b.qs[32 * c + l] >> (4 * s)) & 15) - m1;
    }
}

void deq_q5_k(const BlockQ5_K& b, float* y) {
    const float d = h2f(b.d), dmin = h2f(b.dmin);
    for (int j = 0; j < 8; ++j) {
        int sc, mn;
        k_scale_min(b.scales, j, &sc, &mn);
        const float d1 = d * (float)sc, m1 = dmin * (float)mn;
        const int c = j / 2, s = j % 2;
        for (int l = 0; l < 32; ++l) {
            const int q = ((b.qs[32 * c + l] >> (4 * s)) & 15) | (((b.qh[l] >> j) & 1) << 4);
            y[32 * j + l] = d1 * (float)q - m1;
        }
    }
}

void deq_q6_k(const BlockQ6_K& b, float* y) {
    const float d = h2f(b.d);
    for (int e = 0; e < 256; ++e) {
        const float dl = d * (float)b.scales[e / 16];
        y[e] = dl * (float)(q6k_code(b, e) - 32);
    }
}

void deq_iq4_xs(const BlockIQ4_XS& b, float* y) {
    const float d = h2f(b.d);
    for (int j = 0; j < 8; ++j) {
        const float dl = d * (float)iq4xs_scale(b, j);
        for (int l = 0; l < 16; ++l) {
            y[32 * j + l] = dl * (float)kIQ4NLValues[b.qs[16 * j + l] & 15];
            y[32 * j + 16 + l] = dl * (float)kIQ4NLValues[b.qs[16 * j + l] >> 4];
        }
    }
}

template <class B, void (*F)(const B&, float*)>
void each_block(const void* src, float* dst, int64_t nb, int bs) {
    const B* b = static_cast<const B*>(src);
    for (int64_t i = 0; i < nb; ++i) F(b[i], dst + i * bs);
}

// Round to nearest, ties to even, for |v| < 2^22 (the default FP rounding mode; no libm call).
inline float round_even(float v) { return (v + 12582912.0f) - 12582912.0f; }

}  // namespace

bool has_block_dequantizer(TensorType type) {
    switch (type) {
        case TensorType::Q4_0: case TensorType::Q4_1: case TensorType::Q5_0: case TensorType::Q5_1:
        case TensorType::Q8_0: case TensorType::IQ4_NL: case TensorType::Q2_K: case TensorType::Q3_K:
        case TensorType::Q4_K: case TensorType::Q5_K: case TensorType::Q6_K: case TensorType::IQ4_XS:
            return true;
        default:
            return false;
    }
}

void dequantize_blocks_ref(TensorType type, const void* src, float* dst, int64_t nb) {
    switch (type) {
        case TensorType::Q4_0: return each_block<BlockQ4_0, deq_q4_0>(src, dst, nb, 32);
        case TensorType::Q4_1: return each_block<BlockQ4_1, deq_q4_1>(src, dst, nb, 32);
        case TensorType::Q5_0: return each_block<BlockQ5_0, deq_q5_0>(src, dst, nb, 32);
        case TensorType::Q5_1: return each_block<BlockQ5_1, deq_q5_1>(src, dst, nb, 32);
        case TensorType::Q8_0: return each_block<BlockQ8_0, deq_q8_0>(src, dst, nb, 32);
        case TensorType::IQ4_NL: return each_block<BlockIQ4_NL, deq_iq4_nl>(src, dst, nb, 32);
        case TensorType::Q2_K: return each_block<BlockQ2_K, deq_q2_k>(src, dst, nb, 256);
        case TensorType::Q3_K: return each_block<BlockQ3_K, deq_q3_k>(src, dst, nb, 256);
        case TensorType::Q4_K: return each_block<BlockQ4_K, deq_q4_k>(src, dst, nb, 256);
        case TensorType::Q5_K: return each_block<BlockQ5_K, deq_q5_k>(src, dst, nb, 256);
        case TensorType::Q6_K: return each_block<BlockQ6_K, deq_q6_k>(src, dst, nb, 256);
        case TensorType::IQ4_XS: return each_block<BlockIQ4_XS, deq_iq4_xs>(src, dst, nb, 256);
        default: break;
    }
    throw NotImplemented(str("no block dequantizer for tensor type ", gguf::type_name(type) ? gguf::type_name(type) : "?"));
}

namespace {
// The scale of every 8-bit quantizer here: d = max|x| / 127 over n values, *id = 1/d (0 when d == 0).
float q8_scale(const float* x, int n, float* id) {
    float amax = 0.0f;
    for (int i = 0; i < n; ++i) amax = std::fmax(amax, std::fabs(x[i]));
    const float d = amax / 127.0f;
    *id = d != 0.0f ? 1.0f / d : 0.0f;
    return d;
}
}  // namespace

void quantize_row_q8a_ref(const float* x, void* dst, int64_t n) {
    BlockQ8A* out = static_cast<BlockQ8A*>(dst);
    for (int64_t b = 0; b < n / kQK32; ++b, x += kQK32) {
        float id;
        const float d = q8_scale(x, kQK32, &id);
        int sum = 0;
        for (int i = 0; i < kQK32; ++i) {
            const int q = (int)round_even(x[i] * id);
            out[b].qs[i] = (int8_t)q;
            sum += q;
        }
        out[b].d = d;
        out[b].s = d * (float)sum;
    }
}

void quantize_row_q8_0_ref(const float* x, void* dst, int64_t n) {
    BlockQ8_0* out = static_cast<BlockQ8_0*>(dst);
    for (int64_t b = 0; b < n / kQK32; ++b, x += kQK32) {
        float id;
        const float d = q8_scale(x, kQK32, &id);
        for (int i = 0; i < kQK32; ++i) out[b].qs[i] = (int8_t)std::round(x[i] * id);
        out[b].d = fp32_to_fp16(d);
    }
}

void quantize_row_q8k_ref(const float* x, void* dst, int64_t n) {
    BlockQ8K* out = static_cast<BlockQ8K*>(dst);
    for (int64_t b = 0; b < n / kQKK; ++b, x += kQKK) {
        float id;
        const float d = q8_scale(x, kQKK, &id);
        for (int g = 0; g < kQKK / 16; ++g) {
            int sum = 0;
            for (int i = 16 * g; i < 16 * g + 16; ++i) {
                const int q = (int)round_even(x[i] * id);
                out[b].qs[i] = (int8_t)q;
                sum += q;
            }
            out[b].bsums[g] = (int16_t)sum;
        }
        out[b].d = d;
    }
}

}  // namespace pyllm::quant
