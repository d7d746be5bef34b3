// w2v_kernels.cpp — scalar reference kernels for word2vec and the choice of table.
#include "classic/w2v_kernels.h"

#include "kernels/dispatch.h"

namespace pyllm::classic {

#ifdef PYLLM_HAVE_X86_KERNELS
const W2VKernels* w2v_kernels_avx2_table();  // w2v_kernels_avx2.cpp
#endif

namespace {

float dot_scalar(const float* a, const float* b, int n) {
    float s = 0.0f;
    for (int i = 0; i < n; ++i) s += a[i] * b[i];
    return s;
}

void axpy_scalar(float alpha, const float* x, float* y, int n) {
    for (int i = 0; i < n; ++i) y[i] += alpha * x[i];
}

void sgns_update_scalar(float g, const float* l, float* w, float* e, int n) {
    for (int i = 0; i < n; ++i) {
        float wi = w[i];
        e[i] += g * wi;
        w[i] = wi + g * l[i];
    }
}

const W2VKernels kScalar = {"scalar", dot_scalar, axpy_scalar, sgns_update_scalar};

}  // namespace

const W2VKernels& w2v_kernels_scalar() { return kScalar; }

const W2VKernels* w2v_kernels_avx2() {
#ifdef PYLLM_HAVE_X86_KERNELS
    if (kernels_for(Isa::AVX2) == nullptr) return nullptr;
    return w2v_kernels_avx2_table();
#else
    return nullptr;
#endif
}

const W2VKernels& w2v_kernels() {
    static const W2VKernels* chosen = [] {
        const W2VKernels* t = nullptr;
        if (kernels().isa != Isa::Scalar) t = w2v_kernels_avx2();
        return t ? t : &kScalar;
    }();
    return *chosen;
}

}  // namespace pyllm::classic
