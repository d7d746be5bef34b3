"""The inference engine against the numpy oracle (tests/reference.py), invariances and errors."""

import json
import math
import os

import numpy as np
import pytest

import gguf
import pyllm
from pyllm import _core
import reference as R

FLOAT_TYPES = ["F32", "F16", "BF16"]
QUANT_TYPES = ["Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q4_K", "Q5_K", "Q6_K", "IQ4_NL", "IQ4_XS"]


def rel_err(a, ref):
    return float(np.abs(np.asarray(a, np.float64) - ref).max() / np.abs(ref).max())


def mean_err(a, ref):
    return float(np.abs(np.asarray(a, np.float64) - ref).mean() / np.abs(ref).max())


def assert_matches_kv(got, ref_model, ids, kv, tol=1e-3, rows=slice(None)):
    """Engine logits `got` (of ids[rows]) vs the reference with the same KV-cache storage.

    Q8_0: the engine quantizes the float32 K/V it computed, the reference its float64 ones; a value
    within ~1e-7 of a code midpoint takes the neighbouring code (one step, max|block| / 127) in one
    of them. On 600-token prompts that moved single positions by up to 1.7e-3 of the largest logit,
    5.8e-5 on average, against 0.5-1.5e-3 on average for the quantization itself (reference Q8_0 vs
    f32): so the maximum gets 3x the bound and the mean must stay well below the quantization's.
    """
    ref = R.forward(ref_model, ids, kv=kv)[rows]
    if kv != "q8_0":
        assert rel_err(got, ref) < tol, kv
        return
    assert rel_err(got, ref) < 3 * tol
    assert mean_err(got, ref) < 0.2 * mean_err(ref, R.forward(ref_model, ids, kv="f32")[rows])


def tiny(tmp_path_factory, arch, wtype="F32", **kw):
    d = tmp_path_factory.mktemp("tiny")
    n_layer = kw.pop("n_layer", 6 if arch == "gemma3" else 2)
    return R.write_tiny(d / f"{arch}-{wtype}.gguf", arch, wtype, n_layer=n_layer, **kw)


IDS = np.random.default_rng(7).integers(0, 300, size=23)


# ---- numerical agreement with the reference ---------------------------------------------------

@pytest.mark.parametrize("arch", ["llama", "gemma3", "gpt2", "qwen2"])
@pytest.mark.parametrize("wtype", FLOAT_TYPES + QUANT_TYPES)
def test_matches_reference(tmp_path_factory, arch, wtype):
    path = tiny(tmp_path_factory, arch, wtype)
    ref_model = R.RefModel(path)
    m = pyllm.Model(path, n_ctx=64, n_threads=2)
    # f32 KV cache vs the exact float64 reference; f16 KV cache vs the reference with K/V rounded
    # to f16 (that rounding is the cache's documented storage, not an error).
    # Float weights: the engine computes in float32 throughout -> within 1e-3 of the largest logit.
    # Quantized weights: the matmul kernels quantize activations to 8 bits (Q8 blocks of 32, or
    # Q8_K blocks of 256 with one scale each: rounding error up to 0.4 % of a block's max per
    # element), as llama.cpp does; through 2-6 random layers this measured 0.5-6 % of the largest
    # logit and <= 0.03 nat mean |d logprob| over each position's top 10. A real bug (scale, layout, offset) gives O(1) errors.
    # A Q8_0 cache against the reference with K/V through the gguf package's Q8_0 round trip.
    for kv in ("f32", "f16", "q8_0"):
        got = m.session(kv_type=kv).eval(IDS, all_logits=True)
        ref = R.forward(ref_model, IDS, kv=kv)
        assert got.shape == (len(IDS), 300)
        if wtype in FLOAT_TYPES:
            assert_matches_kv(got, ref_model, IDS, kv)
        else:
            assert rel_err(got, ref) < 0.1, (arch, wtype, kv)
            lg, lr = R.log_softmax(got), R.log_softmax(ref)
            top = np.argsort(-lr, axis=1)[:, :10]
            assert np.abs(np.take_along_axis(lg - lr, top, axis=1)).mean() < 0.06, (arch, wtype, kv)


