"""Generation speed: the cost of sampling and of the Python/C++ loop, next to the raw engine.

    PYLLM_CACHE=/tmp/pc python benchmarks/bench_generation.py [--threads N] [--tokens N]

Prints two tables:
  1. Sampler.sample() per call on random logits, by vocabulary size and sampling parameters.
  2. Decode tokens/s on SmolLM2: raw Session.eval + numpy argmax vs Model.generate (greedy,
     non-streaming and streaming) vs default sampling, all in one run (ratios are what matters).
"""

import argparse
import time

import numpy as np

import pyllm
from pyllm import _core


def bench_sampler():
    print("| vocab | params | µs / sample |")
    print("|---|---|---|")
    cases = [
        ("greedy", dict(temperature=0.0)),
        ("defaults (top_k 40)", dict()),
        ("top_k 0, top_p 0.95", dict(top_k=0)),
        ("top_k 0, top_p 1, min_p 0", dict(top_k=0, top_p=1.0, min_p=0.0)),
        ("defaults + repeat 1.1", dict(repeat_penalty=1.1)),
    ]
    for V in (49152, 262144):
        logits = np.random.default_rng(0).normal(0, 3, size=V).astype(np.float32)
        for name, kw in cases:
            p = _core.SamplerParams()
            for k, v in kw.items():
                setattr(p, k, v)
            s = _core.Sampler(p, V)
            for t in range(64):
                s.accept(t)
            n = 20 if kw.get("top_k") == 0 else 200
            t0 = time.perf_counter()
            for _ in range(n):
                s.sample(logits)
            dt = (time.perf_counter() - t0) / n
            print(f"| {V} | {name} | {dt * 1e6:.0f} |")


def bench_loop(threads, n_tokens):
    m = pyllm.Model("smollm2", n_ctx=512, n_threads=threads)
    prompt = m.tokenize("Once upon a time, in a small village,")
    rows = []
    s = m.session()
    logits = s.eval(prompt)
    t0 = time.perf_counter()
    for _ in range(n_tokens):
        logits = s.eval([int(np.argmax(logits))])
    rows.append(("raw Session.eval + np.argmax", n_tokens / (time.perf_counter() - t0)))
    for name, kw in [("generate greedy", dict(temperature=0)),
                     ("generate greedy, stream", dict(temperature=0, stream=True)),
                     ("generate defaults (T 0.8, top_k 40, top_p 0.95, min_p 0.05)", dict(seed=1))]:
        m._gen.reset() if getattr(m, "_gen", None) is not None else None
        out = m.generate(prompt, max_tokens=n_tokens, **kw)
        if kw.get("stream"):
            out = "".join(out)
        t = m.last_timings
        rows.append((name, t["n_generated"] / t["decode_seconds"]))
    print(f"\nSmolLM2-135M Q4_1, {threads} thread(s), {n_tokens} tokens")
    print("| loop | decode tok/s |")
    print("|---|---|")
    for name, v in rows:
        print(f"| {name} | {v:.1f} |")


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--tokens", type=int, default=64)
    a = ap.parse_args()
    bench_sampler()
    bench_loop(a.threads, a.tokens)
