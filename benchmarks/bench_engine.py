"""Engine speed: prefill and decode tok/s, load time and peak RSS for the real models, next to the
memory-bandwidth bound (weight bytes read per decoded token / read bandwidth measured in this run).

    PYLLM_CACHE=/tmp/pc python benchmarks/bench_engine.py [--threads 1 2] [--models smollm2 gemma3]
        [--prompt 256] [--gen 128] [--depth 0] [--kv-type f16] [--repeat 3] [--llama-bench PATH] [--no-repack]

--depth N measures decode after an N-token context (a long chat): attention then reads the KV cache
(K and V, f16: kv_dim x 4 bytes per position and layer, sliding-window layers at most their window)
beside the weights, and the bound counts both. --kv-type f32|q8_0 stores the cache in that type
(q8_0: 34 bytes per 32 elements; llama-bench then runs with -ctk/-ctv q8_0 and flash attention, which
llama.cpp needs for a quantized V cache).
Decode is timed twice: Session.eval from a Python loop (decode t/s) and the C++ generation loop
(gen t/s, greedy, no stop on end-of-generation), which is what generate() runs and what llama-bench's
tg measures for llama.cpp.
--llama-bench PATH runs llama.cpp's llama-bench binary (built separately; pyllm never links it) on the
same GGUF file, threads, prompt and generation lengths right after each pyllm configuration, and
prints both and their ratio: the only fair comparison on a shared or throttled machine.

Each (model, threads) runs in a fresh subprocess so peak RSS is per configuration; speeds are medians
over --repeat runs. Printed, never asserted. Reference figures (llama.cpp / ik_llama.cpp on this machine class, 2 threads, from
$PYLLM_TEST_DATA/README.md) are shown beside ours.
"""

from __future__ import annotations

import argparse
import json
import os
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
repack, depth, kv_type = sys.argv[6] == "1", int(sys.argv[7]), sys.argv[8]
path = pyllm.models.get(name, quiet=True)
t0 = time.perf_counter()
m = pyllm.Model(path, n_ctx=max(n_prompt, depth, 8) + n_gen + 8, n_threads=n_threads, repack=repack,
                kv_type=kv_type)
load = time.perf_counter() - t0
rng = np.random.default_rng(0)
prompt = rng.integers(100, min(m.n_vocab, 30000), size=max(n_prompt, depth, 8)).astype(np.int32)
s = m.session()
t0 = time.perf_counter()
s.eval(prompt[:16]); s.reset()  # warm-up (page in the weights; the x8 repack happens here)
first = time.perf_counter() - t0
pp_t, pp_c = [], []
for _ in range(repeat):
    s.reset()
    t = time.perf_counter(); c = time.process_time(); s.eval(prompt[:n_prompt])
    pp_t.append(time.perf_counter() - t); pp_c.append(time.process_time() - c)
tg_t, tg_c = [], []
for _ in range(repeat):
    s.reset(); logits = s.eval(prompt[:max(depth, 8)])
    t = time.perf_counter(); c = time.process_time()
    for _ in range(n_gen):
        logits = s.eval([int(np.argmax(logits))])
    tg_t.append(time.perf_counter() - t); tg_c.append(time.process_time() - c)
# The same decode through the C++ generation loop (greedy sampling, no end-of-generation stop, no
# Python between tokens): what generate() / __call__ / `pyllm run` run, and what llama-bench's tg is.
from pyllm import _core
gen_t = []
for _ in range(repeat):
    g = _core.Generator(_core.Session(m._m, m.n_ctx, 256, kv_type))
    gp = _core.GenerateParams()
    gp.sampling.temperature = 0.0
    gp.max_tokens = n_gen
    gp.eog_ids = []
    out = g.generate([int(t) for t in prompt[:max(depth, 8)]], gp)
    st = g.stats
    gen_t.append(st["decode_seconds"] / max(1, st["n_generated"]))