def test_gemma3_sliding_window_and_softcap(tmp_path_factory):
    # 7 layers: 0-4 and 6 local (window 4), 5 global; 23 tokens so the window matters.
    path = tiny(tmp_path_factory, "gemma3", "F32", n_layer=7, sliding_window=4, softcap=3.0)
    ref_model = R.RefModel(path)
    m = pyllm.Model(path, n_ctx=64, n_threads=2)
    assert m.config["layer_swa"] == [True] * 5 + [False, True]
    assert m.config["final_softcap"] == 3.0
    got = m.session(kv_type="f32").eval(IDS, all_logits=True)
    ref = R.forward(ref_model, IDS)
    assert np.abs(ref).max() <= 3.0
    assert rel_err(got, ref) < 1e-3
    # The window is real: a reference without it differs.
    ref_model.md["gemma3.attention.sliding_window"] = 0
    assert rel_err(R.forward(ref_model, IDS), ref) > 1e-2


def test_llama_linear_rope_scaling_and_untied_output(tmp_path_factory):
    path = tiny(tmp_path_factory, "llama", "F32", rope_scale=4.0, tied=False)
    m = pyllm.Model(path, n_ctx=64, n_threads=2)
    assert m.config["rope_scale"] == 0.25 and not m.config["tied_output"]
    got = m.session(kv_type="f32").eval(IDS, all_logits=True)
    assert rel_err(got, R.forward(R.RefModel(path), IDS)) < 1e-3


