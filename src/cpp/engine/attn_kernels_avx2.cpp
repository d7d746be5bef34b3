// attn_kernels_avx2.cpp — AVX2 + FMA + F16C attention loops (reference: attn_kernels_scalar.cpp).
// Per-ISA file rules (kernels/kernels.h): everything in an anonymous namespace except the getter;
// only static-inline headers included.
#include <immintrin.h>
#include <math.h>  // tanhf: a C function (no std:: inline or template copies in this file)

#include "engine/attn_kernels.h"
#include "kernels/fp16.h"
#include "kernels/simd_exp_avx2.h"

namespace pyllm::engine {

namespace {

inline float hsum(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

inline __m256 load_f16(const uint16_t* p) { return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p))); }

// The cache rows the decode loops read, as 8-float vectors. A row's dims come in blocks of 32:
// block(row, d) (d a multiple of 32, or any multiple of 8 for f16) prepares them, load(b, i) gives
// dims d+8i .. d+8i+7; load8 / at serve the dims past the last multiple of 32 (f16 only).
struct F16Rows {  // f16 bits, stride in elements
    using T = uint16_t;
    struct Blk { const uint16_t* p; };
    static Blk block(const uint16_t* r, int64_t d) { return {r + d}; }
    static __m256 load(const Blk& b, int i) { return load_f16(b.p + 8 * i); }
    static __m256 load8(const uint16_t* r, int64_t d) { return load_f16(r + d); }
    static float at(const uint16_t* r, int64_t d) { return fp16_to_fp32(r[d]); }
    static size_t row_bytes(int64_t hd) { return (size_t)hd * 2; }
};
struct Q8Rows {  // GGUF Q8_0 blocks (f16 d, 32 int8 codes), stride in bytes; value d * code (exact in f32)
    using T = uint8_t;
    struct Blk { const uint8_t* p; __m256 d; };
    static Blk block(const uint8_t* r, int64_t d) {
        const uint8_t* b = r + (d >> 5) * 34;
        uint16_t h;
        __builtin_memcpy(&h, b, 2);
        return {b + 2, _mm256_set1_ps(_cvtsh_ss(h))};
    }
    static __m256 load(const Blk& b, int i) {
        const __m128i c = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(b.p + 8 * i));
        return _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(c)), b.d);
    }
    static __m256 load8(const uint8_t* r, int64_t d) { return load(block(r, d & ~int64_t(31)), (int)((d & 31) >> 3)); }
    static float at(const uint8_t* r, int64_t d) {
        const uint8_t* b = r + (d >> 5) * 34;
        uint16_t h;
        __builtin_memcpy(&h, b, 2);
        return _cvtsh_ss(h) * (float)(int8_t)b[2 + (d & 31)];
    }
    static size_t row_bytes(int64_t hd) { return (size_t)(hd / 32) * 34; }
};

