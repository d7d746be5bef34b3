"""GGUF reader: round trips through the gguf package's writer, and the real models vs gguf.GGUFReader."""

import math
import os
import struct

import numpy as np
import pytest

import pyllm
from gguf_builders import write_sample_gguf

gguf = pytest.importorskip("gguf")


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    p = tmp_path_factory.mktemp("gguf") / "sample.gguf"
    expect = write_sample_gguf(p)
    return p, expect


def _same(a, b):
    if isinstance(a, float) or isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-7) or (a == b)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a == b and type(a) is type(b)


def test_metadata_round_trip_every_value_type(sample):
    path, expect = sample
    f = pyllm.GGUFFile(path)
    assert f.version == 3
    md = f.metadata
    for key, value in expect["metadata"].items():
        assert key in md, key
        assert _same(md[key], value), (key, md[key], value)
    types = f.metadata_types
    for key, t in expect["types"].items():
        assert types[key] == t, (key, types[key], t)
    # float32 values are stored as float32
    assert md["test.f32"] == 0.5
    assert md["test.arr_f32"] == [0.25, -1.5, 3.0]
    assert f.architecture == "llama"
    assert f.get("test.missing", "dflt") == "dflt"


def test_tensor_table_and_values(sample):
    path, expect = sample
    with pyllm.GGUFFile(path) as f:
        infos = {t.name: t for t in f.tensors}
        assert list(infos) == list(expect["tensors"])  # file order
        for name, (tname, arr) in expect["tensors"].items():
            info = infos[name]
            assert info.type == tname
            assert info.shape == arr.shape, (name, info.shape, arr.shape)
            assert info.offset % f.alignment == 0
            assert info.offset >= f.data_offset
            if tname == "Q8_0":  # quantized: the raw blocks are the file's bytes (values: test_quant)
                q = gguf.quants.quantize(arr, gguf.GGMLQuantizationType.Q8_0)
                assert f.tensor_bytes(name).tobytes() == q.tobytes()
                continue
            got = f.tensor(name)
            assert got.dtype == np.float32 and got.shape == arr.shape
            np.testing.assert_array_equal(got, arr.astype(np.float32))


def test_f32_tensor_is_zero_copy_readonly_and_outlives_close(sample):
    path, expect = sample
    f = pyllm.GGUFFile(path)
    a = f.tensor("t.f32")
    assert not a.flags.writeable
    with pytest.raises(ValueError):
        a[0, 0] = 1.0
    raw = f.tensor_bytes("t.f32")
    assert raw.nbytes == a.nbytes
    f.close()
    del f
    np.testing.assert_array_equal(a, expect["tensors"]["t.f32"][1])  # mapping kept alive by the array
    with pytest.raises(ValueError, match="closed"):
        pyllm.GGUFFile(path).close() or None
        g = pyllm.GGUFFile(path)
        g.close()
        g.metadata


def test_unknown_tensor_name_raises_keyerror(sample):
    path, _ = sample
    f = pyllm.GGUFFile(path)
    with pytest.raises(KeyError, match="nope"):
        f.tensor("nope")


def test_custom_alignment(tmp_path):
    p = tmp_path / "aligned.gguf"
    expect = write_sample_gguf(p, alignment=64)
    f = pyllm.GGUFFile(p)
    assert f.alignment == 64
    assert f.data_offset % 64 == 0
    for t in f.tensors:
        assert (t.offset - f.data_offset) % 64 == 0
        if t.type != "Q8_0":
            np.testing.assert_array_equal(f.tensor(t.name), expect["tensors"][t.name][1])


def test_version_2_is_read(sample, tmp_path):
    path, expect = sample
    data = bytearray(path.read_bytes())
    data[4:8] = struct.pack("<I", 2)
    p2 = tmp_path / "v2.gguf"
    p2.write_bytes(data)
    f = pyllm.GGUFFile(p2)
    assert f.version == 2
    np.testing.assert_array_equal(f.tensor("t.vec"), expect["tensors"]["t.vec"][1])


def test_version_1_and_big_endian_are_unsupported(sample, tmp_path):
    path, _ = sample
    data = bytearray(path.read_bytes())
    data[4:8] = struct.pack("<I", 1)
    p = tmp_path / "v1.gguf"
    p.write_bytes(data)
    with pytest.raises(pyllm.UnsupportedModelError, match="version 1"):
        pyllm.GGUFFile(p)
    data[4:8] = struct.pack(">I", 3)
    p.write_bytes(data)
    with pytest.raises(pyllm.UnsupportedModelError, match="big-endian"):
        pyllm.GGUFFile(p)


def test_open_errors_are_typed(tmp_path):
    with pytest.raises(FileNotFoundError):
        pyllm.GGUFFile(tmp_path / "missing.gguf")
    with pytest.raises(OSError):
        pyllm.GGUFFile(tmp_path)
    junk = tmp_path / "junk.gguf"
    junk.write_bytes(b"PK\x03\x04 not a gguf file at all")
    with pytest.raises(pyllm.GGUFError, match="not a GGUF file"):
        pyllm.GGUFFile(junk)
    empty = tmp_path / "empty.gguf"
    empty.write_bytes(b"")
    with pytest.raises(pyllm.GGUFError):
        pyllm.GGUFFile(empty)
    assert issubclass(pyllm.GGUFError, ValueError)


def _reader_value(field):
    """The field's value from gguf.GGUFReader; large arrays are read from its parts directly
    (field.contents() is slow on a 262k-token vocabulary)."""
    if field.types and field.types[0] == gguf.GGUFValueType.ARRAY and len(field.data) > 1000:
        sub = field.types[-1]
        if sub == gguf.GGUFValueType.STRING:
            return [bytes(field.parts[i]).decode("utf-8") for i in field.data]
        return np.concatenate([np.asarray(field.parts[i]).reshape(-1) for i in field.data]).tolist()
    return field.contents()


@pytest.mark.parametrize("which", ["smollm2", "gemma3"])
def test_real_model_matches_gguf_reader(which, request):
    path = request.getfixturevalue(f"{which}_path")
    ref = gguf.GGUFReader(str(path))
    f = pyllm.GGUFFile(path)
    md = f.metadata
    ref_keys = [k for k in ref.fields if not k.startswith("GGUF.")]
    assert sorted(md) == sorted(ref_keys)
    for k in ref_keys:
        want = _reader_value(ref.fields[k])
        got = md[k]
        if isinstance(want, list) and want and isinstance(want[0], float):
            np.testing.assert_allclose(np.array(got, dtype=np.float64), np.array(want, dtype=np.float64), rtol=1e-7)
        else:
            assert got == want, k
    assert len(f.tensors) == len(ref.tensors)
    for mine, theirs in zip(f.tensors, ref.tensors):
        assert mine.name == theirs.name
        assert mine.type == theirs.tensor_type.name
        assert mine.shape == tuple(int(x) for x in reversed(theirs.shape.tolist()))
        assert mine.offset == theirs.data_offset
        assert mine.nbytes == theirs.n_bytes
        assert mine.n_elements == theirs.n_elements
    # F32 tensors are identical to the reader's view of the same bytes
    for t in ref.tensors:
        if t.tensor_type == gguf.GGMLQuantizationType.F32:
            np.testing.assert_array_equal(f.tensor(t.name).reshape(-1), np.asarray(t.data).reshape(-1))


def test_real_model_parameter_count(smollm2_path):
    f = pyllm.GGUFFile(smollm2_path)
    assert f.architecture == "llama"
    assert f.n_params == 134_515_008
    assert f.get("llama.context_length") == 8192
