"""pyllm.classic.NGramLM: hand-computed probabilities, normalisation, perplexity ordering on KJV."""

import math

import numpy as np
import pytest

from pyllm.classic import NGramLM, simple_tokenize


def test_hand_computed_kneser_ney_bigram():
    # corpus: one sequence 0 1 0 1 2 over ids {0,1,2,3}; plain interpolated KN, D = 0.75
    lm = NGramLM(order=2, discount=0.75, vocab_size=4).fit([[0, 1, 0, 1, 2]])
    # unigram continuation counts: each of 0, 1, 2 follows one distinct id; total 3
    p1 = {w: 0.25 / 3 + 0.75 * 3 / 4 / 3 for w in (0, 1, 2)}
    p1[3] = 0.75 * 3 / 4 / 3
    assert p1[0] == pytest.approx(0.2708333333333333, abs=1e-15)
    for w in range(4):
        assert lm.prob(w, []) == pytest.approx(p1[w], abs=1e-15)
    # context 0: followers {1: 2}; context 1: followers {0: 1, 2: 1}; context 2 never seen
    assert lm.prob(1, [0]) == pytest.approx((2 - 0.75 + 0.75 * p1[1]) / 2, abs=1e-15)  # 0.7265625
    assert lm.prob(1, [0]) == pytest.approx(0.7265625, abs=1e-15)
    assert lm.prob(0, [0]) == pytest.approx(0.75 * p1[0] / 2, abs=1e-15)
    assert lm.prob(0, [1]) == pytest.approx((0.25 + 1.5 * p1[0]) / 2, abs=1e-15)    # 0.328125
    assert lm.prob(3, [1]) == pytest.approx(1.5 * p1[3] / 2, abs=1e-15)
    assert lm.prob(3, [2]) == pytest.approx(p1[3], abs=1e-15)
    assert lm.prob(1, [3, 2, 0]) == lm.prob(1, [0])  # only the last order-1 ids matter
    # perplexity scores tokens 2..5 of the sequence given their predecessor
    want = math.exp(-(2 * math.log(0.7265625) + 2 * math.log(0.328125)) / 4)
    assert lm.perplexity([0, 1, 0, 1, 2]) == pytest.approx(want, rel=1e-14)


def test_hand_computed_laplace():
    lm = NGramLM(order=2, smoothing="laplace", vocab_size=4).fit([[0, 1, 0, 1, 2]])
    assert lm.prob(1, [0]) == pytest.approx(3 / 6, abs=1e-15)
    assert lm.prob(2, [0]) == pytest.approx(1 / 6, abs=1e-15)
    assert lm.prob(0, []) == pytest.approx(3 / 9, abs=1e-15)
    assert lm.prob(3, []) == pytest.approx(1 / 9, abs=1e-15)
    assert lm.prob(3, [2]) == pytest.approx(1 / 9, abs=1e-15)  # unseen history backs off


def test_modified_kn_discounts_from_count_of_counts():
    rng = np.random.default_rng(0)
    seqs = [list(rng.zipf(1.5, size=50) % 40) for _ in range(200)]
    lm = NGramLM(order=2).fit(seqs)
    flat = [(a, b) for s in seqs for a, b in zip(s, s[1:])]
    counts = {}
    for g in flat:
        counts[g] = counts.get(g, 0) + 1
    n = [sum(1 for c in counts.values() if c == r) for r in range(5)]
    y = n[1] / (n[1] + 2 * n[2])
    want = [1 - 2 * y * n[2] / n[1], 2 - 3 * y * n[3] / n[2], 3 - 4 * y * n[4] / n[3]]
    np.testing.assert_allclose(lm.discounts(2), want, rtol=1e-12)


@pytest.fixture(scope="module")
def kjv_split(data_dir):
    lines = (data_dir / "text" / "kjv.txt").read_text(encoding="utf-8").splitlines()
    return lines[:28000], lines[28000:]


@pytest.fixture(scope="module")
def kjv_models(kjv_split):
    train, _ = kjv_split
    grid = [(1, "kneser_ney"), (2, "kneser_ney"), (3, "kneser_ney"), (2, "laplace")]
    return {(n, s): NGramLM(order=n, smoothing=s).fit(train) for n, s in grid}


