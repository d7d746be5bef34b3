"""Bag of words and TF-IDF with scikit-learn's parameters, defaults and results (C++ core).

``CountVectorizer`` and ``TfidfVectorizer`` reproduce scikit-learn's classes of the same names
(analyzer='word', 'char', 'char_wb' or a callable): same ``vocabulary_``, ``idf_`` and matrix values.
The default token pattern ``(?u)\\b\\w\\w+\\b`` runs in C++ on ASCII documents (every maximal run
of ``[A-Za-z0-9_]`` of length >= 2, which is exactly what Python's ``re`` finds there); any other
document, pattern, preprocessor or tokenizer is handled by Python's ``re`` / your callables, and the
n-grams, stop words, counting, pruning and TF-IDF weighting still run in C++ with the GIL released.
"""

from __future__ import annotations

import numbers
import os
import re
from collections.abc import Mapping
from operator import itemgetter
from typing import Callable, Iterable, List, Optional

import numpy as np

from .. import _core
from ._csr import csr_parts, make_csr

_C = _core.classic
DEFAULT_TOKEN_PATTERN = r"(?u)\b\w\w+\b"
_WHITE_SPACES = re.compile(r"\s\s+")


def _default_threads() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - non-Linux
        return max(1, os.cpu_count() or 1)


def _english_stop_words() -> frozenset:
    try:
        from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
    except ImportError as e:
        raise ValueError(
            "stop_words='english' uses scikit-learn's list, and scikit-learn is not installed; "
            "pass your own list of stop words instead") from e
    return frozenset(ENGLISH_STOP_WORDS)


def _strip_accents_unicode(s: str) -> str:
    import unicodedata
    try:
        s.encode("ASCII", errors="strict")
        return s
    except UnicodeEncodeError:
        normalized = unicodedata.normalize("NFKD", s)
        return "".join(c for c in normalized if not unicodedata.combining(c))


def _strip_accents_ascii(s: str) -> str:
    import unicodedata
    return unicodedata.normalize("NFKD", s).encode("ASCII", "ignore").decode("ASCII")


def _all_str(seq) -> bool:
    return all(type(t) is str for t in seq)


