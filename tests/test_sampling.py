"""The C++ sampler chain against a numpy reference of the same chain (llama-cpp-python's order:
penalties, top-k, top-p, min-p, temperature, draw)."""

import numpy as np
import pytest

from pyllm import _core


def params(**kw):
    p = _core.SamplerParams()
    for k, v in kw.items():
        setattr(p, k, v)
    return p


def ref_distribution(logits, history, temperature=0.8, top_k=40, top_p=0.95, min_p=0.05, repeat_penalty=1.0,
                     presence_penalty=0.0, frequency_penalty=0.0, penalty_last_n=64, typical_p=1.0):
    l = np.asarray(logits, np.float64).copy()
    window = history if penalty_last_n < 0 else history[len(history) - min(len(history), penalty_last_n):]
    ids, counts = np.unique(np.asarray(window, int), return_counts=True) if len(window) else ([], [])
    for i, c in zip(ids, counts):
        l[i] = l[i] / repeat_penalty if l[i] > 0 else l[i] * repeat_penalty
        l[i] -= c * frequency_penalty + presence_penalty
    p = np.zeros(len(l))
    if temperature == 0:
        p[int(np.argmax(l))] = 1.0
        return p
    if temperature < 0:
        e = np.exp(l - l.max())
        return e / e.sum()
    order = np.lexsort((np.arange(len(l)), -l))  # descending logit, ascending id
    keep = order if top_k <= 0 else order[:top_k]
    if typical_p < 1:  # locally typical: closest surprise to the entropy first, until typical_p mass
        pr = np.exp(l[keep] - l[keep].max())
        pr /= pr.sum()
        ent = -(pr * np.log(pr)).sum()
        by = np.argsort(np.abs(-np.log(pr) - ent), kind="stable")
        n = int(np.searchsorted(np.cumsum(pr[by]), typical_p) + 1)
        kept = keep[by[:min(n, len(keep))]]
        keep = kept[np.lexsort((kept, -l[kept]))]
    if top_p < 1:
        pr = np.exp(l[keep] - l[keep].max())
        pr /= pr.sum()
        n = int(np.searchsorted(np.cumsum(pr), top_p) + 1)
        keep = keep[:max(1, min(n, len(keep)))]
    if min_p > 0:
        keep = keep[l[keep] >= l[keep].max() + np.log(min_p)]
    z = l[keep] / temperature
    pr = np.exp(z - z.max())
    p[keep] = pr / pr.sum()
    return p


CASES = [
    dict(),                                               # llama-cpp-python defaults
    dict(temperature=1.0, top_k=0, top_p=1.0, min_p=0.0),  # plain softmax
    dict(temperature=1.5, top_k=5, top_p=1.0, min_p=0.0),
    dict(temperature=1.0, top_k=0, top_p=0.6, min_p=0.0),
    dict(temperature=0.7, top_k=0, top_p=1.0, min_p=0.2),
    dict(temperature=1.0, top_k=10, top_p=0.9, min_p=0.05, repeat_penalty=1.3, presence_penalty=0.5,
         frequency_penalty=0.3),
    dict(temperature=1.0, top_k=0, top_p=1.0, min_p=0.0, typical_p=0.5),
    dict(temperature=-1.0),  # negative temperature: the plain softmax, no truncation (llama-cpp-python)
]


@pytest.mark.parametrize("case", CASES)
def test_empirical_distribution_matches_reference(case):
    rng = np.random.default_rng(0)
    V = 50
    logits = (rng.normal(0, 1.5, size=V)).astype(np.float32)
    history = [3, 7, 7, 11, 3, 3, 20]
    ref = ref_distribution(logits, history, **case)
    s = _core.Sampler(params(seed=1234, **case), V)
    for t in history:
        s.accept(t)
    N = 4000
    counts = np.bincount([s.sample(logits) for _ in range(N)], minlength=V)
    emp = counts / N
    assert set(np.nonzero(counts)[0]) <= set(np.nonzero(ref)[0])  # never outside the kept set
    assert np.max(np.abs(emp - ref)) < 0.04


