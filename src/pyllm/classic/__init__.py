"""pyllm.classic — the classical baselines, in C++: bag of words, TF-IDF, n-gram LM, word2vec.

    >>> from pyllm.classic import TfidfVectorizer
    >>> X = TfidfVectorizer().fit_transform(["In the beginning", "the earth was without form"])
    >>> X.shape
    (2, 7)
"""

from ._csr import CSRMatrix
from .ngram import NGramLM, simple_tokenize
from .vectorizers import CountVectorizer, TfidfTransformer, TfidfVectorizer

__all__ = ["CSRMatrix", "CountVectorizer", "NGramLM", "TfidfTransformer", "TfidfVectorizer", "simple_tokenize"]