class CountVectorizer:
    """Convert text documents to a matrix of token counts (scikit-learn compatible).

    Parameters are those of ``sklearn.feature_extraction.text.CountVectorizer`` with the same
    defaults, plus ``n_jobs`` (threads for counting; None = all available cores).
    ``tokenizer`` may also be an object with an ``encode(text)`` method (e.g. ``pyllm.Tokenizer``):
    its token ids become the features (remember ``lowercase=True`` lowers the text first).

    >>> cv = CountVectorizer()
    >>> X = cv.fit_transform(["In the beginning God created the heaven", "and the earth"])
    >>> cv.get_feature_names_out().tolist()
    ['and', 'beginning', 'created', 'earth', 'god', 'heaven', 'in', 'the']
    >>> X.toarray().tolist()
    [[0, 1, 1, 0, 1, 1, 1, 2], [1, 0, 0, 1, 0, 0, 0, 1]]
    """

    _default_dtype = np.int64

    def __init__(self, *, input="content", encoding="utf-8", decode_error="strict", strip_accents=None,
                 lowercase=True, preprocessor=None, tokenizer=None, stop_words=None,
                 token_pattern=DEFAULT_TOKEN_PATTERN, ngram_range=(1, 1), analyzer="word", max_df=1.0,
                 min_df=1, max_features=None, vocabulary=None, binary=False, dtype=np.int64, n_jobs=None):
        self.input = input
        self.encoding = encoding
        self.decode_error = decode_error
        self.strip_accents = strip_accents
        self.lowercase = lowercase
        self.preprocessor = preprocessor
        self.tokenizer = tokenizer
        self.stop_words = stop_words
        self.token_pattern = token_pattern
        self.ngram_range = ngram_range
        self.analyzer = analyzer
        self.max_df = max_df
        self.min_df = min_df
        self.max_features = max_features
        self.vocabulary = vocabulary
        self.binary = binary
        self.dtype = dtype
        self.n_jobs = n_jobs

    # ------------------------------------------------------------------ parameter checks
    def _check_params(self):
        if self.input not in ("content", "filename", "file"):
            raise ValueError(f"input must be 'content', 'filename' or 'file', got {self.input!r}")
        if not (isinstance(self.ngram_range, tuple) and len(self.ngram_range) == 2
                and all(isinstance(n, numbers.Integral) for n in self.ngram_range)):
            raise ValueError(f"ngram_range must be a tuple (min_n, max_n) of ints, got {self.ngram_range!r}")
        min_n, max_n = self.ngram_range
        if min_n < 1 or min_n > max_n:
            raise ValueError(f"Invalid value for ngram_range={self.ngram_range!r}: need 1 <= min_n <= max_n")
        for name in ("max_df", "min_df"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, numbers.Real):
                raise ValueError(f"{name} must be a float in [0.0, 1.0] or an int >= 1, got {v!r}")
            if isinstance(v, numbers.Integral):
                if v < 1:
                    raise ValueError(f"{name} must be a float in [0.0, 1.0] or an int >= 1, got {v!r}")
            elif not 0.0 <= v <= 1.0:
                raise ValueError(f"{name} must be a float in [0.0, 1.0] or an int >= 1, got {v!r}")
        mf = self.max_features
        if mf is not None and (isinstance(mf, bool) or not isinstance(mf, numbers.Integral) or mf < 1):
            raise ValueError(f"max_features must be an int >= 1 or None, got {mf!r}")
        if not (callable(self.analyzer) or self.analyzer in ("word", "char", "char_wb")):
            raise ValueError(f"analyzer must be 'word', 'char', 'char_wb' or a callable, got {self.analyzer!r}")
        if self.strip_accents not in (None, "ascii", "unicode") and not callable(self.strip_accents):
            raise ValueError(f"Invalid value for 'strip_accents': {self.strip_accents!r}")

    def _stop_list(self) -> Optional[frozenset]:
        sw = self.stop_words
        if sw is None:
            return None
        if sw == "english":
            return _english_stop_words()
        if isinstance(sw, str):
            raise ValueError(f"not a built-in stop list: {sw}")
        return frozenset(sw)

    def _threads(self) -> int:
        return _default_threads() if self.n_jobs is None else max(1, int(self.n_jobs))

    # ------------------------------------------------------------------ analysis pieces
    def _decode(self, doc, index):
        if self.input == "filename":
            with open(doc, "rb") as fh:
                doc = fh.read()
        elif self.input == "file":
            doc = doc.read()
        if isinstance(doc, bytes):
            doc = doc.decode(self.encoding, self.decode_error)
        if doc is np.nan:
            raise ValueError("np.nan is an invalid document, expected byte or unicode string.")
        if type(doc) is not str and not isinstance(doc, str) and not callable(self.analyzer):
            raise TypeError(f"document {index}: expected str or bytes, got {type(doc).__name__}")
        return doc

    def _docs(self, raw_documents) -> list:
        if isinstance(raw_documents, (str, bytes)):
            raise ValueError("Iterable over raw text documents expected, string object received.")
        docs = list(raw_documents)
        if self.input == "content" and _all_str(docs):
            return docs
        return [self._decode(d, i) for i, d in enumerate(docs)]

    def build_preprocessor(self) -> Callable[[str], str]:
        """The function applied to each document before tokenization (accents, lowercase)."""
        if self.preprocessor is not None:
            return self.preprocessor
        if not self.strip_accents:
            strip = None
        elif callable(self.strip_accents):
            strip = self.strip_accents
        elif self.strip_accents == "ascii":
            strip = _strip_accents_ascii
        else:
            strip = _strip_accents_unicode
        lower = self.lowercase
        if strip is None:
            return (lambda s: s.lower()) if lower else (lambda s: s)
        return (lambda s: strip(s.lower())) if lower else strip

    def build_tokenizer(self) -> Callable[[str], list]:
        """The function that splits a preprocessed document into tokens."""
        tok = self.tokenizer
        if tok is not None:
            if callable(tok):
                return tok
            if hasattr(tok, "encode"):
                return lambda s: list(tok.encode(s))
            raise ValueError("tokenizer must be a callable or an object with an encode(text) method")
        pattern = re.compile(self.token_pattern)
        if pattern.groups > 1:
            raise ValueError("More than 1 capturing group in token pattern. Only a single group should be captured.")
        return pattern.findall

    def _builtin_fast_path(self) -> bool:
        return (self.analyzer == "word" and self.preprocessor is None and self.tokenizer is None
                and self.strip_accents is None and self.token_pattern == DEFAULT_TOKEN_PATTERN)

    def _char_ngrams(self, text: str) -> List[str]:
        text = _WHITE_SPACES.sub(" ", text)
        n_text = len(text)
        min_n, max_n = self.ngram_range
        out = list(text) if min_n == 1 else []
        if min_n == 1:
            min_n += 1
        for n in range(min_n, min(max_n + 1, n_text + 1)):
            out.extend(text[i:i + n] for i in range(n_text - n + 1))
        return out

    def _char_wb_ngrams(self, text: str) -> List[str]:
        text = _WHITE_SPACES.sub(" ", text)
        min_n, max_n = self.ngram_range
        out = []
        for w in text.split():
            w = " " + w + " "
            w_len = len(w)
            for n in range(min_n, max_n + 1):
                offset = 0
                out.append(w[offset:offset + n])
                while offset + n < w_len:
                    offset += 1
                    out.append(w[offset:offset + n])
                if offset == 0:  # count a short word (w_len < n) only once
                    break
        return out

    def _prepare(self, docs: list):
        """Decide how the documents reach the C++ core.

        Returns (mode, items, split, ngram_min, ngram_max, stop_words, lowercase) with mode one of
        'raw' (str documents, built-in tokenizer), 'tokens' (lists of str), 'python' (lists of
        arbitrary hashable features, counted in Python).
        """
        stops = self._stop_list()
        min_n, max_n = self.ngram_range
        if self._builtin_fast_path():
            pattern = re.compile(self.token_pattern)
            if self.lowercase:
                split = lambda s: pattern.findall(s.lower())  # noqa: E731
            else:
                split = pattern.findall
            return "raw", docs, split, min_n, max_n, stops, self.lowercase
        if callable(self.analyzer):
            feats = [list(self.analyzer(d)) for d in docs]
            min_n = max_n = 1
            stops = None
        elif self.analyzer in ("char", "char_wb"):
            pre = self.build_preprocessor()
            fn = self._char_ngrams if self.analyzer == "char" else self._char_wb_ngrams
            feats = [fn(pre(d)) for d in docs]
            min_n = max_n = 1
            stops = None
        else:
            pre, tok = self.build_preprocessor(), self.build_tokenizer()
            feats = [list(tok(pre(d))) for d in docs]
        if all(_all_str(f) for f in feats):
            return "tokens", feats, None, min_n, max_n, stops, False
        return "python", feats, None, min_n, max_n, stops, False

    # ------------------------------------------------------------------ vocabulary
    def _validate_vocabulary(self):
        vocabulary = self.vocabulary
        if vocabulary is None:
            self.fixed_vocabulary_ = False
            return
        if isinstance(vocabulary, set):
            vocabulary = sorted(vocabulary)
        if not isinstance(vocabulary, Mapping):
            vocab = {}
            for i, t in enumerate(vocabulary):
                if vocab.setdefault(t, i) != i:
                    raise ValueError(f"Duplicate term in vocabulary: {t!r}")
            vocabulary = vocab
        else:
            indices = set(vocabulary.values())
            if len(indices) != len(vocabulary):
                raise ValueError("Vocabulary contains repeated indices.")
            for i in range(len(vocabulary)):
                if i not in indices:
                    raise ValueError(f"Vocabulary of size {len(vocabulary)} doesn't contain index {i}.")
        if not vocabulary:
            raise ValueError("empty vocabulary passed to fit")
        self.fixed_vocabulary_ = True
        self.vocabulary_ = dict(vocabulary)

    def _as_float(self) -> bool:
        return np.dtype(self.dtype).kind == "f"

    def _finish(self, data, indices, indptr, n_cols, n_docs):
        dt = np.dtype(self.dtype)
        if data.dtype != dt:
            data = data.astype(dt)
        return make_csr(data, indices, indptr, (n_docs, n_cols))

    def _count_fixed(self, docs):
        """Counts against vocabulary_ -> (data, indices, indptr, n_cols)."""
        mode, items, split, min_n, max_n, stops, lower = self._prepare(docs)
        terms = [t for t, _ in sorted(self.vocabulary_.items(), key=itemgetter(1))]
        if mode != "python" and _all_str(terms):
            vocab = getattr(self, "_core_vocab", None)
            if vocab is None or getattr(self, "_core_vocab_terms", None) != terms:
                vocab = _C.Vocabulary(terms)
                self._core_vocab, self._core_vocab_terms = vocab, terms
            return _C.count_transform(items, mode == "raw", split, vocab, lower, min_n, max_n,
                                      sorted(stops or ()), self._threads(), self._as_float(), self.binary)
        if mode == "raw":  # non-str vocabulary terms with the built-in tokenizer: count in Python
            items = [split(d) for d in items]
        feats = [_word_ngrams(f, stops, min_n, max_n) for f in items]
        data, indices, indptr = _py_count_fixed(feats, self.vocabulary_)
        if self.binary:
            data = np.ones_like(data)
        if self._as_float():
            data = data.astype(np.float64)
        return data, indices, indptr, len(terms)

    def _fit_counts(self, docs):
        """Learn vocabulary_ and count -> (data, indices, indptr, n_cols). Applies min_df/max_df/max_features."""
        mode, items, split, min_n, max_n, stops, lower = self._prepare(docs)
        if mode == "python":
            fit = _PyCountFit([_word_ngrams(f, stops, min_n, max_n) for f in items])
        else:
            fit = _C.count_fit(items, mode == "raw", split, lower, min_n, max_n, sorted(stops or ()),
                               self._threads())
        if fit.n_terms == 0:
            raise ValueError("empty vocabulary; perhaps the documents only contain stop words")
        n_doc = len(docs)
        max_df, min_df = self.max_df, self.min_df
        max_doc_count = max_df if isinstance(max_df, numbers.Integral) else max_df * n_doc
        min_doc_count = min_df if isinstance(min_df, numbers.Integral) else min_df * n_doc
        if max_doc_count < min_doc_count:
            raise ValueError("max_df corresponds to < documents than min_df")
        df = fit.df()
        mask = (df <= max_doc_count) & (df >= min_doc_count)
        limit = self.max_features
        if limit is not None and mask.sum() > limit:
            # scikit-learn's exact selection (and tie-breaking): argsort of -column sums, in the
            # dtype scikit-learn sums in, over the alphabetically sorted columns.
            tfs = (df if self.binary else fit.tf()).astype(_sum_dtype(np.dtype(self.dtype)))
            mask_inds = (-tfs[mask]).argsort()[:limit]
            new_mask = np.zeros(len(df), dtype=bool)
            new_mask[np.where(mask)[0][mask_inds]] = True
            mask = new_mask
        if not mask.any():
            raise ValueError("After pruning, no terms remain. Try a lower min_df or a higher max_df.")
        terms = fit.terms()
        if mask.all():
            keep = None
        else:
            keep = mask.astype(np.uint8)
            terms = [t for t, k in zip(terms, mask) if k]
        self.vocabulary_ = {t: i for i, t in enumerate(terms)}
        self._df = df[mask] if keep is not None else df
        return fit.matrix(keep, self._as_float(), self.binary)

    # ------------------------------------------------------------------ public API
    def fit(self, raw_documents, y=None):
        """Learn the vocabulary of the documents. Returns self."""
        self.fit_transform(raw_documents)
        return self

    def fit_transform(self, raw_documents, y=None):
        """Learn the vocabulary and return the ``[n_docs, n_features]`` count matrix."""
        self._check_params()
        docs = self._docs(raw_documents)
        self._validate_vocabulary()
        if self.fixed_vocabulary_:
            parts = self._count_fixed(docs)
        else:
            parts = self._fit_counts(docs)
        return self._finish(*parts, len(docs))

    def transform(self, raw_documents):
        """Count the documents' terms of ``vocabulary_`` -> ``[n_docs, n_features]`` matrix."""
        self._check_params()
        if not hasattr(self, "vocabulary_"):
            self._validate_vocabulary()
            if not self.fixed_vocabulary_:
                raise ValueError("Vocabulary not fitted or provided")
        docs = self._docs(raw_documents)
        return self._finish(*self._count_fixed(docs), len(docs))

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """The features (terms), in column order, as an object array."""
        if not hasattr(self, "vocabulary_"):
            self._validate_vocabulary()
            if not self.fixed_vocabulary_:
                raise ValueError("Vocabulary not fitted or provided")
        return np.asarray([t for t, _ in sorted(self.vocabulary_.items(), key=itemgetter(1))], dtype=object)

    def build_analyzer(self) -> Callable:
        """A callable doc -> list of features (the same analysis fit() uses)."""
        def analyze(doc):
            mode, items, split, min_n, max_n, stops, _ = self._prepare([self._decode(doc, 0)])
            feats = split(items[0]) if mode == "raw" else items[0]
            return _word_ngrams(feats, stops, min_n, max_n)
        return analyze

    def get_params(self, deep=True) -> dict:
        import inspect
        names = [p for p in inspect.signature(type(self).__init__).parameters if p != "self"]
        return {n: getattr(self, n) for n in names}

    def set_params(self, **params):
        for k, v in params.items():
            if not hasattr(self, k):
                raise ValueError(f"Invalid parameter {k!r} for {type(self).__name__}")
            setattr(self, k, v)
        return self

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class TfidfTransformer:
    """Transform a count matrix to a TF-IDF matrix (scikit-learn's TfidfTransformer semantics).

    idf(t) = ln((1 + n) / (1 + df(t))) + 1 with ``smooth_idf`` (else ln(n / df(t)) + 1);
    tf = count (or 1 + ln(count) with ``sublinear_tf``); each row then scaled to unit ``norm``.
    """

    def __init__(self, *, norm="l2", use_idf=True, smooth_idf=True, sublinear_tf=False):
        self.norm = norm
        self.use_idf = use_idf
        self.smooth_idf = smooth_idf
        self.sublinear_tf = sublinear_tf

    def _check(self):
        if self.norm not in ("l1", "l2", None):
            raise ValueError(f"norm must be 'l1', 'l2' or None, got {self.norm!r}")

    def fit(self, X, y=None, *, _df=None):
        self._check()
        data, indices, indptr, shape = csr_parts(X)
        if self.use_idf:
            df = _df if _df is not None else np.bincount(indices, minlength=shape[1])
            df = df.astype(np.float64)
            n_samples = shape[0]
            df += float(self.smooth_idf)
            n_samples += int(self.smooth_idf)
            idf = np.full_like(df, fill_value=n_samples, dtype=np.float64)
            idf /= df
            np.log(idf, out=idf)
            idf += 1.0
            self.idf_ = idf
        elif hasattr(self, "idf_"):
            del self.idf_
        return self

    def transform(self, X, copy=True):
        self._check()
        data, indices, indptr, shape = csr_parts(X)
        out_dtype = data.dtype if data.dtype in (np.float32, np.float64) else np.float64
        work = np.array(data, dtype=np.float64, copy=True) if (copy or data.dtype != np.float64) else data
        if not work.flags.c_contiguous:
            work = np.ascontiguousarray(work)
        idf = self.idf_ if (self.use_idf and hasattr(self, "idf_")) else None
        if idf is not None and len(idf) != shape[1]:
            raise ValueError(f"X has {shape[1]} features, but the idf was fitted with {len(idf)}")
        _C.tfidf_inplace(work, indices, indptr, idf, bool(self.sublinear_tf), self.norm or "none")
        if out_dtype != np.float64:
            work = work.astype(out_dtype)
        return make_csr(work, indices, indptr, shape)

    def fit_transform(self, X, y=None):
        return self.fit(X).transform(X)