c = m.config  # K and V at the middle of the generation; sliding-window layers see n_swa keys
ctx = max(depth, 8) + n_gen / 2
elem = {"f16": 2, "f32": 4, "q8_0": 34 / 32}[kv_type]
kv_bytes = 2 * elem * c["n_kv_head"] * c["head_dim"] * sum(min(ctx, c["n_swa"]) if swa else ctx for swa in c["layer_swa"])
med = lambda v: float(np.median(v))  # medians over the repeats (the machine is noisy)
rss = 0.0
with open("/proc/self/status") as f:  # VmHWM: this process's peak RSS (ru_maxrss survives exec)
    for line in f:
        if line.startswith("VmHWM:"):
            rss = int(line.split()[1]) / 1024
print(json.dumps(dict(path=str(path), load=load, first=first, pp=n_prompt / med(pp_t), tg=n_gen / med(tg_t), rss_mib=rss,
                      gen=1.0 / med(gen_t),
                      pp_cpu=n_prompt / med(pp_c), tg_cpu=n_gen / med(tg_c),
                      weight_bytes=m.config["matrix_bytes"],
                      kv_bytes=kv_bytes)))
"""


def read_bandwidth(n_threads: int, mib: int = 512, repeat: int = 5) -> float:
    """Read bandwidth (bytes/s) from n_threads threads: each takes numpy's max of its share of a buffer
    far larger than the caches (numpy releases the GIL in the reduction); best wall time of repeat."""
    import threading

    import numpy as np

    a = np.ones(mib * (1 << 20) // 4, dtype=np.float32)
    parts = np.array_split(a, n_threads)

    def once():
        ths = [threading.Thread(target=p.max) for p in parts[1:]]
        for th in ths:
            th.start()
        parts[0].max()
        for th in ths:
            th.join()

    once()
    best = 1e9
    for _ in range(repeat):
        t = time.perf_counter()
        once()
        best = min(best, time.perf_counter() - t)
    return a.nbytes / best


def llama_bench(exe: str, path: str, n_threads: int, n_prompt: int, n_gen: int, repeat: int, depth: int = 0,
                kv_type: str = "f16"):
    """(prompt tok/s, generation tok/s) from llama.cpp's llama-bench JSON output, or (0, 0) on failure."""
    kv = [] if kv_type == "f16" else ["-ctk", kv_type, "-ctv", kv_type, "-fa", "on"]
    out = subprocess.run([exe, "-m", path, "-t", str(n_threads), "-p", str(n_prompt), "-n", str(n_gen),
                          "-d", str(depth), "-r", str(repeat), "-o", "json"] + kv, capture_output=True, text=True)
    pp = tg = 0.0
    try:
        for row in json.loads(out.stdout):
            if row.get("n_prompt") and not row.get("n_gen"):
                pp = float(row["avg_ts"])
            elif row.get("n_gen") and not row.get("n_prompt"):
                tg = float(row["avg_ts"])
    except (ValueError, KeyError, TypeError):
        print(f"llama-bench failed: {out.stderr.strip().splitlines()[-1:]}")
    return pp, tg


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", nargs="+", default=["smollm2", "gemma3"])
    ap.add_argument("--threads", nargs="+", type=int, default=[1, 2])
    ap.add_argument("--prompt", type=int, default=256)
    ap.add_argument("--gen", type=int, default=128)
    ap.add_argument("--depth", type=int, default=0, help="decode after a context of this many tokens")
    ap.add_argument("--kv-type", default="f16", choices=["f16", "f32", "q8_0"], help="KV-cache storage")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--llama-bench", default=None, help="path to llama.cpp's llama-bench, run in the same session")
    ap.add_argument("--no-repack", action="store_true", help="Model(repack=False): weights stay zero-copy file views")
    args = ap.parse_args()
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")  # numpy's BLAS threads must not spin beside us
    here = []  # (model, threads, ours pp, ours tg, llama.cpp pp, tg)

    bw = {nt: read_bandwidth(nt) for nt in sorted(set(args.threads))}
    print("read bandwidth (numpy max over 512 MiB, split across the threads): "
          + ", ".join(f"{nt} thread{'s' if nt > 1 else ''} {b / 1e9:.1f} GB/s" for nt, b in bw.items()))
    hdr = (f"{'model':<9} {'thr':>3} {'load s':>7} {'1st s':>6} {'prefill t/s':>12} {'decode t/s':>11} {'gen t/s':>8} {'cpu pp/tg':>12} "
           f"{'bound t/s':>10} {'% bound':>8} {'README bound':>12} {'RSS MiB':>8} {'llama.cpp pp/tg':>16} {'ik_llama pp/tg':>15}")
    print(hdr)
    print("-" * len(hdr))
    for name in args.models:
        for nt in args.threads:
            out = subprocess.run([sys.executable, "-c", CHILD, name, str(nt), str(args.prompt), str(args.gen),
                                  str(args.repeat), "0" if args.no_repack else "1", str(args.depth), args.kv_type], capture_output=True, text=True, env=env)
            if out.returncode != 0:
                print(f"{name:<9} {nt:>3} failed: {out.stderr.strip().splitlines()[-1:]}")
                continue
            r = json.loads(out.stdout.strip().splitlines()[-1])
            read = r["weight_bytes"] + (r["kv_bytes"] if args.depth else 0)
            bound = bw[nt] / read
            # The data README's figures for this machine class: 23 GB/s from 1 thread, 30 from 2.
            readme_bound = (23e9 if nt == 1 else 30e9) / read
            ref = REFERENCE.get(name)
            refs = (f"{ref[0]:>7}/{ref[1]:<8} {ref[2]:>6}/{ref[3]:<8}" if ref and nt == 2 else f"{'':>16} {'':>15}")
            cpu = f"{r['pp_cpu']:.0f}/{r['tg_cpu']:.0f}" if nt == 1 else "-"
            print(f"{name:<9} {nt:>3} {r['load']:>7.3f} {r['first']:>6.3f} {r['pp']:>12.1f} {r['tg']:>11.1f} {r['gen']:>8.1f} {cpu:>12} {bound:>10.1f} "
                  f"{100 * r['tg'] / bound:>3.0f}/{100 * r['gen'] / bound:>2.0f}% {readme_bound:>7.0f} ({100 * r['tg'] / readme_bound:>2.0f}%) {r['rss_mib']:>8.0f} {refs}")
            if args.llama_bench:
                lb = llama_bench(args.llama_bench, r["path"], nt, args.prompt, args.gen, args.repeat, args.depth,
                                 args.kv_type)
                here.append((name, nt, r["pp"], r["tg"], r["gen"]) + lb)
    if here:
        print()
        print("llama.cpp measured in this run (llama-bench, same file, threads, prompt and generation lengths):")
        hdr = f"{'model':<9} {'thr':>3} {'pyllm pp/tg':>14} {'gen':>6} {'llama.cpp pp/tg':>16} {'ratio pp/tg':>12} {'gen':>6}"
        print(hdr)
        print("-" * len(hdr))
        for name, nt, pp, tg, gen, lpp, ltg in here:
            ratio = f"{pp / lpp:.2f}x/{tg / ltg:.2f}x" if lpp and ltg else "-"
            if args.depth and ltg:  # llama-bench's prompt test also runs at that depth; ours does not
                ratio = f"-/{tg / ltg:.2f}x"
            gr = f"{gen / ltg:.2f}x" if ltg else "-"
            print(f"{name:<9} {nt:>3} {pp:>7.1f}/{tg:<6.1f} {gen:>6.1f} {lpp:>8.1f}/{ltg:<7.1f} {ratio:>12} {gr:>6}")
    print("bound = read bandwidth at that thread count / bytes of all weight matrices (read once per decoded token)"
          + (f", plus the {args.kv_type} KV cache read at {args.depth} + {args.gen // 2} positions" if args.depth else ""))
    print("README bound = the same with the data README's bandwidth (23 GB/s 1 thread, 30 GB/s 2 threads)")
    print("load s = Model() (maps the file); 1st s = the first 16-token eval (pages the weights in and, unless\n"
          "--no-repack, copies the Q4_0/Q4_1/Q5_x/Q8_0/Q2_K-Q6_K/IQ4 matrices into the x8 layout)")
    print("cpu pp/tg = tok/s per second of process CPU time (1 thread only: robust on a shared machine)")
    print("decode t/s = Session.eval one token at a time from a Python loop (argmax in numpy); gen t/s = the\n"
          "same greedy decode in the C++ generation loop (Generator.generate, no Python between tokens: what\n"
          "generate() / pyllm run execute, and the closest match to llama-bench's tg); % bound = decode / gen")
    return 0


if __name__ == "__main__":
    sys.exit(main())
