"""Helpers that write small GGUF files with the `gguf` package (the independent writer)."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def write_sample_gguf(path: Path, alignment: int | None = None, arch: str = "llama") -> dict:
    """A GGUF exercising every metadata value type and several tensor types.

    Returns {"metadata": {key: value}, "types": {key: type string}, "tensors": {name: (type, array)}}.
    """
    import gguf

    w = gguf.GGUFWriter(str(path), arch)
    if alignment is not None:
        w.add_custom_alignment(alignment)
    meta = {}
    types = {}

    def put(key, value, vtype, tstr, add):
        add(key, value)
        meta[key] = value
        types[key] = tstr

    VT = gguf.GGUFValueType
    put("test.u8", 200, VT.UINT8, "UINT8", w.add_uint8)
    put("test.i8", -100, VT.INT8, "INT8", w.add_int8)
    put("test.u16", 60000, VT.UINT16, "UINT16", w.add_uint16)
    put("test.i16", -30000, VT.INT16, "INT16", w.add_int16)
    put("test.u32", 4_000_000_000, VT.UINT32, "UINT32", w.add_uint32)
    put("test.i32", -2_000_000_000, VT.INT32, "INT32", w.add_int32)
    put("test.u64", 2**63 + 12345, VT.UINT64, "UINT64", w.add_uint64)
    put("test.i64", -(2**62), VT.INT64, "INT64", w.add_int64)
    put("test.f32", 0.5, VT.FLOAT32, "FLOAT32", w.add_float32)
    put("test.f64", 1.0 / 3.0, VT.FLOAT64, "FLOAT64", w.add_float64)
    put("test.bool_t", True, VT.BOOL, "BOOL", w.add_bool)
    put("test.bool_f", False, VT.BOOL, "BOOL", w.add_bool)
    put("test.str", "héllo ▁wörld 🚀", VT.STRING, "STRING", w.add_string)

    def put_array(key, values, sub):
        w.add_key_value(key, values, VT.ARRAY, sub_type=sub)
        meta[key] = values
        types[key] = f"ARRAY[{sub.name}]"

    put_array("test.arr_u8", [0, 1, 255], VT.UINT8)
    put_array("test.arr_i8", [-128, 0, 127], VT.INT8)
    put_array("test.arr_u16", [0, 65535], VT.UINT16)
    put_array("test.arr_i16", [-32768, 32767], VT.INT16)
    put_array("test.arr_u32", [1, 2, 3, 4_000_000_000], VT.UINT32)
    put_array("test.arr_i32", [-1, 0, 1, 2**31 - 1], VT.INT32)
    put_array("test.arr_u64", [0, 2**64 - 1], VT.UINT64)
    put_array("test.arr_i64", [-(2**63), 2**63 - 1], VT.INT64)
    put_array("test.arr_f32", [0.25, -1.5, 3.0], VT.FLOAT32)
    put_array("test.arr_f64", [1e-300, -2.5], VT.FLOAT64)
    put_array("test.arr_bool", [True, False, True], VT.BOOL)
    put_array("test.arr_str", ["a", "", "ĠHello", "<0x0A>", "日本語"], VT.STRING)
    # nested arrays: an array of arrays of int32
    w.add_key_value("test.nested", [[1, 2], [3]], VT.ARRAY, sub_type=VT.ARRAY)
    meta["test.nested"] = [[1, 2], [3]]
    types["test.nested"] = "ARRAY[ARRAY[INT32]]"

    rng = np.random.default_rng(0)
    tensors = {}
    a = rng.standard_normal((3, 8)).astype(np.float32)
    w.add_tensor("t.f32", a)
    tensors["t.f32"] = ("F32", a)
    b = rng.standard_normal((4, 16)).astype(np.float16)
    w.add_tensor("t.f16", b)
    tensors["t.f16"] = ("F16", b.astype(np.float32))
    v = rng.standard_normal(5).astype(np.float32)
    w.add_tensor("t.vec", v)
    tensors["t.vec"] = ("F32", v)
    c = rng.standard_normal((2, 3, 4)).astype(np.float32)
    w.add_tensor("t.3d", c)
    tensors["t.3d"] = ("F32", c)
    # BF16: raw bytes (upper halves of float32), shape given in numpy order
    bf_src = rng.standard_normal((2, 8)).astype(np.float32)
    bf_bits = (bf_src.view(np.uint32) >> 16).astype(np.uint16)
    w.add_tensor("t.bf16", bf_bits.view(np.uint8).reshape(2, 16), raw_dtype=gguf.GGMLQuantizationType.BF16)
    tensors["t.bf16"] = ("BF16", (bf_bits.astype(np.uint32) << 16).view(np.float32))
    # Q8_0: quantized with the gguf package
    q_src = rng.standard_normal((2, 64)).astype(np.float32)
    q = gguf.quants.quantize(q_src, gguf.GGMLQuantizationType.Q8_0)
    w.add_tensor("t.q8_0", q, raw_dtype=gguf.GGMLQuantizationType.Q8_0)
    tensors["t.q8_0"] = ("Q8_0", gguf.quants.dequantize(q, gguf.GGMLQuantizationType.Q8_0))

    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    meta["general.architecture"] = arch
    types["general.architecture"] = "STRING"
    if alignment is not None:
        meta["general.alignment"] = alignment
        types["general.alignment"] = "UINT32"
    return {"metadata": meta, "types": types, "tensors": tensors}