@pytest.mark.parametrize("n_embd,n_head,n_kv_head", [(384, 12, 2), (240, 6, 1), (168, 7, 7)])
def test_grouped_query_attention_shapes(tmp_path_factory, n_embd, n_head, n_kv_head):
    # Query heads sharing a K/V head are computed together, up to 4 per kernel call: groups of 6
    # (4 + 2) with head_dim 32, a group of 6 with head_dim 40 (16-wide blocks plus an 8-wide tail),
    # and plain multi-head attention (groups of 1) with head_dim 24, against the float64 reference.
    path = tiny(tmp_path_factory, "llama", "F32", n_embd=n_embd, n_head=n_head, n_kv_head=n_kv_head)
    ref_model = R.RefModel(path)
    m = pyllm.Model(path, n_ctx=64, n_threads=2)
    kvs = ("f32", "f16", "q8_0") if (n_embd // n_head) % 32 == 0 else ("f32", "f16")
    for kv in kvs:
        assert_matches_kv(m.session(kv_type=kv).eval(IDS, all_logits=True), ref_model, IDS, kv)
        s = m.session(kv_type=kv, n_batch=1)  # the decode loops, one token at a time
        assert_matches_kv(np.stack([s.eval([t]).copy() for t in IDS]), ref_model, IDS, kv)
    if "q8_0" not in kvs:  # Q8_0 blocks are 32 elements of one head
        with pytest.raises(ValueError, match=f"multiple of 32.* {n_embd // n_head} "):
            m.session(kv_type="q8_0")


def test_gpt2_tiny_matches_torch(golden_dir):
    d = np.load(golden_dir / "gpt2-tiny-random-f16.logits.npz")
    m = pyllm.Model(golden_dir / "gpt2-tiny-random-f16.gguf", n_ctx=64, n_threads=2)
    got = m.session().eval(d["ids"], all_logits=True)
    assert np.abs(got - d["torch_fp32"]).max() < 2e-2
    # and the independent numpy oracle agrees too
    ref = R.forward(R.RefModel(golden_dir / "gpt2-tiny-random-f16.gguf"), d["ids"], kv_f16=True)
    assert rel_err(got, ref) < 1e-3


# ---- invariances ------------------------------------------------------------------------------

@pytest.mark.parametrize("arch", ["llama", "gemma3", "gpt2"])
def test_threads_and_batch_split_bit_identical(tmp_path_factory, arch):
    # Bit-identical whatever the thread count and however a prompt is cut into batches of >= 2
    # tokens. Single-token evals go through the kernels' dedicated matvec kernels (another
    # summation order than the prefill tiles, and for some types another rounding of the
    # activation block sums): identical across thread counts, and close to the batched result
    # (measured: Q8_0/Q4_K/Q6_K < 1e-6 .. 0.5 %, Q4_1 up to 1.2 % of the largest logit - both
    # paths equally close to the numpy reference).
    path = tiny(tmp_path_factory, arch, "Q8_0")
    base = pyllm.Model(path, n_ctx=64, n_threads=1).session().eval(IDS, all_logits=True)
    steps1 = None
    for n_threads in (1, 2, 3):
        m = pyllm.Model(path, n_ctx=64, n_threads=n_threads)
        assert np.array_equal(m.session().eval(IDS, all_logits=True), base)
        # n_batch 5: the prompt is cut into batches inside one eval (the last one has 3 tokens)
        assert np.array_equal(m.session(n_batch=5).eval(IDS, all_logits=True), base)
        # several evals of >= 2 tokens
        s = m.session()
        parts = [s.eval(IDS[a:b], all_logits=True) for a, b in ((0, 7), (7, 9), (9, 20), (20, 23))]
        assert np.array_equal(np.concatenate(parts), base)
        # the last-token view equals the last row
        assert np.array_equal(m.session().eval(IDS), base[-1])
        # token-by-token decoding: identical across thread counts, close to the batched logits
        s = m.session()
        steps = np.stack([s.eval([t]).copy() for t in IDS])
        if steps1 is None:
            steps1 = steps
        assert np.array_equal(steps, steps1)
        assert rel_err(steps, base.astype(np.float64)) < 0.03


@pytest.mark.parametrize("window", [1, 5, 64, 65])
def test_prompt_attention_windows_across_key_tiles(tmp_path_factory, window):
    # The prompt path walks keys in tiles of 64 aligned to positions, shared by blocks of 8 tokens;
    # each query's window starts at its own position inside a tile (window 1: only itself; 5: inside
    # one tile; 64 / 65: exactly one tile / just over). Against the float64 reference, and
    # bit-identical across thread counts and batch cuts (7 cuts blocks mid-way; 64 aligns them).
    path = tiny(tmp_path_factory, "gemma3", "F32", sliding_window=window, n_ctx=400)
    ids = np.random.default_rng(1).integers(0, 300, size=200)
    base = pyllm.Model(path, n_ctx=400, n_threads=1).session().eval(ids, all_logits=True)
    assert rel_err(base, R.forward(R.RefModel(path), ids, kv_f16=True)) < 1e-3
    for n_threads, n_batch in ((2, 7), (3, 64)):
        m = pyllm.Model(path, n_ctx=400, n_threads=n_threads)
        assert np.array_equal(m.session(n_batch=n_batch).eval(ids, all_logits=True), base)


@pytest.mark.parametrize("arch,kw", [("llama", dict(n_embd=320, n_head=10, n_kv_head=2)),  # 5 heads per K/V head
                                     ("gemma3", dict(sliding_window=300)),  # windows over chunk boundaries
                                     ("gpt2", dict(n_ctx=700))])
@pytest.mark.parametrize("kv", ["f16", "f32", "q8_0"])
def test_long_prompts_chunked_attention(tmp_path_factory, arch, kw, kv):
    # A query's keys are cut into chunks of <= 256 (engine/attention.h) whose partial softmaxes are
    # combined: a 600-token prompt has up to 3 chunks per query. Against the float64 reference, and
    # bit-identical across thread counts and batch cuts. Single-token decode deals the chunks of all
    # heads to the threads (the prompt path deals whole queries): identical across thread counts too.
    path = tiny(tmp_path_factory, arch, "F32", **kw)
    ids = np.random.default_rng(3).integers(0, 300, size=600)
    base = pyllm.Model(path, n_ctx=700, n_threads=1).session(kv_type=kv).eval(ids, all_logits=True)
    ref_model = R.RefModel(path)
    assert_matches_kv(base, ref_model, ids, kv)
    steps1 = None
    for n_threads in (1, 2, 3):
        m = pyllm.Model(path, n_ctx=700, n_threads=n_threads)
        if n_threads > 1:
            assert np.array_equal(m.session(kv_type=kv, n_batch=97).eval(ids, all_logits=True), base)
        s = m.session(kv_type=kv)
        s.eval(ids[:530])
        steps = np.stack([s.eval([t]).copy() for t in ids[530:536]])
        if steps1 is None:
            steps1 = steps
        assert np.array_equal(steps, steps1)
        if n_threads == 1:
            assert_matches_kv(steps, ref_model, ids, kv, rows=slice(530, 536))


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="reads VmRSS from /proc")
def test_kv_cache_memory_grows_with_positions(tmp_path_factory):
    # The KV cache is reserved, not filled: a session over 65536 positions (256 MiB of f16 K/V here)
    # commits memory only for the positions written. Huge pages or zero-filling would commit it all.
    # (The session's RoPE tables, 16 MiB, are filled: they are computed at creation.)
    def rss_mib():
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:")) / 1024

    path = tiny(tmp_path_factory, "llama", "F32", n_ctx=65536, n_layer=8)
    m = pyllm.Model(path, n_ctx=65536, n_threads=1)
    m.session(n_ctx=64).eval(IDS)  # the model's own first-use allocations
    before = rss_mib()
    s = m.session()
    s.eval(IDS)
    assert rss_mib() - before < 40, "the 256 MiB cache was committed"
    # ... and a position far into the context still works
    s.eval(np.arange(2000) % 300)
    assert s.n_past == len(IDS) + 2000


