"""Engine speed: prefill and decode tok/s, load time and peak RSS for the real models, next to the
memory-bandwidth bound (weight bytes read per decoded token / read bandwidth measured in this run).

    PYLLM_CACHE=/tmp/pc python benchmarks/bench_engine.py [--threads 1 2] [--models smollm2 gemma3]
        [--prompt 256] [--gen 128] [--repeat 3]

Each (model, threads) runs in a fresh subprocess so peak RSS is per configuration. Printed, never
asserted. Reference figures (llama.cpp / ik_llama.cpp on this machine class, 2 threads, from
$PYLLM_TEST_DATA/README.md) are shown beside ours.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

REFERENCE = {  # model: (llama.cpp prefill, decode, ik_llama.cpp prefill, decode) at 2 threads
    "smollm2": (356, 126, 1536, 207),
    "gemma3": (789, 74, 1398, 111),
}

CHILD = r"""
import json, resource, sys, time
import numpy as np
import pyllm
name, n_threads, n_prompt, n_gen, repeat = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
path = pyllm.models.get(name, quiet=True)
t0 = time.perf_counter()
m = pyllm.Model(path, n_ctx=n_prompt + n_gen + 8, n_threads=n_threads)
load = time.perf_counter() - t0
rng = np.random.default_rng(0)
prompt = rng.integers(100, min(m.n_vocab, 30000), size=n_prompt).astype(np.int32)
s = m.session()
s.eval(prompt[:16]); s.reset()  # warm-up (page in the weights)
best_pp = 1e9
for _ in range(repeat):
    s.reset()
    t = time.perf_counter(); s.eval(prompt); best_pp = min(best_pp, time.perf_counter() - t)
best_tg = 1e9
for _ in range(repeat):
    s.reset(); logits = s.eval(prompt[:8])
    t = time.perf_counter()
    for _ in range(n_gen):
        logits = s.eval([int(np.argmax(logits))])
    best_tg = min(best_tg, time.perf_counter() - t)
rss = 0.0
with open("/proc/self/status") as f:  # VmHWM: this process's peak RSS (ru_maxrss survives exec)
    for line in f:
        if line.startswith("VmHWM:"):
            rss = int(line.split()[1]) / 1024
print(json.dumps(dict(load=load, pp=n_prompt / best_pp, tg=n_gen / best_tg, rss_mib=rss,
                      weight_bytes=m.config["matrix_bytes"])))
"""


def read_bandwidth(mib: int = 512, repeat: int = 5) -> float:
    """Single-thread read bandwidth (bytes/s): numpy takes the max of a buffer far larger than the caches."""
    import numpy as np

    a = np.ones(mib * (1 << 20) // 4, dtype=np.float32)
    a.max()
    best = 1e9
    for _ in range(repeat):
        t = time.perf_counter()
        a.max()
        best = min(best, time.perf_counter() - t)
    return a.nbytes / best


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", nargs="+", default=["smollm2", "gemma3"])
    ap.add_argument("--threads", nargs="+", type=int, default=[1, 2])
    ap.add_argument("--prompt", type=int, default=256)
    ap.add_argument("--gen", type=int, default=128)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    bw = read_bandwidth()
    print(f"read bandwidth (1 thread, numpy max over 512 MiB): {bw / 1e9:.1f} GB/s")
    hdr = (f"{'model':<9} {'thr':>3} {'load s':>7} {'prefill t/s':>12} {'decode t/s':>11} {'bound t/s':>10} "
           f"{'% bound':>8} {'RSS MiB':>8} {'llama.cpp pp/tg':>16} {'ik_llama pp/tg':>15}")
    print(hdr)
    print("-" * len(hdr))
    for name in args.models:
        for nt in args.threads:
            out = subprocess.run([sys.executable, "-c", CHILD, name, str(nt), str(args.prompt), str(args.gen),
                                  str(args.repeat)], capture_output=True, text=True)
            if out.returncode != 0:
                print(f"{name:<9} {nt:>3} failed: {out.stderr.strip().splitlines()[-1:]}")
                continue
            r = json.loads(out.stdout.strip().splitlines()[-1])
            bound = bw / r["weight_bytes"]
            ref = REFERENCE.get(name)
            refs = (f"{ref[0]:>7}/{ref[1]:<8} {ref[2]:>6}/{ref[3]:<8}" if ref and nt == 2 else f"{'':>16} {'':>15}")
            print(f"{name:<9} {nt:>3} {r['load']:>7.3f} {r['pp']:>12.1f} {r['tg']:>11.1f} {bound:>10.1f} "
                  f"{100 * r['tg'] / bound:>7.0f}% {r['rss_mib']:>8.0f} {refs}")
    print("bound = read bandwidth / bytes of all weight matrices (read once per decoded token)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
