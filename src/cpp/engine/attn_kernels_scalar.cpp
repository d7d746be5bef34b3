// attn_kernels_scalar.cpp — reference attention loops (see attn_kernels.h) and the dispatcher.
#include "engine/attn_kernels.h"

#include <algorithm>
#include <cmath>

#include "kernels/dispatch.h"
#include "kernels/fp16.h"

namespace pyllm::engine {

namespace {

// Element d of a cache row: f16 bits, or a GGUF Q8_0 row (d·code).
float row_at(const uint16_t* r, int64_t d) { return fp16_to_fp32(r[d]); }
float row_at(const uint8_t* r, int64_t d) {
    const uint8_t* b = r + (d / 32) * 34;
    return fp16_to_fp32((uint16_t)(b[0] | b[1] << 8)) * (float)(int8_t)b[2 + d % 32];
}

template <class T>
void scores_rows(const float* q, int nh, const T* k, size_t stride, int64_t n, int64_t hd, float* s, size_t s_stride) {
    for (int h = 0; h < nh; ++h) {
        const float* qh = q + h * hd;
        for (int64_t j = 0; j < n; ++j) {
            const T* kj = k + (size_t)j * stride;
            float acc = 0.f;
            for (int64_t d = 0; d < hd; ++d) acc += qh[d] * row_at(kj, d);
            s[h * s_stride + j] = acc;
        }
    }
}

template <class T>
void mix_rows(const float* w, size_t w_stride, int nh, const T* v, size_t stride, int64_t n, int64_t hd, float* o) {
    for (int h = 0; h < nh; ++h) {
        const float* wh = w + h * w_stride;
        float* oh = o + h * hd;
        for (int64_t j = 0; j < n; ++j) {
            const T* vj = v + (size_t)j * stride;
            for (int64_t d = 0; d < hd; ++d) oh[d] += wh[j] * row_at(vj, d);
        }
    }
}

void scores_f16(const float* q, int nh, const uint16_t* k, size_t stride, int64_t n, int64_t hd, float* s,
                size_t s_stride, const uint16_t*) {
    scores_rows(q, nh, k, stride, n, hd, s, s_stride);
}
void mix_f16(const float* w, size_t w_stride, int nh, const uint16_t* v, size_t stride, int64_t n, int64_t hd,
             float* o) {
    mix_rows(w, w_stride, nh, v, stride, n, hd, o);
}
void scores_q8(const float* q, int nh, const uint8_t* k, size_t row_bytes, int64_t n, int64_t hd, float* s,
               size_t s_stride, const uint8_t*) {
    scores_rows(q, nh, k, row_bytes, n, hd, s, s_stride);
}
void mix_q8(const float* w, size_t w_stride, int nh, const uint8_t* v, size_t row_bytes, int64_t n, int64_t hd,
            float* o) {
    mix_rows(w, w_stride, nh, v, row_bytes, n, hd, o);
}

float exp_scores(float* s, int64_t n, float scale, float softcap, float* m) {
    float mx = -INFINITY;
    for (int64_t j = 0; j < n; ++j) {
        float v = s[j] * scale;
        if (softcap > 0.f) v = softcap * std::tanh(v / softcap);
        s[j] = v;
        mx = std::max(mx, v);
    }
    double sum = 0.0;
    for (int64_t j = 0; j < n; ++j) {
        const float e = std::exp(s[j] - mx);
        s[j] = e;
        sum += e;
    }
    *m = mx;
    return (float)sum;
}

void scores_tile(const float* const* q, int nr, const float* kt, int64_t hd, float* s, size_t ss) {
    for (int r = 0; r < nr; ++r)
        for (int j = 0; j < kAttnTile; ++j) {
            float acc = 0.f;
            for (int64_t d = 0; d < hd; ++d) acc += q[r][d] * kt[d * kAttnTile + j];
            s[r * ss + j] = acc;
        }
}

void mix_tile(const float* p, size_t ps, int nr, const float* v, int64_t hd, float* o, size_t os) {
    for (int r = 0; r < nr; ++r)
        for (int64_t d = 0; d < hd; ++d) {
            float acc = 0.f;
            for (int j = 0; j < kAttnTile; ++j) acc += p[r * ps + j] * v[j * hd + d];
            o[r * os + d] = acc;
        }
}

void transpose_tile_f16(const uint16_t* k, int64_t n, int64_t hd, float* kt) {
    for (int64_t d = 0; d < hd; ++d)
        for (int64_t j = 0; j < kAttnTile; ++j) kt[d * kAttnTile + j] = j < n ? fp16_to_fp32(k[j * hd + d]) : 0.f;
}

void transpose_tile_q8(const uint8_t* k, size_t row_bytes, int64_t n, int64_t hd, float* kt) {
    for (int64_t d = 0; d < hd; ++d)
        for (int64_t j = 0; j < kAttnTile; ++j) kt[d * kAttnTile + j] = j < n ? row_at(k + (size_t)j * row_bytes, d) : 0.f;
}

void rows_q8(const uint8_t* v, size_t row_bytes, int64_t n, int64_t hd, float* dst) {
    for (int64_t j = 0; j < n; ++j)
        for (int64_t d = 0; d < hd; ++d) dst[j * hd + d] = row_at(v + (size_t)j * row_bytes, d);
}

const AttnKernels kScalar = {scores_f16,  mix_f16,  scores_q8,          mix_q8,           exp_scores,
                             scores_tile, mix_tile, transpose_tile_f16, transpose_tile_q8, rows_q8};

}  // namespace

const AttnKernels& attn_kernels_scalar() { return kScalar; }

#ifndef PYLLM_HAVE_X86_KERNELS
const AttnKernels* attn_kernels_avx2() { return nullptr; }
#endif

const AttnKernels& attn_kernels() {
    const AttnKernels* avx2 = attn_kernels_avx2();
    return (avx2 && kernels().isa != Isa::Scalar) ? *avx2 : kScalar;
}

}  // namespace pyllm::engine