class TfidfVectorizer(CountVectorizer):
    """Convert text documents to a matrix of TF-IDF features (scikit-learn compatible).

    = CountVectorizer followed by TfidfTransformer; same parameters and defaults as scikit-learn's
    (``dtype=np.float64``, ``norm='l2'``, ``use_idf=True``, ``smooth_idf=True``,
    ``sublinear_tf=False``) plus ``n_jobs``.

    >>> tv = TfidfVectorizer()
    >>> X = tv.fit_transform(["the cat", "the dog", "a cat and a dog"])
    >>> tv.get_feature_names_out().tolist(), [round(v, 4) for v in tv.idf_]
    (['and', 'cat', 'dog', 'the'], [1.6931, 1.2877, 1.2877, 1.2877])
    """

    def __init__(self, *, input="content", encoding="utf-8", decode_error="strict", strip_accents=None,
                 lowercase=True, preprocessor=None, tokenizer=None, analyzer="word", stop_words=None,
                 token_pattern=DEFAULT_TOKEN_PATTERN, ngram_range=(1, 1), max_df=1.0, min_df=1,
                 max_features=None, vocabulary=None, binary=False, dtype=np.float64, norm="l2",
                 use_idf=True, smooth_idf=True, sublinear_tf=False, n_jobs=None):
        super().__init__(input=input, encoding=encoding, decode_error=decode_error, strip_accents=strip_accents,
                         lowercase=lowercase, preprocessor=preprocessor, tokenizer=tokenizer,
                         analyzer=analyzer, stop_words=stop_words, token_pattern=token_pattern,
                         ngram_range=ngram_range, max_df=max_df, min_df=min_df, max_features=max_features,
                         vocabulary=vocabulary, binary=binary, dtype=dtype, n_jobs=n_jobs)
        self.norm = norm
        self.use_idf = use_idf
        self.smooth_idf = smooth_idf
        self.sublinear_tf = sublinear_tf

    def _as_float(self) -> bool:
        return True

    def _transformer(self) -> TfidfTransformer:
        return TfidfTransformer(norm=self.norm, use_idf=self.use_idf, smooth_idf=self.smooth_idf,
                                sublinear_tf=self.sublinear_tf)

    @property
    def idf_(self) -> np.ndarray:
        """Inverse document frequency of each feature (``[n_features]`` float64); needs use_idf=True."""
        tf = getattr(self, "_tfidf", None)
        if tf is None or not hasattr(tf, "idf_"):
            raise AttributeError("idf_ is available only after fit() with use_idf=True")
        return tf.idf_

    def fit(self, raw_documents, y=None):
        self.fit_transform(raw_documents)
        return self

    def fit_transform(self, raw_documents, y=None):
        X = super().fit_transform(raw_documents)
        self._tfidf = self._transformer()
        df = getattr(self, "_df", None) if not self.fixed_vocabulary_ else None
        self._tfidf.fit(X, _df=df)
        return self._tfidf.transform(X, copy=False)

    def transform(self, raw_documents):
        if not hasattr(self, "_tfidf"):
            raise ValueError("The TF-IDF vectorizer is not fitted")
        X = super().transform(raw_documents)
        return self._tfidf.transform(X, copy=False)


