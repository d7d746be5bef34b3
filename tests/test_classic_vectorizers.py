"""pyllm.classic vectorizers vs scikit-learn (the oracle) on the KJV verses and on edge cases."""

import numpy as np
import pytest

from pyllm.classic import CountVectorizer, CSRMatrix, TfidfTransformer, TfidfVectorizer
from pyllm.classic import _csr

sk_text = pytest.importorskip("sklearn.feature_extraction.text")
sp = pytest.importorskip("scipy.sparse")


@pytest.fixture(scope="module")
def kjv(data_dir):
    return (data_dir / "text" / "kjv.txt").read_text(encoding="utf-8").splitlines()


def assert_same(ours, theirs, X, Y, tfidf):
    assert ours.vocabulary_ == theirs.vocabulary_
    assert list(ours.get_feature_names_out()) == list(theirs.get_feature_names_out())
    assert X.shape == Y.shape
    X, Y = sp.csr_matrix(X), sp.csr_matrix(Y)
    Y.sort_indices()
    assert X.nnz == Y.nnz
    np.testing.assert_array_equal(X.indptr, Y.indptr)
    np.testing.assert_array_equal(X.indices, Y.indices)
    if tfidf:
        np.testing.assert_allclose(X.data, Y.data, rtol=0, atol=1e-12)
        if theirs.use_idf:
            np.testing.assert_allclose(ours.idf_, theirs.idf_, rtol=0, atol=1e-12)
    else:
        np.testing.assert_array_equal(X.data, Y.data)
        assert X.dtype == Y.dtype


COUNT_GRID = [
    dict(),
    dict(min_df=5, max_df=1000),
    dict(min_df=0.001, max_df=0.2),
    dict(max_features=300),                       # many ties among column sums: exact tie-breaking
    dict(max_features=1000, binary=True),
    dict(stop_words="english", lowercase=False),
    dict(stop_words=["the", "and", "of", "unto"], ngram_range=(1, 2), min_df=2),
    dict(ngram_range=(2, 3), max_features=2000, min_df=2),
]


@pytest.mark.parametrize("params", COUNT_GRID, ids=[str(p) for p in COUNT_GRID])
def test_count_vectorizer_matches_sklearn_on_kjv(kjv, params):
    docs = kjv if "ngram_range" not in params else kjv[:8000]
    ours, theirs = CountVectorizer(**params), sk_text.CountVectorizer(**params)
    assert_same(ours, theirs, ours.fit_transform(docs), theirs.fit_transform(docs), tfidf=False)


TFIDF_GRID = [
    dict(),
    dict(norm="l1", sublinear_tf=True),
    dict(norm=None, smooth_idf=False, min_df=3),
    dict(use_idf=False, max_df=0.05),
    dict(binary=True, sublinear_tf=True, max_features=777),
    dict(ngram_range=(1, 2), min_df=2, max_df=0.5, sublinear_tf=True),
]


@pytest.mark.parametrize("params", TFIDF_GRID, ids=[str(p) for p in TFIDF_GRID])
def test_tfidf_vectorizer_matches_sklearn_on_kjv(kjv, params):
    docs = kjv if "ngram_range" not in params else kjv[:8000]
    ours, theirs = TfidfVectorizer(**params), sk_text.TfidfVectorizer(**params)
    assert_same(ours, theirs, ours.fit_transform(docs), theirs.fit_transform(docs), tfidf=True)


def test_transform_and_fixed_vocabulary(kjv):
    train, test = kjv[:20000], kjv[20000:]
    ours, theirs = TfidfVectorizer(sublinear_tf=True), sk_text.TfidfVectorizer(sublinear_tf=True)
    ours.fit(train)
    theirs.fit(train)
    X, Y = ours.transform(test), theirs.transform(test)
    assert abs(X - Y).max() <= 1e-12
    vocab = ["god", "lord", "moses", "jesus", "zion", "notaword"]
    for v in (vocab, {w: i for i, w in enumerate(reversed(vocab))}):
        ours, theirs = CountVectorizer(vocabulary=v, ngram_range=(1, 2)), sk_text.CountVectorizer(vocabulary=v,
                                                                                                ngram_range=(1, 2))
        assert_same(ours, theirs, ours.fit_transform(test), theirs.fit_transform(test), tfidf=False)
        assert_same(ours, theirs, ours.transform(train[:500]), theirs.transform(train[:500]), tfidf=False)


