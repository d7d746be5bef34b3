"""Sparse output: scipy.sparse.csr_matrix when scipy is installed, else a small CSR class."""

from __future__ import annotations

import numpy as np

try:  # scipy is optional (pip install pyllm[classic])
    import scipy.sparse as _sp
except ImportError:  # pragma: no cover - exercised only without scipy
    _sp = None


class CSRMatrix:
    """A minimal compressed-sparse-row matrix (used when scipy is not installed).

    Attributes ``data``, ``indices``, ``indptr`` and ``shape`` follow scipy's conventions: row ``i``
    holds ``data[indptr[i]:indptr[i+1]]`` in columns ``indices[indptr[i]:indptr[i+1]]`` (sorted).
    """

    def __init__(self, data, indices, indptr, shape):
        self.data = np.asarray(data)
        self.indices = np.asarray(indices)
        self.indptr = np.asarray(indptr)
        self.shape = (int(shape[0]), int(shape[1]))
        if len(self.indptr) != self.shape[0] + 1 or len(self.indices) != len(self.data):
            raise ValueError("inconsistent CSR arrays")

    @property
    def nnz(self) -> int:
        return int(self.indptr[-1])

    @property
    def dtype(self):
        return self.data.dtype

    def toarray(self) -> np.ndarray:
        """The dense ``[n_rows, n_cols]`` array."""
        out = np.zeros(self.shape, dtype=self.data.dtype)
        rows = np.repeat(np.arange(self.shape[0]), np.diff(self.indptr))
        out[rows, self.indices] = self.data
        return out

    def getrow(self, i: int) -> "CSRMatrix":
        s, e = self.indptr[i], self.indptr[i + 1]
        return CSRMatrix(self.data[s:e], self.indices[s:e], np.array([0, e - s]), (1, self.shape[1]))

    def __repr__(self) -> str:
        return (f"<{self.shape[0]}x{self.shape[1]} pyllm.classic.CSRMatrix of type {self.data.dtype} "
                f"with {self.nnz} stored elements>")


def make_csr(data, indices, indptr, shape):
    """scipy.sparse.csr_matrix if scipy is available, else :class:`CSRMatrix`."""
    if _sp is not None:
        return _sp.csr_matrix((data, indices, indptr), shape=shape, copy=False)
    return CSRMatrix(data, indices, indptr, shape)


def csr_parts(X):
    """(data, indices, indptr, shape) of a scipy CSR matrix/array or a :class:`CSRMatrix`."""
    if _sp is not None and _sp.issparse(X):
        X = X.tocsr()
        if not X.has_sorted_indices:
            X = X.sorted_indices()
    elif not isinstance(X, CSRMatrix):
        raise TypeError(f"expected a CSR matrix, got {type(X).__name__}")
    return X.data, X.indices, X.indptr, X.shape