@pytest.mark.parametrize("arch,wtype", [("llama", "Q4_0"), ("llama", "Q4_1"), ("gemma3", "Q5_0"), ("gpt2", "Q8_0"),
                                        ("qwen2", "Q4_K"), ("llama", "Q5_K"), ("gemma3", "Q6_K"),
                                        ("qwen2", "Q3_K"), ("llama", "Q2_K"), ("llama", "IQ4_NL"),
                                        ("qwen2", "IQ4_XS")])
def test_repacked_weights(tmp_path_factory, arch, wtype):
    # Model(repack=True), the default, moves these types' matrices to the x8 layout at the first eval.
    # Prompts: bit-identical to repack=False (the prefill panels are packed from the same bytes).
    # Token-by-token decode: the x8 matvec sums the same exact integer block sums in another float
    # order than the row matvec. The first position differs by ~1e-6; later ones more, because a
    # rounding difference can flip an 8-bit activation code downstream (measured up to 1.3 % of the
    # largest logit: the same bound as matvec vs prefill in test_threads_and_batch_split_bit_identical;
    # the tiny llama model in Q3_K reaches 3.3 %, so Q3_K runs as qwen2, the same code plus biases).
    # Still bit-identical across thread counts.
    path = tiny(tmp_path_factory, arch, wtype)
    rows = pyllm.Model(path, n_ctx=64, n_threads=2, repack=False)
    want = rows.session().eval(IDS, all_logits=True)
    assert rows.prepare().n_repacked == 0
    s = rows.session()
    want_steps = np.stack([s.eval([t]).copy() for t in IDS])
    steps1 = None
    for n_threads in (1, 2):
        m = pyllm.Model(path, n_ctx=64, n_threads=n_threads)
        assert m.n_repacked == 0  # nothing happens before the first evaluation (or prepare())
        if n_threads == 2:
            assert m.prepare() is m and m.prepare().n_repacked > 0  # eager, idempotent
        assert np.array_equal(m.session().eval(IDS, all_logits=True), want)
        per_layer = 4 if arch == "gpt2" else 7  # gpt2: fused QKV, output, up, down
        assert m.n_repacked >= per_layer * (6 if arch == "gemma3" else 2)  # every projection of every layer
        s = m.session()
        steps = np.stack([s.eval([t]).copy() for t in IDS])
        steps1 = steps if steps1 is None else steps1
        assert np.array_equal(steps, steps1)
        assert rel_err(steps[:1], want_steps[:1].astype(np.float64)) < 1e-4
        assert rel_err(steps, want_steps.astype(np.float64)) < 0.03


