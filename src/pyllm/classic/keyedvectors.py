"""KeyedVectors — word vectors with similarity queries and word2vec-format files (gensim-compatible)."""

from __future__ import annotations

import os
from typing import Dict, Iterable, List, Optional, Sequence, Tuple, Union

import numpy as np


class KeyedVectors:
    """A [n_words, vector_size] float32 matrix with a word for each row.

    >>> kv = KeyedVectors(["a", "b"], np.eye(2, dtype=np.float32))
    >>> kv["b"].tolist(), kv.similarity("a", "b")
    ([0.0, 1.0], 0.0)
    """

    def __init__(self, index_to_key: Sequence[str], vectors: np.ndarray, counts: Optional[Sequence[int]] = None):
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.ndim != 2 or vectors.shape[0] != len(index_to_key):
            raise ValueError(f"vectors must be [len(index_to_key)={len(index_to_key)}, vector_size], "
                             f"got {vectors.shape}")
        self.index_to_key: List[str] = list(index_to_key)
        self.key_to_index: Dict[str, int] = {k: i for i, k in enumerate(self.index_to_key)}
        if len(self.key_to_index) != len(self.index_to_key):
            raise ValueError("duplicate words in index_to_key")
        self.vectors = vectors
        self.counts = None if counts is None else np.asarray(counts, dtype=np.int64)
        self._unit: Optional[np.ndarray] = None

    # ------------------------------------------------------------------ lookup
    @property
    def vector_size(self) -> int:
        return self.vectors.shape[1]

    def __len__(self) -> int:
        return len(self.index_to_key)

    def __contains__(self, word) -> bool:
        return word in self.key_to_index

    def get_index(self, word: str) -> int:
        """Row of ``word``; KeyError naming the word if it is not in the vocabulary."""
        try:
            return self.key_to_index[word]
        except (KeyError, TypeError):
            raise KeyError(f"word {word!r} not in vocabulary") from None

    def get_vector(self, word: str, norm: bool = False) -> np.ndarray:
        """The vector of ``word`` (a copy; unit length if ``norm``)."""
        i = self.get_index(word)
        return (self._unit_vectors()[i] if norm else self.vectors[i]).copy()

    def __getitem__(self, words: Union[str, Sequence[str]]) -> np.ndarray:
        if not isinstance(words, (list, tuple, np.ndarray)):  # one key (a word, or a Doc2Vec tag)
            return self.get_vector(words)
        return np.stack([self.vectors[self.get_index(w)] for w in words])

    def _unit_vectors(self) -> np.ndarray:
        if self._unit is None or self._unit.shape != self.vectors.shape:
            norms = np.linalg.norm(self.vectors, axis=1, keepdims=True)
            norms[norms == 0] = 1.0
            self._unit = (self.vectors / norms).astype(np.float32)
        return self._unit

    # ------------------------------------------------------------------ similarity
    def similarity(self, w1: str, w2: str) -> float:
        """Cosine similarity of two words."""
        u = self._unit_vectors()
        return float(np.dot(u[self.get_index(w1)], u[self.get_index(w2)]))

    def most_similar(self, positive: Union[str, Sequence[str], None] = None,
                     negative: Union[str, Sequence[str], None] = None, topn: int = 10,
                     restrict_vocab: Optional[int] = None) -> List[Tuple[str, float]]:
        """Words closest (cosine) to the mean of the unit vectors of ``positive`` minus ``negative``.

        ``most_similar(positive=["king", "woman"], negative=["man"])`` is the analogy
        king - man + woman. Input words are excluded from the answer. KeyError names an unknown word.
        """
        if isinstance(positive, str):
            positive = [positive]
        if isinstance(negative, str):
            negative = [negative]
        positive, negative = list(positive or []), list(negative or [])
        if not positive and not negative:
            raise ValueError("most_similar needs at least one positive or negative word")
        if topn < 1:
            raise ValueError(f"topn must be >= 1, got {topn}")
        unit = self._unit_vectors()
        idx = [self.get_index(w) for w in positive + negative]
        weights = np.array([1.0] * len(positive) + [-1.0] * len(negative), dtype=np.float32)
        mean = (unit[idx] * weights[:, None]).mean(axis=0)
        n = np.linalg.norm(mean)
        if n > 0:
            mean /= n
        limit = len(self) if restrict_vocab is None else min(int(restrict_vocab), len(self))
        dists = unit[:limit] @ mean
        exclude = [i for i in idx if i < limit]
        dists[exclude] = -np.inf
        k = min(topn, limit - len(set(exclude)))
        if k <= 0:
            return []
        best = np.argpartition(-dists, k - 1)[:k]
        best = best[np.argsort(-dists[best], kind="stable")]
        return [(self.index_to_key[i], float(dists[i])) for i in best]

    def similar_by_vector(self, vector, topn: int = 10) -> List[Tuple[str, float]]:
        """The ``topn`` keys whose vectors are closest (cosine) to ``vector``."""
        v = np.asarray(vector, dtype=np.float32).ravel()
        if v.shape != (self.vector_size,):
            raise ValueError(f"vector must have {self.vector_size} values, got {v.shape}")
        n = np.linalg.norm(v)
        dists = self._unit_vectors() @ (v / n if n > 0 else v)
        k = min(int(topn), len(self))
        best = np.argpartition(-dists, k - 1)[:k]
        best = best[np.argsort(-dists[best], kind="stable")]
        return [(self.index_to_key[i], float(dists[i])) for i in best]

    # ------------------------------------------------------------------ files
    def save_word2vec_format(self, path: Union[str, os.PathLike], binary: bool = False) -> None:
        """Write the original word2vec text or binary format (readable by gensim's KeyedVectors).

        Header ``"<n_words> <vector_size>\\n"``; then per word: text: ``word v1 ... vD\\n`` (9
        significant digits: float32 round-trips exactly); binary: ``word`` + space + D little-endian
        float32 + ``\\n``. Words must not contain spaces or newlines.
        """
        for w in self.index_to_key:
            if not w or any(c in w for c in " \n\t\r"):
                raise ValueError(f"word {w!r} cannot be stored in word2vec format (empty or contains whitespace)")
        V, D = self.vectors.shape
        with open(path, "wb") as f:
            f.write(f"{V} {D}\n".encode("utf-8"))
            if binary:
                vec = self.vectors.astype("<f4")
                for w, row in zip(self.index_to_key, vec):
                    f.write(w.encode("utf-8") + b" " + row.tobytes() + b"\n")
            else:
                fmt = " ".join(["%.9g"] * D)
                lines = [w + " " + (fmt % tuple(row)) for w, row in zip(self.index_to_key, self.vectors.tolist())]
                f.write(("\n".join(lines) + "\n").encode("utf-8"))

    @classmethod
    def load_word2vec_format(cls, path: Union[str, os.PathLike], binary: bool = False,
                             limit: Optional[int] = None, encoding: str = "utf-8") -> "KeyedVectors":
        """Read a word2vec text or binary file (as written by word2vec.c, gensim or this class)."""
        with open(path, "rb") as f:
            data = f.read()
        nl = data.find(b"\n")
        if nl < 0:
            raise ValueError(f"{path}: not a word2vec file (no header line)")
        try:
            V, D = (int(x) for x in data[:nl].split())
        except ValueError:
            raise ValueError(f"{path}: bad word2vec header {data[:nl][:80]!r}") from None
        if V < 0 or D < 1:
            raise ValueError(f"{path}: bad word2vec header {data[:nl][:80]!r}")
        if limit is not None:
            V = min(V, int(limit))
        words: List[str] = []
        vectors = np.empty((V, D), dtype=np.float32)
        pos = nl + 1
        if binary:
            nbytes = 4 * D
            for i in range(V):
                while pos < len(data) and data[pos:pos + 1] in (b"\n", b"\r"):
                    pos += 1
                sp = data.find(b" ", pos)
                if sp < 0 or sp + 1 + nbytes > len(data):
                    raise ValueError(f"{path}: truncated binary word2vec file at word {i} of {V}")
                words.append(data[pos:sp].decode(encoding))
                vectors[i] = np.frombuffer(data, dtype="<f4", count=D, offset=sp + 1)
                pos = sp + 1 + nbytes
        else:
            lines = data[pos:].decode(encoding).split("\n")
            i = 0
            for line in lines:
                if i == V:
                    break
                parts = line.rstrip().split(" ")
                if parts == [""]:
                    continue
                if len(parts) != D + 1:
                    raise ValueError(f"{path}: line {i + 2} has {len(parts) - 1} numbers, expected {D}")
                words.append(parts[0])
                vectors[i] = np.asarray(parts[1:], dtype=np.float32)
                i += 1
            if i != V:
                raise ValueError(f"{path}: expected {V} words, found {i}")
        return cls(words, vectors)

    def __repr__(self) -> str:
        return f"KeyedVectors({len(self)} words x {self.vector_size})"


def load_word2vec_format(path, binary: bool = False, limit: Optional[int] = None) -> KeyedVectors:
    """Read word vectors in word2vec text/binary format (e.g. from gensim or word2vec.c)."""
    return KeyedVectors.load_word2vec_format(path, binary=binary, limit=limit)