// Keys in blocks of KB, heads in groups of NH: one accumulator per (key, head) over the dims that are
// a multiple of 8 (lane l holds the dims = l mod 8, in order), each K chunk converted once for all NH
// heads. The KB x NH sums are then reduced by hadd trees that give every (key, head) the same order,
// ((l0+l1)+(l2+l3)) + ((l4+l5)+(l6+l7)), whatever KB and NH are, followed by the dims past the last
// multiple of 8 in order: a score does not depend on the blocking. Against one horizontal sum per key
// and head this saves ~3/4 of the reduction work (hd 64: ~30 % of the uops).
inline __m128 hsum4(__m256 a, __m256 b, __m256 c, __m256 d) {  // [Σa, Σb, Σc, Σd]
    const __m256 t = _mm256_hadd_ps(_mm256_hadd_ps(a, b), _mm256_hadd_ps(c, d));
    return _mm_add_ps(_mm256_castps256_ps128(t), _mm256_extractf128_ps(t, 1));
}
template <class L, int NH, int KB>
inline void scores_block(const float* q, const typename L::T* k, size_t stride, int64_t hd, float* s, size_t ss) {
    const int64_t hd32 = hd & ~int64_t(31), hd8 = hd & ~int64_t(7);
    __m256 acc[KB][NH];
    for (int b = 0; b < KB; ++b)
        for (int h = 0; h < NH; ++h) acc[b][h] = _mm256_setzero_ps();
    for (int64_t d = 0; d < hd32; d += 32) {
        for (int b = 0; b < KB; ++b) {
            const typename L::Blk blk = L::block(k + (size_t)b * stride, d);
            for (int i = 0; i < 4; ++i) {
                const __m256 kv = L::load(blk, i);
                for (int h = 0; h < NH; ++h)
                    acc[b][h] = _mm256_fmadd_ps(_mm256_loadu_ps(q + h * hd + d + 8 * i), kv, acc[b][h]);
            }
        }
    }
    for (int64_t d = hd32; d < hd8; d += 8) {
        for (int b = 0; b < KB; ++b) {
            const __m256 kv = L::load8(k + (size_t)b * stride, d);
            for (int h = 0; h < NH; ++h) acc[b][h] = _mm256_fmadd_ps(_mm256_loadu_ps(q + h * hd + d), kv, acc[b][h]);
        }
    }
    for (int h = 0; h < NH; ++h) {
        alignas(16) float r[4 * ((KB + 3) / 4)];
        for (int b0 = 0; b0 < KB; b0 += 4) {
            // blocks of 1 or 2 keys repeat their accumulators: the same tree, unused lanes ignored
            const __m256 x0 = acc[b0][h], x1 = acc[b0 + 1 < KB ? b0 + 1 : b0][h];
            const __m256 x2 = acc[b0 + 2 < KB ? b0 + 2 : b0][h], x3 = acc[b0 + 3 < KB ? b0 + 3 : b0][h];
            _mm_store_ps(r + b0, hsum4(x0, x1, x2, x3));
        }
        for (int b = 0; b < KB; ++b) {
            float v = r[b];
            const typename L::T* kb = k + (size_t)b * stride;
            for (int64_t e = hd8; e < hd; ++e) v += q[h * hd + e] * L::at(kb, e);
            s[h * ss + b] = v;
        }
    }
}
// Software prefetch kPfRows rows ahead (~300 cycles of work at hd 64), every cache line of them; the
// scores pass also pulls in the V rows the mix reads next. Measured (SmolLM2 / Gemma 3 decode at 2048
// positions, rows already contiguous per head): 3-5 % faster than the hardware prefetcher alone.
constexpr int64_t kPfRows = 32;
template <class L>
inline void prefetch_rows(const typename L::T* p, size_t stride, int64_t rows, int64_t hd) {
    const size_t rb = L::row_bytes(hd);
    for (int64_t r = 0; r < rows; ++r) {
        const char* row = reinterpret_cast<const char*>(p + (size_t)r * stride);
        for (size_t e = 0; e < rb; e += 64) _mm_prefetch(row + e, _MM_HINT_T0);
    }
}
template <class L, int NH, int KB>
void scores_heads(const float* q, const typename L::T* k, size_t stride, int64_t n, int64_t hd, float* s, size_t ss,
                  const typename L::T* pf) {
    int64_t j = 0;
    for (; j + KB <= n; j += KB) {
        if (j + kPfRows + KB <= n) prefetch_rows<L>(k + (size_t)(j + kPfRows) * stride, stride, KB, hd);
        if (pf) prefetch_rows<L>(pf + (size_t)j * stride, stride, KB, hd);
        scores_block<L, NH, KB>(q, k + (size_t)j * stride, stride, hd, s + j, ss);
    }
    for (; j < n; ++j) scores_block<L, NH, 1>(q, k + (size_t)j * stride, stride, hd, s + j, ss);
}
template <class L>
void scores_rows_of(const float* q, int nh, const typename L::T* k, size_t stride, int64_t n, int64_t hd, float* s,
                    size_t ss, const typename L::T* pf) {
    // KB x NH accumulators + the q and k vectors within the 16 registers
    switch (nh) {
        case 1: return scores_heads<L, 1, 8>(q, k, stride, n, hd, s, ss, pf);
        case 2: return scores_heads<L, 2, 4>(q, k, stride, n, hd, s, ss, pf);
        case 3: return scores_heads<L, 3, 4>(q, k, stride, n, hd, s, ss, pf);
        default: return scores_heads<L, 4, 2>(q, k, stride, n, hd, s, ss, pf);
    }
}
void scores_f16(const float* q, int nh, const uint16_t* k, size_t stride, int64_t n, int64_t hd, float* s, size_t ss,
                const uint16_t* pf) {
    scores_rows_of<F16Rows>(q, nh, k, stride, n, hd, s, ss, pf);
}
void scores_q8(const float* q, int nh, const uint8_t* k, size_t row_bytes, int64_t n, int64_t hd, float* s, size_t ss,
               const uint8_t* pf) {
    scores_rows_of<Q8Rows>(q, nh, k, row_bytes, n, hd, s, ss, pf);
}