def test_truncate_reset_and_view_semantics(tmp_path_factory):
    path = tiny(tmp_path_factory, "llama", "F16")
    m = pyllm.Model(path, n_ctx=64, n_threads=2)
    s = m.session()
    a, b, c = IDS[:10], IDS[10:15], IDS[15:]
    want = m.session().eval(np.concatenate([a, c]), all_logits=True)
    s.eval(a)
    s.eval(b)
    assert s.n_past == 15
    s.truncate(10)
    assert s.n_past == 10
    got = s.eval(c, all_logits=True)
    assert np.array_equal(got, want[10:])
    s.reset()
    assert s.n_past == 0
    v = s.eval(a)
    assert not v.flags.writeable
    first = v.copy()
    s.eval(b)  # the view is the session's buffer: overwritten by the next eval
    assert not np.array_equal(v, first)
    assert np.array_equal(first, want[9])


# ---- errors -----------------------------------------------------------------------------------

def test_context_overflow_and_bad_ids(tmp_path_factory):
    path = tiny(tmp_path_factory, "llama", "F32")
    m = pyllm.Model(path, n_ctx=16, n_threads=1)
    s = m.session()
    s.eval(IDS[:10])
    with pytest.raises(ValueError, match=r"10 .*7 .*n_ctx = 16"):
        s.eval(IDS[:7])
    assert s.n_past == 10  # unchanged
    with pytest.raises(IndexError, match=r"token id 300 .*300"):
        s.eval([1, 300])
    with pytest.raises(IndexError, match=r"token id -1"):
        s.eval([-1])
    with pytest.raises(ValueError, match="at least one token"):
        s.eval([])
    with pytest.raises(ValueError, match="truncate"):
        s.truncate(11)
    assert s.n_past == 10
    with pytest.raises(ValueError, match="kv_type"):
        m.session(kv_type="q8")


def test_gpt2_context_beyond_learned_positions(tmp_path_factory):
    path = tiny(tmp_path_factory, "gpt2", "F32", n_ctx=32)
    with pytest.raises(ValueError, match="64 exceeds the 32 learned positions"):
        pyllm.Model(path, n_ctx=64).session()


def test_unknown_architecture(tmp_path):
    p = tmp_path / "mamba.gguf"
    w = gguf.GGUFWriter(str(p), "mamba")
    w.add_tensor("token_embd.weight", np.zeros((4, 32), np.float32))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    with pytest.raises(pyllm.UnsupportedModelError, match=r"'mamba'.*llama.*gemma3.*gpt2"):
        pyllm.Model(p)


def test_missing_and_misshaped_tensors(tmp_path_factory):
    path = tiny(tmp_path_factory, "llama", "F32", drop=["blk.1.ffn_up.weight"])
    with pytest.raises(pyllm.GGUFError, match=r"blk\.1\.ffn_up\.weight.*\[256, 512\]"):
        pyllm.Model(path)
    path = tiny(tmp_path_factory, "gemma3", "F32", wrong_shape=["blk.0.attn_k_norm.weight"])
    with pytest.raises(pyllm.GGUFError, match=r"blk\.0\.attn_k_norm\.weight.*expected \[64\]"):
        pyllm.Model(path)
    path = tiny(tmp_path_factory, "llama", "F32", wrong_shape=["blk.0.attn_q.weight"])
    with pytest.raises(pyllm.GGUFError, match=r"blk\.0\.attn_q\.weight.*\[256, 257\].*expected \[256, 256\]"):
        pyllm.Model(path)


