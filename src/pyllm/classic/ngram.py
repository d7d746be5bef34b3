"""NGramLM — an n-gram language model (Kneser-Ney or Laplace smoothing) with a C++ core.

What is scored by :meth:`NGramLM.perplexity` (so the number is comparable with an LLM's perplexity
over the same token ids): every token of a sequence except the first, each predicted from the
tokens before it in the same sequence (at most ``order - 1`` of them; no BOS/EOS padding):

    perplexity = exp( - (1 / N) * sum over scored tokens t_i of ln P(t_i | t_{i-order+1} .. t_{i-1}) )

with natural logarithms and N = the number of scored tokens. A single ``str`` is one sequence; a
list of texts (or of id lists) is several sequences scored independently.
"""

from __future__ import annotations

import math
import re
from typing import Iterable, List, Optional, Sequence, Union

import numpy as np

from .. import _core

_WORD_RE = re.compile(r"\w+|[^\w\s]")
UNK = "<unk>"


def simple_tokenize(text: str, lowercase: bool = True) -> List[str]:
    """The word tokenization NGramLM uses for texts when no tokenizer is given.

    Words are runs of Unicode word characters (``\\w+``); every other non-space character is a
    token of its own; text is lowercased first when ``lowercase`` (Python's ``str.lower``).

    >>> simple_tokenize("And God said, Let there be light.")
    ['and', 'god', 'said', ',', 'let', 'there', 'be', 'light', '.']
    """
    return _WORD_RE.findall(text.lower() if lowercase else text)


def _tokenizer_vocab_size(tok) -> Optional[int]:
    for name in ("n_vocab", "vocab_size"):
        v = getattr(tok, name, None)
        if callable(v):
            try:
                v = v()
            except TypeError:
                v = None
        if isinstance(v, (int, np.integer)) and v > 0:
            return int(v)
    return None


