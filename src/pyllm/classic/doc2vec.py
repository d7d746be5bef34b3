"""Doc2Vec (PV-DBOW): a vector per document, trained to predict the document's words (C++ core)."""

from __future__ import annotations

from typing import Any, Iterable, List, NamedTuple, Optional, Sequence

import numpy as np

from .. import _core
from .keyedvectors import KeyedVectors
from .word2vec import _default_workers


class TaggedDocument(NamedTuple):
    """A document for :class:`Doc2Vec`: its tokens and a list with one tag (str or int)."""
    words: Sequence[str]
    tags: Sequence[Any]


class Doc2Vec:
    """Paragraph vectors, PV-DBOW (Le & Mikolov 2014), with gensim's parameter names.

    Each document vector is trained like a skip-gram context vector to predict every word of its
    document (negative sampling, subsampling, linear learning-rate decay, Hogwild threads).
    ``dbow_words=1`` also trains word vectors (skip-gram) in the same pass. Only ``dm=0`` exists.

    ``documents``: :class:`TaggedDocument` s (one unique tag each) or plain token lists (tag =
    position). ``model.dv[tag]`` is a document's vector; ``model.infer_vector(words)`` fits a
    vector for a new document with the trained output weights frozen.

    >>> docs = [TaggedDocument(["a", "b", "c"] * 5, ["x"]), TaggedDocument(["d", "e"] * 5, ["y"])]
    >>> Doc2Vec(docs, vector_size=8, min_count=1, epochs=5, workers=1).dv["x"].shape
    (8,)
    """

    def __init__(self, documents: Optional[Iterable] = None, *, dm: int = 0, vector_size: int = 100,
                 window: int = 5, min_count: int = 5, negative: int = 5, sample: float = 1e-3, epochs: int = 10,
                 alpha: float = 0.025, min_alpha: float = 0.0001, workers: Optional[int] = None, seed: int = 0,
                 dbow_words: int = 0, ns_exponent: float = 0.75, compute_loss: bool = False):
        if dm:
            raise NotImplementedError("only PV-DBOW (dm=0) is implemented")
        self.vector_size = vector_size
        self.window = window
        self.min_count = min_count
        self.negative = negative
        self.sample = sample
        self.epochs = epochs
        self.alpha = alpha
        self.min_alpha = min_alpha
        self.workers = workers
        self.seed = seed
        self.dbow_words = dbow_words
        self.ns_exponent = ns_exponent
        self.compute_loss = compute_loss
        self.dv: Optional[KeyedVectors] = None
        self.wv: Optional[KeyedVectors] = None
        self.syn1neg: Optional[np.ndarray] = None
        self.loss_history_: List[float] = []
        if documents is not None:
            self.train(documents)

    def train(self, documents: Iterable) -> "Doc2Vec":
        """Build the vocabulary and train from scratch. Returns self."""
        if isinstance(documents, (str, bytes)):
            raise TypeError("documents must be an iterable of TaggedDocument or token lists, not a string")
        docs = list(documents)
        if not docs:
            raise ValueError("cannot train Doc2Vec on an empty corpus (no documents)")
        words, tags = [], []
        for i, d in enumerate(docs):
            if hasattr(d, "words") and hasattr(d, "tags"):
                t = list(d.tags)
                if len(t) != 1:
                    raise ValueError(f"document {i}: exactly one tag per document is supported, got {t!r}")
                words.append(d.words if isinstance(d.words, list) else list(d.words))
                tags.append(t[0])
            else:
                if isinstance(d, str):
                    raise TypeError(f"document {i} is a str; expected a list of tokens or a TaggedDocument")
                words.append(d)
                tags.append(i)
        if len(set(tags)) != len(tags):
            raise ValueError("document tags must be unique")
        workers = _default_workers() if self.workers is None else int(self.workers)
        out = _core.classic.train_word2vec(
            words, int(self.vector_size), int(self.window), int(self.min_count), int(self.negative),
            int(self.epochs), True, True, float(self.sample), float(self.ns_exponent), float(self.alpha),
            float(self.min_alpha), workers, int(self.seed) & (2**64 - 1), bool(self.compute_loss), 10000,
            True, bool(self.dbow_words))
        self.wv = KeyedVectors(out["words"], out["vectors"], out["counts"])
        self.dv = KeyedVectors(tags, out["doc_vectors"])
        self.syn1neg = out["out_vectors"]
        self.loss_history_ = list(out["epoch_loss"]) if self.compute_loss else []
        counts = self.wv.counts.astype(np.float64)
        noise = counts ** self.ns_exponent
        self._noise_cdf = np.cumsum(noise / noise.sum())
        if self.sample > 0:  # the same frequent-word subsampling as training
            thr = self.sample * counts.sum()
            self._keep_prob = np.minimum(1.0, (np.sqrt(counts / thr) + 1.0) * thr / counts)
        else:
            self._keep_prob = np.ones_like(counts)
        return self

    def infer_vector(self, doc_words: Sequence[str], epochs: Optional[int] = None, alpha: Optional[float] = None,
                     min_alpha: Optional[float] = None, seed: Optional[int] = None) -> np.ndarray:
        """A vector for a new document: PV-DBOW steps on a fresh vector, output weights frozen.

        Runs ``epochs`` (default: the model's) passes over the known words of ``doc_words`` (with
        the model's frequent-word subsampling), the learning rate decaying linearly from ``alpha``
        to ``min_alpha``.
        Reproducible for a given ``seed`` (default: the model's).
        """
        if self.dv is None:
            raise ValueError("the model is not trained: pass documents or call train()")
        if isinstance(doc_words, str):
            raise TypeError("doc_words must be a list of tokens, not a str")
        epochs = self.epochs if epochs is None else int(epochs)
        alpha = self.alpha if alpha is None else float(alpha)
        min_alpha = self.min_alpha if min_alpha is None else float(min_alpha)
        rng = np.random.default_rng(self.seed if seed is None else seed)
        D = self.vector_size
        v = ((rng.random(D) - 0.5) / D).astype(np.float32)
        ids = np.asarray([self.wv.key_to_index[w] for w in doc_words if w in self.wv.key_to_index], dtype=np.int64)
        if not len(ids):
            return v
        syn1 = self.syn1neg
        labels = np.zeros(self.negative + 1, dtype=np.float32)
        labels[0] = 1.0
        total = epochs * len(ids)
        step = 0
        for _ in range(epochs):
            noise = np.searchsorted(self._noise_cdf, rng.random((len(ids), self.negative)))
            noise = np.minimum(noise, len(self._noise_cdf) - 1)
            kept = rng.random(len(ids)) < self._keep_prob[ids]
            for k, w in enumerate(ids):
                a = np.float32(alpha - (alpha - min_alpha) * step / total)
                step += 1
                if not kept[k]:
                    continue
                targets = np.concatenate(([w], noise[k]))
                keep = (targets != w)
                keep[0] = True
                rows = syn1[targets[keep]]
                f = rows @ v
                g = (labels[keep] - 1.0 / (1.0 + np.exp(-np.clip(f, -6, 6)))) * a
                v += g @ rows
        return v
