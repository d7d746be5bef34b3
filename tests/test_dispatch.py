"""Runtime CPU dispatch: every available ISA level gives the scalar reference's results."""

import glob
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import pyllm
from pyllm import _core

ISAS = _core.available_isas()
SIZES = [0, 1, 7, 8, 9, 15, 16, 17, 31, 33, 255, 257, 1000, 4097]


def test_cpu_info_shape():
    info = pyllm.cpu_info()
    assert info["isa"] in ("scalar", "avx2", "avx512")
    assert info["isa"] in info["available_isas"]
    assert info["available_isas"][0] == "scalar"
    assert info["physical_cores"] >= 1 and info["logical_cpus"] >= info["physical_cores"]
    assert isinstance(info["features"], dict)
    if info["isa"] == "avx512":
        assert info["features"]["avx512f"] and info["os_avx512"]
    if "avx2" in info["available_isas"]:
        assert info["features"]["avx2"] and info["features"]["fma"] and info["os_avx"]
    # the levels whose kernels take the vpdpbusd paths: AVX-512 (VNNI is part of it) and, in the test
    # build of tools/check_vnni_emulated.sh only, AVX2 with the instruction emulated
    assert set(info["vnni_isas"]) <= set(info["available_isas"]) - {"scalar"}
    assert ("avx512" in info["vnni_isas"]) == ("avx512" in info["available_isas"])
    assert ("avx2" in info["vnni_isas"]) == (os.environ.get("PYLLM_EXPECT_EMULATED_VNNI") == "1")


def test_the_best_level_is_chosen_by_default():
    if os.environ.get("PYLLM_ISA"):
        pytest.skip("PYLLM_ISA is set")
    assert pyllm.cpu_info()["isa"] == ISAS[-1]


@pytest.mark.parametrize("isa", ISAS)
def test_f16_conversion_exact_for_all_65536_values(isa):
    bits = np.arange(65536, dtype=np.uint16)
    want = bits.view(np.float16).astype(np.float32)  # numpy is the oracle
    got = _core.f16_to_f32(bits, isa=isa)
    # Bit patterns equal for every non-NaN value (zeros, subnormals, infinities included). NaNs
    # stay NaN with their payload; F16C hardware sets the quiet bit of signalling NaNs, numpy and
    # the scalar path keep it as it is, so that one bit is masked.
    nan = np.isnan(want)
    np.testing.assert_array_equal(got[~nan].view(np.uint32), want[~nan].view(np.uint32))
    assert np.isnan(got[nan]).all()
    np.testing.assert_array_equal(got[nan].view(np.uint32) | 0x00400000, want[nan].view(np.uint32) | 0x00400000)
    if isa == "scalar":
        np.testing.assert_array_equal(got.view(np.uint32), want.view(np.uint32))


@pytest.mark.parametrize("isa", ISAS)
@pytest.mark.parametrize("n", SIZES)
def test_f16_conversion_odd_sizes(isa, n):
    x = np.random.default_rng(n).standard_normal(n).astype(np.float16)
    np.testing.assert_array_equal(_core.f16_to_f32(x.view(np.uint16), isa=isa), x.astype(np.float32))


@pytest.mark.parametrize("isa", ISAS)
def test_f32_to_f16_rounds_like_numpy_on_every_level(isa):
    # The KV cache's float -> half conversion (the F16C instruction on the SIMD levels). Oracle: numpy's
    # astype(float16) (round to nearest even). Inputs: every float32 that is exactly halfway between
    # two adjacent halves or one float32 step either side of it (the rounding decisions), over the
    # whole half range including subnormals, the overflow edge (65504 / 65520) and infinities; plus
    # random floats. NaNs: quiet with the top payload bits on every level (not compared to numpy).
    h = np.arange(0x7C00, dtype=np.uint32)                         # every finite non-negative half
    lo = h.astype(np.uint16).view(np.float16).astype(np.float64)
    hi = (h + 1).astype(np.uint16).view(np.float16).astype(np.float64)  # the next one (0x7C00: inf)
    hi[-1] = 65536.0                                                # the halfway point above 65504 is 65520
    mid = ((lo + hi) / 2).astype(np.float32)                        # exact in float32
    steps = [np.nextafter(mid, np.float32(-np.inf)), mid, np.nextafter(mid, np.float32(np.inf))]
    rnd = np.random.default_rng(7).standard_normal(20001).astype(np.float32) * np.float32(300)
    x = np.concatenate(steps + [lo.astype(np.float32), rnd, np.float32([np.inf, 70000.0, 65519.996, 1e-8, 0.0])])
    x = np.concatenate([x, -x])
    with np.errstate(over="ignore"):
        want = x.astype(np.float16).view(np.uint16)
    got = _core.f32_to_f16(x, isa=isa)
    np.testing.assert_array_equal(got, want)
    nans = np.array([0x7FC00000, 0x7F800001, 0xFFC12345, 0x7FFFFFFF], np.uint32).view(np.float32)
    np.testing.assert_array_equal(_core.f32_to_f16(nans, isa=isa), _core.f32_to_f16(nans, isa="scalar"))
    assert np.isnan(_core.f32_to_f16(nans, isa=isa).view(np.float16)).all()
    for n in SIZES:  # the SIMD body and its scalar tail
        np.testing.assert_array_equal(_core.f32_to_f16(rnd[:n], isa=isa), rnd[:n].astype(np.float16).view(np.uint16))


