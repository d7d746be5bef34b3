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

// Activation formats a float row is quantized to before the integer dot products (quant/blocks.h).
//   F32: no quantization (float weights);  Q8A: BlockQ8A per 32 elements;  Q8K: BlockQ8K per 256.
enum class ActType : int { F32 = 0, Q8A = 1, Q8K = 2 };
constexpr int kActTypeCount = 3;
constexpr int kActBlock[kActTypeCount] = {1, 32, 256};     // elements per activation block
constexpr int kActBlockBytes[kActTypeCount] = {4, 40, 292};  // bytes per activation block

// Quantize one activation row. x: [n] float32 (n a multiple of the act block), dst: n / block
// activation blocks. Must give identical bytes on every ISA.
using QuantizeActFn = void (*)(const float* x, void* dst, int64_t n);

// The largest tile a GemmTileFn computes in one call.
constexpr int kTileRows = 4;
constexpr int kTileCols = 8;

// A tile of dot products between nr weight rows and nc quantized activation rows:
//   y[t * y_stride + r] = sum_i W[r][i] * A[t][i]   for r < nr <= kTileRows (4), t < nc <= kTileCols (8)
//   w: nr rows of n / block_size weight blocks, w_stride bytes apart
//   a: nc rows of n / act block activation blocks, a_stride bytes apart
// Each weight block is loaded once per tile and reused for all nc activation rows.
using GemmTileFn = void (*)(int64_t n, const void* w, size_t w_stride, int nr, const void* a, size_t a_stride,
                            int nc, float* y, size_t y_stride);

// Per weight type (indexed by TensorType id): the activation format its dot product takes
// (ggml's "vec_dot_type" idea) and the tile kernel. gemm == nullptr: no integer kernel (F32/F16/BF16
// use the float path of matmul.cpp; other types are unsupported).
struct TypeKernels {
    ActType act;
    GemmTileFn gemm;
};
constexpr int kTypeKernelSlots = 40;  // == gguf::kTensorTypeLimit

struct QuantKernels;

struct KernelTable {
    Isa isa;
    // y[i] = float(x[i]) for i < n.   x: [n] IEEE half bits, y: [n]
    void (*f16_to_f32)(const uint16_t* x, float* y, size_t n);
    // y[i] = float(x[i]) for i < n.   x: [n] bfloat16 bits, y: [n]
    void (*bf16_to_f32)(const uint16_t* x, float* y, size_t n);
    // sum_i a[i]*b[i].   a, b: [n]. Accumulation order differs per ISA (lanes), so results agree
    // to float rounding, not bit for bit.
    float (*dot_f32)(const float* a, const float* b, size_t n);
    // The quantized kernels of this level.
    const QuantKernels* q;
};

// The quantized-kernel part of a table.
struct QuantKernels {
    QuantizeActFn quantize_act[kActTypeCount];  // [int(ActType)]; nullptr for ActType::F32
    TypeKernels types[kTypeKernelSlots];        // [type id]
};
// Defined in qdot_scalar.cpp / qdot_avx2.cpp / qdot_avx512.cpp (constant-initialised data, so the
// tables that point at them are constant-initialised too: no static-initialisation order issue).
extern const QuantKernels kQuantKernelsScalar;
extern const QuantKernels kQuantKernelsAvx2;
extern const QuantKernels kQuantKernelsAvx512;

// Table getters: scalar always exists; the others return nullptr when not compiled in.
const KernelTable* kernel_table_scalar();
const KernelTable* kernel_table_avx2();
const KernelTable* kernel_table_avx512();

}  // namespace pyllm