# ---------------------------------------------------------------------- pure-Python helpers
def _sum_dtype(dt: np.dtype) -> np.dtype:
    """The dtype scipy sums a sparse matrix of dtype `dt` in (as sklearn's X.sum(axis=0))."""
    if dt.kind == "i":
        return np.dtype(np.int64)
    if dt.kind == "u":
        return np.dtype(np.uint64)
    if dt.kind == "b":
        return np.dtype(np.int64)
    return dt


def _word_ngrams(tokens, stop_words, min_n, max_n) -> list:
    """scikit-learn's _word_ngrams: drop stop words, then n-grams joined by ' '."""
    if stop_words is not None:
        tokens = [w for w in tokens if w not in stop_words]
    if max_n == 1:
        return list(tokens)
    original = tokens
    out = list(original) if min_n == 1 else []
    if min_n == 1:
        min_n += 1
    n_orig = len(original)
    for n in range(min_n, min(max_n + 1, n_orig + 1)):
        for i in range(n_orig - n + 1):
            out.append(" ".join(original[i:i + n]))
    return out


def _rows_to_csr(rows, n_cols):
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    cols, vals = [], []
    for r, row in enumerate(rows):
        items = sorted(row.items())
        cols.extend(c for c, _ in items)
        vals.extend(v for _, v in items)
        indptr[r + 1] = len(cols)
    return np.asarray(vals, dtype=np.int64), np.asarray(cols, dtype=np.int32), indptr.astype(np.int32), n_cols


