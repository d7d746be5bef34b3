"""A corrupt, truncated or hostile GGUF file raises pyllm.GGUFError: never a crash, hang or huge allocation.

All cases are generated into a folder and opened by a worker *subprocess*, so a segfault fails the
test (naming the case) instead of killing pytest. The worker also reports its peak RSS, which must
stay small however large the counts in the file claim to be.
"""

import json
import struct
import subprocess
import sys
import textwrap

import pytest

from gguf_builders import write_sample_gguf

pytest.importorskip("gguf")

WORKER = textwrap.dedent(
    """
    import json, os, resource, sys
    import pyllm
    out = []
    for name in sorted(os.listdir(sys.argv[1])):
        print("CASE", name, flush=True, file=sys.stderr)
        path = os.path.join(sys.argv[1], name)
        try:
            f = pyllm.GGUFFile(path)
            f.metadata; f.tensors
            for t in f.tensors:
                f.tensor_bytes(t.name)
                if t.type in ("F32", "F16", "BF16"):
                    f.tensor(t.name)
            res = ["ok", ""]
        except pyllm.GGUFError as e:
            res = ["GGUFError", str(e)]
        except pyllm.UnsupportedModelError as e:
            res = ["UnsupportedModelError", str(e)]
        except Exception as e:
            res = [type(e).__name__, str(e)]
        out.append([name] + res)
    # Peak RSS of this process's own address space (VmHWM resets at exec; ru_maxrss would
    # include the parent's size at fork time).
    rss_mb = 0.0
    try:
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                rss_mb = int(line.split()[1]) / 1024
    except OSError:
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"results": out, "rss_mb": rss_mb}))
    """
)


class Layout:
    """Byte offsets of the regions of the sample file, parsed independently here."""

    def __init__(self, data: bytes):
        self.data = data
        pos = 24
        n_tensors, n_kv = struct.unpack_from("<QQ", data, 8)
        self.kv_starts = []
        for _ in range(n_kv):
            self.kv_starts.append(pos)
            (klen,) = struct.unpack_from("<Q", data, pos)
            pos += 8 + klen
            (vt,) = struct.unpack_from("<I", data, pos)
            pos += 4
            pos = self._skip_value(vt, pos)
        self.kv_end = pos
        self.tensor_starts = []
        for _ in range(n_tensors):
            self.tensor_starts.append(pos)
            (nlen,) = struct.unpack_from("<Q", data, pos)
            pos += 8 + nlen
            (nd,) = struct.unpack_from("<I", data, pos)
            pos += 4 + 8 * nd + 4 + 8
        self.info_end = pos

    def _skip_value(self, vt, pos):
        sizes = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}
        if vt in sizes:
            return pos + sizes[vt]
        if vt == 8:
            (n,) = struct.unpack_from("<Q", self.data, pos)
            return pos + 8 + n
        if vt == 9:
            (sub,) = struct.unpack_from("<I", self.data, pos)
            (n,) = struct.unpack_from("<Q", self.data, pos + 4)
            pos += 12
            for _ in range(n):
                pos = self._skip_value(sub, pos)
            return pos
        raise AssertionError(vt)


def _kv_key(data, start):
    (klen,) = struct.unpack_from("<Q", data, start)
    return data[start + 8 : start + 8 + klen].decode()


