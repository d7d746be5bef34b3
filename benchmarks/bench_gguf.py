"""GGUF open + full metadata time: pyllm.GGUFFile vs gguf.GGUFReader (the gguf package).

    python benchmarks/bench_gguf.py            # both real models, median of 3

Prints a table; nothing is asserted.
"""

import statistics
import sys
import time

import pyllm


def median_time(fn, repeat=3):
    ts = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t)
    return statistics.median(ts)


def main():
    try:
        import gguf
    except ImportError:
        gguf = None
    rows = []
    for name in ("smollm2", "gemma3"):
        path = str(pyllm.models.get(name, quiet=True))

        def ours():
            f = pyllm.GGUFFile(path)
            f.metadata
            f.tensors

        t_ours = median_time(ours)
        t_ref = None
        if gguf is not None:
            def ref():
                r = gguf.GGUFReader(path)
                {k: v.contents() for k, v in r.fields.items() if len(v.data) < 1000}
            t_ref = median_time(ref, repeat=1)
        rows.append((name, t_ours, t_ref))
    print(f"{'model':<10} {'pyllm open+metadata':>20} {'gguf.GGUFReader':>16} {'ratio':>8}")
    for name, a, b in rows:
        rb = f"{b:14.3f} s" if b is not None else f"{'-':>16}"
        ratio = f"{b / a:7.0f}x" if b is not None else "-"
        print(f"{name:<10} {a:18.3f} s {rb} {ratio}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
