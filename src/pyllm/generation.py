"""Text generation on a :class:`pyllm.Model`: ``generate``, llama-cpp-python-shaped completions and chat.

    >>> m = pyllm.Model("smollm2")                                         # doctest: +SKIP
    >>> m.generate("The capital of France is", max_tokens=8, temperature=0)  # doctest: +SKIP
    ' Paris. The capital of France is Paris'
    >>> out = m("Q: What is 2+2? A:", max_tokens=8, stop=["\\n"])            # doctest: +SKIP
    >>> out["choices"][0]["text"]                                         # doctest: +SKIP
    >>> m.create_chat_completion([{"role": "user", "content": "Hi!"}])     # doctest: +SKIP

The loop runs in C++ (``pyllm._core.Generator``) with the GIL released; Python sees one token at a
time to turn bytes into text and to honour stop strings. Stop strings are matched on the decoded
text, so they are found even when split over several tokens; neither the stop string nor anything
after it is ever returned, and a stream holds back text that could be the start of a stop string
until it is sure. Ctrl-C (KeyboardInterrupt) stops a generation within one token (or one prefill
chunk) and leaves the model usable.

Parameters and defaults follow llama-cpp-python's ``Llama.create_completion`` /
``create_chat_completion`` (see README.md, "Parameters", for the full table).
"""

from __future__ import annotations

import codecs
import math
import random
import threading
import time
import uuid
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple, Union

from . import _core

__all__ = ["GenerationMixin", "StopStringFilter"]

StopArg = Optional[Union[str, Sequence[str]]]


# ------------------------------------------------------------------------------------------------
# Bytes -> text, with stop strings honoured across token boundaries
# ------------------------------------------------------------------------------------------------
class StopStringFilter:
    """Turns generated tokens into text and cuts it at the first stop string.

    ``add(token_id)`` returns the text that is now safe to hand out: complete UTF-8 characters
    that cannot be the beginning of a stop string. ``finish()`` returns what was held back once
    generation is over. After a stop string is found, ``stopped`` is True and nothing more is
    released. The concatenation of everything returned is ``text``.
    """

    def __init__(self, piece_of, stops: Sequence[str] = ()):
        self._piece_of = piece_of  # token id -> bytes
        self._utf8 = codecs.getincrementaldecoder("utf-8")("replace")
        self.stops: List[str] = [s for s in stops if s]
        self._maxstop = max((len(s) for s in self.stops), default=0)
        self._buf = ""              # all decoded text so far
        self._released = 0          # characters of _buf handed out
        self.stopped = False
        self.token_ends: List[int] = []  # len(_buf) after each token

    @property
    def text(self) -> str:
        """Everything released so far (after finish(): the final text)."""
        return self._buf[: self._released]

    def add(self, token_id: int) -> str:
        if self.stopped:
            return ""
        search_from = max(0, len(self._buf) - self._maxstop + 1)
        self._buf += self._utf8.decode(self._piece_of(token_id))
        self.token_ends.append(len(self._buf))
        return self._release(search_from, final=False)

    def finish(self) -> str:
        if self.stopped:
            return ""
        search_from = max(0, len(self._buf) - self._maxstop + 1)
        self._buf += self._utf8.decode(b"", final=True)
        return self._release(search_from, final=True)

    def _release(self, search_from: int, final: bool) -> str:
        buf = self._buf
        if self.stops:
            hits = [i for i in (buf.find(s, search_from) for s in self.stops) if i >= 0]
            if hits:
                cut = max(min(hits), self._released)
                out = buf[self._released:cut]
                self._released = cut
                self.stopped = True
                return out
        end = len(buf)
        if not final and self.stops:
            hold = 0
            for s in self.stops:
                for k in range(min(len(s) - 1, end - self._released), hold, -1):
                    if buf.endswith(s[:k]):
                        hold = k
                        break
            end -= hold
        out = buf[self._released:end]
        self._released = end
        return out


