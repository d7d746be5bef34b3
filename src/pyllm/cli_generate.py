"""The generation commands of ``pyllm``: ``run``, ``chat`` and ``tokenize`` (wired in cli.py).

    pyllm run [-m MODEL] "prompt"     stream the answer, then prompt / decode speed (stderr)
    pyllm chat [-m MODEL]             interactive chat: history kept, /reset, /exit or Ctrl-D
    pyllm tokenize [-m MODEL] "text"  token ids and pieces
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, Dict, List

from .model import KV_TYPES

__all__ = ["add_commands"]


def _load(args):
    from . import models as _models
    from .model import Model

    path = _models.resolve(args.model, quiet=False)  # shows download progress on first use
    return Model(path, n_ctx=args.n_ctx, n_threads=args.threads, seed=args.seed, verbose=args.verbose,
                 kv_type=args.kv_type)


def _sampling(args) -> Dict[str, Any]:
    return dict(temperature=args.temperature, top_k=args.top_k, top_p=args.top_p, min_p=args.min_p,
                repeat_penalty=args.repeat_penalty, seed=args.seed)


def _speed(model) -> str:
    t = getattr(model, "last_timings", None) or {}
    n_p, n_r, t_p = t.get("n_prompt", 0), t.get("n_prompt_reused", 0), t.get("prompt_seconds", 0.0)
    n_g, t_g = t.get("n_generated", 0), t.get("decode_seconds", 0.0)
    ev = n_p - n_r
    ps = f"{ev / t_p:.1f} tok/s" if t_p > 0 and ev > 0 else "-"
    ds = f"{n_g / t_g:.1f} tok/s" if t_g > 0 and n_g > 0 else "-"
    return f"prompt: {ev} tokens, {ps} | decode: {n_g} tokens, {ds}"


def _has_template(model) -> bool:
    return bool(model.metadata.get("tokenizer.chat_template")) or getattr(model, "chat_format", None) is not None


def _cmd_run(args) -> int:
    model = _load(args)
    if args.chat_format:
        model.chat_format = args.chat_format
    kw = _sampling(args)
    use_chat = not args.raw and _has_template(model)
    try:
        if use_chat:
            msgs: List[Dict[str, str]] = []
            if args.system:
                msgs.append({"role": "system", "content": args.system})
            msgs.append({"role": "user", "content": args.prompt})
            for c in model.create_chat_completion(msgs, max_tokens=args.max_tokens, stream=True, **kw):
                piece = c["choices"][0]["delta"].get("content")
                if piece:
                    sys.stdout.write(piece)
                    sys.stdout.flush()
        else:
            if not args.raw:
                print("pyllm: this model has no chat template; continuing the prompt as plain text", file=sys.stderr)
            for piece in model.generate(args.prompt, max_tokens=args.max_tokens, stream=True, **kw):
                sys.stdout.write(piece)
                sys.stdout.flush()
    except KeyboardInterrupt:
        sys.stdout.write("\n")
        print(f"pyllm: interrupted ({_speed(model)})", file=sys.stderr)
        return 130
    sys.stdout.write("\n")
    sys.stdout.flush()
    print(_speed(model), file=sys.stderr)
    return 0


def _cmd_chat(args) -> int:
    model = _load(args)
    if args.chat_format:
        model.chat_format = args.chat_format
    model.chat_template(args.chat_format)  # fail early with a clear message if there is no template
    kw = _sampling(args)
    system = [{"role": "system", "content": args.system}] if args.system else []
    history: List[Dict[str, str]] = list(system)
    print(f"pyllm chat with {model.path.name} — /reset clears the history, /exit or Ctrl-D quits, "
          f"Ctrl-C stops an answer.", file=sys.stderr)
    while True:
        try:
            line = input("> ")
        except EOFError:
            print(file=sys.stderr)
            return 0
        except KeyboardInterrupt:
            print(file=sys.stderr)
            continue
        text = line.strip()
        if not text:
            continue
        if text in ("/exit", "/quit"):
            return 0
        if text == "/reset":
            history = list(system)
            print("(history cleared)", file=sys.stderr)
            continue
        history.append({"role": "user", "content": line})
        answer: List[str] = []
        try:
            for c in model.create_chat_completion(history, max_tokens=args.max_tokens, stream=True, **kw):
                piece = c["choices"][0]["delta"].get("content")
                if piece:
                    answer.append(piece)
                    sys.stdout.write(piece)
                    sys.stdout.flush()
        except KeyboardInterrupt:
            sys.stdout.write(" [interrupted]")
        except ValueError as e:  # e.g. the conversation no longer fits the context
            history.pop()
            print(f"\npyllm: {e}", file=sys.stderr)
            continue
        sys.stdout.write("\n")
        history.append({"role": "assistant", "content": "".join(answer)})
        if args.verbose:
            print(_speed(model), file=sys.stderr)


def _cmd_tokenize(args) -> int:
    from . import models as _models
    from .tokenizer import Tokenizer

    path = _models.resolve(args.model, quiet=False)
    tok = Tokenizer.from_gguf(path)
    ids = tok.encode(args.text, add_special_tokens=not args.no_bos, special=args.special)
    if args.ids:
        print(" ".join(str(i) for i in ids))
        return 0
    for i in ids:
        print(f"{i:>8}  {tok.token_to_piece(i).decode('utf-8', 'replace')!r}")
    print(f"{len(ids)} tokens", file=sys.stderr)
    return 0


def _model_args(sp: argparse.ArgumentParser) -> None:
    sp.add_argument("-m", "--model", default=None, help="path to a .gguf or a known model name (default: smollm2)")
    sp.add_argument("-c", "--n-ctx", type=int, default=2048, help="context size (default 2048)")
    sp.add_argument("-t", "--threads", type=int, default=None, help="threads (default: physical cores)")
    sp.add_argument("-v", "--verbose", action="store_true", help="log native timings")
    sp.add_argument("--kv-type", choices=KV_TYPES, default="f16",
                    help="KV-cache storage (default f16; q8_0 takes about half the memory)")


def _sampling_args(sp: argparse.ArgumentParser, temperature: float) -> None:
    sp.add_argument("-n", "--max-tokens", type=int, default=None,
                    help="maximum new tokens (default: until the model stops or the context is full)")
    sp.add_argument("--temperature", "--temp", type=float, default=temperature,
                    help=f"sampling temperature, 0 = greedy (default {temperature})")
    sp.add_argument("--top-k", type=int, default=40, help="top-k (default 40)")
    sp.add_argument("--top-p", type=float, default=0.95, help="top-p (default 0.95)")
    sp.add_argument("--min-p", type=float, default=0.05, help="min-p (default 0.05)")
    sp.add_argument("--repeat-penalty", type=float, default=1.0, help="repeat penalty (default 1.0: off)")
    sp.add_argument("-s", "--seed", type=int, default=None, help="RNG seed (default: random)")
    sp.add_argument("--system", default=None, help="a system message")
    sp.add_argument("--chat-format", default=None, help="built-in chat format when the model has no template "
                                                        "(chatml, gemma, llama-3, mistral-instruct, phi-3)")


def add_commands(sub) -> None:
    sp = sub.add_parser("run", help="generate an answer to a prompt (streams; prints speed on stderr)")
    sp.add_argument("prompt", help="the prompt")
    _model_args(sp)
    _sampling_args(sp, 0.2)
    sp.add_argument("--raw", action="store_true", help="plain text completion, without the chat template")
    sp.set_defaults(func=_cmd_run)

    sp = sub.add_parser("chat", help="interactive chat using the model's chat template")
    _model_args(sp)
    _sampling_args(sp, 0.2)
    sp.set_defaults(func=_cmd_chat)

    sp = sub.add_parser("tokenize", help="show the tokens of a text")
    sp.add_argument("text")
    sp.add_argument("-m", "--model", default=None, help="path to a .gguf or a known model name (default: smollm2)")
    sp.add_argument("--ids", action="store_true", help="print only the ids, space-separated")
    sp.add_argument("--special", action="store_true", help="parse special tokens written in the text")
    sp.add_argument("--no-bos", action="store_true", help="do not add BOS/EOS")
    sp.set_defaults(func=_cmd_tokenize)
