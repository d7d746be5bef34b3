// ops.h — the small per-row operations of the forward pass (scalar; the matmuls dominate).
// Every op works on one row at a time, so a token's result never depends on how many other
// tokens share its batch or on the thread count.
#pragma once

#include <cmath>
#include <cstdint>

namespace pyllm::engine {

// y = x / sqrt(mean(x²) + eps) · w.   x, y, w: [n] (y may alias x)
inline void rms_norm(const float* x, const float* w, float* y, int64_t n, float eps) {
    double ss = 0.0;
    for (int64_t i = 0; i < n; ++i) ss += (double)x[i] * x[i];
    const float scale = (float)(1.0 / std::sqrt(ss / (double)n + (double)eps));
    for (int64_t i = 0; i < n; ++i) y[i] = x[i] * scale * w[i];
}

// y = (x - mean) / sqrt(var + eps) · w + b.   x, y, w, b: [n] (y may alias x)
inline void layer_norm(const float* x, const float* w, const float* b, float* y, int64_t n, float eps) {
    double s = 0.0;
    for (int64_t i = 0; i < n; ++i) s += x[i];
    const double mean = s / (double)n;
    double ss = 0.0;
    for (int64_t i = 0; i < n; ++i) {
        const double d = x[i] - mean;
        ss += d * d;
    }
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