// o[d] += Σ_j w[j]·v_j[d] for d0 <= d < hd: 8 dims at a time, then one by one.
template <class L>
void mix_tail(const float* w, const typename L::T* v, size_t stride, int64_t n, int64_t hd, int64_t d0, float* o) {
    const int64_t hd8 = hd & ~int64_t(7);
    for (int64_t d = d0; d < hd8; d += 8) {
        __m256 acc = _mm256_loadu_ps(o + d);
        for (int64_t j = 0; j < n; ++j) acc = _mm256_fmadd_ps(_mm256_set1_ps(w[j]), L::load8(v + (size_t)j * stride, d), acc);
        _mm256_storeu_ps(o + d, acc);
    }
    for (int64_t d = hd8 > d0 ? hd8 : d0; d < hd; ++d) {
        float acc = o[d];
        for (int64_t j = 0; j < n; ++j) acc += w[j] * L::at(v + (size_t)j * stride, d);
        o[d] = acc;
    }
}

// One head: 64 output dims at a time (8 accumulators), so each value row's 128 bytes are read once
// per block rather than 16 bytes per pass in 8 passes.
template <class L>
void mix_one(const float* w, const typename L::T* v, size_t stride, int64_t n, int64_t hd, float* o) {
    int64_t d0 = 0;
    for (; d0 + 64 <= hd; d0 += 64) {
        __m256 acc[8];
        for (int u = 0; u < 8; ++u) acc[u] = _mm256_loadu_ps(o + d0 + 8 * u);
        for (int64_t j = 0; j < n; ++j) {
            const __m256 wj = _mm256_set1_ps(w[j]);
            const typename L::T* vj = v + (size_t)j * stride;
            const typename L::Blk b0 = L::block(vj, d0), b1 = L::block(vj, d0 + 32);
            for (int u = 0; u < 4; ++u) acc[u] = _mm256_fmadd_ps(wj, L::load(b0, u), acc[u]);
            for (int u = 0; u < 4; ++u) acc[4 + u] = _mm256_fmadd_ps(wj, L::load(b1, u), acc[4 + u]);
        }
        for (int u = 0; u < 8; ++u) _mm256_storeu_ps(o + d0 + 8 * u, acc[u]);
    }
    mix_tail<L>(w, v, stride, n, hd, d0, o);
}

