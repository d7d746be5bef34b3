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

#include "kernels/fp16.h"

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

// One activation row against nr consecutive weight rows (decode, n_tokens == 1):
//   y[r] = sum_i W[r][i] * A[i]   for r < nr (any nr >= 1)
//   w: nr rows of n / block_size weight blocks, w_stride bytes apart;  a: n / act block blocks
// Streams each weight row once with per-block integer sums and one float reduction per row.
using MatvecFn = void (*)(int64_t n, const void* w, size_t w_stride, int64_t nr, const void* a, float* y);

// ---- the panel path (prefill: calls with two or more tokens) ---------------------------------------
// kPanelRows weight rows are unpacked ONCE per call into an interleaved int8 "panel" that every token
// then reuses: no per-token unpacking and no horizontal sums (one vector lane per weight row).
// A weight type with a panel kernel describes its rows as sub-blocks of S = panel_sub elements
// (32: Q4_0 Q4_1 Q5_0 Q5_1 Q4_K Q5_K), each row r of sub-block b being
//   W[r][b*S + i] = scale[b][r] * code[b][r][i] + offset[b][r],   code unsigned (< 2^panel_bits)
// Panel layout, per sub-block b (kPanelSubBytes(S) bytes each, sub-blocks back to back):
//   codes  [S/4][kPanelRows][4] uint8   (4 consecutive codes of row 0, of row 1, ..., row 7; next 4)
//   scale  [kPanelRows] float32
//   offset [kPanelRows] float32
// Panel activations, one row per token (kPanelActBytes(n, S) bytes, built by matmul.cpp from the
// type's Q8A / Q8K rows with the same integer codes, so the integer dot products are unchanged):
//   q [n] int8,   d [n/S] float32 (the activation scale of each sub-block),
//   s [n/S] float32 = d * (sum of the sub-block's codes)
// A sub-block's contribution:  d_a * scale * sum_i code_i * q_i  +  offset * s.
// Q2_K, Q3_K and Q6_K (16-element scales) have panels of their own layout instead, with integer
// scales over whole 256-element super-blocks against the Q8K rows (panel_q8k; "K16 panels",
// qpanel_x86.inc); panel_sub 16 sizes their buffer (kPanelBytes(n, 16) holds one).
constexpr int kPanelRows = 8;
constexpr size_t kPanelSubBytes(int sub) { return (size_t)sub * kPanelRows + 2 * kPanelRows * sizeof(float); }
constexpr size_t kPanelBytes(int64_t n, int sub) { return (size_t)(n / sub) * kPanelSubBytes(sub); }
constexpr size_t kPanelActBytes(int64_t n, int sub) { return ((size_t)n + 2 * sizeof(float) * (size_t)(n / sub) + 31) & ~(size_t)31; }
// Unpack nr (1..kPanelRows) weight rows of n elements (w_stride bytes apart) into `panel`
// (kPanelBytes(n, sub) bytes); rows nr..7 of the panel are zero.
using PanelPackFn = void (*)(int64_t n, const void* w, size_t w_stride, int nr, uint8_t* panel);
// y[t * y_stride + r] = sum over the panel's sub-blocks, for r < nr and t < nc (any nc >= 1).
//   act: nc panel activation rows, act_stride bytes apart
using PanelTileFn = void (*)(int64_t n, const uint8_t* panel, const uint8_t* act, size_t act_stride, int64_t nc,
                             float* y, size_t y_stride, int nr);

// ---- the x8 layout (quant/repack.h: 8 weight rows interleaved, lane r = row r) ----------------------
// One activation row against nr rows stored as x8 groups (decode):
//   y[r] = sum_i W[r][i] * A[i]   for r < nr;   w: ceil(nr / 8) x8 groups back to back
//   (quant::x8_group_bytes(type, n) bytes each);  a: n / act block activation blocks
//   ab: nullptr, or the same activations broadcast (QuantKernels::bcast_act: kActBcastBytes(n) bytes),
//   which the kernels that profit from it read instead of broadcasting per 8-row group.
using MatvecX8Fn = void (*)(int64_t n, const void* w, int64_t nr, const void* a, const void* ab, float* y);
// The activation codes of one quantized row (n elements of format `at`) broadcast for the x8 kernels:
// 32 bytes per 4 codes, the 4 codes repeated in all 8 lanes.
using ActBcastFn = void (*)(const void* a, ActType at, int64_t n, void* out);
constexpr size_t kActBcastBytes(int64_t n) { return (size_t)n * 8; }
// A panel (as PanelPackFn writes it, the same bytes) from rows 0 .. nr-1 of ONE x8 group at w
// (w_stride unused).  PanelPackFn signature.

