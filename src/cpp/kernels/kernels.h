// kernels.h — the KernelTable: one set of function pointers per instruction-set level.
//
// kernels_scalar.cpp fills the scalar table (always built; the reference and the test oracle).
// kernels_avx2.cpp / kernels_avx512.cpp are the ONLY files compiled with ISA flags
// (CMake gives -mavx2... to every *_avx2*.cpp and -mavx512... to every *_avx512*.cpp).
// Rules for those files, so that no AVX instruction can leak into code run on an older CPU:
//   * everything they define lives in an anonymous namespace, except the one table getter;
//   * they include only headers whose functions are `static inline`, constexpr, or plain
//     declarations (no STL containers or other templates instantiated there: the linker could
//     pick their AVX-compiled copy for use elsewhere).
// dispatch.cpp chooses one table once (cpuid + xgetbv, PYLLM_ISA override).
#pragma once

#include <cstddef>
#include <cstdint>

namespace pyllm {

enum class Isa : int { Scalar = 0, AVX2 = 1, AVX512 = 2 };
constexpr int kIsaCount = 3;
const char* isa_name(Isa isa);

struct KernelTable {
    Isa isa;
    // y[i] = float(x[i]) for i < n.   x: [n] IEEE half bits, y: [n]
    void (*f16_to_f32)(const uint16_t* x, float* y, size_t n);
    // y[i] = float(x[i]) for i < n.   x: [n] bfloat16 bits, y: [n]
    void (*bf16_to_f32)(const uint16_t* x, float* y, size_t n);
    // sum_i a[i]*b[i].   a, b: [n]. Accumulation order differs per ISA (lanes), so results agree
    // to float rounding, not bit for bit.
    float (*dot_f32)(const float* a, const float* b, size_t n);
};

// Table getters: scalar always exists; the others return nullptr when not compiled in.
const KernelTable* kernel_table_scalar();
const KernelTable* kernel_table_avx2();
const KernelTable* kernel_table_avx512();

}  // namespace pyllm