def _py_count_fixed(feats, vocabulary):
    rows = []
    for f in feats:
        c = {}
        for t in f:
            j = vocabulary.get(t)
            if j is not None:
                c[j] = c.get(j, 0) + 1
        rows.append(c)
    return _rows_to_csr(rows, len(vocabulary))[:3]


class _PyCountFit:
    """Counting of arbitrary hashable features (e.g. token ids): the same interface as _core.classic.CountFit."""

    def __init__(self, feats):
        vocab = {}
        rows = []
        for f in feats:
            c = {}
            for t in f:
                j = vocab.setdefault(t, len(vocab))
                c[j] = c.get(j, 0) + 1
            rows.append(c)
        order = sorted(vocab)
        rank = {vocab[t]: r for r, t in enumerate(order)}
        self._terms = order
        self._data, self._indices, self._indptr, _ = _rows_to_csr(
            [{rank[j]: v for j, v in row.items()} for row in rows], len(order))
        self.n_terms = len(order)

    def terms(self):
        return list(self._terms)

    def df(self):
        return np.bincount(self._indices, minlength=self.n_terms).astype(np.int64)

    def tf(self):
        return np.bincount(self._indices, weights=self._data, minlength=self.n_terms).astype(np.int64)

    def matrix(self, keep=None, as_float=False, binary=False):
        data, indices, indptr = self._data, self._indices, self._indptr
        n_cols = self.n_terms
        if keep is not None:
            keep = np.asarray(keep, dtype=bool)
            new_idx = np.cumsum(keep) - 1
            sel = keep[indices]
            rows = np.repeat(np.arange(len(indptr) - 1), np.diff(indptr))[sel]
            data, indices = data[sel], new_idx[indices[sel]].astype(np.int32)
            indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=len(indptr) - 1))]).astype(np.int32)
            n_cols = int(keep.sum())
        if binary:
            data = np.ones_like(data)
        if as_float:
            data = data.astype(np.float64)
        return data, indices, indptr, n_cols
