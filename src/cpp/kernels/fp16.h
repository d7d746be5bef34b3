// fp16.h — exact scalar IEEE half <-> float and bfloat16 <-> float conversions.
// Every function here is `static inline` so that each translation unit (including the per-ISA
// kernel files compiled with AVX flags) gets its own private copy: no ISA-flagged copy can be
// picked by the linker for generic code.
#pragma once

#include <cstdint>
#include <cstring>

namespace pyllm {

static inline float f32_from_bits(uint32_t u) { float f; std::memcpy(&f, &u, 4); return f; }
static inline uint32_t f32_to_bits(float f) { uint32_t u; std::memcpy(&u, &f, 4); return u; }

// Half (binary16) to float: exact for normals, subnormals, zeros, infinities and NaNs.
static inline float fp16_to_fp32(uint16_t h) {
    const uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    const uint32_t exp = (h >> 10) & 0x1fu;
    const uint32_t man = h & 0x3ffu;
    if (exp == 0x1f) return f32_from_bits(sign | 0x7f800000u | (man << 13));  // inf / nan
    if (exp == 0) {
        if (man == 0) return f32_from_bits(sign);                              // ±0
        // subnormal: man × 2^-24, exactly representable in float
        float v = (float)man * 5.9604644775390625e-08f;
        return sign ? -v : v;
    }
    return f32_from_bits(sign | ((exp + 112u) << 23) | (man << 13));
}

// Float to half, round to nearest even (as F16C's _mm256_cvtps_ph with rounding mode 0).
static inline uint16_t fp32_to_fp16(float f) {
    const uint32_t x = f32_to_bits(f);
    const uint32_t sign = (x >> 16) & 0x8000u;
    uint32_t ax = x & 0x7fffffffu;
    if (ax >= 0x7f800000u) {  // inf or nan
        return (uint16_t)(sign | 0x7c00u | (ax > 0x7f800000u ? (0x200u | ((ax >> 13) & 0x3ffu)) : 0));
    }
    if (ax >= 0x477ff000u) return (uint16_t)(sign | 0x7c00u);  // rounds to >= 65520 -> inf
    if (ax < 0x38800000u) {  // below the smallest normal half (2^-14): subnormal or zero
        // value = ax as float; half subnormal unit = 2^-24. Round to nearest even.
        float v = f32_from_bits(ax) * 16777216.0f;  // scale by 2^24, exact
        uint32_t i = (uint32_t)v;
        float rem = v - (float)i;
        if (rem > 0.5f || (rem == 0.5f && (i & 1u))) ++i;
        return (uint16_t)(sign | i);
    }
    // normal: rebias exponent, round mantissa from 23 to 10 bits (nearest even)
    uint32_t r = ax - 0x38000000u;  // exponent bias 127 -> 15
    uint32_t lsb = (r >> 13) & 1u;
    r += 0xfffu + lsb;
    return (uint16_t)(sign | (r >> 13));
}

// bfloat16 is the top half of a float.
static inline float bf16_to_fp32(uint16_t h) { return f32_from_bits((uint32_t)h << 16); }

// Float to bfloat16, round to nearest even; NaNs stay NaN.
static inline uint16_t fp32_to_bf16(float f) {
    uint32_t x = f32_to_bits(f);
    if ((x & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((x >> 16) | 0x40u);
    x += 0x7fffu + ((x >> 16) & 1u);
    return (uint16_t)(x >> 16);
}

}  // namespace pyllm
