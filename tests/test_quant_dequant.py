"""Dequantization of every supported GGML type, bit-exact against the gguf package's numpy code.

Oracle: gguf.quants.dequantize (independent numpy implementation of each public block format).
Inputs: random blocks (random bytes, scales set to sane finite f16 values), all-zero blocks,
extreme-scale blocks (largest/smallest/negative/zero f16 scales), blocks produced by the gguf
package's own quantizers, and every tensor of both real models.
"""

import numpy as np
import pytest

gguf = pytest.importorskip("gguf")
from gguf import GGMLQuantizationType as QT  # noqa: E402
from gguf import quants  # noqa: E402

import pyllm  # noqa: E402
from pyllm import _core  # noqa: E402

# type -> byte offsets of its f16 scale fields inside a block
F16_FIELDS = {
    "Q4_0": [0], "Q4_1": [0, 2], "Q5_0": [0], "Q5_1": [0, 2], "Q8_0": [0], "IQ4_NL": [0],
    "Q2_K": [80, 82], "Q3_K": [108], "Q4_K": [0, 2], "Q5_K": [0, 2], "Q6_K": [208], "IQ4_XS": [0],
}
BLOCK_TYPES = list(F16_FIELDS)
EXTREME_F16 = [65504.0, -65504.0, 2.0**-24, -(2.0**-24), 6.1e-5, 0.0, -0.0, 1.0, 1000.0]


def sizes(name):
    return quants.GGML_QUANT_SIZES[QT[name]]


def random_blocks(name, n_blocks, rng, scale_values=None):
    bs, ts = sizes(name)
    raw = rng.integers(0, 256, size=(n_blocks, ts), dtype=np.uint8)
    for off in F16_FIELDS[name]:
        if scale_values is None:
            v = (rng.standard_normal(n_blocks) * 0.05).astype(np.float16)
        else:
            v = rng.choice(np.array(scale_values, dtype=np.float16), size=n_blocks)
        raw[:, off:off + 2] = v.view(np.uint8).reshape(n_blocks, 2)
    return raw


def assert_bit_exact(name, raw):
    n = raw.shape[0] * sizes(name)[0]
    want = quants.dequantize(raw, QT[name]).reshape(-1).astype(np.float32)
    got = _core.dequantize(raw.reshape(-1), name, n)
    assert got.dtype == np.float32 and got.shape == (n,)
    bad = np.flatnonzero(got.view(np.uint32) != want.view(np.uint32))
    assert bad.size == 0, f"{name}: {bad.size} differ, first at {bad[0]}: {got[bad[0]]} vs {want[bad[0]]}"


@pytest.mark.parametrize("name", BLOCK_TYPES)
def test_random_blocks(name):
    rng = np.random.default_rng(hash(name) & 0xFFFF)
    assert_bit_exact(name, random_blocks(name, 300, rng))


@pytest.mark.parametrize("name", BLOCK_TYPES)
def test_extreme_scales(name):
    rng = np.random.default_rng(7)
    assert_bit_exact(name, random_blocks(name, 400, rng, EXTREME_F16))


@pytest.mark.parametrize("name", BLOCK_TYPES)
def test_all_zero_blocks(name):
    raw = np.zeros((5, sizes(name)[1]), dtype=np.uint8)
    assert_bit_exact(name, raw)
    got = _core.dequantize(raw.reshape(-1), name, 5 * sizes(name)[0])
    assert np.all(got == 0)


@pytest.mark.parametrize("name", ["Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0"])
def test_gguf_quantized_blocks(name):
    # realistic blocks: the gguf package's own quantizer applied to gaussian data
    rng = np.random.default_rng(3)
    x = rng.standard_normal((7, 256)).astype(np.float32)
    q = quants.quantize(x, QT[name])
    assert_bit_exact(name, q.reshape(-1, sizes(name)[1]))