# ------------------------------------------------------------------------------------------------
# Argument checking
# ------------------------------------------------------------------------------------------------
def _stop_list(stop: StopArg) -> List[str]:
    if stop is None:
        return []
    if isinstance(stop, str):
        return [stop] if stop else []
    out = []
    for s in stop:
        if not isinstance(s, str):
            raise TypeError(f"stop must be a string or a list of strings, got an item of type {type(s).__name__}")
        if s:
            out.append(s)
    return out


def _check_range(name: str, v: float, lo: float, hi: float) -> float:
    v = float(v)
    if not (lo <= v <= hi):
        raise ValueError(f"{name} must be in [{lo:g}, {hi:g}], got {v}")
    return v


def _sampler_params(temperature: float, top_k: int, top_p: float, min_p: float, typical_p: float,
                    repeat_penalty: float, presence_penalty: float, frequency_penalty: float,
                    seed: int, penalty_last_n: int) -> "_core.SamplerParams":
    p = _core.SamplerParams()
    t = float(temperature)
    if not math.isfinite(t):
        raise ValueError(f"temperature must be a finite number, got {temperature}")
    p.temperature = t
    if isinstance(top_k, bool) or int(top_k) != top_k:
        raise ValueError(f"top_k must be an integer, got {top_k!r}")
    p.top_k = int(max(min(int(top_k), 2**31 - 1), -1))
    p.top_p = _check_range("top_p", top_p, 0.0, 1.0)
    p.min_p = _check_range("min_p", min_p, 0.0, 1.0)
    typical_p = float(typical_p)
    if not (0.0 < typical_p <= 1.0):
        raise ValueError(f"typical_p must be in (0, 1], got {typical_p}")
    p.typical_p = typical_p
    rp = float(repeat_penalty)
    if not (rp > 0 and math.isfinite(rp)):
        raise ValueError(f"repeat_penalty must be > 0, got {repeat_penalty}")
    p.repeat_penalty = rp
    for name, v in (("presence_penalty", presence_penalty), ("frequency_penalty", frequency_penalty)):
        if not math.isfinite(float(v)):
            raise ValueError(f"{name} must be a finite number, got {v}")
    p.presence_penalty = float(presence_penalty)
    p.frequency_penalty = float(frequency_penalty)
    p.penalty_last_n = int(penalty_last_n)
    p.seed = int(seed) & 0xFFFFFFFFFFFFFFFF
    return p


def _max_tokens(max_tokens: Optional[int]) -> int:
    if max_tokens is None:
        return 0
    if isinstance(max_tokens, bool) or int(max_tokens) != max_tokens:
        raise ValueError(f"max_tokens must be an integer or None, got {max_tokens!r}")
    if max_tokens < 0:
        raise ValueError(f"max_tokens must be >= 0 (or None for 'until the context is full'), got {max_tokens}")
    return int(max_tokens)


def _finish_reason(f: StopStringFilter, reason: str) -> str:
    return "stop" if f.stopped or reason in ("eog", "requested") else "length"


