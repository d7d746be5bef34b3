"""pyllm.classic — the classical baselines, in C++: bag of words, TF-IDF, n-gram LM, word2vec.

    >>> from pyllm.classic import TfidfVectorizer
    >>> X = TfidfVectorizer().fit_transform(["In the beginning", "the earth was without form"])
    >>> X.shape
    (2, 7)
"""

from ._csr import CSRMatrix
from .doc2vec import Doc2Vec, TaggedDocument
from .keyedvectors import KeyedVectors, load_word2vec_format
from .ngram import NGramLM, simple_tokenize
from .vectorizers import CountVectorizer, TfidfTransformer, TfidfVectorizer
from .word2vec import Word2Vec

__all__ = [
    "CSRMatrix", "CountVectorizer", "Doc2Vec", "KeyedVectors", "NGramLM", "TfidfTransformer", "TfidfVectorizer",
    "TaggedDocument", "Word2Vec", "load_word2vec_format", "simple_tokenize",
]
