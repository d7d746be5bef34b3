"""The persistent pool's work splitting (common/thread_pool.h), through _core.pool_chunks.

for_guided hands out chunks largest first (about a 1/(2 x threads) share of what is left, a multiple
of `align`, at least `min_chunk`): every element exactly once, chunk starts on `align`, no chunk
shorter than `min_chunk` but the last, and far fewer claims than equal chunks of `min_chunk`.
"""

from __future__ import annotations

import numpy as np
import pytest

from pyllm import _core


def covered(chunks, n):
    count = np.zeros(n, dtype=np.int64)
    for b, e, _ in chunks:
        assert 0 <= b < e <= n
        count[b:e] += 1
    return count


@pytest.mark.parametrize("n_threads", [1, 2, 3])
@pytest.mark.parametrize("n,align,min_chunk", [(0, 8, 8), (1, 8, 8), (7, 8, 8), (8, 8, 8), (9, 8, 8), (576, 8, 48),
                                               (960, 8, 48), (3072, 4, 22), (49152, 8, 27), (1000, 3, 1),
                                               (10, 1, 100), (12345, 16, 5)])
def test_guided_chunks_cover_every_element_once(n, align, min_chunk, n_threads):
    chunks = _core.pool_chunks(n, align, min_chunk, n_threads)
    assert np.all(covered(chunks, n) == 1)
    m = max(-(-min_chunk // align) * align, align)  # min_chunk rounded up to the alignment
    for b, e, t in chunks:
        assert b % align == 0 or n <= m  # one thread / small n: a single chunk [0, n)
        assert e - b >= m or e == n
        assert 0 <= t < n_threads
    if n_threads == 1 or n <= m:
        assert [(b, e) for b, e, _ in chunks] == ([(0, n)] if n else [])
    else:
        # largest first: each claim about (n - start) / (2 x threads); logarithmically many claims
        sizes = [e - b for b, e, _ in sorted(chunks)]
        assert sizes[0] == max(m, -(-(n // (2 * n_threads)) // align) * align)
        assert all(a >= b for a, b in zip(sizes, sizes[1:-1]))
        assert len(chunks) <= 2 * n_threads * (1 + np.log(max(n / m, 1.0))) + 2


@pytest.mark.parametrize("n_threads", [2, 3])
def test_equal_chunks_cover_every_element_once(n_threads):
    for n, grain in ((1000, 64), (64, 64), (65, 64), (5, 1)):
        chunks = _core.pool_chunks(n, 1, grain, n_threads, guided=False)
        assert np.all(covered(chunks, n) == 1)
        assert all(e - b == grain or e == n for b, e, _ in chunks)


def test_bad_arguments_are_value_errors():
    with pytest.raises(ValueError, match="align"):
        _core.pool_chunks(10, 0, 1, 2)
    with pytest.raises(ValueError, match="n_threads"):
        _core.pool_chunks(10, 1, 1, 0)