def test_threads_give_identical_results(kjv):
    a = CountVectorizer(ngram_range=(1, 2), n_jobs=1).fit_transform(kjv[:5000])
    b = CountVectorizer(ngram_range=(1, 2), n_jobs=2).fit_transform(kjv[:5000])
    assert (a != b).nnz == 0


UNICODE_DOCS = [
    "Straße naïve café — ΣΊΣΥΦΟΣ İstanbul ǅemal Ⅻ x² 123 ٣٤ _a_ a",
    "Der Fluß, die STRASSE; résumé/RÉSUMÉ… 東京タワー 東京",
    "plain ascii words only here",
    "",
    "e\u0301tude e\u0301 \u00e9tude",
    "tab\tseparated\nnew line, hyphen-ated and under_score x",
]


@pytest.mark.parametrize("params", [dict(), dict(lowercase=False), dict(ngram_range=(1, 3)),
                                    dict(strip_accents="unicode"), dict(strip_accents="ascii"),
                                    dict(token_pattern=r"(?u)\b\w+\b"), dict(token_pattern=r"(\w)\w*"),
                                    dict(analyzer="char", ngram_range=(2, 4)),
                                    dict(analyzer="char_wb", ngram_range=(1, 3))])
def test_unicode_and_python_paths_match_sklearn(params):
    for cls, skcls, tf in ((CountVectorizer, sk_text.CountVectorizer, False),
                           (TfidfVectorizer, sk_text.TfidfVectorizer, True)):
        ours, theirs = cls(**params), skcls(**params)
        assert_same(ours, theirs, ours.fit_transform(UNICODE_DOCS), theirs.fit_transform(UNICODE_DOCS), tfidf=tf)


# scikit-learn warns that token_pattern is unused when a tokenizer is given; the comparison is the point
@pytest.mark.filterwarnings("ignore:The parameter 'token_pattern' will not be used")
def test_callables_and_token_ids():
    docs = ["one two three two", "three three four", "five"]
    for params in (dict(tokenizer=str.split, preprocessor=str.upper),
                   dict(analyzer=lambda d: d.split()),
                   dict(analyzer=lambda d: [len(w) for w in d.split()])):  # integer features
        ours, theirs = CountVectorizer(**params), sk_text.CountVectorizer(**params)
        assert_same(ours, theirs, ours.fit_transform(docs), theirs.fit_transform(docs), tfidf=False)

    class IdTokenizer:  # anything with encode(text) -> ids, e.g. pyllm.Tokenizer
        def encode(self, text):
            return [sum(map(ord, w)) % 7 for w in text.split()]

    ours = CountVectorizer(tokenizer=IdTokenizer(), lowercase=False)
    theirs = sk_text.CountVectorizer(tokenizer=IdTokenizer().encode, lowercase=False)
    assert_same(ours, theirs, ours.fit_transform(docs), theirs.fit_transform(docs), tfidf=False)


def test_tfidf_transformer_matches_sklearn(kjv):
    X = sk_text.CountVectorizer().fit_transform(kjv[:3000])
    ours = TfidfTransformer(sublinear_tf=True).fit(X)
    theirs = sk_text.TfidfTransformer(sublinear_tf=True).fit(X)
    np.testing.assert_allclose(ours.idf_, theirs.idf_, rtol=0, atol=1e-12)
    assert abs(ours.transform(X) - theirs.transform(X)).max() <= 1e-12


def test_without_scipy_returns_small_csr(monkeypatch):
    docs = ["a bb cc bb", "cc dd", "zz"]
    want = sk_text.TfidfVectorizer().fit_transform(docs).toarray()
    monkeypatch.setattr(_csr, "_sp", None)
    X = TfidfVectorizer().fit_transform(docs)
    assert isinstance(X, CSRMatrix) and X.shape == (3, 4)
    np.testing.assert_allclose(X.toarray(), want, atol=1e-12)
    assert "CSRMatrix" in repr(X)


