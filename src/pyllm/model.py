"""Run a GGUF model: :class:`Model` (immutable weights, shareable) and :class:`Session` (KV cache).

    >>> import pyllm
    >>> m = pyllm.Model("smollm2", n_ctx=512)          # doctest: +SKIP
    >>> s = m.session()                                  # doctest: +SKIP
    >>> logits = s.eval([1, 504, 3458])                 # doctest: +SKIP   (n_vocab,) float32
    >>> logits = s.eval([2114])                          # doctest: +SKIP   one decode step
    >>> m.perplexity(ids, n_ctx=128)                     # doctest: +SKIP

``Session.eval`` returns the last token's logits as a **read-only view of the session's buffer**
(no copy): the next ``eval``/``reset``/``truncate`` of that session overwrites it, so call
``.copy()`` to keep it. ``eval(ids, all_logits=True)`` returns a fresh ``(len(ids), n_vocab)``
array instead. ``eval`` releases the GIL.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Union

import numpy as np

from . import _core
from . import models as _models
from .generation import GenerationMixin

__all__ = ["Model", "Session", "KV_TYPES"]

#: KV-cache storage types: f16 (llama.cpp's default), f32, and GGUF Q8_0 blocks (llama.cpp's
#: ``--cache-type-k/-v q8_0``: about half the memory of f16).
KV_TYPES = ("f16", "f32", "q8_0")

Ids = Union[Sequence[int], np.ndarray]


def _as_ids(ids: Ids) -> np.ndarray:
    a = np.asarray(ids)
    if a.ndim == 0:
        a = a.reshape(1)
    if a.ndim != 1:
        raise ValueError(f"expected a 1-D sequence of token ids, got shape {a.shape}")
    if a.size and not np.issubdtype(a.dtype, np.integer):
        raise TypeError(f"token ids must be integers, got dtype {a.dtype}")
    if a.size and (a.min() < np.iinfo(np.int32).min or a.max() > np.iinfo(np.int32).max):
        bad = int(a.max()) if a.max() > np.iinfo(np.int32).max else int(a.min())
        raise IndexError(f"token id {bad} is out of range")
    return np.ascontiguousarray(a, dtype=np.int32)


class Session:
    """The mutable state of one sequence: KV cache (the model's ``kv_type``, f16 by default) and position.

    Create with :meth:`Model.session`. Several sessions can share one model (they share its
    thread pool, so their evals run one at a time).
    """

    def __init__(self, model: "Model", n_ctx: Optional[int] = None, n_batch: int = 256, kv_type: Optional[str] = None):
        self._model = model
        n = model.n_ctx if n_ctx is None else int(n_ctx)
        self._kv_type = kv_type or model.kv_type
        self._s = _core.Session(model._m, n, int(n_batch), self._kv_type)

    @property
    def model(self) -> "Model":
        return self._model

    @property
    def n_past(self) -> int:
        """Number of positions already evaluated (the next token goes at this position)."""
        return self._s.n_past

    @property
    def n_ctx(self) -> int:
        return self._s.n_ctx

    @property
    def kv_type(self) -> str:
        """The KV cache's storage: ``"f16"``, ``"f32"`` or ``"q8_0"``."""
        return self._kv_type

    @property
    def kv_bytes(self) -> int:
        """Bytes reserved for the KV cache (all ``n_ctx`` positions; pages are committed as they are written)."""
        return self._s.kv_bytes

    def eval(self, ids: Ids, all_logits: bool = False) -> np.ndarray:
        """Append ``ids`` and run the model over them.

        Returns the logits after the last token, shape ``(n_vocab,)`` float32 — a read-only view
        of the session's buffer, overwritten by the next call — or, with ``all_logits=True``, a new
        ``(len(ids), n_vocab)`` array with the logits after every new token.

        Raises ``IndexError`` for a token id outside the vocabulary and ``ValueError`` when the
        context would overflow (``n_past + len(ids) > n_ctx``); the session is unchanged then.
        """
        return self._s.eval(_as_ids(ids), bool(all_logits))

    def reset(self) -> None:
        """Forget every position (n_past = 0)."""
        self._s.reset()

    def truncate(self, n: int) -> None:
        """Keep the first ``n`` positions (e.g. a shared prompt prefix) and drop the rest."""
        self._s.truncate(int(n))

    def __repr__(self) -> str:
        return f"Session(n_past={self.n_past}, n_ctx={self.n_ctx}, kv_type={self.kv_type!r})"


class Model(GenerationMixin):
    """A GGUF model loaded for inference (weights memory-mapped: loading is near-instant).

    ``model``: a path to a ``.gguf`` file, a known model name (see ``pyllm models``), or None for
    the default model (fetched into the cache on first use). ``n_ctx``: the context size of the
    sessions it creates. ``n_threads``: None for the number of physical cores.
    ``repack``: before the first evaluation, copy the Q4_0 / Q4_1 / Q5_0 / Q5_1 / Q8_0 / Q2_K ... Q6_K / IQ4_NL /
    IQ4_XS matrices into an 8-row interleaved layout that decodes 1.2-2.4x faster per thread on x86 (their pages of the mapped file are
    released, so resident memory stays about the file size). False keeps every weight a zero-copy
    view of the file (less memory when several processes map the same file).
    ``kv_type``: the KV cache's storage for the sessions it creates (generation included): ``"f16"``
    (default), ``"f32"`` or ``"q8_0"`` (about half of f16's memory; see :meth:`session`).
    Architectures: llama, gemma3, gpt2, qwen2; anything else raises
    :class:`pyllm.UnsupportedModelError`.
    """

    def __init__(self, model: "str | os.PathLike[str] | None" = None, n_ctx: int = 2048,
                 n_threads: Optional[int] = None, seed: Optional[int] = None, verbose: bool = False,
                 repack: bool = True, kv_type: str = "f16"):
        path = _models.resolve(model, quiet=not verbose)
        if n_threads is None:
            n_threads = int(_core.cpu_info()["physical_cores"]) or 1
        n_threads = int(n_threads)
        if n_threads < 1:
            raise ValueError(f"n_threads must be >= 1, got {n_threads}")
        n_ctx = int(n_ctx)
        if n_ctx < 1:
            raise ValueError(f"n_ctx must be >= 1, got {n_ctx}")
        if kv_type not in KV_TYPES:
            raise ValueError(f"kv_type must be one of {', '.join(map(repr, KV_TYPES))}, got {kv_type!r}")
        self.kv_type = kv_type
        self._path = Path(path)
        self._m = _core.Model(str(path), n_threads, bool(repack))
        self._n_ctx = n_ctx
        self.seed = seed
        self.verbose = verbose
        self._metadata: Optional[Dict[str, Any]] = None
        self._tokenizer = None

    # -- facts ------------------------------------------------------------------------------------
    @property
    def path(self) -> Path:
        return self._path

    @property
    def n_ctx(self) -> int:
        """Context size of the sessions this model creates by default."""
        return self._n_ctx

    @property
    def n_ctx_train(self) -> int:
        return self._m.n_ctx_train

    @property
    def n_vocab(self) -> int:
        return self._m.n_vocab

    @property
    def n_threads(self) -> int:
        return self._m.n_threads

    def prepare(self) -> "Model":
        """Do the one-time weight preparation now instead of at the first evaluation: with
        ``repack=True``, copy the matrices into the x8 layout (a server can call this at start-up so
        the first request does not pay for it). Idempotent and thread-safe; returns the model."""
        self._m.prepare()
        return self

    @property
    def n_repacked(self) -> int:
        """How many weight matrices are in the x8 layout (0 before the first evaluation or
        :meth:`prepare`, and with ``repack=False``)."""
        return self._m.n_repacked

    @property
    def architecture(self) -> str:
        return self._m.architecture

    @property
    def config(self) -> Dict[str, Any]:
        """The hyper-parameters the engine uses (head sizes, RoPE, sliding window, ...)."""
        return self._m.config

    @property
    def metadata(self) -> Dict[str, Any]:
        """All GGUF metadata (key -> value)."""
        if self._metadata is None:
            from .gguf import GGUFFile

            with GGUFFile(self._path) as f:
                self._metadata = dict(f.metadata)
        return self._metadata

    @property
    def bos_id(self) -> Optional[int]:
        b = self._m.bos_id
        return None if b < 0 else b

    @property
    def add_bos(self) -> bool:
        """Whether the vocabulary asks for a BOS token at the start of a sequence."""
        return bool(self._m.add_bos)

    def __repr__(self) -> str:
        return f"Model({str(self._path)!r}, architecture={self.architecture!r}, n_ctx={self.n_ctx})"

    # -- tokenizer ---------------------------------------------------------------------------------
    @property
    def tokenizer(self):
        """The model's :class:`pyllm.Tokenizer`, built from the same GGUF on first use."""
        if self._tokenizer is None:
            from .tokenizer import Tokenizer

            self._tokenizer = Tokenizer.from_gguf(str(self._path))
        return self._tokenizer

    def tokenize(self, text: "str | bytes", add_bos: Optional[bool] = None, special: bool = False) -> List[int]:
        """Token ids of ``text``. ``add_bos=None``: BOS first when the vocabulary asks for it (as
        llama.cpp does); True/False force it. ``special``: parse control tokens such as
        ``<|im_start|>`` written in the text."""
        tok = self.tokenizer
        if add_bos is None:
            return list(tok.encode(text, add_special_tokens=True, special=special))
        ids = list(tok.encode(text, add_special_tokens=False, special=special))
        if add_bos:
            if self.bos_id is None:
                raise ValueError("this vocabulary has no BOS token")
            ids = [self.bos_id] + ids
        return ids

    def detokenize(self, ids: Ids, skip_special_tokens: bool = False) -> str:
        """Text of token ids (invalid UTF-8 becomes U+FFFD)."""
        return self.tokenizer.decode([int(i) for i in _as_ids(ids)], skip_special_tokens=skip_special_tokens)

    # -- inference ---------------------------------------------------------------------------------
    def session(self, n_ctx: Optional[int] = None, n_batch: int = 256, kv_type: Optional[str] = None) -> Session:
        """A new :class:`Session` (its own KV cache of ``n_ctx`` positions, default ``Model.n_ctx``).

        ``kv_type`` (default: the model's ``kv_type``): ``"f16"`` (2 bytes per element), ``"f32"``
        (4), or ``"q8_0"`` (GGUF Q8_0 blocks of 32, 1.06 bytes per element; needs a head dimension
        that is a multiple of 32).
        """
        return Session(self, n_ctx=n_ctx, n_batch=n_batch, kv_type=kv_type or self.kv_type)

    def perplexity(self, text_or_ids: "str | Ids", n_ctx: int = 512, n_chunks: Optional[int] = None,
                   kv_type: Optional[str] = None) -> float:
        """Perplexity computed the way llama.cpp's ``llama-perplexity`` does.

        The tokens (text is tokenized with BOS when the vocabulary adds one) are cut into
        ``len // n_ctx`` chunks of ``n_ctx`` tokens (the remainder is dropped). Each chunk is
        evaluated from an empty cache, with its first token replaced by BOS when the vocabulary
        adds one; only the second half is scored: the logits at positions ``n_ctx//2 .. n_ctx-2``
        predict the next tokens. Returns ``exp(mean negative log-likelihood)``.
        """
        if isinstance(text_or_ids, str):
            ids = np.asarray(self.tokenize(text_or_ids), dtype=np.int32)
        else:
            ids = _as_ids(text_or_ids)
        n_ctx = int(n_ctx)
        if n_ctx < 4:
            raise ValueError(f"n_ctx must be >= 4 for perplexity, got {n_ctx}")
        total = len(ids) // n_ctx
        if n_chunks is not None:
            total = min(total, int(n_chunks))
        if total < 1:
            raise ValueError(f"perplexity needs at least n_ctx = {n_ctx} tokens, got {len(ids)}")
        first = n_ctx // 2
        s = self.session(n_ctx=n_ctx, n_batch=n_ctx, kv_type=kv_type)
        nll = 0.0
        count = 0
        for c in range(total):
            chunk = ids[c * n_ctx:(c + 1) * n_ctx].copy()
            if self.add_bos and self.bos_id is not None:
                chunk[0] = self.bos_id
            s.reset()
            s.eval(chunk[:first])
            logits = s.eval(chunk[first:n_ctx - 1], all_logits=True).astype(np.float64)
            targets = ids[c * n_ctx + first + 1:(c + 1) * n_ctx]
            mx = logits.max(axis=1, keepdims=True)
            lse = np.log(np.exp(logits - mx).sum(axis=1)) + mx[:, 0]
            nll += float(np.sum(lse - logits[np.arange(len(targets)), targets]))
            count += len(targets)
        return math.exp(nll / count)