@pytest.mark.parametrize("isa", ISAS)
def test_bf16_conversion_exact(isa):
    bits = np.arange(65536, dtype=np.uint16)
    want = (bits.astype(np.uint32) << 16).view(np.float32)
    for n in (65536, 65535, 13):
        got = _core.bf16_to_f32(bits[:n], isa=isa)
        np.testing.assert_array_equal(got.view(np.uint32), want[:n].view(np.uint32))


@pytest.mark.parametrize("n", SIZES)
def test_dot_f32_every_isa_agrees_with_scalar_and_float64(n):
    rng = np.random.default_rng(1000 + n)
    a = rng.standard_normal(n).astype(np.float32)
    b = rng.standard_normal(n).astype(np.float32)
    exact = float(np.dot(a.astype(np.float64), b.astype(np.float64)))
    ref = _core.dot_f32(a, b, isa="scalar")
    scale = float(np.dot(np.abs(a).astype(np.float64), np.abs(b).astype(np.float64))) + 1e-30
    assert abs(ref - exact) <= 1e-6 * scale + 1e-7
    for isa in ISAS:
        got = _core.dot_f32(a, b, isa=isa)
        # the lanes sum in a different order: agree to float32 rounding of the magnitudes involved
        assert abs(got - ref) <= 1e-6 * scale + 1e-7, (isa, got, ref)


def argmax_oracle(x):
    """The first index of the largest non-NaN value (-0.0 == +0.0), 0 if every value is NaN."""
    ok = ~np.isnan(x)
    if not ok.any():
        return 0
    return int(np.flatnonzero(ok & (x == x[ok].max()))[0])


