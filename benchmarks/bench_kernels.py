"""Kernel speed: matvec GB/s against the machine's read bandwidth, matmul GFLOP/s at 64/256 tokens.

    python benchmarks/bench_kernels.py [--types Q4_0,Q4_K] [--mb 100] [--isa avx2] [--repeat 5]

Read bandwidth is measured in the same run: numpy sums over a large array (1 thread), and two such
sums at once on two Python threads (numpy releases the GIL) for the 2-thread figure.
Matvec: one token through a ~100 MB weight matrix (n_in = 4096): weight bytes / time (GB/s of the
source format's bytes). Types with an x8 layout (Q4_0 Q4_1 Q5_0 Q5_1 Q8_0 Q2_K Q3_K Q4_K Q5_K Q6_K: what Model(repack=True)
runs) get a second row, "x8", measured on the same matrix repacked.
Matmul: a 1536 x 1536 weight matrix, 2 * n_in * n_out * n_tokens / time, next to the core's
arithmetic ceiling measured in the same run (_core.simd_peak: 8 independent chains of the panels'
inner pair, int8 maddubs + add16, at 64 ops per pair; and of f32 FMA): the prefill kernels' roof,
as the read bandwidth is the matvecs'.
Printed, never asserted.

--cpu-time measures 1-thread figures (bandwidth and kernels) in process CPU time instead of wall time:
on a machine shared with other work this shows what the kernels do while they actually run (the
2-thread columns stay wall-clock).
"""

import argparse
import threading
import time

import numpy as np

from pyllm import _core

SCALE_FIELDS = {
    "Q4_0": [0], "Q4_1": [0, 2], "Q5_0": [0], "Q5_1": [0, 2], "Q8_0": [0], "IQ4_NL": [0],
    "Q2_K": [80, 82], "Q3_K": [108], "Q4_K": [0, 2], "Q5_K": [0, 2], "Q6_K": [208], "IQ4_XS": [0],
}
SIZES = {  # block size, bytes per block
    "F32": (1, 4), "F16": (1, 2), "BF16": (1, 2), "Q4_0": (32, 18), "Q4_1": (32, 20), "Q5_0": (32, 22),
    "Q5_1": (32, 24), "Q8_0": (32, 34), "IQ4_NL": (32, 18), "Q2_K": (256, 84), "Q3_K": (256, 110),
    "Q4_K": (256, 144), "Q5_K": (256, 176), "Q6_K": (256, 210), "IQ4_XS": (256, 136),
}