// Per weight type (indexed by TensorType id): the activation format its dot product takes
// (ggml's "vec_dot_type" idea), the tile kernel, an optional dedicated matvec kernel and an optional
// panel kernel.
// gemm == nullptr: no integer kernel (F32/F16/BF16 use the float path of matmul.cpp; other types
// are unsupported). matvec == nullptr: matmul runs one-token calls through gemm tiles.
// pack/panel == nullptr: multi-token calls use the gemm tiles (the scalar level, the signed types;
// Q8_0 has a panel of its own layout at the AVX512-VNNI level only, see qpanel_x86.inc).
struct TypeKernels {
    ActType act;
    GemmTileFn gemm;
    MatvecFn matvec;
    PanelPackFn pack = nullptr;
    PanelTileFn panel = nullptr;
    int panel_sub = 0;  // S (elements per panel sub-block) when pack != nullptr
    // x8 layout kernels (types with an x8 layout; nullptr elsewhere). matvec_x8 exists on every level
    // (the scalar one is the reference); pack_x8 where `pack` does. matmul.cpp runs every other case
    // of an x8 matrix on rows unpacked from their group (quant::unrepack_x8_group).
    MatvecX8Fn matvec_x8 = nullptr;
    PanelPackFn pack_x8 = nullptr;
    // matvec_x8 reads the broadcast activation codes (`ab`, QuantKernels::bcast_act) when offered;
    // false: it broadcasts in its loop, so matmul.cpp does not build the copy for this type.
    bool x8_bcast = false;
    // The panel kernel reads the type's quantized activation rows (act format) as they are, not panel
    // activation rows (the K16 panels of Q2_K / Q3_K / Q6_K: integer scales, see qpanel_x86.inc).
    bool panel_q8k = false;
};
constexpr int kTypeKernelSlots = 40;  // == gguf::kTensorTypeLimit

struct QuantKernels;

// Float weight formats of KernelTable::matmul_f, and element i of a row in format wt as float.
constexpr int kFloatF32 = 0, kFloatF16 = 1, kFloatBF16 = 2;
static inline float float_weight_at(int wt, const uint8_t* row, int64_t i) {
    if (wt == kFloatF32) return reinterpret_cast<const float*>(row)[i];
    const uint16_t h = reinterpret_cast<const uint16_t*>(row)[i];
    return wt == kFloatF16 ? fp16_to_fp32(h) : bf16_to_fp32(h);
}

struct KernelTable {
    Isa isa;
    // y[i] = float(x[i]) for i < n.   x: [n] IEEE half bits, y: [n]
    void (*f16_to_f32)(const uint16_t* x, float* y, size_t n);
    // y[i] = float(x[i]) for i < n.   x: [n] bfloat16 bits, y: [n]
    void (*bf16_to_f32)(const uint16_t* x, float* y, size_t n);
    // y[i] = half(x[i]) for i < n, rounded to nearest even (overflow to inf, NaN quieted keeping the
    // top payload bits): fp16.h's fp32_to_fp16 on every level, bit for bit.   x: [n], y: [n] half bits
    void (*f32_to_f16)(const float* x, uint16_t* y, size_t n);
    // sum_i a[i]*b[i].   a, b: [n]. Accumulation order differs per ISA (lanes), so results agree
    // to float rounding, not bit for bit.
    float (*dot_f32)(const float* a, const float* b, size_t n);
    // Float weights: y[t * y_stride + r] = sum_i W[r][i] * x[t * n + i] for r < nr, t < T; W's rows are
    // w_stride bytes apart in format wt (kFloatF32 / kFloatF16 / kFloatBF16), x: [T][n]. Each (r, t)
    // is 8 fused multiply-add chains (lane l: the i = l mod 8, in order) summed as
    // ((l0+l4)+(l2+l6)) + ((l1+l5)+(l3+l7)), then the n % 8 tail by fmaf in order: the same bits on
    // every level and for any nr, T or split of the rows and tokens. scratch: nullptr or 4 * n floats
    // the SIMD levels may use (F16 / BF16 rows converted once for many tokens).
    void (*matmul_f)(int wt, const void* w, size_t w_stride, int64_t nr, int64_t n, const float* x, int64_t T, float* y,
                     size_t y_stride, float* scratch);
    // The first index i of the largest x[i] (n >= 1): NaNs are skipped, -0.0 and +0.0 are equal (the
    // first wins), 0 when every entry is NaN. The same index on every level.   x: [n]
    // (Greedy sampling over the vocabulary: 262144 logits for Gemma 3.)
    size_t (*argmax_f32)(const float* x, size_t n);
    // The first index i with x[i] > t (a NaN is never above t, nothing is above a NaN t), or n.
    //   x: [n]   (the top-k sampler's scan for a logit that beats its weakest candidate)
    size_t (*first_above_f32)(const float* x, size_t n, float t);
    // The quantized kernels of this level.
    const QuantKernels* q;
};

// The quantized-kernel part of a table.
struct QuantKernels {
    QuantizeActFn quantize_act[kActTypeCount];  // [int(ActType)]; nullptr for ActType::F32
    TypeKernels types[kTypeKernelSlots];        // [type id]
    ActBcastFn bcast_act = nullptr;             // for the x8 matvecs (SIMD levels)
    bool vnni = false;  // this level's code takes the vpdpbusd paths (AVX512-VNNI, or emulated in test builds)
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
