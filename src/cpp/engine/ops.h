// ops.h — the small per-row operations of the forward pass (scalar; the matmuls dominate).
// Every op works on one row at a time, so a token's result never depends on how many other
// tokens share its batch or on the thread count.
#pragma once

#include <cmath>
#include <cstdint>

namespace pyllm::engine {

// Σ f(x[i]) in double, as eight partial sums (element i into sum i mod 8) added pairwise at the end:
// eight independent chains instead of one chain of n dependent adds (a 576-wide rms_norm: 650 ns ->
// 210 ns here; the norms run on the calling thread, between the parallel matmuls, while the other
// threads wait).
// The order is fixed, so the value is the same for every thread count, batch split and CPU.
template <class F>
inline double sum8(const float* x, int64_t n, const F& f) {
    double a[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int j = 0; j < 8; ++j) a[j] += f(x[i + j]);
    for (int j = 0; i + j < n; ++j) a[j] += f(x[i + j]);
    return ((a[0] + a[4]) + (a[1] + a[5])) + ((a[2] + a[6]) + (a[3] + a[7]));
}

// y = x / sqrt(mean(x²) + eps) · w.   x, y, w: [n] (y may alias x)
inline void rms_norm(const float* x, const float* w, float* y, int64_t n, float eps) {
    const double ss = sum8(x, n, [](float v) { return (double)v * (double)v; });
    const float scale = (float)(1.0 / std::sqrt(ss / (double)n + (double)eps));
    for (int64_t i = 0; i < n; ++i) y[i] = x[i] * scale * w[i];
}

// y = (x - mean) / sqrt(var + eps) · w + b.   x, y, w, b: [n] (y may alias x)
inline void layer_norm(const float* x, const float* w, const float* b, float* y, int64_t n, float eps) {
    const double mean = sum8(x, n, [](float v) { return (double)v; }) / (double)n;
    const double ss = sum8(x, n, [mean](float v) {
        const double d = (double)v - mean;
        return d * d;
    });
    const float scale = (float)(1.0 / std::sqrt(ss / (double)n + (double)eps));
    const float m = (float)mean;
    for (int64_t i = 0; i < n; ++i) y[i] = (x[i] - m) * scale * w[i] + b[i];
}

// y[i] += b[i].   y, b: [n]
inline void add_to(float* y, const float* b, int64_t n) {
    for (int64_t i = 0; i < n; ++i) y[i] += b[i];
}

// Rotate the first n_rot dims of one head at one position.   x: [head_dim]; cs, sn: [n_rot/2]
// Normal (llama): pairs (x[2i], x[2i+1]); NEOX (gemma3, qwen2): pairs (x[i], x[i + n_rot/2]).
inline void rope_head(float* x, const float* cs, const float* sn, int64_t n_rot, bool neox) {
    const int64_t half = n_rot / 2;
    for (int64_t i = 0; i < half; ++i) {
        const int64_t a = neox ? i : 2 * i, b = neox ? i + half : 2 * i + 1;
        const float x0 = x[a], x1 = x[b];
        x[a] = x0 * cs[i] - x1 * sn[i];
        x[b] = x0 * sn[i] + x1 * cs[i];
    }
}

// GELU, tanh approximation (GPT-2's gelu_new, Gemma's gelu_pytorch_tanh).
inline float gelu_tanh(float x) {
    const float k = 0.7978845608028654f;  // sqrt(2/pi)
    return 0.5f * x * (1.0f + std::tanh(k * (x + 0.044715f * x * x * x)));
}

inline float silu(float x) { return x / (1.0f + std::exp(-x)); }

inline float softcap(float x, float cap) { return cap * std::tanh(x / cap); }

}  // namespace pyllm::engine
