// qdot_avx2.cpp — AVX2 (+FMA, F16C) quantized dot-product tiles and activation quantizers.
// Compiled with -mavx2 -mfma -mf16c -mbmi2; the code is in qdot_x86.inc (shared with qdot_avx512.cpp).
#define PYLLM_QDOT_TABLE kQuantKernelsAvx2
#if PYLLM_EMULATE_VNNI  // test builds (tools/check_vnni_emulated.sh): the VNNI paths, vpdpbusd emulated
#define PYLLM_QDOT_VNNI 1
#else
#define PYLLM_QDOT_VNNI 0
#endif
#include "kernels/qdot_x86.inc"
