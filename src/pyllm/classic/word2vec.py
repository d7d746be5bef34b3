"""Word2Vec — skip-gram / CBOW with negative sampling, trained in C++ (Hogwild threads, GIL released)."""

from __future__ import annotations

import os
from typing import Iterable, List, Optional, Sequence

import numpy as np

from .. import _core
from .keyedvectors import KeyedVectors


def _default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover
        return max(1, os.cpu_count() or 1)


class Word2Vec:
    """word2vec with gensim's parameters and defaults (negative sampling only).

    Parameters: ``vector_size=100, window=5, min_count=5, sg=1`` (1 skip-gram, 0 CBOW),
    ``negative=5, sample=1e-3, epochs=5, alpha=0.025, min_alpha=0.0001, ns_exponent=0.75,
    cbow_mean=1, workers=None`` (all cores), ``seed=0``, ``compute_loss=False``,
    ``max_final_vocab=None`` is not supported; ``hs=1`` (hierarchical softmax) is not implemented.

    ``sentences`` is an iterable of token lists (each a list of str). Training happens on
    construction when ``sentences`` is given (as in gensim), or with :meth:`train`.
    ``workers=1`` with a fixed ``seed`` gives identical vectors on every run.

    >>> m = Word2Vec([["a", "b", "c"]] * 50, vector_size=8, min_count=1, epochs=2, workers=1)
    >>> m.wv["a"].shape
    (8,)
    """

    def __init__(self, sentences: Optional[Iterable[Sequence[str]]] = None, *, vector_size: int = 100,
                 window: int = 5, min_count: int = 5, sg: int = 1, negative: int = 5, sample: float = 1e-3,
                 epochs: int = 5, alpha: float = 0.025, min_alpha: float = 0.0001, workers: Optional[int] = None,
                 seed: int = 0, cbow_mean: int = 1, ns_exponent: float = 0.75, compute_loss: bool = False,
                 max_sentence_length: int = 10000, hs: int = 0):
        if hs:
            raise NotImplementedError("hierarchical softmax (hs=1) is not implemented; use negative sampling")
        self.vector_size = vector_size
        self.window = window
        self.min_count = min_count
        self.sg = sg
        self.negative = negative
        self.sample = sample
        self.epochs = epochs
        self.alpha = alpha
        self.min_alpha = min_alpha
        self.workers = workers
        self.seed = seed
        self.cbow_mean = cbow_mean
        self.ns_exponent = ns_exponent
        self.compute_loss = compute_loss
        self.max_sentence_length = max_sentence_length
        self.wv: Optional[KeyedVectors] = None
        self.syn1neg: Optional[np.ndarray] = None
        self.loss_history_: List[float] = []
        self.corpus_total_words = 0
        self.effective_words = 0
        self.kernels_ = ""
        if sentences is not None:
            self.train(sentences)

    def train(self, sentences: Iterable[Sequence[str]]) -> "Word2Vec":
        """Build the vocabulary from ``sentences`` and train from scratch. Returns self."""
        if isinstance(sentences, (str, bytes)):
            raise TypeError("sentences must be an iterable of token lists, not a single string")
        sents = sentences if isinstance(sentences, list) else list(sentences)
        if not sents:
            raise ValueError("cannot train Word2Vec on an empty corpus (no sentences)")
        workers = _default_workers() if self.workers is None else int(self.workers)
        out = _core.classic.train_word2vec(
            sents, int(self.vector_size), int(self.window), int(self.min_count), int(self.negative),
            int(self.epochs), bool(self.sg), bool(self.cbow_mean), float(self.sample), float(self.ns_exponent),
            float(self.alpha), float(self.min_alpha), workers, int(self.seed) & (2**64 - 1),
            bool(self.compute_loss), int(self.max_sentence_length))
        self.wv = KeyedVectors(out["words"], out["vectors"], out["counts"])
        self.syn1neg = out["out_vectors"]
        self.loss_history_ = list(out["epoch_loss"]) if self.compute_loss else []
        self.corpus_total_words = out["corpus_words"]
        self.effective_words = out["trained_words"]
        self.kernels_ = out["kernels"]
        return self

    fit = train

    def _check(self) -> KeyedVectors:
        if self.wv is None:
            raise ValueError("the model is not trained: pass sentences or call train()")
        return self.wv

    def most_similar(self, positive=None, negative=None, topn: int = 10):
        """Shortcut for ``self.wv.most_similar``."""
        return self._check().most_similar(positive=positive, negative=negative, topn=topn)

    def similarity(self, w1: str, w2: str) -> float:
        return self._check().similarity(w1, w2)

    def save_word2vec_format(self, path, binary: bool = False) -> None:
        self._check().save_word2vec_format(path, binary=binary)

    @staticmethod
    def load_word2vec_format(path, binary: bool = False, limit: Optional[int] = None) -> KeyedVectors:
        return KeyedVectors.load_word2vec_format(path, binary=binary, limit=limit)

    def __repr__(self) -> str:
        n = 0 if self.wv is None else len(self.wv)
        return f"Word2Vec(vocab={n}, vector_size={self.vector_size}, sg={self.sg})"
