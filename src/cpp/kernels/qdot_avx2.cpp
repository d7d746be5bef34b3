// qdot_avx2.cpp — AVX2 (+FMA, F16C) quantized dot-product tiles and activation quantizers.
// Compiled with -mavx2 -mfma -mf16c -mbmi2; the code is in qdot_x86.inc (shared with qdot_avx512.cpp).
#define PYLLM_QDOT_TABLE kQuantKernelsAvx2
#define PYLLM_QDOT_VNNI 0
#include "kernels/qdot_x86.inc"