// NH >= 2 heads: 16 dims x NH heads of accumulators, each value chunk converted once for all heads.
// Every o_h[d] is the same chain of FMAs over j as in mix_one, so results do not depend on NH.
template <class L, int NH>
void mix_heads(const float* w, size_t ws, const typename L::T* v, size_t stride, int64_t n, int64_t hd, float* o) {
    int64_t d0 = 0;
    for (; d0 + 16 <= hd; d0 += 16) {
        __m256 a0[NH], a1[NH];
        for (int h = 0; h < NH; ++h) {
            a0[h] = _mm256_loadu_ps(o + h * hd + d0);
            a1[h] = _mm256_loadu_ps(o + h * hd + d0 + 8);
        }
        const int64_t db = d0 & ~int64_t(31);
        const int i0 = (int)((d0 - db) >> 3);
        for (int64_t j = 0; j < n; ++j) {
            const typename L::Blk b = L::block(v + (size_t)j * stride, db);
            const __m256 v0 = L::load(b, i0), v1 = L::load(b, i0 + 1);
            for (int h = 0; h < NH; ++h) {
                const __m256 wj = _mm256_set1_ps(w[h * ws + j]);
                a0[h] = _mm256_fmadd_ps(wj, v0, a0[h]);
                a1[h] = _mm256_fmadd_ps(wj, v1, a1[h]);
            }
        }
        for (int h = 0; h < NH; ++h) {
            _mm256_storeu_ps(o + h * hd + d0, a0[h]);
            _mm256_storeu_ps(o + h * hd + d0 + 8, a1[h]);
        }
    }
    if (d0 < hd)  // the last hd % 16 dims, head by head (8-wide then scalar, as in mix_one)
        for (int h = 0; h < NH; ++h) mix_tail<L>(w + h * ws, v, stride, n, hd, d0, o + h * hd);
}
template <class L>
void mix_rows_of(const float* w, size_t ws, int nh, const typename L::T* v, size_t stride, int64_t n, int64_t hd,
                 float* o) {
    switch (nh) {
        case 1: return mix_one<L>(w, v, stride, n, hd, o);
        case 2: return mix_heads<L, 2>(w, ws, v, stride, n, hd, o);
        case 3: return mix_heads<L, 3>(w, ws, v, stride, n, hd, o);
        default: return mix_heads<L, 4>(w, ws, v, stride, n, hd, o);
    }
}
void mix_f16(const float* w, size_t ws, int nh, const uint16_t* v, size_t stride, int64_t n, int64_t hd, float* o) {
    mix_rows_of<F16Rows>(w, ws, nh, v, stride, n, hd, o);
}
void mix_q8(const float* w, size_t ws, int nh, const uint8_t* v, size_t row_bytes, int64_t n, int64_t hd, float* o) {
    mix_rows_of<Q8Rows>(w, ws, nh, v, row_bytes, n, hd, o);
}

// The scalar reference's steps with 8 lanes: the exponentials from kernels/simd_exp_avx2.h (within
// ~2e-7 relative of libm's; differences below 2^-126 of the largest term are flushed by its clamp) and
// the sum in float lanes instead of one double. The softcap's tanh stays scalar (libm).
float exp_scores(float* s, int64_t n, float scale, float softcap, float* m) {
    const int64_t n8 = n & ~int64_t(7);
    const __m256 vs = _mm256_set1_ps(scale);
    __m256 vmx = _mm256_set1_ps(-INFINITY);
    float mx = -INFINITY;  // INFINITY: math.h
    if (softcap > 0.f) {
        for (int64_t j = 0; j < n; ++j) s[j] = softcap * tanhf(s[j] * scale / softcap);
    } else {
        for (int64_t j = 0; j < n8; j += 8) _mm256_storeu_ps(s + j, _mm256_mul_ps(_mm256_loadu_ps(s + j), vs));
        for (int64_t j = n8; j < n; ++j) s[j] *= scale;
    }
    for (int64_t j = 0; j < n8; j += 8) vmx = _mm256_max_ps(vmx, _mm256_loadu_ps(s + j));
    for (int64_t j = n8; j < n; ++j) mx = s[j] > mx ? s[j] : mx;
    alignas(32) float lanes[8];
    _mm256_store_ps(lanes, vmx);
    for (int i = 0; i < 8; ++i) mx = lanes[i] > mx ? lanes[i] : mx;
    const __m256 vm = _mm256_set1_ps(mx);
    __m256 vsum = _mm256_setzero_ps();
    for (int64_t j = 0; j < n8; j += 8) {
        const __m256 e = exp8_avx2(_mm256_sub_ps(_mm256_loadu_ps(s + j), vm));
        _mm256_storeu_ps(s + j, e);
        vsum = _mm256_add_ps(vsum, e);
    }
    float sum = hsum(vsum);
    if (n8 < n) {  // the tail through the same vector code on a padded copy
        alignas(32) float t[8] = {0};
        for (int64_t j = n8; j < n; ++j) t[j - n8] = s[j];
        _mm256_store_ps(t, exp8_avx2(_mm256_sub_ps(_mm256_load_ps(t), vm)));
        for (int64_t j = n8; j < n; ++j) {
            s[j] = t[j - n8];
            sum += t[j - n8];
        }
    }
    *m = mx;
    return sum;
}