def _make_cases(base: bytes):
    L = Layout(base)
    must_fail = {}  # name -> bytes: must raise GGUFError / UnsupportedModelError
    may_pass = {}  # name -> bytes: a flipped byte may still be a valid file; must not crash

    # -- truncations: every prefix of the header + metadata + tensor infos, and samples in the data
    for n in range(0, L.info_end + 1):
        must_fail[f"trunc_{n:06d}"] = base[:n]
    for n in range(L.info_end + 1, len(base), 7):
        may_pass[f"trunc_data_{n:06d}"] = base[:n]

    # -- single flipped bytes in the header, KV and tensor-info regions (may happen to stay valid)
    for i in range(0, L.info_end):
        b = bytearray(base)
        b[i] ^= 0xFF
        may_pass[f"flip_{i:06d}"] = bytes(b)

    def patched(off, fmt, value):
        b = bytearray(base)
        struct.pack_into(fmt, b, off, value)
        return bytes(b)

    # -- absurd counts and lengths
    must_fail["n_tensors_huge"] = patched(8, "<Q", 2**63)
    must_fail["n_tensors_max"] = patched(8, "<Q", 2**64 - 1)
    must_fail["n_kv_huge"] = patched(16, "<Q", 2**62)
    must_fail["n_kv_plus_one"] = patched(16, "<Q", struct.unpack_from("<Q", base, 16)[0] + 1)
    first_kv = L.kv_starts[0]
    must_fail["key_len_huge"] = patched(first_kv, "<Q", 2**63 + 5)
    must_fail["key_len_past_end"] = patched(first_kv, "<Q", len(base))
    for start in L.kv_starts:
        key = _kv_key(base, start)
        klen = len(key.encode())
        vt_off = start + 8 + klen
        (vt,) = struct.unpack_from("<I", base, vt_off)
        must_fail[f"bad_vtype_{key}"] = patched(vt_off, "<I", 13 + (hash(key) % 1000))
        if vt == 8:  # string: huge length
            must_fail[f"str_len_huge_{key}"] = patched(vt_off + 4, "<Q", 2**62)
        if vt == 9:  # array: huge count, bad subtype
            must_fail[f"arr_count_huge_{key}"] = patched(vt_off + 8, "<Q", 2**61)
            must_fail[f"arr_count_max_{key}"] = patched(vt_off + 8, "<Q", 2**64 - 1)
            must_fail[f"arr_subtype_bad_{key}"] = patched(vt_off + 4, "<I", 99)
        if vt == 7:
            must_fail[f"bool_invalid_{key}"] = patched(vt_off + 4, "<B", 7)

    # -- tensor infos
    for ti, start in enumerate(L.tensor_starts):
        (nlen,) = struct.unpack_from("<Q", base, start)
        nd_off = start + 8 + nlen
        (nd,) = struct.unpack_from("<I", base, nd_off)
        dims_off = nd_off + 4
        type_off = dims_off + 8 * nd
        off_off = type_off + 4
        must_fail[f"t{ti}_name_len_huge"] = patched(start, "<Q", 2**60)
        must_fail[f"t{ti}_ndims_5"] = patched(nd_off, "<I", 5)
        must_fail[f"t{ti}_ndims_huge"] = patched(nd_off, "<I", 2**31)
        must_fail[f"t{ti}_ndims_0"] = patched(nd_off, "<I", 0)
        must_fail[f"t{ti}_dim_overflow"] = patched(dims_off, "<Q", 2**63 - 1)
        must_fail[f"t{ti}_dim_max"] = patched(dims_off, "<Q", 2**64 - 1)
        must_fail[f"t{ti}_dim_big"] = patched(dims_off, "<Q", 2**40)
        must_fail[f"t{ti}_type_unknown"] = patched(type_off, "<I", 1000)
        must_fail[f"t{ti}_type_removed"] = patched(type_off, "<I", 4)
        must_fail[f"t{ti}_offset_past_end"] = patched(off_off, "<Q", len(base) + 4096)
        must_fail[f"t{ti}_offset_huge"] = patched(off_off, "<Q", 2**64 - 32)
        must_fail[f"t{ti}_offset_misaligned"] = patched(off_off, "<Q", struct.unpack_from("<Q", base, off_off)[0] + 1)
        if ti > 0:  # duplicate name: copy tensor 0's name over this one (same length names)
            (n0,) = struct.unpack_from("<Q", base, L.tensor_starts[0])
            if n0 == nlen:
                b = bytearray(base)
                b[start + 8 : start + 8 + nlen] = base[L.tensor_starts[0] + 8 : L.tensor_starts[0] + 8 + n0]
                must_fail[f"t{ti}_duplicate_name"] = bytes(b)

    # -- magic / version
    must_fail["bad_magic"] = b"GGUG" + base[4:]
    must_fail["version_99"] = patched(4, "<I", 99)
    must_fail["version_0"] = patched(4, "<I", 0)
    return must_fail, may_pass


