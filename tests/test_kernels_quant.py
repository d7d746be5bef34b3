"""Quantized dot products and the threaded matmul, against independent numpy references.

Oracles:
  * the activation formats are re-implemented here in numpy (Q8A: 32 int8 + float d + float s;
    Q8K: 256 int8 + float d + 16 int16 block sums) and compared byte for byte on every ISA;
  * matmul results are compared with float64 numpy on the weights dequantized by the gguf package
    (bit-exact with ours, see test_quant_dequant.py).

Error bounds asserted (documented in README.md, "Quantized tensors and kernels"):
  (a) arithmetic: |y - W·x̂| <= slack, x̂ the dequantized quantized activation. The kernels' integer
      sums are exact, so only float32 rounding of per-block products and of the sum over blocks
      remains: slack = (n_blocks + 8) * 2^-23 * Σ|W||x̂|.
  (b) activation quantization: |y - W·x| <= Σ_blocks (d_a / 2) · Σ_{i in block} |W_i| + slack,
      since every activation element is off by at most half its block's step d_a = max|x| / 127.
  (c) ISA agreement: |y_isa - y_scalar| <= 1e-5 · Σ|W||x| (same integer sums; only the float
      summation order of the block terms differs: 8 SIMD lanes and FMA).
"""

import numpy as np
import pytest

gguf = pytest.importorskip("gguf")
from gguf import GGMLQuantizationType as QT  # noqa: E402
from gguf import quants  # noqa: E402

from pyllm import _core  # noqa: E402

F16_FIELDS = {
    "Q4_0": [0], "Q4_1": [0, 2], "Q5_0": [0], "Q5_1": [0, 2], "Q8_0": [0], "IQ4_NL": [0],
    "Q2_K": [80, 82], "Q3_K": [108], "Q4_K": [0, 2], "Q5_K": [0, 2], "Q6_K": [208], "IQ4_XS": [0],
}
QTYPES = list(F16_FIELDS)
ISAS = ["avx2", "avx512"]  # SIMD levels; a test for a level this CPU lacks is skipped
AVAILABLE = set(_core.available_isas())


def need(isa):
    if isa not in AVAILABLE:
        pytest.skip(f"{isa} is not available on this CPU/OS")
EPS32 = 2.0 ** -23


def block_size(name):
    return quants.GGML_QUANT_SIZES[QT[name]][0]