@pytest.mark.parametrize("isa", ISAS)
def test_argmax_f32_first_largest_on_every_level(isa):
    # Greedy sampling's argmax: random vectors of every tail length (the SIMD levels scan 32 and 8 at a
    # time), ties (the first wins, also across the 8-lane blocks and the tail), NaNs anywhere (never
    # the answer unless all are NaN), infinities, signed zeros, and a Gemma-sized vocabulary.
    rng = np.random.default_rng(5)
    cases = []
    for n in [1, 2, 7, 8, 9, 31, 32, 33, 63, 65, 100, 1000, 4097, 262144]:
        x = rng.standard_normal(n).astype(np.float32)
        cases.append(x)
        y = np.round(x * 2).astype(np.float32)  # many ties of the maximum
        cases.append(y)
        z = x.copy()
        z[rng.integers(0, n, size=max(1, n // 7))] = np.nan
        cases.append(z)
    special = [
        [np.nan], [np.nan] * 40, [np.nan, 1.0, 2.0, 2.0], [-np.inf] * 9, [np.nan, -np.inf, np.nan],
        [-0.0, 0.0], [0.0, -0.0], [-1.0] * 33 + [-0.0] + [0.0] * 3, [1.0, np.inf, 3.0, np.inf],
        [5.0] * 40 + [6.0], [6.0] + [5.0] * 40, [np.nan] * 35 + [-3.0] + [np.nan] * 3,
        [-np.inf] * 31 + [np.nan] + [-np.inf], [3.4e38, -3.4e38, 3.4e38],
    ]
    cases += [np.array(c, dtype=np.float32) for c in special]
    for x in cases:
        want = argmax_oracle(x)
        assert _core.argmax_f32(x, isa=isa) == want, (isa, len(x), x[:12])
        assert _core.argmax_f32(x, isa="scalar") == want
    with pytest.raises(ValueError, match="empty"):
        _core.argmax_f32(np.zeros(0, np.float32), isa=isa)


@pytest.mark.parametrize("isa", ISAS)
def test_first_above_f32_on_every_level(isa):
    # The top-k sampler's scan: the first index with x > t, or len(x); every tail length (32- and
    # 8-wide blocks), the hit at every offset of a block, NaNs in x (never above) and a NaN t (nothing
    # is above it), infinities, equal values (not above).
    rng = np.random.default_rng(6)
    for n in [0, 1, 7, 8, 9, 31, 32, 33, 40, 64, 100, 1000]:
        x = rng.standard_normal(n).astype(np.float32)
        x[rng.integers(0, max(n, 1), size=n // 5)] = np.nan if n else 0
        for t in [-np.inf, -1.0, 0.0, 1.5, 3.0, np.inf, np.nan]:
            hits = np.flatnonzero(x > np.float32(t))
            want = int(hits[0]) if len(hits) else n
            assert _core.first_above_f32(x, t, isa=isa) == want, (isa, n, t)
    for n in (40, 70):
        for j in range(n):  # a single hit at every position
            x = np.zeros(n, np.float32)
            x[j] = 1.0
            assert _core.first_above_f32(x, 0.5, isa=isa) == j
            assert _core.first_above_f32(x, 1.0, isa=isa) == n  # equal is not above


def test_unavailable_isa_request_is_an_error_for_kernels():
    for isa in ("avx2", "avx512"):
        if isa not in ISAS:
            with pytest.raises(ValueError, match="not available"):
                _core.dot_f32(np.ones(3, np.float32), np.ones(3, np.float32), isa=isa)
    with pytest.raises(ValueError, match="unknown instruction set"):
        _core.dot_f32(np.ones(3, np.float32), np.ones(3, np.float32), isa="sse9")
    with pytest.raises(ValueError):
        _core.dot_f32(np.ones(3, np.float32), np.ones(4, np.float32))


def _run(code, **env):
    e = dict(os.environ)
    e.update(env)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=e, timeout=120)


def test_pyllm_isa_scalar_forces_the_scalar_table():
    p = _run("import pyllm; print(pyllm.cpu_info()['isa'])", PYLLM_ISA="scalar")
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "scalar"


def test_pyllm_isa_unknown_value_fails_import_with_a_clear_message():
    p = _run("import pyllm", PYLLM_ISA="avx9000")
    assert p.returncode != 0
    assert "unknown instruction set 'avx9000'" in p.stderr


def test_pyllm_isa_unsupported_level_falls_back_with_a_warning():
    if "avx512" in ISAS:
        pytest.skip("this CPU supports every level")
    p = _run("import warnings; warnings.simplefilter('always'); import pyllm; print(pyllm.cpu_info()['isa'])",
             PYLLM_ISA="avx512")
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == ISAS[-1]
    assert "RuntimeWarning" in p.stderr and "PYLLM_ISA=avx512" in p.stderr


def test_scalar_and_best_isa_give_identical_conversions_end_to_end():
    # The whole package under PYLLM_ISA=scalar reads the same tensor values as the default level.
    code = ("import numpy as np, pyllm; from pyllm import _core;"
            "x=np.random.default_rng(5).standard_normal(1001).astype(np.float16);"
            "print(_core.f16_to_f32(x.view(np.uint16)).tobytes().hex())")
    a = _run(code, PYLLM_ISA="scalar")
    b = _run(code)
    assert a.returncode == 0 and b.returncode == 0, (a.stderr, b.stderr)
    assert a.stdout == b.stdout


def _objects():
    root = Path(__file__).resolve().parent.parent / "build"
    return [Path(p) for p in glob.glob(str(root / "**" / "pyllm_core.dir" / "**" / "*.o"), recursive=True)]


@pytest.mark.skipif(shutil.which("objdump") is None, reason="objdump not installed")
def test_only_the_per_isa_files_contain_avx_instructions():
    """The portable part of the build must not contain a single YMM/ZMM instruction: that is what
    makes the wheel safe on any x86-64 (no 'Illegal instruction' before dispatch has chosen)."""
    objs = _objects()
    if not objs:
        pytest.skip("no build tree with object files next to the tests")
    generic = [o for o in objs if "_avx2" not in o.name and "_avx512" not in o.name]
    assert generic
    offenders = []
    for o in generic:
        out = subprocess.run(["objdump", "-d", "--no-show-raw-insn", str(o)], capture_output=True, text=True).stdout
        if "%ymm" in out or "%zmm" in out:
            offenders.append(o.name)
    assert not offenders, f"AVX instructions in portable objects: {offenders}"


def test_simd_peak_counts_ops_and_rejects_bad_input():
    # bench_kernels' arithmetic ceilings: 8 chains x (64 ops per int8 maddubs+add pair, 16 per f32 FMA)
    if "avx2" not in _core.available_isas():
        with pytest.raises(NotImplementedError):
            _core.simd_peak("int8", 1)
        return
    assert _core.simd_peak("int8", 3) == 3 * 8 * 64
    assert _core.simd_peak("f32", 3) == 3 * 8 * 16
    assert _core.simd_peak("f32", 0) == 0
    for kind, iters in (("int4", 1), ("int8", -1), ("f32", 2**34 + 1)):
        with pytest.raises(ValueError):
            _core.simd_peak(kind, iters)