// Prompt tiles: NR rows x 16 keys (or dims) of accumulators, 2 vectors of the tile per step and one
// broadcast per row: 8 FMAs per 2 loads + 4 broadcasts, no horizontal sums (every lane is one output).
template <int NR>
void scores_rows(const float* const* q, const float* kt, int64_t hd, float* s, size_t ss) {
    for (int j0 = 0; j0 < kAttnTile; j0 += 16) {
        __m256 a0[NR], a1[NR];
        for (int r = 0; r < NR; ++r) a0[r] = a1[r] = _mm256_setzero_ps();
        for (int64_t d = 0; d < hd; ++d) {
            const __m256 k0 = _mm256_loadu_ps(kt + d * kAttnTile + j0), k1 = _mm256_loadu_ps(kt + d * kAttnTile + j0 + 8);
            for (int r = 0; r < NR; ++r) {
                const __m256 qb = _mm256_broadcast_ss(q[r] + d);
                a0[r] = _mm256_fmadd_ps(qb, k0, a0[r]);
                a1[r] = _mm256_fmadd_ps(qb, k1, a1[r]);
            }
        }
        for (int r = 0; r < NR; ++r) {
            _mm256_storeu_ps(s + r * ss + j0, a0[r]);
            _mm256_storeu_ps(s + r * ss + j0 + 8, a1[r]);
        }
    }
}
// f(Rows<NR>{}, r) over rows r .. r+NR-1: groups of 4, then one group of the 1-3 left.
template <int N> struct Rows { static constexpr int kN = N; };
template <class F>
void row_groups(int nr, const F& f) {
    int r = 0;
    for (; r + 4 <= nr; r += 4) f(Rows<4>{}, r);
    switch (nr - r) {
        case 3: return f(Rows<3>{}, r);
        case 2: return f(Rows<2>{}, r);
        case 1: return f(Rows<1>{}, r);
        default: return;
    }
}
void scores_tile(const float* const* q, int nr, const float* kt, int64_t hd, float* s, size_t ss) {
    row_groups(nr, [&](auto g, int r) { scores_rows<decltype(g)::kN>(q + r, kt, hd, s + r * ss, ss); });
}

// dims d0 .. d0 + 8*NV - 1 of NR rows
template <int NR, int NV>
void mix_rows(const float* p, size_t ps, const float* v, int64_t hd, int64_t d0, float* o, size_t os) {
    __m256 a[NR][NV];
    for (int r = 0; r < NR; ++r)
        for (int u = 0; u < NV; ++u) a[r][u] = _mm256_setzero_ps();
    for (int j = 0; j < kAttnTile; ++j) {
        __m256 vv[NV];
        for (int u = 0; u < NV; ++u) vv[u] = _mm256_loadu_ps(v + j * hd + d0 + 8 * u);
        for (int r = 0; r < NR; ++r) {
            const __m256 pb = _mm256_broadcast_ss(p + r * ps + j);
            for (int u = 0; u < NV; ++u) a[r][u] = _mm256_fmadd_ps(pb, vv[u], a[r][u]);
        }
    }
    for (int r = 0; r < NR; ++r)
        for (int u = 0; u < NV; ++u) _mm256_storeu_ps(o + r * os + d0 + 8 * u, a[r][u]);
}
template <int NR>
void mix_rows_all(const float* p, size_t ps, const float* v, int64_t hd, float* o, size_t os) {
    int64_t d0 = 0;
    for (; d0 + 16 <= hd; d0 += 16) mix_rows<NR, 2>(p, ps, v, hd, d0, o, os);
    for (; d0 + 8 <= hd; d0 += 8) mix_rows<NR, 1>(p, ps, v, hd, d0, o, os);
    for (; d0 < hd; ++d0)  // the last hd % 8 dims: the same chain over j, scalar
        for (int r = 0; r < NR; ++r) {
            float acc = 0.f;
            for (int j = 0; j < kAttnTile; ++j) acc = fmaf(p[r * ps + j], v[j * hd + d0], acc);
            o[r * os + d0] = acc;
        }
}
void mix_tile(const float* p, size_t ps, int nr, const float* v, int64_t hd, float* o, size_t os) {
    row_groups(nr, [&](auto g, int r) { mix_rows_all<decltype(g)::kN>(p + r * ps, ps, v, hd, o + r * os, os); });
}

