"""Classical baselines: pyllm.classic vs scikit-learn and gensim on the KJV corpus, one table.

    PYLLM_TEST_DATA=../shared/data python benchmarks/bench_classic.py [--repeat 3] [--workers 2]

Rows: CountVectorizer / TfidfVectorizer fit_transform (each verse a document, default parameters)
vs scikit-learn; Word2Vec training (sg=1, vector_size=100, window=5, min_count=5, negative=5,
epochs=5, the corpus lowercased and punctuation-stripped) vs gensim with the same parameters and
threads, with raw words/s (corpus words x epochs / seconds) and analogy/similarity quality; NGramLM
fit + held-out perplexity. Times are medians of --repeat runs, pyllm and the reference interleaved.
"""

from __future__ import annotations

import argparse
import os
import statistics
import string
import time
from pathlib import Path


def data_dir() -> Path:
    env = os.environ.get("PYLLM_TEST_DATA")
    return Path(env) if env else Path(__file__).resolve().parent.parent.parent / "shared" / "data"


ANALOGIES = [(["king", "woman"], ["man"], "queen"), (["father", "woman"], ["man"], "mother"),
             (["sons", "daughter"], ["son"], "daughters")]
SIMILAR = [("moses", "aaron", "bread"), ("jerusalem", "zion", "goat"), ("gold", "silver", "sin"),
           ("sheep", "goats", "prophet"), ("egypt", "pharaoh", "bread")]


def quality(most_similar, similarity) -> str:
    ranks = []
    for pos, neg, want in ANALOGIES:
        got = [w for w, _ in most_similar(positive=pos, negative=neg, topn=10)]
        ranks.append(got.index(want) + 1 if want in got else 0)
    sim_ok = sum(similarity(a, b) > similarity(a, c) for a, b, c in SIMILAR)
    return "analogy ranks " + "/".join(str(r) if r else ">10" for r in ranks) + f", sims {sim_ok}/{len(SIMILAR)}"


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--skip-w2v", action="store_true")
    args = ap.parse_args()

    from pyllm.classic import CountVectorizer, NGramLM, TfidfVectorizer, Word2Vec
    import sklearn.feature_extraction.text as sk

    lines = (data_dir() / "text" / "kjv.txt").read_text(encoding="utf-8").splitlines()
    rows = []  # (task, pyllm, reference, ratio, notes)

    for name, ours_cls, ref_cls in (("CountVectorizer.fit_transform", CountVectorizer, sk.CountVectorizer),
                                    ("TfidfVectorizer.fit_transform", TfidfVectorizer, sk.TfidfVectorizer)):
        t_ours, t_ref = [], []
        for _ in range(args.repeat):
            t, X = timed(lambda: ours_cls(n_jobs=args.workers).fit_transform(lines))
            t_ours.append(t)
            t, Y = timed(lambda: ref_cls().fit_transform(lines))
            t_ref.append(t)
        a, b = statistics.median(t_ours), statistics.median(t_ref)
        same = "identical" if X.shape == Y.shape and abs(X - Y).max() <= 1e-12 else "DIFFERENT"
        rows.append((name + f" ({args.workers} threads)", f"{a * 1e3:.0f} ms", f"{b * 1e3:.0f} ms (scikit-learn)",
                     f"{b / a:.1f}x", f"{X.shape}, nnz {X.nnz}, {same}"))

    if not args.skip_w2v:
        from gensim.models import Word2Vec as GensimW2V
        table = str.maketrans("", "", string.punctuation)
        sents = [ln.lower().translate(table).split() for ln in lines]
        n_words = sum(map(len, sents))
        params = dict(vector_size=100, window=5, min_count=5, negative=5, epochs=5, workers=args.workers)
        t_ours, t_ref = [], []
        for r in range(args.repeat):
            t, m = timed(lambda: Word2Vec(sents, sg=1, seed=r, **params))
            t_ours.append(t)
            t, g = timed(lambda: GensimW2V(sents, sg=1, seed=r, **params))
            t_ref.append(t)
        a, b = statistics.median(t_ours), statistics.median(t_ref)
        rows.append((f"Word2Vec skip-gram train ({args.workers} workers)", f"{a:.2f} s, {5 * n_words / a / 1e3:.0f}k w/s",
                     f"{b:.2f} s, {5 * n_words / b / 1e3:.0f}k w/s (gensim)", f"{b / a:.1f}x",
                     f"pyllm [{m.kernels_}]: {quality(m.wv.most_similar, m.wv.similarity)}; "
                     f"gensim: {quality(g.wv.most_similar, g.wv.similarity)}"))

    train, test = lines[:28000], lines[28000:]
    for n in (1, 2, 3):
        t, lm = timed(lambda: NGramLM(order=n).fit(train))
        tp, ppl = timed(lambda: lm.perplexity(test))
        rows.append((f"NGramLM order {n} (Kneser-Ney) fit / perplexity", f"{t:.2f} s / {tp:.2f} s", "-", "-",
                     f"held-out perplexity {ppl:.1f} (words, last {len(test)} verses)"))

    print(f"\nKJV: {len(lines)} verses; machine: {os.cpu_count()} logical CPUs; median of {args.repeat}\n")
    header = ("task", "pyllm", "reference", "speed-up", "notes")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for r in rows:
        print("| " + " | ".join(r) + " |")


if __name__ == "__main__":
    main()