# ------------------------------------------------------------------------------------------------
# The mixin Model inherits
# ------------------------------------------------------------------------------------------------
class GenerationMixin:
    """Generation methods of :class:`pyllm.Model` (kept in their own module)."""

    #: penalty window (llama-cpp-python's ``last_n_tokens_size``): how many recent tokens, prompt
    #: included, repeat/presence/frequency penalties look at.
    last_n_tokens_size: int = 64

    # -- state -----------------------------------------------------------------------------------
    def _generator(self) -> "_core.Generator":
        g = getattr(self, "_gen", None)
        if g is None:
            session = _core.Session(self._m, int(self.n_ctx), 256, getattr(self, "kv_type", "f16"))
            g = self._gen = _core.Generator(session)
            self._gen_epoch = 0
            self._gen_lock = threading.RLock()
        return g

    def _next_epoch(self) -> int:
        from ._logging import configure

        self._generator()
        configure(bool(getattr(self, "verbose", False)))
        self._gen_epoch += 1
        return self._gen_epoch

    def _resolve_seed(self, seed: Optional[int]) -> int:
        if seed is not None:
            return int(seed)
        if getattr(self, "seed", None) is not None:
            return int(self.seed)
        return random.SystemRandom().getrandbits(64)

    def _piece(self, token_id: int) -> bytes:
        return self.tokenizer.token_to_piece(token_id)

    def _prompt_ids(self, prompt: Union[str, Sequence[int]]) -> Tuple[List[int], str]:
        """(token ids, prompt text). Text is tokenized with special tokens parsed and BOS added
        when the vocabulary asks for it (as llama-cpp-python does); ids are used unchanged."""
        if isinstance(prompt, str):
            if prompt == "":
                if self.bos_id is None:
                    raise ValueError("the prompt is empty and this model has no BOS token to start from")
                return [self.bos_id], ""
            return self.tokenize(prompt, special=True), prompt
        if isinstance(prompt, (bytes, bytearray)):
            raise TypeError("prompt must be a str or a list of token ids, not bytes")
        ids = [int(i) for i in prompt]
        if not ids:
            raise ValueError("the prompt is an empty list of token ids")
        n_vocab = self.n_vocab
        for i in ids:
            if not 0 <= i < n_vocab:
                raise ValueError(f"prompt token id {i} is out of range (vocabulary size {n_vocab})")
        bos = self.bos_id
        text_ids = ids[1:] if bos is not None and ids[0] == bos else ids
        return ids, self.tokenizer.decode(text_ids)

    def _params(self, prompt_ids: List[int], max_tokens: Optional[int], sampler: "_core.SamplerParams",
                n_logprobs: Optional[int] = None, prompt_logprobs: bool = False,
                extra_eog: Sequence[int] = ()) -> "_core.GenerateParams":
        n_ctx = int(self.n_ctx)
        if len(prompt_ids) >= n_ctx:
            raise ValueError(f"Requested tokens ({len(prompt_ids)}) exceed context window of {n_ctx} "
                             f"(the prompt has {len(prompt_ids)} tokens; n_ctx = {n_ctx})")
        gp = _core.GenerateParams()
        gp.sampling = sampler
        gp.max_tokens = _max_tokens(max_tokens)
        gp.eog_ids = sorted(set(self.tokenizer.eog_token_ids) | {int(i) for i in extra_eog})
        if n_logprobs is not None:
            if isinstance(n_logprobs, bool) or int(n_logprobs) < 0:
                raise ValueError(f"logprobs must be a non-negative integer or None, got {n_logprobs!r}")
            gp.n_logprobs = int(n_logprobs)
        gp.prompt_logprobs = bool(prompt_logprobs)
        return gp

    def _record(self, g: "_core.Generator") -> None:
        self.last_timings = dict(g.stats)
        self.last_timings["stop_reason"] = g.stop_reason

    # -- the two loops ---------------------------------------------------------------------------
    def _run(self, prompt_ids: List[int], gp: "_core.GenerateParams", stops: List[str]):
        """Non-streaming: the C++ loop, GIL re-acquired per token. -> (filter, tokens, token infos, reason)."""
        g = self._generator()
        f = StopStringFilter(self._piece, stops)
        tokens: List[int] = []
        infos: List[Tuple[Any, Any, Any]] = []

        def on_token(tid, lp, top_ids, top_lps):
            tokens.append(tid)
            infos.append((lp, top_ids, top_lps))
            f.add(tid)
            return f.stopped

        with self._gen_lock:  # one generation at a time per Model (threads wait their turn)
            self._next_epoch()
            try:
                g.generate(prompt_ids, gp, on_token)
            finally:
                self._record(g)
        f.finish()
        return f, tokens, infos, g.stop_reason

    def _stream(self, prompt_ids: List[int], gp: "_core.GenerateParams", stops: List[str]):
        """Streaming: yields (text piece, [(token, logprob info)...]) as text becomes safe to release,
        then a final (None, reason). Steps the C++ generator one token at a time (GIL released)."""
        g = self._generator()
        f = StopStringFilter(self._piece, stops)
        pending: List[Tuple[int, Tuple[Any, Any, Any]]] = []
        with self._gen_lock:
            epoch = self._next_epoch()
        try:
            with self._gen_lock:
                g.start(prompt_ids, gp)
            while True:
                with self._gen_lock:
                    if self._gen_epoch != epoch:
                        raise RuntimeError("this stream was interrupted by another generation on the same Model; "
                                           "finish (or close) a stream before starting the next generation")
                    t = g.next()
                if t is None:
                    break
                pending.append((t[0], (t[1], t[2], t[3])))
                piece = f.add(t[0])
                if piece:
                    yield piece, pending
                    pending = []
                if f.stopped:
                    break  # the finally below ends the C++ generation
            tail = f.finish()
            if tail:
                yield tail, pending
                pending = []
        finally:
            with self._gen_lock:
                if self._gen_epoch == epoch:
                    if not g.finished:
                        g.stop()
                    self._record(g)
        yield None, _finish_reason(f, g.stop_reason)

    # -- logprobs --------------------------------------------------------------------------------
    def _token_str(self, tid: int) -> str:
        return self._piece(tid).decode("utf-8", errors="ignore")

    def _logprob_entry(self, tid: int, info) -> Tuple[str, Optional[float], Optional[Dict[str, float]]]:
        lp, top_ids, top_lps = info
        s = self._token_str(tid)
        top = {self._token_str(i): float(v) for i, v in zip(top_ids or [], top_lps or [])}
        top[s] = float(lp)
        return s, float(lp), top

    # -- public API ------------------------------------------------------------------------------
    def generate(self, prompt: Union[str, Sequence[int]], max_tokens: Optional[int] = 16,
                 temperature: float = 0.8, top_k: int = 40, top_p: float = 0.95, min_p: float = 0.05,
                 repeat_penalty: float = 1.0, presence_penalty: float = 0.0, frequency_penalty: float = 0.0,
                 seed: Optional[int] = None, stop: StopArg = None, stream: bool = False,
                 typical_p: float = 1.0) -> Union[str, Iterator[str]]:
        """Continue ``prompt`` and return the new text (``stream=True``: an iterator of text pieces).

        Args:
            prompt: text (tokenized with BOS when the vocabulary adds one, special tokens such as
                ``<|im_start|>`` parsed) or a list of token ids (used as they are).
            max_tokens: at most this many new tokens; ``None`` or ``0``: until the context
                (``n_ctx``) is full. Negative values raise ValueError. Default 16.
            temperature: randomness; ``0`` is greedy (always the most likely token), higher is more
                random. Default 0.8.
            top_k: sample among the ``top_k`` most likely tokens only (``<= 0``: all). Default 40.
            top_p: nucleus sampling: the smallest set of tokens whose probability reaches
                ``top_p`` (in [0, 1]; 1 disables it). Default 0.95.
            min_p: drop tokens less likely than ``min_p`` times the most likely one (in [0, 1];
                0 disables it). Default 0.05.
            repeat_penalty: divide positive logits (multiply negative ones) of tokens seen in the
                last ``last_n_tokens_size`` (64) tokens, prompt included, by this. 1 disables it.
            presence_penalty: subtract this from the logits of tokens seen in that window.
            frequency_penalty: subtract this times the number of times a token was seen there.
            seed: RNG seed for this call; ``None`` uses the Model's ``seed`` (same text every
                call) or, if that is None too, a fresh random seed. The same seed and parameters
                give the same text on any thread count.
            stop: a string or list of strings; generation ends before the first occurrence, which
                is not returned (also when it spans several tokens).
            stream: return an iterator of text pieces instead of one string.
            typical_p: locally typical sampling (in (0, 1]; 1 disables it).

        Generation also ends at an end-of-generation token (EOS, EOT, ``<|im_end|>``,
        ``<end_of_turn>``, ...), which is not part of the text.
        """
        ids, _ = self._prompt_ids(prompt)
        sp = _sampler_params(temperature, top_k, top_p, min_p, typical_p, repeat_penalty, presence_penalty,
                             frequency_penalty, self._resolve_seed(seed), self.last_n_tokens_size)
        gp = self._params(ids, max_tokens, sp)
        stops = _stop_list(stop)
        if stream:
            return (piece for piece, _ in self._stream(ids, gp, stops) if piece is not None)
        f, _, _, _ = self._run(ids, gp, stops)
        return f.text

    def create_completion(self, prompt: Union[str, Sequence[int]], suffix: Optional[str] = None,
                          max_tokens: Optional[int] = 16, temperature: float = 0.8, top_p: float = 0.95,
                          min_p: float = 0.05, typical_p: float = 1.0, logprobs: Optional[int] = None,
                          echo: bool = False, stop: StopArg = None, frequency_penalty: float = 0.0,
                          presence_penalty: float = 0.0, repeat_penalty: float = 1.0, top_k: int = 40,
                          stream: bool = False, seed: Optional[int] = None, model: Optional[str] = None,
                          ) -> Union[Dict[str, Any], Iterator[Dict[str, Any]]]:
        """Complete ``prompt``; the result has llama-cpp-python's (OpenAI's) ``text_completion`` shape.

        Returns ``{'id': 'cmpl-…', 'object': 'text_completion', 'created': <unix time>, 'model':
        <model or the file path>, 'choices': [{'text', 'index': 0, 'logprobs', 'finish_reason':
        'stop' | 'length'}], 'usage': {'prompt_tokens', 'completion_tokens', 'total_tokens'}}``.
        With ``stream=True``: an iterator of chunks of the same shape without ``usage``, each
        holding a piece of text and ``finish_reason`` None, then a last chunk with text ``''``
        and the finish reason.

        Args (beyond those of :meth:`generate`, which have the same meaning and defaults):
            suffix: text appended to the completion (the model does not see it; no infilling).
            logprobs: ``None`` (default) or n >= 0: return ``{'tokens', 'text_offset',
                'token_logprobs', 'top_logprobs'}`` with the log-probability of every generated
                token under the model's raw distribution and the n most likely alternatives
                (each ``top_logprobs`` dict also holds the chosen token).
            echo: prepend the prompt to the text (with ``logprobs``: the prompt tokens too, the
                first one with ``None`` entries, as OpenAI does).
            model: the name put in the result's ``model`` field.

        ``finish_reason`` is ``'stop'`` after a stop string or an end-of-generation token and
        ``'length'`` after ``max_tokens`` (or a full context). A prompt of ``n_ctx`` tokens or
        more raises ValueError naming both numbers.
        """
        ids, prompt_text = self._prompt_ids(prompt)
        sp = _sampler_params(temperature, top_k, top_p, min_p, typical_p, repeat_penalty, presence_penalty,
                             frequency_penalty, self._resolve_seed(seed), self.last_n_tokens_size)
        gp = self._params(ids, max_tokens, sp, n_logprobs=logprobs, prompt_logprobs=bool(echo and logprobs is not None))
        stops = _stop_list(stop)
        cid = f"cmpl-{uuid.uuid4()}"
        created = int(time.time())
        name = model if model is not None else str(self.path)
        if stream:
            return self._completion_chunks(ids, prompt_text, gp, stops, cid, created, name, logprobs, echo)
        return self._completion(ids, prompt_text, gp, stops, cid, created, name, logprobs, echo, suffix)

    __call__ = create_completion

    def _completion(self, ids, prompt_text, gp, stops, cid, created, name, logprobs, echo, suffix):
        f, tokens, infos, reason = self._run(ids, gp, stops)
        text = f.text
        lp_out = None
        if logprobs is not None:
            # Generation stops at the token that completed a stop string, so every generated token
            # contributed (llama-cpp-python also lists the token holding the stop string).
            n_keep = len(tokens)
            t_strs, offs, t_lps, tops = [], [], [], []
            base = 0 if echo else len(prompt_text)
            if echo:
                bos = self.bos_id
                p_ids = list(ids)
                plps = self._gen.prompt_logprobs  # entry i: logprob of prompt token i+1
                off = 0
                for i, tid in enumerate(p_ids):
                    if i == 0 and bos is not None and tid == bos:
                        continue
                    s = self._token_str(tid)
                    t_strs.append(s)
                    offs.append(off)
                    off += len(s)
                    if i == 0 or len(t_strs) == 1:
                        t_lps.append(None)
                        tops.append(None)
                    else:
                        _, lp, top = self._logprob_entry(tid, plps[i - 1])
                        t_lps.append(lp)
                        tops.append(top)
                base = len(prompt_text)
            prev = 0
            for k in range(n_keep):
                s, lp, top = self._logprob_entry(tokens[k], infos[k])
                t_strs.append(s)
                offs.append(base + prev)
                prev = f.token_ends[k]
                t_lps.append(lp)
                tops.append(top)
            lp_out = {"tokens": t_strs, "text_offset": offs, "token_logprobs": t_lps, "top_logprobs": tops}
        if echo:
            text = prompt_text + text
        if suffix is not None:
            text = text + suffix
        return {
            "id": cid,
            "object": "text_completion",
            "created": created,
            "model": name,
            "choices": [{"text": text, "index": 0, "logprobs": lp_out, "finish_reason": _finish_reason(f, reason)}],
            "usage": {"prompt_tokens": len(ids), "completion_tokens": len(tokens),
                      "total_tokens": len(ids) + len(tokens)},
        }

    def _completion_chunks(self, ids, prompt_text, gp, stops, cid, created, name, logprobs, echo):
        def chunk(text, lp, reason):
            return {"id": cid, "object": "text_completion", "created": created, "model": name,
                    "choices": [{"text": text, "index": 0, "logprobs": lp, "finish_reason": reason}]}

        offset = 0 if echo else len(prompt_text)
        if echo and prompt_text:
            yield chunk(prompt_text, None, None)
        for piece, extra in self._stream(ids, gp, stops):
            if piece is None:
                yield chunk("", None, extra)
                return
            lp = None
            if logprobs is not None:
                lp = {"tokens": [], "text_offset": [], "token_logprobs": [], "top_logprobs": []}
                off = offset
                for tid, info in extra:
                    s, v, top = self._logprob_entry(tid, info)
                    lp["tokens"].append(s)
                    lp["text_offset"].append(off)
                    lp["token_logprobs"].append(v)
                    lp["top_logprobs"].append(top)
                    off += len(s)
            offset += len(piece)
            yield chunk(piece, lp, None)

    # -- chat ------------------------------------------------------------------------------------
    def create_chat_completion(self, messages: List[Dict[str, Any]], temperature: float = 0.2,
                               top_p: float = 0.95, top_k: int = 40, min_p: float = 0.05,
                               typical_p: float = 1.0, stream: bool = False, stop: StopArg = None,
                               seed: Optional[int] = None, max_tokens: Optional[int] = None,
                               presence_penalty: float = 0.0, frequency_penalty: float = 0.0,
                               repeat_penalty: float = 1.0, model: Optional[str] = None,
                               logprobs: Optional[bool] = None, top_logprobs: Optional[int] = None,
                               chat_format: Optional[str] = None, chat_template: Optional[str] = None,
                               tools: Optional[List[Dict[str, Any]]] = None,
                               ) -> Union[Dict[str, Any], Iterator[Dict[str, Any]]]:
        """Answer a conversation; the result has llama-cpp-python's ``chat.completion`` shape.

        ``messages``: a non-empty list of ``{'role': 'system'|'user'|'assistant'|..., 'content': str}``.
        They are rendered with the model's chat template (GGUF ``tokenizer.chat_template``, run by
        jinja2 in a sandbox), or ``chat_template=`` (a jinja2 template string), or ``chat_format=``
        (a built-in format: see :data:`pyllm.chat.CHAT_FORMATS`), with ``add_generation_prompt``
        True. Generation stops at every end-of-generation token and at the template's end token.

        Returns ``{'id': 'chatcmpl-…', 'object': 'chat.completion', 'created', 'model', 'choices':
        [{'index': 0, 'message': {'role': 'assistant', 'content': str}, 'logprobs', 'finish_reason'}],
        'usage'}``. With ``stream=True``: ``chat.completion.chunk`` dicts — first ``delta
        {'role': 'assistant'}``, then ``delta {'content': piece}``, then ``delta {}`` with the
        finish reason.

        Defaults as llama-cpp-python: temperature 0.2, top_p 0.95, top_k 40, min_p 0.05,
        max_tokens None (until the context is full or the model ends its turn), penalties off.
        ``logprobs=True`` (+ ``top_logprobs=n``) returns OpenAI chat logprobs
        (``{'content': [{'token', 'logprob', 'bytes', 'top_logprobs': [...]}], 'refusal': None}``).
        ``tools`` is passed to the template (no tool-call parsing).
        """
        from .chat import resolve_chat_template

        tmpl = resolve_chat_template(self, chat_format=chat_format, chat_template=chat_template)
        prompt = tmpl.render(messages, add_generation_prompt=True, tools=tools)
        ids = self.tokenize(prompt, add_bos=tmpl.needs_bos(self, prompt), special=True)
        n_lp = None
        if logprobs:
            n_lp = int(top_logprobs or 0)
        sp = _sampler_params(temperature, top_k, top_p, min_p, typical_p, repeat_penalty, presence_penalty,
                             frequency_penalty, self._resolve_seed(seed), self.last_n_tokens_size)
        gp = self._params(ids, max_tokens, sp, n_logprobs=n_lp, extra_eog=tmpl.stop_token_ids(self))
        stops = _stop_list(stop) + [s for s in tmpl.stop_strings(self) if s]
        cid = f"chatcmpl-{uuid.uuid4()}"
        created = int(time.time())
        name = model if model is not None else str(self.path)
        if stream:
            return self._chat_chunks(ids, gp, stops, cid, created, name, n_lp)
        c = self._completion(ids, "", gp, stops, cid, created, name, n_lp, False, None)
        ch = c["choices"][0]
        return {
            "id": cid,
            "object": "chat.completion",
            "created": created,
            "model": name,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": ch["text"]},
                         "logprobs": _chat_logprobs(ch["logprobs"]), "finish_reason": ch["finish_reason"]}],
            "usage": c["usage"],
        }

    def _chat_chunks(self, ids, gp, stops, cid, created, name, n_lp):
        def chunk(delta, lp, reason):
            return {"id": cid, "model": name, "created": created, "object": "chat.completion.chunk",
                    "choices": [{"index": 0, "delta": delta, "logprobs": lp, "finish_reason": reason}]}

        yield chunk({"role": "assistant"}, None, None)
        for c in self._completion_chunks(ids, "", gp, stops, cid, created, name, n_lp, False):
            ch = c["choices"][0]
            if ch["finish_reason"] is None:
                yield chunk({"content": ch["text"]}, _chat_logprobs(ch["logprobs"]), None)
            else:
                yield chunk({}, None, ch["finish_reason"])

    def chat_template(self, chat_format: Optional[str] = None, chat_template: Optional[str] = None):
        """The :class:`pyllm.chat.ChatTemplate` chat completions use (see create_chat_completion)."""
        from .chat import resolve_chat_template

        return resolve_chat_template(self, chat_format=chat_format, chat_template=chat_template)


def _chat_logprobs(lp: Optional[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
    if lp is None:
        return None
    content = []
    for tok, v, top in zip(lp["tokens"], lp["token_logprobs"], lp["top_logprobs"]):
        content.append({"token": tok, "logprob": v, "bytes": None,
                        "top_logprobs": [{"token": t, "logprob": x, "bytes": None} for t, x in (top or {}).items()]})
    return {"content": content, "refusal": None}