def test_distributions_sum_to_one(kjv_models, kjv_split):
    _, test = kjv_split
    rng = np.random.default_rng(1)
    for (n, s), lm in kjv_models.items():
        for line in rng.choice(test, 5):
            words = simple_tokenize(line)
            for cut in (0, 1, len(words) // 2):
                ctx = words[:cut]
                p = lm.next_token_probs(ctx)
                assert p.shape == (lm.vocab_size_,)
                assert p.min() > 0
                assert abs(p.sum() - 1.0) < 1e-9, (n, s, ctx)
                for w in ("the", "lord", "zebra", words[cut] if cut < len(words) else "."):
                    assert lm.prob(w, ctx) == pytest.approx(p[lm.vocab_.get(w, 0)], rel=1e-12)
        p = lm.next_token_probs(["never", "seen", "words"])  # unseen history
        assert abs(p.sum() - 1.0) < 1e-9


def test_heldout_perplexity_decreases_with_order(kjv_models, kjv_split):
    _, test = kjv_split
    ppl = [kjv_models[(n, "kneser_ney")].perplexity(test) for n in (1, 2, 3)]
    assert ppl[0] > ppl[1] > ppl[2], ppl
    assert ppl[0] / ppl[2] > 2.0
    # perplexity == exp(-mean log P) over every token but the first of each sequence
    lm = kjv_models[(3, "kneser_ney")]
    text = test[5]
    words = simple_tokenize(text)
    lps = [lm.logprob(words[i], words[max(0, i - 2):i]) for i in range(1, len(words))]
    assert lm.perplexity(text) == pytest.approx(math.exp(-sum(lps) / len(lps)), rel=1e-12)


def test_generate_is_seeded(kjv_models):
    lm = kjv_models[(3, "kneser_ney")]
    a = lm.generate("and god said", max_tokens=15, seed=7)
    assert a == lm.generate("and god said", max_tokens=15, seed=7)
    assert len(a.split()) == 15
    assert a != lm.generate("and god said", max_tokens=15, seed=8)
    greedy = lm.generate("and god said", max_tokens=1, temperature=0)
    p = lm.next_token_probs("and god said")
    assert greedy == lm._words[int(np.argmax(p))]


def test_token_ids_and_tokenizer_objects():
    class Tok:  # anything with encode(text) -> ids (e.g. pyllm.Tokenizer); decode optional
        n_vocab = 300

        def encode(self, text):
            return list(text.encode("utf-8"))

        def decode(self, ids):
            return bytes(ids).decode("utf-8", "replace")

    lm = NGramLM(order=3, tokenizer=Tok()).fit(["abracadabra", "cadabra abra"])
    assert lm.vocab_size_ == 300
    p = lm.next_token_probs("abr")
    assert abs(p.sum() - 1) < 1e-12 and np.argmax(p) == ord("a")
    assert isinstance(lm.generate("ab", 5, seed=1), str)
    ids = NGramLM(order=2).fit([[5, 6, 7], np.array([6, 7, 5])])
    assert ids.vocab_size_ == 8 and isinstance(ids.generate([5], 3, seed=0), list)
    assert ids.perplexity([5, 6, 7]) == pytest.approx(ids.perplexity(np.array([5, 6, 7])))


def test_bad_input():
    with pytest.raises(ValueError, match="empty corpus"):
        NGramLM().fit([])
    with pytest.raises(ValueError, match="empty corpus"):
        NGramLM().fit(["", "   "])
    with pytest.raises(TypeError, match="item 1"):
        NGramLM().fit(["fine text", 3.5])
    with pytest.raises(ValueError, match="not fitted"):
        NGramLM().perplexity("the end")
    with pytest.raises(ValueError, match="order"):
        NGramLM(order=0)
    with pytest.raises(ValueError, match="smoothing"):
        NGramLM(smoothing="witten_bell")
    lm = NGramLM(order=2).fit(["a b c"])
    with pytest.raises(ValueError, match="at least 2 tokens"):
        lm.perplexity("a")
    ids = NGramLM(order=2, vocab_size=10).fit([[1, 2, 3]])
    with pytest.raises(IndexError, match="outside"):
        ids.prob(10, [1])
    with pytest.raises(IndexError, match="outside"):
        ids.perplexity([1, 2, 11])
    with pytest.raises(ValueError, match="out of range"):
        NGramLM().fit([[1, -2]])


def test_cpp_word_splitting_matches_simple_tokenize():
    from pyllm import _core

    rng = np.random.default_rng(3)
    alphabet = [chr(c) for c in range(128)] + ["é", "ß", "İ", "東", "\u00a0", "\u2028"]
    texts = ["".join(rng.choice(alphabet, size=rng.integers(0, 40))) for _ in range(300)]
    texts += ["And God said, Let there be light: and there was light.", "a\x1cb\x1fc\td", "İstanbul ŞEHİR"]
    for lower in (True, False):
        v = _core.classic.WordVocab()
        ids, offsets = v.encode(texts, lower, True, lambda t: simple_tokenize(t, lower))
        words = v.words()
        for k, text in enumerate(texts):
            got = [words[i] for i in ids[offsets[k]:offsets[k + 1]]]
            assert got == simple_tokenize(text, lower), repr(text)
