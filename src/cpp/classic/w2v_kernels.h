// w2v_kernels.h — the vector operations of word2vec training, per ISA (scalar reference + AVX2).
//
// Chosen once: the AVX2 table when the active pyllm ISA (kernels().isa, which honours PYLLM_ISA)
// is AVX2 or better and this file's AVX2 twin is compiled in; the scalar table otherwise.
// Vectors are float32, n >= 0 any size (tails handled), no alignment needed.
#pragma once

namespace pyllm::classic {

struct W2VKernels {
    const char* name;
    // sum_i a[i] * b[i]
    float (*dot)(const float* a, const float* b, int n);
    // y[i] += alpha * x[i]
    void (*axpy)(float alpha, const float* x, float* y, int n);
    // the negative-sampling update of one target row w: e[i] += g * w[i]; w[i] += g * l[i]
    // (e accumulates with w's value before its update)
    void (*sgns_update)(float g, const float* l, float* w, float* e, int n);
};

const W2VKernels& w2v_kernels_scalar();
const W2VKernels* w2v_kernels_avx2();  // nullptr if not compiled in or not supported by this CPU
const W2VKernels& w2v_kernels();       // the table in use

}  // namespace pyllm::classic
