// peak.h — this core's arithmetic ceilings for the instruction mixes the kernels are made of, so that
// benchmarks/bench_kernels.py can print each kernel's GFLOP/s next to what the core can issue at all
// (as it prints matvec GB/s next to the read bandwidth).
#pragma once

#include <cstdint>

namespace pyllm {

// The loops, 8 independent chains each (so latency is hidden and only issue throughput counts):
enum class PeakKind : int {
    Int8Pair = 0,  // int8: maddubs + add16, the inner pair of the prefill panels (64 ops: 32 multiply-adds)
    F32Fma = 1,    // float: one 8-lane FMA (16 ops), attention's and the float weights' instruction
};
constexpr int kPeakOpsPerIter[2] = {8 * 64, 8 * 16};  // ops per loop iteration (8 chains)

// Run `iters` iterations of the loop of `kind` on this thread; returns a value that depends on every
// result (print or ignore it: it only keeps the compiler from dropping the loop).
// Throws NotImplemented where this CPU has no AVX2 level.
int64_t simd_peak_run(PeakKind kind, int64_t iters);

}  // namespace pyllm
