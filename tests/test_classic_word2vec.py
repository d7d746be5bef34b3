"""pyllm.classic.Word2Vec on the KJV corpus: analogies gensim also gets, gensim file interop, bad input."""

import string

import numpy as np
import pytest

from pyllm import _core
from pyllm.classic import KeyedVectors, Word2Vec, load_word2vec_format

C = _core.classic


@pytest.fixture(scope="module")
def kjv_sentences(data_dir):
    lines = (data_dir / "text" / "kjv.txt").read_text(encoding="utf-8").splitlines()
    table = str.maketrans("", "", string.punctuation)
    return [line.lower().translate(table).split() for line in lines]


@pytest.fixture(scope="module")
def model(kjv_sentences):
    # the settings of shared/data/README.md (where gensim's results on this corpus are recorded)
    return Word2Vec(kjv_sentences, sg=1, vector_size=100, window=5, min_count=5, negative=5, epochs=5,
                    workers=2, seed=1, compute_loss=True)


def test_vocabulary_and_shapes(model, kjv_sentences):
    wv = model.wv
    assert len(wv) == 5307  # gensim's vocabulary size with min_count=5 on this corpus
    assert wv.vectors.shape == (5307, 100) and wv.vectors.dtype == np.float32
    assert wv.index_to_key[0] == "the" and wv.counts[0] == max(wv.counts)
    assert model.corpus_total_words == sum(map(len, kjv_sentences))
    assert 0 < model.effective_words < 5 * model.corpus_total_words  # subsampling dropped words
    assert wv["god"].shape == (100,) and wv[["god", "lord"]].shape == (2, 100)


def test_loss_decreases(model):
    loss = model.loss_history_
    assert len(loss) == 5 and all(x > 0 for x in loss)
    assert loss[1] < loss[0] and min(loss[1:]) < loss[0]


@pytest.mark.parametrize("pos,neg,want,topn", [
    (["king", "woman"], ["man"], "queen", 5),        # gensim: 1st-2nd
    (["father", "woman"], ["man"], "mother", 5),     # gensim: 1st-2nd
    (["sons", "daughter"], ["son"], "daughters", 3),  # gensim: 1st
])
def test_analogies_that_gensim_also_gets(model, pos, neg, want, topn):
    got = [w for w, _ in model.wv.most_similar(positive=pos, negative=neg, topn=topn)]
    assert want in got, got
    assert not set(pos + neg) & set(got)


def test_similarities_that_gensim_also_gets(model):
    wv = model.wv
    # gensim (same settings, seeds 1 and 2): 0.69/0.21, 0.57/0.27, 0.86/0.22, 0.70/0.15, 0.63/0.27
    for a, b, c in [("moses", "aaron", "bread"), ("jerusalem", "zion", "goat"), ("gold", "silver", "sin"),
                    ("sheep", "goats", "prophet"), ("egypt", "pharaoh", "bread")]:
        assert wv.similarity(a, b) > wv.similarity(a, c) + 0.2, (a, b, c)
    assert "silver" in [w for w, _ in wv.most_similar("gold", topn=3)]
    assert wv.similarity("god", "god") == pytest.approx(1.0, abs=1e-6)
    # most_similar agrees with a plain numpy cosine ranking
    unit = wv.vectors / np.linalg.norm(wv.vectors, axis=1, keepdims=True)
    q = unit[wv.get_index("david")]
    order = [wv.index_to_key[i] for i in np.argsort(-(unit @ q)) if wv.index_to_key[i] != "david"][:5]
    assert [w for w, _ in wv.most_similar("david", topn=5)] == order


