"""Tokenizer throughput: pyllm vs tiktoken vs HF tokenizers on the same GPT-2 vocabulary.

All three are built from $PYLLM_TEST_DATA/vocab/ggml-vocab-gpt-2.gguf (tokens + merges) and must
produce identical ids before anything is timed. Text: kjv.txt plus Python standard-library source
(~5 MB, English prose and code). Prints MB/s (median of --reps runs) and the ratio to tiktoken.

    python benchmarks/bench_tokenizer.py [--mb 5] [--reps 3] [--threads 2]

Needs the `bench` extra: pip install -e '.[bench]' (tiktoken, tokenizers).
"""

import argparse
import glob
import os
import statistics
import sys
import sysconfig
import time
from pathlib import Path

import pyllm

GPT2_PATTERN = r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""


def data_dir() -> Path:
    env = os.environ.get("PYLLM_TEST_DATA")
    return Path(env) if env else Path(__file__).resolve().parent.parent.parent / "shared" / "data"


def load_text(mb: float) -> str:
    parts = [(data_dir() / "text" / "kjv.txt").read_text(encoding="utf-8")]
    total = len(parts[0].encode())
    for p in sorted(glob.glob(os.path.join(sysconfig.get_paths()["stdlib"], "**", "*.py"), recursive=True)):
        if total >= mb * 1e6:
            break
        s = Path(p).read_text(encoding="utf-8", errors="replace")
        parts.append(s)
        total += len(s.encode())
    return "".join(parts)


def gpt2_byte_decoder():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {chr(c): b for b, c in zip(bs, cs)}


def vocab_from_gguf(path):
    import gguf

    r = gguf.GGUFReader(str(path))
    f = r.fields["tokenizer.ggml.tokens"]
    tokens = [bytes(f.parts[i]).decode("utf-8") for i in f.data]
    f = r.fields["tokenizer.ggml.merges"]
    merges = [bytes(f.parts[i]).decode("utf-8") for i in f.data]
    return tokens, merges


def build_tiktoken(tokens):
    import tiktoken

    dec = gpt2_byte_decoder()
    ranks, special = {}, {}
    for i, t in enumerate(tokens):
        if all(c in dec for c in t) and not (t.startswith("<|") and t.endswith("|>")):
            ranks[bytes(dec[c] for c in t)] = i
        else:
            special[t] = i
    return tiktoken.Encoding("gguf-gpt2", pat_str=GPT2_PATTERN, mergeable_ranks=ranks, special_tokens=special)


def build_hf(tokens, merges):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers

    vocab = {t: i for i, t in enumerate(tokens)}
    pairs = [tuple(m.split(" ", 1)) for m in merges]
    tok = Tokenizer(models.BPE(vocab=vocab, merges=pairs))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    return tok


def timeit(fn, reps):
    """Median wall time and median process CPU time of reps calls."""
    walls, cpus = [], []
    for _ in range(reps):
        c0, t0 = time.process_time(), time.perf_counter()
        fn()
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return statistics.median(walls), statistics.median(cpus)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mb", type=float, default=5.0, help="text size in MB (default 5)")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1, help="threads for the batch rows")
    ap.add_argument("--no-hf-single", action="store_true", help="skip HF single-string encode (slow)")
    args = ap.parse_args()

    path = data_dir() / "vocab" / "ggml-vocab-gpt-2.gguf"
    text = load_text(args.mb)
    nbytes = len(text.encode("utf-8"))
    lines = text.splitlines(keepends=True)
    print(f"text: {nbytes / 1e6:.2f} MB, {len(lines)} lines; vocabulary {path.name}; {os.cpu_count()} CPUs")

    tok = pyllm.Tokenizer.from_gguf(path)
    tokens, merges = vocab_from_gguf(path)
    try:
        tt = build_tiktoken(tokens)
    except ImportError:
        tt = None
        print("tiktoken not installed (pip install '.[bench]'): skipped")
    try:
        hf = build_hf(tokens, merges)
    except ImportError:
        hf = None
        print("tokenizers not installed (pip install '.[bench]'): skipped")

    # 1. identical ids first
    ours = tok.encode(text, add_special_tokens=False)
    if tt is not None:
        assert tt.encode_ordinary(text) == ours, "tiktoken ids differ"
    if hf is not None:
        sample = lines[:: max(1, len(lines) // 2000)]
        assert [e.ids for e in hf.encode_batch(sample, add_special_tokens=False)] == tok.encode_batch(
            sample, add_special_tokens=False), "HF tokenizers ids differ"
        if not args.no_hf_single:
            assert hf.encode(text, add_special_tokens=False).ids == ours, "HF tokenizers ids differ"
    print(f"ids identical: {len(ours)} tokens ({nbytes / len(ours):.2f} bytes/token)\n")

    rows = []

    def row(name, fn, reps=args.reps, single=True):
        wall, cpu = timeit(fn, reps)
        rows.append((name, nbytes / wall / 1e6, nbytes / cpu / 1e6 if single and cpu > 0 else None))

    row("pyllm encode (1 thread)", lambda: tok.encode(text, add_special_tokens=False))
    if tt is not None:
        row("tiktoken encode_ordinary (1 thread)", lambda: tt.encode_ordinary(text))
    if hf is not None and not args.no_hf_single:
        row("HF tokenizers encode (1 string)", lambda: hf.encode(text, add_special_tokens=False), reps=1)
    row("pyllm encode_batch lines, 1 thread", lambda: tok.encode_batch(lines, add_special_tokens=False, n_threads=1))
    row(f"pyllm encode_batch lines, {args.threads} threads",
        lambda: tok.encode_batch(lines, add_special_tokens=False, n_threads=args.threads), single=False)
    if tt is not None:
        row(f"tiktoken encode_ordinary_batch lines, {args.threads} threads",
            lambda: tt.encode_ordinary_batch(lines, num_threads=args.threads), single=False)
    if hf is not None:
        row("HF tokenizers encode_batch lines (all cores)", lambda: hf.encode_batch(lines, add_special_tokens=False),
            single=False)

    # MB/s = bytes / median wall time. "CPU MB/s" = bytes / process CPU time (single-threaded rows
    # only): on a shared, busy machine it shows the speed without time lost waiting for a core.
    ref = next((v for n, v, _ in rows if n.startswith("tiktoken encode_ordinary (")), None)
    print(f"| {'implementation':<48} | {'MB/s':>8} | {'vs tiktoken 1T':>14} | {'CPU MB/s':>8} |")
    print(f"|{'-' * 50}|{'-' * 10}|{'-' * 16}|{'-' * 10}|")
    for name, mbs, cpu in rows:
        ratio = f"{mbs / ref:.2f}x" if ref else "-"
        cpu_s = f"{cpu:8.2f}" if cpu is not None else f"{'-':>8}"
        print(f"| {name:<48} | {mbs:8.2f} | {ratio:>14} | {cpu_s} |")
    try:
        print(f"\nload average: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} CPUs)")
    except OSError:
        pass


if __name__ == "__main__":
    sys.exit(main())