def test_missing_metadata_key_is_named(tmp_path):
    p = tmp_path / "nohead.gguf"
    w = gguf.GGUFWriter(str(p), "llama")
    w.add_uint32("llama.context_length", 16)
    w.add_uint32("llama.embedding_length", 32)
    w.add_uint32("llama.block_count", 1)
    w.add_uint32("llama.feed_forward_length", 64)
    w.add_tensor("token_embd.weight", np.zeros((4, 32), np.float32))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    with pytest.raises(pyllm.GGUFError, match="llama.attention.head_count"):
        pyllm.Model(p)


# ---- perplexity (the llama-perplexity method) on token ids -------------------------------------

def test_perplexity_method(tmp_path_factory):
    path = tiny(tmp_path_factory, "gemma3", "F16")  # gemma3 + tokenizer default -> no BOS here
    m = pyllm.Model(path, n_ctx=64, n_threads=2)
    ids = np.random.default_rng(3).integers(0, 300, size=50)
    n_ctx = 16
    rm = R.RefModel(path)
    nll, count = 0.0, 0
    for c in range(len(ids) // n_ctx):
        chunk = ids[c * n_ctx:(c + 1) * n_ctx]
        lp = R.log_softmax(R.forward(rm, chunk, kv_f16=True))
        for j in range(n_ctx // 2, n_ctx - 1):
            nll -= lp[j, chunk[j + 1]]
            count += 1
    want = math.exp(nll / count)
    assert m.perplexity(ids, n_ctx=n_ctx) == pytest.approx(want, rel=1e-4)
    with pytest.raises(ValueError, match="at least n_ctx"):
        m.perplexity(ids[:10], n_ctx=16)


def test_model_kv_type_is_the_sessions_default(tmp_path_factory):
    # Model(kv_type=...) is what its sessions, perplexity and generation use unless told otherwise.
    path = tiny(tmp_path_factory, "gemma3", "F32")
    ids = np.random.default_rng(5).integers(0, 300, size=48)
    m8 = pyllm.Model(path, n_ctx=64, n_threads=2, kv_type="q8_0")
    m16 = pyllm.Model(path, n_ctx=64, n_threads=2)
    assert (m8.kv_type, m16.kv_type) == ("q8_0", "f16")
    # the reserved size: 2 (K, V) x n_layer x n_ctx x n_kv_head x head_dim elements of the type
    c = m8.config
    elems = 2 * c["n_layer"] * 64 * c["n_kv_head"] * c["head_dim"]
    assert m8.session().kv_type == "q8_0" and "kv_type='q8_0'" in repr(m8.session())
    assert m8.session().kv_bytes == elems // 32 * 34
    assert [m16.session(kv_type=t).kv_bytes for t in ("f16", "f32")] == [2 * elems, 4 * elems]
    a = m8.session().eval(ids, all_logits=True)
    assert np.array_equal(a, m16.session(kv_type="q8_0").eval(ids, all_logits=True))
    assert not np.array_equal(a, m16.session().eval(ids, all_logits=True))
    assert m8.perplexity(ids, n_ctx=16) == m16.perplexity(ids, n_ctx=16, kv_type="q8_0")
    assert m8.perplexity(ids, n_ctx=16, kv_type="f16") == m16.perplexity(ids, n_ctx=16)
    # (generation: test_generation_real.py, which has a model with a tokenizer)
    with pytest.raises(ValueError, match="kv_type must be one of 'f16', 'f32', 'q8_0'"):
        pyllm.Model(path, kv_type="q4_0")


def test_scalar_and_simd_paths_agree(tmp_path_factory, tmp_path):
    # The whole forward pass under PYLLM_ISA=scalar (reference kernels, including the scalar
    # attention loops of engine/attn_kernels_scalar.cpp) vs the dispatched SIMD level: the prompt
    # path, then single-token steps (the decode attention loops) over an f16 and a Q8_0 cache.
    import subprocess
    import sys

    path = tiny(tmp_path_factory, "gemma3", "F16", sliding_window=4)
    code = ("import sys, numpy as np, pyllm; m = pyllm.Model(sys.argv[1], n_ctx=64, n_threads=2); "
            "ids = np.array(sys.argv[3].split(','), dtype=np.int32); out = [m.session().eval(ids, all_logits=True)]\n"
            "for kv in ('f16', 'q8_0'):\n"
            "    s = m.session(kv_type=kv); s.eval(ids[:15]); out += [s.eval([t]).copy()[None] for t in ids[15:]]\n"
            "np.save(sys.argv[2], np.concatenate(out))")
    ids = ",".join(str(i) for i in IDS)
    out = {}
    for isa in ("scalar", None):
        env = dict(os.environ)
        env.pop("PYLLM_ISA", None)
        if isa:
            env["PYLLM_ISA"] = isa
        f = tmp_path / f"{isa}.npy"
        subprocess.run([sys.executable, "-c", code, str(path), str(f), ids], env=env, check=True)
        out[isa] = np.load(f)
    assert out[None].shape == (len(IDS) + 2 * (len(IDS) - 15), 300)
    # float32 sums in a different order, then stored to the f16 cache: ~1e-4 differences
    assert rel_err(out[None], out["scalar"].astype(np.float64)) < 1e-3


@pytest.mark.parametrize("isa", ["scalar", "avx2"])
def test_ffn_activations_against_float64(isa):
    # engine/ffn_kernels: the scalar reference (libm) and the AVX2 polynomial exp, against float64
    # numpy, over the whole float range that matters (|x| up to 100, the clamps, zeros, denormal-ish
    # values) and a length that leaves a tail of 5 elements.
    if isa not in _core.available_isas():
        pytest.skip(f"{isa} is not available")
    rng = np.random.default_rng(3)
    x = np.concatenate([np.linspace(-100, 100, 4001), rng.standard_normal(1002) * 4,
                        [0.0, -0.0, 1e-30, -1e-30, 87.9, -87.9, 88.5, -88.5, 1e4, -1e4]]).astype(np.float32)
    up = rng.uniform(-3, 3, x.size).astype(np.float32)
    assert x.size % 8 == 5
    xd, ud = x.astype(np.float64), up.astype(np.float64)
    with np.errstate(over="ignore"):  # e^100: inf, and x / inf = 0 is the right limit
        silu = xd / (1 + np.exp(-xd)) * ud
    gelu = 0.5 * xd * (1 + np.tanh(np.sqrt(2 / np.pi) * (xd + 0.044715 * xd ** 3)))
    for kind, want, u in (("silu", silu, up), ("gelu", gelu * ud, up), ("gelu", gelu, None)):
        got = _core.ffn_activation(x, kind, u, isa=isa).astype(np.float64)
        scale = np.abs(xd) * (np.abs(ud) if u is not None else 1.0)
        assert np.all(np.abs(got - want) <= 1e-6 * scale + 1e-37), (isa, kind, np.max(np.abs(got - want) / (scale + 1e-37)))
        # the tail elements get the same formula as the rest: one element at a time gives the same bits
        one = np.array([_core.ffn_activation(x[i:i + 1], kind, None if u is None else u[i:i + 1], isa=isa)[0]
                        for i in range(x.size - 13, x.size)], np.float32)
        assert np.array_equal(one, got[-13:].astype(np.float32))
    with pytest.raises(ValueError, match="kind"):
        _core.ffn_activation(x, "relu", up)