// 8 x 8 blocks: 8 rows' dims d..d+7 converted, transposed in registers (unpack, shuffle, permute)
// and stored as 8 dims' rows of 8 keys. Rows past n and dims past the last multiple of 8: scalar.
template <class L>
void transpose_tile(const typename L::T* k, size_t stride, int64_t n, int64_t hd, float* kt) {
    const int64_t n8 = n & ~int64_t(7), hd8 = hd & ~int64_t(7);
    for (int64_t j0 = 0; j0 < n8; j0 += 8)
        for (int64_t d = 0; d < hd8; d += 8) {
            __m256 r[8];
            for (int i = 0; i < 8; ++i) r[i] = L::load8(k + (size_t)(j0 + i) * stride, d);
            const __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
            const __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
            const __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
            const __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
            const __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
            const __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
            const __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE);
            const __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
            float* o = kt + d * kAttnTile + j0;
            _mm256_storeu_ps(o + 0 * kAttnTile, _mm256_permute2f128_ps(u0, u4, 0x20));
            _mm256_storeu_ps(o + 1 * kAttnTile, _mm256_permute2f128_ps(u1, u5, 0x20));
            _mm256_storeu_ps(o + 2 * kAttnTile, _mm256_permute2f128_ps(u2, u6, 0x20));
            _mm256_storeu_ps(o + 3 * kAttnTile, _mm256_permute2f128_ps(u3, u7, 0x20));
            _mm256_storeu_ps(o + 4 * kAttnTile, _mm256_permute2f128_ps(u0, u4, 0x31));
            _mm256_storeu_ps(o + 5 * kAttnTile, _mm256_permute2f128_ps(u1, u5, 0x31));
            _mm256_storeu_ps(o + 6 * kAttnTile, _mm256_permute2f128_ps(u2, u6, 0x31));
            _mm256_storeu_ps(o + 7 * kAttnTile, _mm256_permute2f128_ps(u3, u7, 0x31));
        }
    for (int64_t d = 0; d < hd; ++d) {
        const int64_t j1 = d < hd8 ? n8 : 0;  // the 8x8 blocks covered keys < n8 of dims < hd8
        for (int64_t j = j1; j < kAttnTile; ++j) kt[d * kAttnTile + j] = j < n ? L::at(k + (size_t)j * stride, d) : 0.f;
    }
}
void transpose_tile_f16(const uint16_t* k, int64_t n, int64_t hd, float* kt) {
    transpose_tile<F16Rows>(k, (size_t)hd, n, hd, kt);
}
void transpose_tile_q8(const uint8_t* k, size_t row_bytes, int64_t n, int64_t hd, float* kt) {
    transpose_tile<Q8Rows>(k, row_bytes, n, hd, kt);
}
void rows_q8(const uint8_t* v, size_t row_bytes, int64_t n, int64_t hd, float* dst) {
    for (int64_t j = 0; j < n; ++j, dst += hd)
        for (int64_t d = 0; d < hd; d += 32) {
            const Q8Rows::Blk b = Q8Rows::block(v + (size_t)j * row_bytes, d);
            for (int i = 0; i < 4; ++i) _mm256_storeu_ps(dst + d + 8 * i, Q8Rows::load(b, i));
        }
}

const AttnKernels kAvx2 = {scores_f16, mix_f16,  scores_q8,   mix_q8,           exp_scores,
                           scores_tile, mix_tile, transpose_tile_f16, transpose_tile_q8, rows_q8};

}  // namespace

const AttnKernels* attn_kernels_avx2() { return &kAvx2; }

}  // namespace pyllm::engine