def weights(name, n_out, n_in, rng):
    bs, ts = SIZES[name]
    if name in ("F32", "F16", "BF16"):
        w = (rng.standard_normal((n_out, n_in)) * 0.02).astype(np.float32)
        if name == "F32":
            return w.view(np.uint8).reshape(-1)
        if name == "F16":
            return w.astype(np.float16).view(np.uint8).reshape(-1)
        return (w.view(np.uint32) >> 16).astype(np.uint16).view(np.uint8).reshape(-1)
    raw = rng.integers(0, 256, size=(n_out * n_in // bs, ts), dtype=np.uint8)
    for off in SCALE_FIELDS[name]:
        raw[:, off:off + 2] = (rng.uniform(0.001, 0.01, raw.shape[0])).astype(np.float16).view(np.uint8).reshape(-1, 2)
    return raw.reshape(-1)


CLOCK = time.perf_counter


def best_time(fn, repeat, clock=None):
    clock = clock or time.perf_counter
    fn()
    ts = []
    for _ in range(repeat):
        t = clock()
        fn()
        ts.append(clock() - t)
    return min(ts)


def read_bandwidth(mb, repeat):
    a = np.ones(mb * 2**20 // 8, np.float64)
    b = np.ones(mb * 2**20 // 8, np.float64)
    t1 = best_time(lambda: a.sum(), repeat, CLOCK)

    def two():
        th = threading.Thread(target=b.sum)
        th.start()
        a.sum()
        th.join()

    t2 = best_time(two, repeat)
    return a.nbytes / t1 / 1e9, 2 * a.nbytes / t2 / 1e9


def simd_peaks(repeat):
    """GOP/s of _core.simd_peak's int8 and f32 loops: 1 thread, and 2 threads at once (wall)."""
    out = {}
    for kind in ("int8", "f32"):
        iters = 20_000_000
        ops = _core.simd_peak(kind, 1) * iters  # ops per iteration (best_time does the warm-up run)
        t1 = best_time(lambda: _core.simd_peak(kind, iters), repeat, CLOCK)

        def two():
            th = threading.Thread(target=_core.simd_peak, args=(kind, iters))
            th.start()
            _core.simd_peak(kind, iters)
            th.join()

        t2 = best_time(two, repeat)
        out[kind] = (ops / t1 / 1e9, 2 * ops / t2 / 1e9)
    return out


def small_matvec_latency(rng, isa, repeat):
    """Per-call latency of the decode-sized matvecs of SmolLM2-135M (576 wide, FFN 1536), Q4_1.

    Includes the Python/pybind call and the output allocation; the 'empty' row (a 32 x 1 Q4_1 matvec)
    shows that fixed part."""
    shapes = [("empty 32x1", 32, 1), ("576x576", 576, 576), ("576x1536", 576, 1536), ("1536x576", 1536, 576)]
    print("Q4_1 matvec latency (n_in x n_out, 1 token), microseconds per call, best of "
          f"{repeat} x 200 calls (wall):")
    print(f"{'shape':12} {'KB':>6} | {'1 thread':>9} {'2 threads':>9}")
    for label, n_in, n_out in shapes:
        w = weights("Q4_1", n_out, n_in, rng)
        x = rng.standard_normal((1, n_in)).astype(np.float32)
        res = []
        for nt in (1, 2):
            def calls():
                for _ in range(200):
                    _core.matmul(w, "Q4_1", n_in, n_out, x, n_threads=nt, isa=isa)
            res.append(best_time(calls, repeat) / 200 * 1e6)
        print(f"{label:12} {w.nbytes / 1e3:6.0f} | {res[0]:9.1f} {res[1]:9.1f}")
    print()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--types", default="Q4_0,Q4_1,Q5_0,Q5_1,Q8_0,IQ4_NL,Q2_K,Q3_K,Q4_K,Q5_K,Q6_K,IQ4_XS,F16,BF16,F32")
    ap.add_argument("--mb", type=int, default=100, help="matvec weight size (MB)")
    ap.add_argument("--isa", default=None)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--no-matmul", action="store_true")
    ap.add_argument("--cpu-time", action="store_true", help="1-thread figures in process CPU time")
    ap.add_argument("--no-latency", action="store_true", help="skip the small-matvec latency table")
    args = ap.parse_args()
    global CLOCK
    if args.cpu_time:
        CLOCK = time.process_time
    rng = np.random.default_rng(0)
    info = _core.cpu_info()
    isa = args.isa or info["isa"]
    print(f"cpu: {info['brand']}  isa: {isa}  available: {info['available_isas']}")
    bw1, bw2 = read_bandwidth(400, args.repeat)
    clk = "CPU time" if args.cpu_time else "wall"
    print(f"read bandwidth (numpy sum, 400 MB): 1 thread {bw1:.1f} GB/s ({clk}), 2 threads {bw2:.1f} GB/s (wall)")
    if "avx2" in info["available_isas"]:
        pk = simd_peaks(args.repeat)
        print(f"arithmetic ceiling (GOP/s, 1 thread / 2 threads): int8 maddubs+add {pk['int8'][0]:.1f} / "
              f"{pk['int8'][1]:.1f}, f32 FMA {pk['f32'][0]:.1f} / {pk['f32'][1]:.1f}")
    print()
    if not args.no_latency:
        small_matvec_latency(rng, isa, args.repeat)
    hdr = f"{'type':7} {'MB':>5} | {'matvec 1T GB/s':>14} {'%bw':>5} | {'matvec 2T GB/s':>14} {'%bw':>5}"
    if not args.no_matmul:
        hdr += f" | {'mm64 1T':>8} {'mm64 2T':>8} {'mm256 2T':>8} GFLOP/s"
    print(hdr)
    print("-" * len(hdr))
    n_in = 4096
    x8_types = set(_core.x8_types())
    for name in args.types.split(","):
        bs, ts = SIZES[name]
        row_bytes = n_in // bs * ts
        n_out = max(8, int(args.mb * 1e6 // row_bytes) // 8 * 8)
        w_rows = weights(name, n_out, n_in, rng)
        # the row layout, and for the types that have one the x8 layout (what Model(repack=True) runs)
        for x8 in (False, True) if name in x8_types else (False,):
            w = _core.repack_x8(w_rows, name, n_in, n_out) if x8 else w_rows
            x = rng.standard_normal((1, n_in)).astype(np.float32)
            res = []
            for nt, bw in ((1, bw1), (2, bw2)):
                t = best_time(lambda: _core.matmul(w, name, n_in, n_out, x, n_threads=nt, isa=isa, x8=x8),
                              args.repeat, CLOCK if nt == 1 else None)
                gbs = w_rows.nbytes / t / 1e9
                res.append(f"{gbs:14.1f} {100 * gbs / bw:4.0f}%")
            label = name + (" x8" if x8 else "")
            line = f"{label:7} {w_rows.nbytes / 1e6:5.0f} | " + " | ".join(res)
            del w
            if not args.no_matmul:
                m = 1536
                wm = weights(name, m, m, rng)
                if x8:
                    wm = _core.repack_x8(wm, name, m, m)
                flops = []
                for tokens, nt in ((64, 1), (64, 2), (256, 2)):
                    xm = rng.standard_normal((tokens, m)).astype(np.float32)
                    t = best_time(lambda: _core.matmul(wm, name, m, m, xm, n_threads=nt, isa=isa, x8=x8), args.repeat,
                                  CLOCK if nt == 1 else None)
                    flops.append(f"{2 * m * m * tokens / t / 1e9:8.1f}")
                line += " | " + " ".join(flops)
            print(line, flush=True)
        del w_rows

if __name__ == "__main__":
    main()