def random_weights(name, n_out, n_in, rng):
    bs, ts = quants.GGML_QUANT_SIZES[QT[name]]
    raw = rng.integers(0, 256, size=(n_out * n_in // bs, ts), dtype=np.uint8)
    for off in F16_FIELDS[name]:
        v = (rng.standard_normal(raw.shape[0]) * 0.02).astype(np.float16)
        raw[:, off:off + 2] = v.view(np.uint8).reshape(-1, 2)
    raw = raw.reshape(-1)
    w = quants.dequantize(raw.reshape(-1, ts), QT[name]).reshape(n_out, n_in)
    return raw, w.astype(np.float64)


# ---- numpy reference of the activation formats ------------------------------------------------------
def ref_quantize(x, qk):
    """x: [n] float32 -> (d [nb] float32, q [nb, qk] int8)."""
    xb = x.astype(np.float32).reshape(-1, qk)
    amax = np.abs(xb).max(axis=1)
    d = (amax / np.float32(127)).astype(np.float32)
    with np.errstate(divide="ignore"):
        inv = np.where(d != 0, np.float32(1) / d, np.float32(0)).astype(np.float32)
    q = np.rint(xb * inv[:, None]).astype(np.int8)  # rint: round half to even
    return d, q


def ref_q8a_bytes(x):
    d, q = ref_quantize(x, 32)
    s = (d * q.astype(np.int32).sum(axis=1).astype(np.float32)).astype(np.float32)
    out = np.zeros((d.size, 40), np.uint8)
    out[:, 0:4] = d.view(np.uint8).reshape(-1, 4)
    out[:, 4:8] = s.view(np.uint8).reshape(-1, 4)
    out[:, 8:] = q.view(np.uint8)
    return out.reshape(-1)


def ref_q8k_bytes(x):
    d, q = ref_quantize(x, 256)
    bs = q.astype(np.int32).reshape(-1, 16, 16).sum(axis=2).astype(np.int16)
    out = np.zeros((d.size, 292), np.uint8)
    out[:, 0:4] = d.view(np.uint8).reshape(-1, 4)
    out[:, 4:260] = q.view(np.uint8)
    out[:, 260:] = bs.view(np.uint8).reshape(-1, 32)
    return out.reshape(-1)


def dequantized_activation(x2d, qk):
    rows, steps = [], []
    for x in x2d:
        d, q = ref_quantize(x, qk)
        rows.append((q.astype(np.float64) * d[:, None].astype(np.float64)).reshape(-1))
        steps.append(d.astype(np.float64))
    return np.array(rows), np.array(steps)  # [n_tokens, n_in], [n_tokens, n_blocks]


def check_matmul(name, raw, w, x, y, check_quant_bound=True):
    """Assert bounds (a) and (b) for y = matmul(W, x)."""
    qk = 1 if name in ("F32", "F16", "BF16") else (32 if block_size(name) == 32 else 256)
    n_out, n_in = w.shape
    if qk == 1:
        ref = x.astype(np.float64) @ w.T
        tol = (n_in + 8) * EPS32 * (np.abs(x).astype(np.float64) @ np.abs(w).T)
        assert np.all(np.abs(y - ref) <= tol + 1e-30), f"{name}: float path error {np.max(np.abs(y - ref) - tol)}"
        return
    xh, steps = dequantized_activation(x, qk)
    nb = n_in // qk
    slack = (nb + 8) * EPS32 * (np.abs(xh) @ np.abs(w).T) + 1e-30
    err_a = np.abs(y - xh @ w.T)
    assert np.all(err_a <= slack), f"{name}: arithmetic error {err_a.max()} > slack {slack[err_a > slack].min()}"
    if check_quant_bound:
        absw_blocks = np.abs(w).reshape(n_out, nb, qk).sum(axis=2)  # [n_out, nb]
        qbound = (steps / 2) @ absw_blocks.T                          # [n_tokens, n_out]
        err_b = np.abs(y - x.astype(np.float64) @ w.T)
        assert np.all(err_b <= qbound + slack), f"{name}: quantization error {err_b.max()} above bound"


# ---- activation quantizers -----------------------------------------------------------------------------
@pytest.mark.parametrize("isa", ["scalar"] + ISAS)
@pytest.mark.parametrize("wtype,act", [("Q4_0", "Q8A"), ("Q4_K", "Q8K")])
def test_quantize_activation_bytes(isa, wtype, act):
    need(isa)
    rng = np.random.default_rng(1)
    x = rng.standard_normal(2048).astype(np.float32) * 3
    x[:256] = 0.0                     # all-zero blocks: d = 0, q = 0
    x[300] = 1e30                     # one huge value dominates its block
    x[600:632] = np.arange(32) - 15.5  # exact halves: round-half-to-even
    name, got = _core.quantize_activation(x, wtype, isa=isa)
    assert name == act
    want = ref_q8a_bytes(x) if act == "Q8A" else ref_q8k_bytes(x)
    assert np.array_equal(got, want)


# ---- matmul on odd shapes: scalar vs float64 with the documented bounds --------------------------------
@pytest.mark.parametrize("name", QTYPES)
def test_scalar_matmul_shapes(name):
    rng = np.random.default_rng(abs(hash(name)) % 1000)
    bs = block_size(name)
    n_in = 3 * bs if bs == 256 else 9 * bs
    for n_out in (1, 3, 17, 255):
        raw, w = random_weights(name, n_out, n_in, rng)
        for n_tokens in (1, 2, 7, 33):
            x = rng.standard_normal((n_tokens, n_in)).astype(np.float32)
            y = _core.matmul(raw, name, n_in, n_out, x, isa="scalar")
            assert y.shape == (n_tokens, n_out) and y.dtype == np.float32
            check_matmul(name, raw, w, x, y)


@pytest.mark.parametrize("name", QTYPES)
def test_matmul_row_lengths(name):
    # n_in: every block multiple up to a few thousand (a sample of them), on the active ISA, 2 threads
    rng = np.random.default_rng(11)
    bs = block_size(name)
    counts = [1, 2, 3, 5, 11] if bs == 256 else [1, 2, 3, 7, 18, 45, 96]
    for nb in counts:
        n_in = nb * bs
        raw, w = random_weights(name, 17, n_in, rng)
        x = rng.standard_normal((7, n_in)).astype(np.float32)
        check_matmul(name, raw, w, x, _core.matmul(raw, name, n_in, 17, x, n_threads=2))


@pytest.mark.parametrize("isa", ISAS)
@pytest.mark.parametrize("name", QTYPES)
def test_isa_matches_scalar(isa, name):
    need(isa)
    rng = np.random.default_rng(5)
    bs = block_size(name)
    n_in = 2 * bs if bs == 256 else 7 * bs
    for n_out in (1, 3, 17, 255):
        raw, w = random_weights(name, n_out, n_in, rng)
        for n_tokens in (1, 2, 7, 13, 33, 64):
            x = rng.standard_normal((n_tokens, n_in)).astype(np.float32)
            ys = _core.matmul(raw, name, n_in, n_out, x, isa="scalar")
            yi = _core.matmul(raw, name, n_in, n_out, x, n_threads=2, isa=isa)
            tol = 1e-5 * (np.abs(x).astype(np.float64) @ np.abs(w).T) + 1e-30
            assert np.all(np.abs(yi - ys) <= tol), f"{isa} {name} n_out={n_out} n_tokens={n_tokens}"
            check_matmul(name, raw, w, x, yi, check_quant_bound=False)


@pytest.mark.parametrize("isa", ["scalar"] + ISAS)
@pytest.mark.parametrize("name", ["F32", "F16", "BF16"])
def test_float_weights(isa, name):
    # Float weights run KernelTable::matmul_f: 4-row x 3-token tiles of 8-lane FMA chains, one
    # documented summation (kernels.h), so every level gives the scalar reference's bits, and a
    # token's row does not depend on the tile it falls in (1, 2, 3, 4 ... tokens; 1 or 2 threads).
    need(isa)
    rng = np.random.default_rng(3)
    for n_out, n_in in ((19, 75), (1, 8), (3, 1), (255, 1000), (6, 17)):
        wf = rng.standard_normal((n_out, n_in)).astype(np.float32)
        if name == "F32":
            raw = wf.view(np.uint8).reshape(-1)
        elif name == "F16":
            raw = wf.astype(np.float16).view(np.uint8).reshape(-1)
        else:
            raw = quants.quantize(wf, QT.BF16).reshape(-1)
        w = _core.dequantize(raw, name, n_out * n_in).reshape(n_out, n_in).astype(np.float64)
        for n_tokens in (1, 2, 3, 4, 7, 33):
            x = rng.standard_normal((n_tokens, n_in)).astype(np.float32)
            y = _core.matmul(raw, name, n_in, n_out, x, n_threads=2, isa=isa)
            check_matmul(name, raw, w, x, y)
            assert np.array_equal(y, _core.matmul(raw, name, n_in, n_out, x, isa="scalar")), (isa, name, n_out, n_in)
            assert np.array_equal(y, _core.matmul(raw, name, n_in, n_out, x, n_threads=1, isa=isa))
            one = np.concatenate([_core.matmul(raw, name, n_in, n_out, x[t:t + 1], isa=isa) for t in range(n_tokens)])
            assert np.array_equal(y, one), (isa, name, n_out, n_in, n_tokens)


def test_float_weights_summation_order():
    # The documented order, in numpy: lane l accumulates x_i * w_i for i = l mod 8 by fused
    # multiply-adds (emulated in float64: the product of two float32 is exact there; the sum is
    # rounded to float64 and then to float32, which can differ from one rounding only in rare
    # double-rounding cases, none in this fixed data), the tree ((l0+l4)+(l2+l6))+((l1+l5)+(l3+l7)),
    # then the tail.
    rng = np.random.default_rng(8)
    n_out, n_in = 5, 43
    wf = rng.standard_normal((n_out, n_in)).astype(np.float32)
    x = rng.standard_normal((2, n_in)).astype(np.float32)
    y = _core.matmul(wf.view(np.uint8).reshape(-1), "F32", n_in, n_out, x)
    f32 = np.float32
    for t in range(2):
        for r in range(n_out):
            lanes = [f32(0)] * 8
            n8 = n_in - n_in % 8
            for i in range(n8):
                lanes[i % 8] = f32(float(wf[r, i]) * float(x[t, i]) + float(lanes[i % 8]))
            l = lanes
            s = f32(f32(f32(l[0] + l[4]) + f32(l[2] + l[6])) + f32(f32(l[1] + l[5]) + f32(l[3] + l[7])))
            for i in range(n8, n_in):
                s = f32(float(wf[r, i]) * float(x[t, i]) + float(s))
            assert y[t, r] == s, (t, r, y[t, r], s)


def test_zero_tokens_and_zero_weights():
    raw = np.zeros(18 * 4, np.uint8)
    y = _core.matmul(raw, "Q4_0", 32, 4, np.ones((3, 32), np.float32))
    assert np.array_equal(y, np.zeros((3, 4), np.float32))
    y = _core.matmul(raw, "Q4_0", 32, 4, np.zeros((0, 32), np.float32))
    assert y.shape == (0, 4)


def test_matmul_errors():
    x = np.ones((2, 64), np.float32)
    with pytest.raises(ValueError, match="bytes"):
        _core.matmul(np.zeros(10, np.uint8), "Q4_0", 64, 3, x)
    with pytest.raises(ValueError, match="whole number"):
        _core.matmul(np.zeros(18 * 3, np.uint8), "Q4_0", 48, 3, np.ones((2, 48), np.float32))
    with pytest.raises(ValueError, match=r"x must be"):
        _core.matmul(np.zeros(36 * 3, np.uint8), "Q4_0", 64, 3, np.ones((2, 63), np.float32))
    with pytest.raises(NotImplementedError, match="IQ2_XXS"):
        _core.matmul(np.zeros(66, np.uint8), "IQ2_XXS", 256, 1, np.ones((1, 256), np.float32))
    with pytest.raises(ValueError, match="unknown tensor type"):
        _core.matmul(np.zeros(66, np.uint8), "Q7_Z", 256, 1, np.ones((1, 256), np.float32))
    with pytest.raises(ValueError, match="n_threads"):
        _core.matmul(np.zeros(36 * 3, np.uint8), "Q4_0", 64, 3, x, n_threads=0)


# ---- real weights ---------------------------------------------------------------------------------
def _real_tensor_check(path, names):
    import pyllm

    rng = np.random.default_rng(9)
    seen = set()
    with pyllm.GGUFFile(path) as f:
        for name in names:
            info = f.tensor_info(name)
            rows = min(info.shape[0], 300)
            n_in = info.shape[1]
            row_bytes = info.nbytes // info.shape[0]
            mm = np.memmap(path, dtype=np.uint8, mode="r", offset=info.offset, shape=(rows * row_bytes,))
            raw = np.array(mm)
            w = quants.dequantize(raw.reshape(rows, -1), QT[info.type]).reshape(rows, n_in).astype(np.float64)
            x = rng.standard_normal((5, n_in)).astype(np.float32)
            y = _core.matmul(raw, info.type, n_in, rows, x, n_threads=2)
            check_matmul(info.type, raw, w, x, y)
            seen.add(info.type)
    return seen


def test_real_smollm2(smollm2_path):
    seen = _real_tensor_check(smollm2_path, ["token_embd.weight", "blk.0.ffn_down.weight", "blk.3.attn_q.weight"])
    assert seen == {"Q8_0", "Q4_1"}


def test_real_gemma3(gemma3_path):
    import pyllm

    pick = {}
    with pyllm.GGUFFile(gemma3_path) as f:
        for t in f.tensors:
            if t.type in ("Q4_K", "Q5_0", "Q6_K", "Q8_0") and len(t.shape) == 2:
                pick.setdefault(t.type, t.name)
    assert _real_tensor_check(gemma3_path, list(pick.values())) == set(pick)


# ---- the dedicated one-token (decode) matvec kernels ----------------------------------------------
@pytest.mark.parametrize("isa", ISAS)
@pytest.mark.parametrize("name", QTYPES)
def test_matvec_odd_sizes(isa, name):
    # n_tokens == 1 takes the matvec kernels (every type that has one, any row length): every row
    # length in the list that is a block multiple (1056, 1120: 33 and 35 blocks, the kernels' tail
    # loops; 8288, 8448: past matvec32's 256-block chunk, with an odd tail in the second chunk), odd
    # row counts, 1 and 2 threads, against scalar and the float64 bounds.
    need(isa)
    rng = np.random.default_rng(21)
    bs = block_size(name)
    for n_in in (32, 64, 96, 256, 512, 1056, 1120, 2816, 8288, 8448):
        if n_in % bs:
            continue
        for n_out in (1, 3, 17, 255):
            raw, w = random_weights(name, n_out, n_in, rng)
            x = rng.standard_normal((1, n_in)).astype(np.float32)
            ys = _core.matmul(raw, name, n_in, n_out, x, isa="scalar")
            tol = 1e-5 * (np.abs(x).astype(np.float64) @ np.abs(w).T) + 1e-30
            for n_threads in (1, 2):
                yi = _core.matmul(raw, name, n_in, n_out, x, n_threads=n_threads, isa=isa)
                assert np.all(np.abs(yi - ys) <= tol), f"{isa} {name} n_in={n_in} n_out={n_out} threads={n_threads}"
                check_matmul(name, raw, w, x, yi)


# ---- the largest integer partial sums, and the panel path's independence of batching -----------------
@pytest.mark.parametrize("isa", ISAS)
@pytest.mark.parametrize("name", QTYPES)
def test_extreme_codes_no_int16_overflow(isa, name):
    # Every code bit set (the largest codes each format has: 15, 31, 63, ...) against activations that
    # quantize to +127 or -127 everywhere: the largest int16 partial sums the tiles, panels and matvec
    # kernels form (kernels.h / qpanel_x86.inc: G * 2 * cmax * 127 <= 32767). An overflow would show
    # as a wrapped sum far outside the bounds.
    need(isa)
    bs, ts = quants.GGML_QUANT_SIZES[QT[name]]
    n_out = 19
    n_in = 4 * bs if bs == 256 else 16 * bs
    raw = np.full((n_out * n_in // bs, ts), 0xFF, np.uint8)
    for off in F16_FIELDS[name]:  # 0xFFFF would be a NaN scale: use 0.01 (and 0.01 for the min)
        raw[:, off:off + 2] = np.full(raw.shape[0], 0.01, np.float16).view(np.uint8).reshape(-1, 2)
    w = quants.dequantize(raw, QT[name]).reshape(n_out, n_in).astype(np.float64)
    raw = raw.reshape(-1)
    ones = np.ones(n_in, np.float32)
    alt = np.where(np.arange(n_in) % 2 == 0, 1.0, -1.0).astype(np.float32)
    for x1 in (ones, -ones, alt):
        for n_tokens in (1, 2, 5, 9):
            x = np.tile(x1, (n_tokens, 1))
            ys = _core.matmul(raw, name, n_in, n_out, x, isa="scalar")
            yi = _core.matmul(raw, name, n_in, n_out, x, n_threads=2, isa=isa)
            tol = 1e-5 * (np.abs(x).astype(np.float64) @ np.abs(w).T) + 1e-30
            assert np.all(np.abs(yi - ys) <= tol), f"{isa} {name} n_tokens={n_tokens}"
            check_matmul(name, raw, w, x, yi)


@pytest.mark.parametrize("name", ["Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "Q8_0"])
def test_multi_token_rows_independent_of_batch_rows_and_threads(name):
    # Calls with >= 2 tokens (the panel path on SIMD levels): every output element depends only on its
    # own weight row and token, so any batch of >= 2 tokens, any subset of rows (shifting where the
    # 8-row panels start) and any thread count give bit-identical values. The engine's batch-split
    # guarantee rests on this.
    rng = np.random.default_rng(8)
    bs, ts = quants.GGML_QUANT_SIZES[QT[name]]
    n_in, n_out = (2 * bs, 21) if bs == 256 else (12 * bs, 21)
    raw, _ = random_weights(name, n_out, n_in, rng)
    rb = n_in // bs * ts
    x = rng.standard_normal((9, n_in)).astype(np.float32)
    full = _core.matmul(raw, name, n_in, n_out, x, n_threads=2)
    for a, b in ((0, 2), (2, 7), (7, 9), (0, 9)):
        assert np.array_equal(_core.matmul(raw, name, n_in, n_out, x[a:b], n_threads=1), full[a:b])
    for r0 in (1, 3, 8):
        part = _core.matmul(raw[r0 * rb:], name, n_in, n_out - r0, x, n_threads=2)
        assert np.array_equal(part, full[:, r0:])


# ---- the x8 layout (8 rows interleaved; quant/repack.h) -------------------------------------------------
X8_TYPES = ["Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "IQ4_NL", "IQ4_XS"]
X8_K_BYTES = {"Q3_K": 912, "Q4_K": 1184, "Q5_K": 1440, "IQ4_XS": 1104}  # x8 bytes per 256 elements of 8 rows (unpacked scales)


def ref_x8_layout(raw, name, n_in, n_out):
    """numpy version of repack.h's documented x8 layout for the 32-element types."""
    bs, ts = quants.GGML_QUANT_SIZES[QT[name]]
    nb, groups = n_in // bs, (n_out + 7) // 8
    blocks = np.zeros((groups * 8, nb, ts), np.uint8)
    blocks[:n_out] = raw.reshape(n_out, nb, ts)
    b = blocks.reshape(groups, 8, nb, ts).transpose(0, 2, 1, 3)  # [group, block, row, bytes]
    parts = [b[..., 0:2].reshape(groups, nb, 16)]                  # d[8]
    qs_at = {"Q4_0": 2, "Q4_1": 4, "Q5_0": 6, "Q5_1": 8, "Q8_0": 2, "IQ4_NL": 2}[name]
    qs_len = 32 if name == "Q8_0" else 16
    if name in ("Q4_1", "Q5_1"):
        parts.append(b[..., 2:4].reshape(groups, nb, 16))          # m[8]
    if name in ("Q5_0", "Q5_1"):
        qh_at = 2 if name == "Q5_0" else 4
        qh = b[..., qh_at:qh_at + 4].copy().view("<u4")[..., 0]    # [group, block, row] 32 fifth bits
        j = np.arange(8)
        i = np.arange(4)
        # qh8[4r + i] bit j = bit 4j + i of the row's qh
        bits = (qh[..., None, None] >> (4 * j[None, :] + i[:, None])) & 1   # [g, b, r, i, j]
        parts.append((bits << j).sum(axis=-1).astype(np.uint8).reshape(groups, nb, 32))
    qs = b[..., qs_at:qs_at + qs_len].reshape(groups, nb, 8, qs_len // 4, 4)  # [g, b, r, p, i]
    parts.append(qs.transpose(0, 1, 3, 2, 4).reshape(groups, nb, 8 * qs_len))
    return np.concatenate(parts, axis=2).reshape(-1)


def _x8_groups(raw, n_in, n_out, block_bytes):
    """(blocks [groups * 8, nb, block_bytes] with the padding rows zero, nb, groups, to_rows):
    to_rows(a) turns a per-row field a[groups * 8, nb, k] into [group, block, row, k]."""
    nb, groups = n_in // 256, (n_out + 7) // 8
    blocks = np.zeros((groups * 8, nb, block_bytes), np.uint8)
    blocks[:n_out] = raw.reshape(n_out, nb, block_bytes)
    return blocks, nb, groups, lambda a: a.reshape(groups, 8, nb, -1).transpose(0, 2, 1, 3)


def ref_q6k_x8_layout(raw, n_in, n_out):
    """numpy version of repack.h's documented Q6_K x8 layout (codes decoded as gguf's quants.py does)."""
    blocks, nb, groups, b = _x8_groups(raw, n_in, n_out, 210)
    ql, qh, sc, d = blocks[..., :128], blocks[..., 128:192], blocks[..., 192:208], blocks[..., 208:210]
    # element 128 h + 32 k + l: nibble k // 2 of ql[64 h + 32 (k % 2) + l], bits 2k.. of qh[32 h + l]
    lo = (ql.reshape(-1, nb, 2, 1, 2, 32) >> np.array([0, 4], np.uint8).reshape(1, 1, 1, 2, 1, 1)) & 15
    hi = (qh.reshape(-1, nb, 2, 1, 32) >> np.array([0, 2, 4, 6], np.uint8).reshape(1, 1, 1, 4, 1)) & 3
    q = (lo.reshape(-1, nb, 2, 4, 32) | (hi << 4)).reshape(groups, 8, nb, 8, 8, 4)  # [g, r, b, j, m, i]
    q = q.transpose(0, 2, 3, 4, 1, 5)                                              # [g, b, j, m, r, i]
    v = q[:, :, :, :6].copy()                                                       # k-groups 0-5
    for h in range(2):                                                              # k-groups 6, 7
        for k in range(3):
            v[:, :, :, 3 * h + k] |= ((q[:, :, :, 6 + h] >> (2 * k)) & 3) << 6
    scales = b(sc).reshape(groups, nb, 8, 8, 2).transpose(0, 1, 3, 2, 4)            # [g, b, j, r, 2]
    parts = [b(d).reshape(groups, nb, 16), scales.reshape(groups, nb, 128), v.reshape(groups, nb, 8 * 192)]
    return np.concatenate(parts, axis=2).reshape(-1)


def ref_q2k_x8_layout(raw, n_in, n_out):
    """numpy version of repack.h's documented Q2_K x8 layout (codes decoded as gguf's quants.py does)."""
    blocks, nb, groups, b = _x8_groups(raw, n_in, n_out, 84)
    sc, qs, d, dmin = blocks[..., :16], blocks[..., 16:80], blocks[..., 80:82], blocks[..., 82:84]
    # element 128 h + 32 j + l: bits 2j.. of qs[32 h + l]
    q = (qs.reshape(-1, nb, 2, 1, 32) >> (2 * np.arange(4, dtype=np.uint8)).reshape(1, 1, 1, 4, 1)) & 3
    q = q.reshape(groups, 8, nb, 8, 8, 4).transpose(0, 2, 3, 4, 1, 5)               # [g, b, j, m, r, i]
    # vector h of sub-block j: k-group 4h + k in bits 2k..2k+1 (disjoint bits: the sum is an or)
    shifts = (2 * np.arange(4, dtype=np.uint8)).reshape(1, 1, 1, 4, 1, 1)
    v = np.stack([(q[:, :, :, 4 * h:4 * h + 4] << shifts).sum(axis=3, dtype=np.uint8) for h in range(2)],
                 axis=3)                                                            # [g, b, j, 2, r, i]
    scales = b(sc).reshape(groups, nb, 8, 8, 2).transpose(0, 1, 3, 2, 4)          # [g, b, j, r, 2]
    parts = [b(d).reshape(groups, nb, 16), b(dmin).reshape(groups, nb, 16), scales.reshape(groups, nb, 128),
             v.reshape(groups, nb, 8 * 64)]
    return np.concatenate(parts, axis=2).reshape(-1)


def ref_q3k_x8_layout(raw, n_in, n_out):
    """numpy version of repack.h's documented Q3_K x8 layout (codes and scales decoded as gguf's
    quants.py does)."""
    blocks, nb, groups, b = _x8_groups(raw, n_in, n_out, 110)
    hm, qs, sc, d = blocks[..., :32], blocks[..., 32:96], blocks[..., 96:108], blocks[..., 108:110]
    # element 128 h + 32 j + l: bits 2j.. of qs[32 h + l]; bit 4 h + j of hmask[l] as bit 2
    low = (qs.reshape(-1, nb, 2, 1, 32) >> (2 * np.arange(4, dtype=np.uint8)).reshape(1, 1, 1, 4, 1)) & 3
    high = (hm.reshape(-1, nb, 1, 32) >> np.arange(8, dtype=np.uint8).reshape(1, 1, 8, 1)) & 1
    q = (low.reshape(-1, nb, 8, 32) | (high << 2)).reshape(groups, 8, nb, 8, 8, 4)  # [g, r, b, j, m, i]
    q = q.transpose(0, 2, 3, 4, 1, 5)                                             # [g, b, j, m, r, i]
    v = q[:, :, :, 0:6:2] | (q[:, :, :, 1:6:2] << 3)                              # k-groups 0-5
    t = q[:, :, :, 6] | (q[:, :, :, 7] << 3)                                      # k-groups 6, 7
    for k in range(3):
        v[:, :, :, k] |= ((t >> (2 * k)) & 3) << 6
    # scales: 16 6-bit values (4 low bits in bytes 0-7, 2 high bits in bytes 8-11), minus 32
    g = np.arange(16)
    lo4 = (sc[..., g % 8] >> (4 * (g // 8)).astype(np.uint8)) & 15
    hi2 = (sc[..., 8 + (g & 3)] >> (2 * (g >> 2)).astype(np.uint8)) & 3
    s16 = ((lo4 | (hi2 << 4)).astype(np.int16) - 32).astype(np.int8).view(np.uint8)
    s16[n_out:] = 0  # padding rows are all zero bytes
    scales = b(s16).reshape(groups, nb, 8, 8, 2).transpose(0, 1, 3, 2, 4)         # [g, b, j, r, 2]
    parts = [b(d).reshape(groups, nb, 16), scales.reshape(groups, nb, 128), v.reshape(groups, nb, 8 * 96)]
    return np.concatenate(parts, axis=2).reshape(-1)


def ref_iq4xs_x8_layout(raw, n_in, n_out):
    """numpy version of repack.h's documented IQ4_XS x8 layout (scales decoded as gguf's quants.py does)."""
    blocks, nb, groups, b = _x8_groups(raw, n_in, n_out, 136)
    d, sh, sl, qs = blocks[..., 0:2], blocks[..., 2:4].copy().view("<u2")[..., 0], blocks[..., 4:8], blocks[..., 8:136]
    j = np.arange(8)
    s6 = ((sl[..., j // 2] >> (4 * (j % 2)).astype(np.uint8)) & 15) | (((sh[..., None] >> (2 * j)) & 3) << 4).astype(np.uint8)
    sc = (s6.astype(np.int16) - 32).astype(np.int8).view(np.uint8)
    sc[n_out:] = 0  # padding rows are all zero bytes
    scales = b(sc).reshape(groups, nb, 8, 8).transpose(0, 1, 3, 2)                # [g, b, j, r]
    q = b(qs).reshape(groups, nb, 8, 8, 4, 4).transpose(0, 1, 3, 4, 2, 5)          # [g, b, j, p, r, i]
    parts = [b(d).reshape(groups, nb, 16), scales.reshape(groups, nb, 64), q.reshape(groups, nb, 1024)]
    return np.concatenate(parts, axis=2).reshape(-1)


@pytest.mark.parametrize("name", X8_TYPES)
def test_x8_layout_and_roundtrip(name):
    # repack_x8 writes the documented layout (numpy oracle for the 32-element types) and unrepack_x8
    # gives the original bytes back for every row count (rows past n_out are padding).
    assert _core.x8_types() == X8_TYPES
    rng = np.random.default_rng(31)
    bs = block_size(name)
    for n_in in (bs, 3 * bs) if bs == 256 else (bs, 5 * bs):
        for n_out in (1, 7, 8, 9, 24):
            raw, _ = random_weights(name, n_out, n_in, rng)
            packed = _core.repack_x8(raw, name, n_in, n_out)
            per_group = X8_K_BYTES[name] * n_in // 256 if name in X8_K_BYTES else raw.size // n_out * 8
            assert packed.size == (n_out + 7) // 8 * per_group
            if name == "Q6_K":
                assert np.array_equal(packed, ref_q6k_x8_layout(raw, n_in, n_out)), (n_in, n_out)
            elif name == "Q3_K":
                assert np.array_equal(packed, ref_q3k_x8_layout(raw, n_in, n_out)), (n_in, n_out)
            elif name == "Q2_K":
                assert np.array_equal(packed, ref_q2k_x8_layout(raw, n_in, n_out)), (n_in, n_out)
            elif name == "IQ4_XS":
                assert np.array_equal(packed, ref_iq4xs_x8_layout(raw, n_in, n_out)), (n_in, n_out)
            elif name not in X8_K_BYTES:
                assert np.array_equal(packed, ref_x8_layout(raw, name, n_in, n_out)), (name, n_in, n_out)
            assert np.array_equal(_core.unrepack_x8(packed, name, n_in, n_out), raw), (name, n_in, n_out)
    with pytest.raises(NotImplementedError, match="F16"):  # no x8 layout
        _core.repack_x8(np.zeros(64, np.uint8), "F16", 32, 1)
    with pytest.raises(ValueError, match="x8"):  # wrong byte count for an x8 matrix
        _core.matmul(np.zeros(18, np.uint8), "Q4_0", 32, 1, np.zeros((1, 32), np.float32), x8=True)


# Q2_K, Q3_K, Q6_K: prefill panels with integer scales over whole super-blocks (qpanel_x86.inc, K16)
K16_TYPES = ("Q2_K", "Q3_K", "Q6_K")


@pytest.mark.parametrize("isa", ["scalar"] + ISAS)
@pytest.mark.parametrize("name", X8_TYPES)
def test_x8_matmul(isa, name):
    # The same matrix in the x8 layout, every path (one token: matvec_x8; more: panels packed from the
    # x8 groups, or on the scalar level tiles on unpacked rows): the float64 bounds on odd shapes;
    # the SIMD matvec_x8 bit-identical to the scalar reference (same integer sums, same float order per
    # lane); >= 2 tokens bit-identical to the row layout (the panels hold the same bytes); 1 and 2
    # threads identical.
    need(isa)
    rng = np.random.default_rng(37)
    bs = block_size(name)
    # up to 4320 (32-element types) / 4352 (K-quants) elements: several prefetch distances, long rows
    for n_in in (bs, 3 * bs, 9 * bs, 17 * bs) if bs == 256 else (bs, 7 * bs, 45 * bs, 135 * bs):
        for n_out in (1, 3, 8, 17, 255):
            raw, w = random_weights(name, n_out, n_in, rng)
            packed = _core.repack_x8(raw, name, n_in, n_out)
            for n_tokens in (1, 2, 7, 33):
                x = rng.standard_normal((n_tokens, n_in)).astype(np.float32)
                y = _core.matmul(packed, name, n_in, n_out, x, isa=isa, x8=True)
                check_matmul(name, raw, w, x, y)
                assert np.array_equal(_core.matmul(packed, name, n_in, n_out, x, isa=isa, x8=True, n_threads=2), y)
                if n_tokens == 1:
                    ys = _core.matmul(packed, name, n_in, n_out, x, isa="scalar", x8=True)
                    assert np.array_equal(y, ys), (isa, name, n_in, n_out)
                else:
                    assert np.array_equal(y, _core.matmul(raw, name, n_in, n_out, x, isa=isa)), (isa, name, n_tokens)
                    if name in K16_TYPES and isa != "scalar":
                        # the K16 panels do the x8 matvec's integer and float steps: each token's row
                        # equals its one-token call bit for bit
                        one = np.concatenate([_core.matmul(packed, name, n_in, n_out, x[t:t + 1], isa=isa, x8=True)
                                              for t in range(n_tokens)])
                        assert np.array_equal(y, one), (isa, name, n_in, n_out, n_tokens)


@pytest.mark.parametrize("isa", ISAS)
@pytest.mark.parametrize("name", X8_TYPES)
def test_x8_extreme_codes_no_int16_overflow(isa, name):
    # All codes at their maximum (15, or 31 with the fifth bit; Q4_K scales and mins 63; Q8_0 -128)
    # against activations quantized to +-127: the x8 kernels sum 8 maddubs (4 for 5-bit codes) in
    # int16; Q8_0's pair of products reaches 2 * 128 * 127 = 32512 and gets its own madd.
    need(isa)
    bs, ts = quants.GGML_QUANT_SIZES[QT[name]]
    n_out, n_in = 19, (4 * bs if bs == 256 else 16 * bs)
    raw = np.full((n_out * n_in // bs, ts), 0x80 if name == "Q8_0" else 0xFF, np.uint8)
    for off in F16_FIELDS[name]:
        raw[:, off:off + 2] = np.full(raw.shape[0], 0.01, np.float16).view(np.uint8).reshape(-1, 2)
    w = quants.dequantize(raw, QT[name]).reshape(n_out, n_in).astype(np.float64)
    raw = raw.reshape(-1)
    packed = _core.repack_x8(raw, name, n_in, n_out)
    ones = np.ones(n_in, np.float32)
    alt = np.where(np.arange(n_in) % 2 == 0, 1.0, -1.0).astype(np.float32)
    for x1 in (ones, -ones, alt):
        for n_tokens in (1, 2, 5):
            x = np.tile(x1, (n_tokens, 1))
            y = _core.matmul(packed, name, n_in, n_out, x, n_threads=2, isa=isa, x8=True)
            ys = _core.matmul(raw, name, n_in, n_out, x, isa="scalar")
            tol = 1e-5 * (np.abs(x).astype(np.float64) @ np.abs(w).T) + 1e-30
            assert np.all(np.abs(y - ys) <= tol), (isa, name, n_tokens)
            check_matmul(name, raw, w, x, y)