class NGramLM:
    """An n-gram language model over words or token ids.

    Parameters
    ----------
    order : int
        n (1 = unigram, 2 = bigram, 3 = trigram, ...).
    smoothing : 'kneser_ney' | 'laplace' | 'add_k'
        'kneser_ney' is *interpolated modified Kneser-Ney* (Chen & Goodman 1998) with three
        discounts per order estimated from count-of-counts, or *plain interpolated Kneser-Ney*
        when ``discount`` is given (one discount at every order). 'laplace' is add-one; 'add_k'
        adds ``k``. Lower orders interpolate down to the uniform distribution over the vocabulary.
    tokenizer : object with ``encode(text) -> ids`` (e.g. ``pyllm.Tokenizer``), optional
        How texts become token ids. Without it, texts are split by :func:`simple_tokenize` and
        words get ids (0 is ``'<unk>'``, for words not seen in fit()).
    vocab_size : int, optional
        Size of the id space (default: the tokenizer's ``n_vocab``/``vocab_size`` if it has one,
        else the largest id seen + 1). Every id in it gets a non-zero probability.

    >>> lm = NGramLM(order=2).fit(["the cat sat", "the cat ran", "a dog sat"])
    >>> round(lm.prob("cat", ["the"]), 4) > round(lm.prob("dog", ["the"]), 4)
    True
    """

    def __init__(self, order: int = 3, smoothing: str = "kneser_ney", *, discount: Optional[float] = None,
                 k: float = 1.0, tokenizer=None, lowercase: bool = True, vocab_size: Optional[int] = None):
        if isinstance(order, bool) or not isinstance(order, (int, np.integer)) or order < 1:
            raise ValueError(f"order must be an int >= 1, got {order!r}")
        if smoothing not in ("kneser_ney", "laplace", "add_k"):
            raise ValueError(f"smoothing must be 'kneser_ney', 'laplace' or 'add_k', got {smoothing!r}")
        if discount is not None and not (0.0 < discount <= 1.0):
            raise ValueError(f"discount must be in (0, 1], got {discount!r}")
        if not k > 0:
            raise ValueError(f"k must be > 0, got {k!r}")
        if tokenizer is not None and not hasattr(tokenizer, "encode"):
            raise TypeError("tokenizer must have an encode(text) method")
        self.order = int(order)
        self.smoothing = smoothing
        self.discount = discount
        self.k = 1.0 if smoothing == "laplace" else float(k)
        self.tokenizer = tokenizer
        self.lowercase = lowercase
        self.vocab_size = vocab_size
        self._core: Optional[_core.classic.NGramLM] = None
        self._mode: Optional[str] = None  # 'words' | 'tokenizer' | 'ids'
        self.vocab_: Optional[dict] = None
        self._words: Optional[List[str]] = None
        self._word_vocab = None  # _core.classic.WordVocab when fitted on texts (fast C++ splitting of ASCII)

    # ------------------------------------------------------------------ encoding
    def _encode_text(self, text: str, grow: bool) -> List[int]:
        if self.tokenizer is not None:
            return [int(t) for t in self.tokenizer.encode(text)]
        words = simple_tokenize(text, self.lowercase)
        if grow:  # new words get the next id; self._words is rebuilt from vocab_ after fit
            vocab = self.vocab_
            setdefault = vocab.setdefault
            return [setdefault(w, len(vocab)) for w in words]
        get = self.vocab_.get
        return [get(w, 0) for w in words]

    def _encode_item(self, item, index: int, grow: bool) -> np.ndarray:
        if isinstance(item, str):
            if self._mode == "ids":
                raise TypeError(f"item {index}: the model was fitted on token ids; pass ids, not text")
            return np.asarray(self._encode_text(item, grow), dtype=np.int64)
        if isinstance(item, (bytes, bytearray)) or not hasattr(item, "__len__"):
            raise TypeError(f"item {index}: expected str or a sequence of token ids, got {type(item).__name__}")
        if self._mode == "words":
            if all(isinstance(w, str) for w in item):  # already split words
                get = self.vocab_.get
                return np.asarray([get(w, 0) for w in item], dtype=np.int64)
            raise TypeError(f"item {index}: the model was fitted on texts; pass text, not ids")
        arr = np.asarray(item)
        if arr.size == 0:
            return np.zeros(0, dtype=np.int64)
        if arr.ndim != 1 or arr.dtype.kind not in "iu":
            raise TypeError(f"item {index}: expected str or a sequence of int token ids")
        return arr.astype(np.int64)

    def _split(self, text: str) -> List[str]:
        return simple_tokenize(text, self.lowercase)

    def _encode_texts(self, texts: list, grow: bool):
        """All-str input in word mode -> (ids int32, offsets int64) via the C++ splitter."""
        return self._word_vocab.encode(texts, self.lowercase, grow, self._split)

    def _sequences(self, data, grow: bool = False) -> List[np.ndarray]:
        if isinstance(data, str):
            return [self._encode_item(data, 0, grow)]
        if isinstance(data, np.ndarray) and data.ndim == 1 and data.dtype.kind in "iu":
            return [self._encode_item(data, 0, grow)]
        items = list(data)
        if items and all(isinstance(x, (int, np.integer)) and not isinstance(x, bool) for x in items):
            return [self._encode_item(items, 0, grow)]  # one sequence of ids
        return [self._encode_item(x, i, grow) for i, x in enumerate(items)]

    @staticmethod
    def _flatten(seqs, vocab_size: Optional[int] = None):
        offsets = np.zeros(len(seqs) + 1, dtype=np.int64)
        if seqs:
            np.cumsum([len(s) for s in seqs], out=offsets[1:])
        ids = np.concatenate(seqs) if seqs else np.zeros(0, dtype=np.int64)
        if ids.size and (ids.min() < 0 or ids.max() > np.iinfo(np.int32).max):
            bad = ids[(ids < 0) | (ids > np.iinfo(np.int32).max)][0]
            raise ValueError(f"token id {bad} is out of range")
        if vocab_size is not None and ids.size and ids.max() >= vocab_size:
            raise IndexError(f"token id {ids.max()} is outside [0, {vocab_size})")
        return ids.astype(np.int32), offsets

    def _check_fitted(self):
        if self._core is None:
            raise ValueError("the model is not fitted: call fit() first")

    def _ids(self, tokens) -> np.ndarray:
        """A context or prefix (text, words or ids) -> int32 ids."""
        if tokens is None:
            return np.zeros(0, dtype=np.int32)
        if isinstance(tokens, str):
            seqs = [self._encode_item(tokens, 0, False)]
        elif self._mode == "words":
            items = list(tokens)
            if not all(isinstance(w, str) for w in items):
                raise TypeError("context: the model was fitted on texts; pass a text or a list of words")
            seqs = [np.asarray([self.vocab_.get(w, 0) for w in items], dtype=np.int64)]
        else:
            seqs = [self._encode_item(list(tokens), 0, False)]
        ids, _ = self._flatten(seqs, self.vocab_size_)
        return ids

    def _token_id(self, token) -> int:
        if self._mode == "words":
            if not isinstance(token, str):
                raise TypeError(f"token must be a word (str), got {type(token).__name__}")
            return self.vocab_.get(token, 0)
        if isinstance(token, (int, np.integer)) and not isinstance(token, bool):
            if not 0 <= token < self.vocab_size_:
                raise IndexError(f"token id {token} is outside [0, {self.vocab_size_})")
            return int(token)
        raise TypeError(f"token must be an int id, got {type(token).__name__}")

    # ------------------------------------------------------------------ API
    def fit(self, data) -> "NGramLM":
        """Count n-grams in ``data``: a text, a list of texts, or a list of token-id sequences.

        Each text / id sequence is one sequence (n-grams do not cross sequence boundaries).
        """
        if isinstance(data, str):
            data = [data]
        items = list(data) if not isinstance(data, np.ndarray) else [data]
        if self.tokenizer is not None:
            self._mode = "tokenizer"
        elif items and isinstance(items[0], str):
            self._mode = "words"
            self.vocab_ = {UNK: 0}
            self._words = [UNK]
        else:
            self._mode = "ids"
        self._word_vocab = None
        if self._mode == "words" and all(type(x) is str for x in items):
            self._word_vocab = _core.classic.WordVocab()
            ids, offsets = self._encode_texts(items, grow=True)
            self._words = self._word_vocab.words()
            self.vocab_ = {w: i for i, w in enumerate(self._words)}
            if ids.size == 0:
                raise ValueError("cannot fit an n-gram model on an empty corpus")
            vs = self.vocab_size if self.vocab_size is not None else len(self._words)
            if ids.max() >= vs:
                raise IndexError(f"token id {ids.max()} is outside [0, {vs})")
        else:
            seqs = self._sequences(items, grow=True)
            if not seqs or sum(len(s) for s in seqs) == 0:
                raise ValueError("cannot fit an n-gram model on an empty corpus")
            vs = self.vocab_size
            if vs is None:
                vs = len(self.vocab_) if self._mode == "words" else (
                    _tokenizer_vocab_size(self.tokenizer) if self.tokenizer is not None else None)
            if self._mode == "words":
                self._words = list(self.vocab_)  # insertion order == id order
            ids, offsets = self._flatten(seqs, vs)
        smoothing = "kneser_ney" if self.smoothing == "kneser_ney" else "add_k"
        core = _core.classic.NGramLM(self.order, smoothing, self.discount or -1.0, self.k, int(vs or 0))
        core.fit(ids, offsets)
        self._core = core
        return self

    @property
    def vocab_size_(self) -> int:
        """The number of token ids the model distributes probability over."""
        self._check_fitted()
        return self._core.vocab_size

    def discounts(self, k: Optional[int] = None) -> List[float]:
        """Kneser-Ney discounts D(1), D(2), D(3+) of order ``k`` (default: the highest)."""
        self._check_fitted()
        return list(self._core.discounts(self.order if k is None else k))

    def prob(self, token, context=()) -> float:
        """P(token | context): token is a word (text models) or an id; context a text, words or ids."""
        self._check_fitted()
        return self._core.prob(self._token_id(token), self._ids(context))

    def logprob(self, token, context=()) -> float:
        """Natural log of :meth:`prob`."""
        p = self.prob(token, context)
        return math.log(p) if p > 0 else -math.inf

    def next_token_probs(self, context=()) -> np.ndarray:
        """The whole next-token distribution after ``context``: float64 array [vocab_size_] (sums to 1)."""
        self._check_fitted()
        return self._core.distribution(self._ids(context))

    def perplexity(self, data) -> float:
        """exp(mean negative log-likelihood) of every token but the first of each sequence.

        ``data``: a text (one sequence), a list of texts, or token-id sequence(s). See the module
        docstring for exactly what is scored.
        """
        self._check_fitted()
        texts = [data] if isinstance(data, str) else data
        if (self._word_vocab is not None and isinstance(texts, (list, tuple))
                and all(type(x) is str for x in texts)):
            ids, offsets = self._encode_texts(list(texts), grow=False)
        else:
            ids, offsets = self._flatten(self._sequences(data), self.vocab_size_)
        total, n = self._core.total_logprob(ids, offsets, 1)
        if n == 0:
            raise ValueError("nothing to score: perplexity needs a sequence of at least 2 tokens")
        return math.exp(-total / n)

    def generate(self, prefix=None, max_tokens: int = 20, seed: int = 0, temperature: float = 1.0):
        """Sample ``max_tokens`` tokens after ``prefix`` (text, words or ids); reproducible for a seed.

        Returns the continuation only: a str of space-joined words (text models), the tokenizer's
        ``decode(ids)`` if it has one, else a list of ids. ``temperature=0`` is greedy.
        """
        self._check_fitted()
        if max_tokens < 0:
            raise ValueError(f"max_tokens must be >= 0, got {max_tokens}")
        if temperature < 0:
            raise ValueError(f"temperature must be >= 0, got {temperature}")
        out = self._core.generate(self._ids(prefix).tolist(), int(max_tokens), int(seed) & (2**64 - 1),
                                  float(temperature))
        if self._mode == "words":
            return " ".join(self._words[i] for i in out)
        if self._mode == "tokenizer" and hasattr(self.tokenizer, "decode"):
            return self.tokenizer.decode(out)
        return out

    def __repr__(self) -> str:
        return f"NGramLM(order={self.order}, smoothing={self.smoothing!r})"