def test_bad_input():
    with pytest.raises(ValueError, match="string object received"):
        CountVectorizer().fit("just one string")
    with pytest.raises(TypeError, match="document 1: expected str or bytes, got int"):
        CountVectorizer().fit(["fine text", 42])
    with pytest.raises(ValueError, match="np.nan"):
        CountVectorizer().fit(["fine text", np.nan])
    with pytest.raises(ValueError, match="empty vocabulary"):
        CountVectorizer(stop_words=["the", "of"]).fit(["the of", "of the"])
    with pytest.raises(ValueError, match="empty vocabulary"):
        CountVectorizer().fit([])
    with pytest.raises(ValueError, match="max_df corresponds to < documents than min_df"):
        CountVectorizer(min_df=3, max_df=2).fit(["aa bb", "bb cc", "cc dd"])
    with pytest.raises(ValueError, match="no terms remain"):
        CountVectorizer(min_df=5, max_df=10).fit(["aa bb", "bb cc"])
    with pytest.raises(ValueError, match="ngram_range"):
        CountVectorizer(ngram_range=(2, 1)).fit(["aa bb"])
    with pytest.raises(ValueError, match="min_df"):
        CountVectorizer(min_df=1.5).fit(["aa bb"])
    with pytest.raises(ValueError, match="not a built-in stop list"):
        CountVectorizer(stop_words="klingon").fit(["aa bb"])
    with pytest.raises(ValueError, match="Duplicate term"):
        CountVectorizer(vocabulary=["aa", "aa"]).fit(["aa bb"])
    with pytest.raises(ValueError, match="not fitted"):
        CountVectorizer().transform(["aa"])
    with pytest.raises(AttributeError, match="use_idf"):
        TfidfVectorizer(use_idf=False).fit(["aa bb"]).idf_
    # bytes are decoded like scikit-learn does
    assert CountVectorizer().fit([b"caf\xc3\xa9 ok"]).vocabulary_ == {"café": 0, "ok": 1}


def test_random_corpora_and_parameters_match_sklearn():
    import random
    import warnings

    rng = random.Random(0)
    pieces = ["aa", "bb", "cc", "dd", "Ee", "ff", "g", "hh_i", "2x", "ÄÖ", "ß", "İi", "x y", "—", "αβ", "東京"]

    def doc():
        return " ".join(rng.choice(pieces) for _ in range(rng.randint(0, 12))) + rng.choice(["", ".", "!?", " 12"])

    for _ in range(120):
        docs = [doc() for _ in range(rng.randint(1, 12))]
        p = {}
        if rng.random() < 0.4:
            p["ngram_range"] = rng.choice([(1, 2), (2, 2), (1, 3), (2, 4)])
        if rng.random() < 0.3:
            p["min_df"] = rng.choice([1, 2, 0.1, 0.5])
        if rng.random() < 0.3:
            p["max_df"] = rng.choice([1.0, 0.9, 0.5, 3, 10])
        if rng.random() < 0.3:
            p["max_features"] = rng.choice([1, 2, 5, 20])
        if rng.random() < 0.2:
            p["binary"] = True
        if rng.random() < 0.2:
            p["lowercase"] = False
        if rng.random() < 0.2:
            p["stop_words"] = ["aa", "ee"]
        if rng.random() < 0.15:
            p["analyzer"] = rng.choice(["char", "char_wb"])
        tfidf = rng.random() < 0.5
        if tfidf:
            if rng.random() < 0.3:
                p["norm"] = rng.choice(["l1", None])
            if rng.random() < 0.3:
                p["sublinear_tf"] = True
            if rng.random() < 0.3:
                p["smooth_idf"] = False
        ours_cls, sk_cls = (TfidfVectorizer, sk_text.TfidfVectorizer) if tfidf else (CountVectorizer,
                                                                                     sk_text.CountVectorizer)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = sk_cls(**p)
            try:
                Y = theirs.fit_transform(docs)
            except ValueError as e:
                with pytest.raises(ValueError, match=str(e)[:20]):
                    ours_cls(**p).fit_transform(docs)
                continue
        ours = ours_cls(**p)
        assert_same(ours, theirs, ours.fit_transform(docs), Y, tfidf=tfidf)
        new = [doc() for _ in range(3)]
        X2, Y2 = ours.transform(new), theirs.transform(new)
        assert X2.shape == Y2.shape and (X2.nnz == 0 == Y2.nnz or abs(X2 - Y2).max() <= 1e-12)
