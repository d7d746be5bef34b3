// qdot_avx512.cpp — the quantized tiles for the AVX-512 level: the same code as qdot_avx2.cpp
// (qdot_x86.inc) on 256-bit vectors, with AVX512-VNNI vpdpbusd replacing maddubs + madd in the
// 32-element tiles and a Q8_0 prefill panel that only vpdpbusd makes worthwhile (qpanel_x86.inc)
// (Zen 4 executes 512-bit ops as two 256-bit halves, so 256-bit VNNI loses little).
// Compiled with the AVX-512 flags (F/BW/VL/DQ/VNNI/BF16). Cannot run on CPUs without AVX-512; the
// tests compare it with the scalar reference where "avx512" is in pyllm._core.available_isas(), and
// tools/check_vnni_emulated.sh runs its VNNI paths on AVX2 CPUs with vpdpbusd emulated.
#define PYLLM_QDOT_TABLE kQuantKernelsAvx512
#define PYLLM_QDOT_VNNI 1
#include "kernels/qdot_x86.inc"
