"""The ``pyllm`` command.

    pyllm info [MODEL] [--json]     architecture, parameters, size, tensor types, context, tokenizer
    pyllm download [NAME ...]       fetch known models into the cache and print their paths
    pyllm models                    list the known models and whether they are cached
    pyllm cpu                       the detected CPU features and the chosen kernels
    pyllm run [-m MODEL] "prompt"   stream an answer, then prompt/decode speed (cli_generate.py)
    pyllm chat [-m MODEL]           interactive chat (history, /reset, Ctrl-D exits)
    pyllm tokenize [-m MODEL] TEXT  token ids and pieces
    pyllm perplexity MODEL --text FILE [--ctx N]   perplexity the way llama.cpp's llama-perplexity does

MODEL is a path to a .gguf file or a known model name (default: the default model, fetched on
first use).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import OrderedDict
from typing import Any, Dict, List, Optional

from . import models as _models
from .model import KV_TYPES

__all__ = ["main", "model_summary"]


def _human_bytes(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024 or unit == "TiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.2f} {unit}"
        n /= 1024
    return str(n)


def _human_count(n: int) -> str:
    for div, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        if n >= div:
            return f"{n / div:.2f}{suffix}"
    return str(n)


def model_summary(path: str) -> Dict[str, Any]:
    """The facts ``pyllm info`` prints, as a dict (JSON-serialisable)."""
    from .gguf import GGUFFile

    with GGUFFile(path) as f:
        arch = f.architecture
        types: Dict[str, Dict[str, int]] = {}
        for t in f.tensors:
            e = types.setdefault(t.type, {"tensors": 0, "params": 0, "bytes": 0})
            e["tensors"] += 1
            e["params"] += t.n_elements
            e["bytes"] += t.nbytes
        types = dict(sorted(types.items(), key=lambda kv: -kv[1]["bytes"]))
        tokens = f.get("tokenizer.ggml.tokens")
        template = f.get("tokenizer.chat_template")
        return OrderedDict(
            path=os.path.abspath(path),
            name=f.get("general.name"),
            architecture=arch,
            gguf_version=f.version,
            file_size=f.file_size,
            n_params=f.n_params,
            n_tensors=len(f.tensors),
            n_metadata=len(f.metadata_types),
            tensor_types=types,
            context_length=f.get(f"{arch}.context_length") if arch else None,
            embedding_length=f.get(f"{arch}.embedding_length") if arch else None,
            block_count=f.get(f"{arch}.block_count") if arch else None,
            tokenizer=f.get("tokenizer.ggml.model"),
            tokenizer_pre=f.get("tokenizer.ggml.pre"),
            vocab_size=len(tokens) if tokens is not None else None,
            has_chat_template=template is not None,
            file_type=f.get("general.file_type"),
        )


def _print_summary(s: Dict[str, Any]) -> None:
    rows = [
        ("file", s["path"]),
        ("name", s["name"] or "-"),
        ("architecture", s["architecture"] or "-"),
        ("GGUF version", s["gguf_version"]),
        ("size", f"{_human_bytes(s['file_size'])} ({s['file_size']:,} bytes)"),
        ("parameters", f"{_human_count(s['n_params'])} ({s['n_params']:,}) in {s['n_tensors']} tensors"),
        ("context length", s["context_length"] if s["context_length"] is not None else "-"),
        ("embedding length", s["embedding_length"] if s["embedding_length"] is not None else "-"),
        ("layers", s["block_count"] if s["block_count"] is not None else "-"),
        ("tokenizer", f"{s['tokenizer'] or '-'} (pre: {s['tokenizer_pre'] or '-'}), "
                      f"{s['vocab_size'] if s['vocab_size'] is not None else '?'} tokens"),
        ("chat template", "yes" if s["has_chat_template"] else "no"),
    ]
    w = max(len(k) for k, _ in rows)
    for k, v in rows:
        print(f"{k:<{w}}  {v}")
    if s["tensor_types"]:
        print("tensor types:")
        total = sum(e["bytes"] for e in s["tensor_types"].values()) or 1
        for name, e in s["tensor_types"].items():
            print(f"  {name:<8} {e['tensors']:>5} tensors {_human_count(e['params']):>9} params "
                  f"{_human_bytes(e['bytes']):>12} ({100 * e['bytes'] / total:5.1f}%)")


def _cmd_info(args) -> int:
    path = _models.resolve(args.model, quiet=args.json)
    s = model_summary(str(path))
    if args.json:
        print(json.dumps(s, indent=2))
    else:
        _print_summary(s)
    return 0


def _cmd_download(args) -> int:
    names: List[str] = args.names or [_models.DEFAULT_MODEL]
    for name in names:
        p = _models.get(name, quiet=args.quiet, verify=args.verify)
        print(p)
    return 0


def _cmd_models(args) -> int:
    for m in _models.REGISTRY.values():
        mark = "cached" if _models.is_cached(m.name) else "not cached"
        default = " (default)" if m.name == _models.DEFAULT_MODEL else ""
        print(f"{m.name:<10} {m.size / 1e6:7.1f} MB  {mark:<10}  {m.description}{default}")
    print(f"cache: {_models.cache_dir()}")
    return 0


def _cmd_cpu(args) -> int:
    from . import cpu_info

    info = cpu_info()
    if args.json:
        print(json.dumps(info, indent=2))
        return 0
    print(f"cpu            {info['brand'] or info['vendor'] or 'unknown'}")
    print(f"cores          {info['physical_cores']} physical, {info['logical_cpus']} logical")
    print(f"kernels        {info['isa']} (available: {', '.join(info['available_isas'])})")
    flags = [k for k, v in info["features"].items() if v]
    print(f"features       {' '.join(flags) or '-'}")
    return 0


def _cmd_perplexity(args) -> int:
    import time

    from .model import Model

    path = _models.resolve(args.model, quiet=False)
    with open(args.text, "r", encoding="utf-8", errors="replace") as f:
        text = f.read()
    m = Model(path, n_ctx=args.ctx, n_threads=args.threads, kv_type=args.kv_type)
    ids = m.tokenize(text)
    n_chunks = len(ids) // args.ctx
    if args.chunks is not None:
        n_chunks = min(n_chunks, args.chunks)
    t0 = time.perf_counter()
    ppl = m.perplexity(ids, n_ctx=args.ctx, n_chunks=n_chunks)
    dt = time.perf_counter() - t0
    print(f"{len(ids)} tokens, {n_chunks} chunks of {args.ctx}, {dt:.1f} s "
          f"({n_chunks * args.ctx / max(dt, 1e-9):.0f} tok/s)")
    print(f"perplexity: {ppl:.4f}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="pyllm", description="Run GGUF language models on the CPU.")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    sp = sub.add_parser("info", help="describe a GGUF model file")
    sp.add_argument("model", nargs="?", default=None, help="path to a .gguf or a known model name")
    sp.add_argument("--json", action="store_true", help="machine-readable output")
    sp.set_defaults(func=_cmd_info)

    sp = sub.add_parser("download", help="fetch known models into the cache and print their paths")
    sp.add_argument("names", nargs="*", help=f"known model names ({', '.join(_models.REGISTRY)})")
    sp.add_argument("-q", "--quiet", action="store_true", help="no progress output")
    sp.add_argument("--verify", action="store_true", help="re-check the sha256 of cached files")
    sp.set_defaults(func=_cmd_download)

    sp = sub.add_parser("models", help="list the known models")
    sp.set_defaults(func=_cmd_models)

    sp = sub.add_parser("perplexity", help="perplexity of a model on a text file (llama-perplexity method)")
    sp.add_argument("model", nargs="?", default=None, help="path to a .gguf or a known model name")
    sp.add_argument("--text", required=True, help="UTF-8 text file")
    sp.add_argument("--ctx", type=int, default=512, help="chunk size in tokens (default 512)")
    sp.add_argument("--chunks", type=int, default=None, help="score at most this many chunks")
    sp.add_argument("--threads", type=int, default=None, help="threads (default: physical cores)")
    sp.add_argument("--kv-type", choices=KV_TYPES, default="f16", help="KV-cache storage (default f16)")
    sp.set_defaults(func=_cmd_perplexity)

    sp = sub.add_parser("cpu", help="show CPU features and the chosen kernels")
    sp.add_argument("--json", action="store_true")
    sp.set_defaults(func=_cmd_cpu)

    from .cli_generate import add_commands

    add_commands(sub)
    return p


def main(argv: Optional[List[str]] = None) -> int:
    from .errors import PyllmError

    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return args.func(args)
    except (PyllmError, OSError, KeyError, ValueError, RuntimeError) as e:
        msg = e.args[0] if isinstance(e, KeyError) and e.args else e
        print(f"pyllm: error: {msg}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("pyllm: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