def test_q8_0_quantizer_matches_gguf():
    # The KV cache's quantizer (kv_type="q8_0") against the gguf package's: gaussian rows at several
    # scales, an all-zero block, exact midpoints (a block with max 127 has d = 1, so x.5 codes test
    # the round-half-away-from-zero rule both ways), a scale that is not an f16 value, tiny values.
    rng = np.random.default_rng(11)
    rows = [rng.standard_normal(320) * s for s in (1e-3, 1.0, 30.0, 6e4)]
    rows.append(np.zeros(32))
    rows.append(np.concatenate([[127.0, -127.0], np.arange(-14.5, 15.0, 1.0)]))
    rows.append(np.concatenate([[0.3], rng.uniform(-0.3, 0.3, 31)]))
    rows.append(np.full(32, 1e-30))
    for x in rows:
        x = np.asarray(x, np.float32)
        want = quants.quantize(x, QT.Q8_0).reshape(-1)
        got = _core.quantize_q8_0(x)
        assert np.array_equal(got, want), x[:4]
    with pytest.raises(ValueError, match="multiple of 32"):
        _core.quantize_q8_0(np.zeros(33, np.float32))


@pytest.mark.parametrize("name", ["F16", "BF16"])
def test_float_types(name):
    rng = np.random.default_rng(5)
    x = (rng.standard_normal(999) * 10).astype(np.float32)
    if name == "F16":
        raw = x.astype(np.float16).view(np.uint8)
        want = x.astype(np.float16).astype(np.float32)
    else:
        raw = quants.quantize(x, QT.BF16).reshape(-1)
        want = quants.dequantize(raw, QT.BF16).reshape(-1)
    got = _core.dequantize(raw, name, x.size)
    assert np.array_equal(got.view(np.uint32), want.view(np.uint32))


def test_errors():
    with pytest.raises(ValueError, match="whole number"):
        _core.dequantize(np.zeros(100, np.uint8), "Q4_0", 33)
    with pytest.raises(ValueError, match="need"):
        _core.dequantize(np.zeros(17, np.uint8), "Q4_0", 32)
    with pytest.raises(ValueError, match="unknown tensor type"):
        _core.dequantize(np.zeros(18, np.uint8), "Q9_9", 32)
    with pytest.raises(NotImplementedError):
        _core.dequantize(np.zeros(66, np.uint8), "IQ2_XXS", 256)


def _raw(path, info):
    """The tensor's bytes straight from the file (np.memmap at the table's offset), [rows, row_bytes]."""
    mm = np.memmap(path, dtype=np.uint8, mode="r", offset=info.offset, shape=(info.nbytes,))
    rows = int(np.prod(info.shape[:-1])) if len(info.shape) > 1 else 1
    return np.asarray(mm).reshape(rows, -1)


def _check_model(path, max_rows=2048):
    # Tensor table from pyllm (gguf.GGUFReader needs a minute on Gemma's 262k-token vocabulary);
    # the bytes are read independently with np.memmap and dequantized by the gguf package.
    seen = set()
    with pyllm.GGUFFile(path) as f:
        for info in f.tensors:
            seen.add(info.type)
            data = _raw(path, info)
            if info.type == "F32":
                want = data.reshape(-1).view(np.float32).reshape(info.shape)
            elif data.shape[0] > max_rows:
                # a huge embedding: check a spread of rows through the raw-bytes entry point
                rows = np.linspace(0, data.shape[0] - 1, max_rows).astype(int)
                sub = np.ascontiguousarray(data[rows])
                want = quants.dequantize(sub, QT[info.type])
                got = _core.dequantize(sub.reshape(-1), info.type, want.size).reshape(want.shape)
                assert np.array_equal(got.view(np.uint32), want.view(np.uint32)), info.name
                continue
            else:
                want = quants.dequantize(data, QT[info.type]).reshape(info.shape)
            got = f.tensor(info.name)
            assert got.dtype == np.float32 and got.shape == info.shape, info.name
            assert np.array_equal(got.view(np.uint32), want.astype(np.float32).view(np.uint32)), info.name
    return seen


def test_smollm2_tensors(smollm2_path):
    assert {"Q4_1", "Q8_0", "F32"} <= _check_model(smollm2_path)


def test_gemma3_tensors(gemma3_path):
    assert {"Q4_K", "Q5_0", "Q6_K", "Q8_0", "F32"} <= _check_model(gemma3_path)


def test_smollm2_embedding_full(smollm2_path):
    # GGUFFile.tensor on the whole Q8_0 embedding (49152 x 576)
    with pyllm.GGUFFile(smollm2_path) as f:
        info = f.tensor_info("token_embd.weight")
        got = f.tensor("token_embd.weight")
    want = quants.dequantize(_raw(smollm2_path, info), QT.Q8_0)
    assert got.shape == want.shape == (49152, 576)
    assert np.array_equal(got, want)
