// w2v_kernels_avx2.cpp — AVX2 + FMA twins of the scalar word2vec kernels in w2v_kernels.cpp.
// Compiled with -mavx2 -mfma; everything but the table getter is in an anonymous namespace.
#include <immintrin.h>

#include "classic/w2v_kernels.h"

namespace pyllm::classic {

namespace {

inline float hsum(__m256 v) {
    __m128 lo = _mm256_castps256_ps128(v), hi = _mm256_extractf128_ps(v, 1);
    lo = _mm_add_ps(lo, hi);
    __m128 sh = _mm_movehl_ps(lo, lo);
    lo = _mm_add_ps(lo, sh);
    sh = _mm_shuffle_ps(lo, lo, 1);
    return _mm_cvtss_f32(_mm_add_ss(lo, sh));
}

float dot_avx2(const float* a, const float* b, int n) {
    __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
    int i = 0;
    for (; i + 16 <= n; i += 16) {
        s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
        s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), s1);
    }
    for (; i + 8 <= n; i += 8) s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
    float s = hsum(_mm256_add_ps(s0, s1));
    if (i + 4 <= n) {  // 4-wide step (e.g. the last 4 of vector_size 100)
        __m128 p = _mm_mul_ps(_mm_loadu_ps(a + i), _mm_loadu_ps(b + i));
        p = _mm_add_ps(p, _mm_movehl_ps(p, p));
        p = _mm_add_ss(p, _mm_shuffle_ps(p, p, 1));
        s += _mm_cvtss_f32(p);
        i += 4;
    }
    for (; i < n; ++i) s += a[i] * b[i];
    return s;
}

void axpy_avx2(float alpha, const float* x, float* y, int n) {
    const __m256 va = _mm256_set1_ps(alpha);
    int i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(y + i, _mm256_fmadd_ps(va, _mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i)));
    if (i + 4 <= n) {
        _mm_storeu_ps(y + i, _mm_fmadd_ps(_mm256_castps256_ps128(va), _mm_loadu_ps(x + i), _mm_loadu_ps(y + i)));
        i += 4;
    }
    for (; i < n; ++i) y[i] += alpha * x[i];
}

void sgns_update_avx2(float g, const float* l, float* w, float* e, int n) {
    const __m256 vg = _mm256_set1_ps(g);
    int i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 wi = _mm256_loadu_ps(w + i);
        _mm256_storeu_ps(e + i, _mm256_fmadd_ps(vg, wi, _mm256_loadu_ps(e + i)));
        _mm256_storeu_ps(w + i, _mm256_fmadd_ps(vg, _mm256_loadu_ps(l + i), wi));
    }
    if (i + 4 <= n) {
        const __m128 g4 = _mm256_castps256_ps128(vg);
        __m128 wi = _mm_loadu_ps(w + i);
        _mm_storeu_ps(e + i, _mm_fmadd_ps(g4, wi, _mm_loadu_ps(e + i)));
        _mm_storeu_ps(w + i, _mm_fmadd_ps(g4, _mm_loadu_ps(l + i), wi));
        i += 4;
    }
    for (; i < n; ++i) {
        float wi = w[i];
        e[i] += g * wi;
        w[i] = wi + g * l[i];
    }
}

const W2VKernels kAvx2 = {"avx2", dot_avx2, axpy_avx2, sgns_update_avx2};

}  // namespace

const W2VKernels* w2v_kernels_avx2_table() { return &kAvx2; }

}  // namespace pyllm::classic