def _hostile_files():
    """Hand-built hostile files that no flip of the sample produces."""
    def s(x: bytes):
        return struct.pack("<Q", len(x)) + x

    hdr = lambda nt, nkv: b"GGUF" + struct.pack("<IQQ", 3, nt, nkv)
    cases = {}
    # an array of arrays nested 1000 deep (stack exhaustion attempt)
    body = b""
    depth = 1000
    nested = struct.pack("<IQ", 5, 0)  # innermost: empty INT32 array
    for _ in range(depth):
        nested = struct.pack("<IQ", 9, 1) + nested
    cases["nested_1000_deep"] = hdr(0, 1) + s(b"k") + struct.pack("<I", 9) + nested
    # a billion-element array of empty arrays would need 12 bytes each: must be rejected up front
    cases["array_of_arrays_huge"] = hdr(0, 1) + s(b"k") + struct.pack("<IIQ", 9, 9, 10**9)
    # a billion strings claimed, none present
    cases["string_array_huge"] = hdr(0, 1) + s(b"k") + struct.pack("<IIQ", 9, 8, 10**9)
    # duplicate key
    kv = s(b"dup") + struct.pack("<IB", 0, 1)
    cases["duplicate_key"] = hdr(0, 2) + kv + kv
    # alignment of the wrong type / zero / not a power of two
    cases["alignment_wrong_type"] = hdr(0, 1) + s(b"general.alignment") + struct.pack("<IQ", 10, 32)
    cases["alignment_zero"] = hdr(0, 1) + s(b"general.alignment") + struct.pack("<II", 4, 0)
    cases["alignment_npot"] = hdr(0, 1) + s(b"general.alignment") + struct.pack("<II", 4, 48)
    # a tensor whose row length is not a multiple of its block size (Q4_0 blocks of 32)
    ti = s(b"t") + struct.pack("<I", 1) + struct.pack("<Q", 33) + struct.pack("<I", 2) + struct.pack("<Q", 0)
    cases["tensor_partial_block"] = hdr(1, 0) + ti + b"\0" * 64
    # data section starts past the end of the file
    ti = s(b"t") + struct.pack("<I", 1) + struct.pack("<Q", 4) + struct.pack("<I", 0) + struct.pack("<Q", 0)
    cases["data_missing"] = hdr(1, 0) + ti
    return cases


def test_every_corruption_raises_gguf_error(tmp_path):
    base_path = tmp_path / "base.gguf"
    write_sample_gguf(base_path)
    base = base_path.read_bytes()
    must_fail, may_pass = _make_cases(base)
    must_fail.update(_hostile_files())
    cases = tmp_path / "cases"
    cases.mkdir()
    for name, data in {**must_fail, **may_pass}.items():
        (cases / name).write_bytes(data)
    (cases / "zz_valid").write_bytes(base)

    proc = subprocess.run([sys.executable, "-c", WORKER, str(cases)], capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        last = [l for l in proc.stderr.splitlines() if l.startswith("CASE")][-1:]
        pytest.fail(f"worker died with code {proc.returncode} at {last}: {proc.stderr[-2000:]}")
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    results = {name: (kind, msg) for name, kind, msg in report["results"]}

    assert results["zz_valid"][0] == "ok"
    bad = {n: results[n] for n in must_fail if results[n][0] not in ("GGUFError", "UnsupportedModelError")}
    assert not bad, f"{len(bad)} corrupt files were not rejected with GGUFError: {dict(list(bad.items())[:10])}"
    odd = {n: results[n] for n in may_pass if results[n][0] not in ("ok", "GGUFError", "UnsupportedModelError")}
    assert not odd, f"unexpected exception types: {dict(list(odd.items())[:10])}"
    # messages are useful: they say what is wrong
    for n in must_fail:
        assert len(results[n][1]) > 20, (n, results[n])
    assert "tensor" in results["t0_offset_past_end"][1]
    for n in must_fail:
        if n.startswith("trunc_"):
            m = results[n][1]
            assert any(w in m for w in ("truncated", "too small", "remain", "bytes left", "bad magic")), (n, m)
    assert "general.alignment" in results["alignment_npot"][1]
    assert "nested" in results["nested_1000_deep"][1]
    assert "duplicate" in results["duplicate_key"][1]
    assert "unknown" in results["t0_type_unknown"][1] or "removed" in results["t0_type_unknown"][1]
    # no allocation in proportion to a hostile count
    assert report["rss_mb"] < 400, report["rss_mb"]