@pytest.mark.parametrize("binary", [False, True])
def test_word2vec_format_round_trip_with_gensim(model, tmp_path, binary):
    gensim_models = pytest.importorskip("gensim.models")
    ours = tmp_path / "ours.bin"
    model.save_word2vec_format(ours, binary=binary)
    kv = gensim_models.KeyedVectors.load_word2vec_format(str(ours), binary=binary)
    assert kv.index_to_key == model.wv.index_to_key
    np.testing.assert_array_equal(kv.vectors, model.wv.vectors)  # 9 significant digits: exact float32
    theirs = tmp_path / "theirs.bin"
    kv.save_word2vec_format(str(theirs), binary=binary)
    back = load_word2vec_format(theirs, binary=binary)
    assert back.index_to_key == model.wv.index_to_key
    np.testing.assert_allclose(back.vectors, model.wv.vectors, rtol=1e-6, atol=1e-7)
    got, want = back.most_similar("gold", topn=3), model.wv.most_similar("gold", topn=3)
    assert [w for w, _ in got] == [w for w, _ in want]
    assert [s for _, s in got] == pytest.approx([s for _, s in want])
    assert len(KeyedVectors.load_word2vec_format(theirs, binary=binary, limit=10)) == 10


def test_deterministic_with_one_worker_and_cbow():
    sents = [["w%d" % ((i * 7 + j * 3) % 40) for j in range(12)] for i in range(300)]
    a = Word2Vec(sents, vector_size=16, min_count=1, epochs=3, workers=1, seed=3)
    b = Word2Vec(sents, vector_size=16, min_count=1, epochs=3, workers=1, seed=3)
    np.testing.assert_array_equal(a.wv.vectors, b.wv.vectors)
    c = Word2Vec(sents, vector_size=16, min_count=1, epochs=3, workers=1, seed=4)
    assert not np.array_equal(a.wv.vectors, c.wv.vectors)
    cb = Word2Vec(sents, sg=0, vector_size=16, min_count=1, epochs=3, workers=2, seed=3, compute_loss=True,
                  sample=0)  # no subsampling: on this tiny corpus it makes the epoch loss noisy
    assert cb.wv.vectors.shape == (40, 16) and np.isfinite(cb.wv.vectors).all()
    assert cb.loss_history_[-1] < cb.loss_history_[0]


@pytest.mark.parametrize("n", [1, 4, 7, 8, 31, 33, 100, 257])
def test_avx2_kernels_match_scalar(n):
    if "avx2" not in _core.available_isas():
        pytest.skip("no AVX2 on this machine")
    rng = np.random.default_rng(n)
    a, b, c = (rng.standard_normal(n).astype(np.float32) for _ in range(3))
    assert C.w2v_dot(a, b, "avx2") == pytest.approx(C.w2v_dot(a, b, "scalar"), rel=1e-5, abs=1e-5)
    assert C.w2v_dot(a, b, "scalar") == pytest.approx(float(np.dot(a.astype(np.float64), b)), rel=1e-5, abs=1e-5)
    np.testing.assert_allclose(C.w2v_axpy(0.3, a, b, "avx2"), b + np.float32(0.3) * a, rtol=1e-6, atol=1e-6)
    w1, e1 = C.w2v_sgns_update(-0.2, a, b, c, "avx2")
    w0, e0 = C.w2v_sgns_update(-0.2, a, b, c, "scalar")
    np.testing.assert_allclose(w1, w0, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(e1, e0, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(e0, c + np.float32(-0.2) * b, rtol=1e-6, atol=1e-6)


def test_bad_input(model):
    with pytest.raises(ValueError, match="empty corpus"):
        Word2Vec([])
    with pytest.raises(ValueError, match="empty corpus"):
        Word2Vec([[], []])
    with pytest.raises(ValueError, match="min_count=5"):
        Word2Vec([["rare", "words", "only"]] * 2)
    with pytest.raises(TypeError, match="sentence 1 is a str"):
        Word2Vec([["fine"], "not tokenized"])
    with pytest.raises(TypeError, match="sentence 0, token 1: expected str, got int"):
        Word2Vec([["fine", 3]])
    with pytest.raises(TypeError, match="sentence 0: expected a list"):
        Word2Vec([42])
    with pytest.raises(KeyError, match="'zarquon'"):
        model.wv.most_similar(positive=["king", "zarquon"])
    with pytest.raises(KeyError, match="'zarquon'"):
        model.wv["zarquon"]
    with pytest.raises(KeyError, match="'zarquon'"):
        model.wv.similarity("zarquon", "king")
    with pytest.raises(ValueError, match="vector_size"):
        Word2Vec([["a"] * 10], vector_size=0, min_count=1)
    with pytest.raises(ValueError, match="not trained"):
        Word2Vec().most_similar("king")