def test_greedy_is_argmax_after_penalties():
    rng = np.random.default_rng(1)
    V = 100
    for trial in range(20):
        logits = rng.normal(0, 2, size=V).astype(np.float32)
        hist = list(rng.integers(0, V, size=30))
        kw = dict(temperature=0.0, repeat_penalty=1.5, presence_penalty=0.2, frequency_penalty=0.1)
        s = _core.Sampler(params(**kw), V)
        for t in hist:
            s.accept(int(t))
        assert s.sample(logits) == int(np.argmax(ref_distribution(logits, hist, **kw)))


def test_penalty_window_limits_history():
    V = 10
    logits = np.zeros(V, np.float32)
    logits[2] = 1.0
    logits[5] = 0.9
    s = _core.Sampler(params(temperature=0.0, presence_penalty=1.0, penalty_last_n=2), V)
    for t in [2, 0, 1]:  # token 2 is outside the 2-token window
        s.accept(t)
    assert s.sample(logits) == 2
    s.accept(2)
    assert s.sample(logits) == 5


def test_seed_determines_the_stream():
    V = 64
    logits = np.random.default_rng(2).normal(0, 1, size=V).astype(np.float32)
    a = _core.Sampler(params(seed=5, temperature=1.0, top_k=0, top_p=1.0, min_p=0.0), V)
    b = _core.Sampler(params(seed=5, temperature=1.0, top_k=0, top_p=1.0, min_p=0.0), V)
    assert [a.sample(logits) for _ in range(50)] == [b.sample(logits) for _ in range(50)]
    c = _core.Sampler(params(seed=6, temperature=1.0, top_k=0, top_p=1.0, min_p=0.0), V)
    a.reseed(5)
    assert [a.sample(logits) for _ in range(50)] != [c.sample(logits) for _ in range(50)]


@pytest.mark.parametrize("field,value", [("top_p", 1.5), ("top_p", -0.1), ("min_p", 1.1), ("typical_p", 0.0),
                                         ("repeat_penalty", 0.0), ("penalty_last_n", -2)])
def test_invalid_params(field, value):
    with pytest.raises(ValueError, match=field):
        _core.Sampler(params(**{field: value}), 10)


def test_token_logprobs_matches_numpy():
    x = np.random.default_rng(3).normal(0, 3, size=1000).astype(np.float32)
    lp, top_ids, top_lps = _core.token_logprobs(x, 17, 5)
    ref = x.astype(np.float64) - np.log(np.exp(x.astype(np.float64)).sum())
    assert lp == pytest.approx(ref[17], abs=1e-5)
    assert top_ids == list(np.argsort(-ref)[:5])
    np.testing.assert_allclose(top_lps, ref[top_ids], atol=1e-5)


def test_top_k_keeps_exactly_the_k_best_of_a_large_vocabulary():
    # The top-k scan over a Gemma-sized vocabulary (vectorized: KernelTable::first_above_f32) keeps the
    # k largest logits, the lowest ids among ties at the boundary. Logits rounded to a coarse grid
    # make many ties; a huge temperature makes the kept tokens about equally likely, so 600 draws
    # show every kept id and nothing else.
    rng = np.random.default_rng(7)
    V = 262144
    for k in (1, 8, 40):
        logits = np.round(rng.normal(0, 1, size=V) * 2).astype(np.float32)
        order = np.lexsort((np.arange(V), -logits))  # by logit descending, then id ascending
        want = set(order[:k].tolist())
        s = _core.Sampler(params(seed=3, temperature=1e6, top_k=k, top_p=1.0, min_p=0.0), V)
        got = {s.sample(logits) for _ in range(600)}
        assert got == want, (k, sorted(got)[:10], sorted(want)[:10])
