"""The oracle: a numpy float64 forward pass per architecture, and tiny random GGUF models.

Independent of pyllm: GGUF files are read with the ``gguf`` package (``gguf.GGUFReader``) and
weights dequantized with ``gguf.quants.dequantize``. The maths follows each architecture's
published definition (see the comments of src/cpp/model/arch_*.cpp for the facts used):

* llama:  RMSNorm, RoPE on adjacent pairs, GQA, SwiGLU, scores / sqrt(head_dim).
* qwen2:  llama + Q/K/V biases, NEOX RoPE (rotate halves).
* gemma3: embeddings · sqrt(n_embd), RMSNorm before and after attention and FFN, per-head RMSNorm
          of q and k, NEOX RoPE with base 10000 on sliding-window layers (il % 6 < 5) and
          rope.freq_base on the others, window = attention.sliding_window, GELU(tanh)-gated FFN.
* gpt2:   learned positions, LayerNorm with bias, fused QKV with bias, GELU(tanh) MLP.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Dict, Optional, Sequence

import numpy as np

import gguf
from gguf import quants


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------

class RefModel:
    """All tensors of a GGUF file dequantized to float64 (numpy order: (n_out, n_in))."""

    def __init__(self, path: "str | Path"):
        r = gguf.GGUFReader(str(path))
        self.md: Dict[str, Any] = {}
        for k, f in r.fields.items():
            if k.startswith("GGUF."):
                continue
            try:
                self.md[k] = f.contents()
            except Exception:  # noqa: BLE001 - exotic field types are not needed here
                pass
        self.t: Dict[str, np.ndarray] = {}
        for t in r.tensors:
            shape = [int(x) for x in reversed(list(t.shape))]
            a = quants.dequantize(t.data, t.tensor_type).astype(np.float64).reshape(shape)
            self.t[t.name] = a
        self.arch = self.md["general.architecture"]

    def get(self, key: str, default: Any = None) -> Any:
        return self.md.get(f"{self.arch}.{key}", default)


def _rms(x, w, eps):
    return x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + eps) * w


def _ln(x, w, b, eps):
    mu = x.mean(axis=-1, keepdims=True)
    var = ((x - mu) ** 2).mean(axis=-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * w + b


def _gelu(x):
    return 0.5 * x * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))


def _silu(x):
    return x / (1.0 + np.exp(-x))


def _rope(x, pos, n_rot, base, scale, neox, factors=None):
    """x: [T, H, D] rotated in place over its first n_rot dims."""
    half = n_rot // 2
    inv = scale * base ** (-2.0 * np.arange(half) / n_rot)
    if factors is not None:
        inv = inv / factors
    th = pos[:, None] * inv[None, :]
    c, s = np.cos(th)[:, None, :], np.sin(th)[:, None, :]
    if neox:
        ia, ib = np.arange(half), np.arange(half) + half
    else:
        ia, ib = np.arange(0, n_rot, 2), np.arange(1, n_rot, 2)
    a, b = x[..., ia].copy(), x[..., ib].copy()
    x[..., ia] = a * c - b * s
    x[..., ib] = a * s + b * c
    return x


def _attention(q, k, v, scale, window=0, softcap=0.0):
    """q: [T, H, D], k, v: [T, Hkv, D] for positions 0..T-1 -> [T, H*D]."""
    T, H, D = q.shape
    group = H // k.shape[1]
    out = np.zeros((T, H, D))
    i = np.arange(T)[:, None]
    j = np.arange(T)[None, :]
    mask = j > i
    if window:
        mask = mask | (i - j >= window)
    for h in range(H):
        g = h // group
        s = q[:, h, :] @ k[:, g, :].T * scale
        if softcap:
            s = softcap * np.tanh(s / softcap)
        s = np.where(mask, -np.inf, s)
        s = s - s.max(axis=1, keepdims=True)
        p = np.exp(s)
        p /= p.sum(axis=1, keepdims=True)
        out[:, h, :] = p @ v[:, g, :]
    return out.reshape(T, H * D)


def forward(m: RefModel, ids: Sequence[int], kv_f16: bool = False, kv: str = "f32") -> np.ndarray:
    """Logits [T, n_vocab] (float64) after each of ``ids`` evaluated from position 0.

    ``kv`` is the KV cache's storage: K (after RoPE) and V go through it before attention reads them.
    "f32": kept (the exact reference); "f16": rounded to float16 (``kv_f16=True`` is the same);
    "q8_0": rounded to float32, then quantized to GGUF Q8_0 blocks of 32 along each head's dims and
    dequantized by the gguf package (the engine's cache quantizes the float32 rows it computed).
    """
    if kv_f16:
        kv = "f16"
    if kv not in ("f32", "f16", "q8_0"):
        raise ValueError(kv)
    a = m.arch
    ids = np.asarray(ids, dtype=np.int64)
    T = len(ids)
    pos = np.arange(T, dtype=np.float64)
    E = int(m.get("embedding_length"))
    H = int(m.get("attention.head_count"))
    Hkv = int(m.get("attention.head_count_kv", H))
    D = int(m.get("attention.key_length", E // H))
    n_layer = int(m.get("block_count"))
    emb = m.t["token_embd.weight"]
    out_w = m.t.get("output.weight", emb)
    x = emb[ids].copy()

    def kv_round(z):
        if kv == "f16":
            return z.astype(np.float16).astype(np.float64)
        if kv == "q8_0":
            q8 = gguf.GGMLQuantizationType.Q8_0
            blocks = gguf.quants.quantize(np.ascontiguousarray(z, dtype=np.float32).reshape(-1, 32), q8)
            return gguf.quants.dequantize(blocks, q8).astype(np.float64).reshape(z.shape)
        return z

    if a == "gpt2":
        eps = float(m.get("attention.layer_norm_epsilon"))
        x = x + m.t["position_embd.weight"][:T]
        for il in range(n_layer):
            p = f"blk.{il}."
            n = _ln(x, m.t[p + "attn_norm.weight"], m.t[p + "attn_norm.bias"], eps)
            qkv = n @ m.t[p + "attn_qkv.weight"].T + m.t[p + "attn_qkv.bias"]
            q = qkv[:, :H * D].reshape(T, H, D)
            k = kv_round(qkv[:, H * D:H * D + Hkv * D].reshape(T, Hkv, D))
            v = kv_round(qkv[:, H * D + Hkv * D:].reshape(T, Hkv, D))
            att = _attention(q, k, v, 1.0 / math.sqrt(D))
            x = x + att @ m.t[p + "attn_output.weight"].T + m.t[p + "attn_output.bias"]
            n = _ln(x, m.t[p + "ffn_norm.weight"], m.t[p + "ffn_norm.bias"], eps)
            hdn = _gelu(n @ m.t[p + "ffn_up.weight"].T + m.t[p + "ffn_up.bias"])
            x = x + hdn @ m.t[p + "ffn_down.weight"].T + m.t[p + "ffn_down.bias"]
        x = _ln(x, m.t["output_norm.weight"], m.t["output_norm.bias"], eps)
        return x @ out_w.T

    eps = float(m.get("attention.layer_norm_rms_epsilon"))
    n_rot = int(m.get("rope.dimension_count", D))
    base = float(m.get("rope.freq_base", 10000.0))
    factor = m.get("rope.scaling.factor")
    scale = 1.0 / float(factor) if factor else 1.0
    gemma = a == "gemma3"
    neox = a in ("gemma3", "qwen2")
    factors = m.t.get("rope_freqs.weight")
    window = int(m.get("attention.sliding_window", 0)) if gemma else 0
    softcap = float(m.get("final_logit_softcapping", 0.0) or 0.0) if gemma else 0.0
    if gemma:
        x = x * math.sqrt(E)
    for il in range(n_layer):
        p = f"blk.{il}."
        local = gemma and (il % 6) < 5
        n = _rms(x, m.t[p + "attn_norm.weight"], eps)
        q = n @ m.t[p + "attn_q.weight"].T
        k = n @ m.t[p + "attn_k.weight"].T
        v = n @ m.t[p + "attn_v.weight"].T
        if a == "qwen2":
            q, k, v = q + m.t[p + "attn_q.bias"], k + m.t[p + "attn_k.bias"], v + m.t[p + "attn_v.bias"]
        q, k, v = q.reshape(T, H, D), k.reshape(T, Hkv, D), v.reshape(T, Hkv, D)
        if gemma:
            q = _rms(q, m.t[p + "attn_q_norm.weight"], eps)
            k = _rms(k, m.t[p + "attn_k_norm.weight"], eps)
        b, sc = (10000.0, 1.0) if local else (base, scale)
        q = _rope(q, pos, n_rot, b, sc, neox, None if local else factors)
        k = _rope(k, pos, n_rot, b, sc, neox, None if local else factors)
        att = _attention(q, kv_round(k), kv_round(v), 1.0 / math.sqrt(D), window if local else 0)
        o = att @ m.t[p + "attn_output.weight"].T
        if gemma:
            o = _rms(o, m.t[p + "post_attention_norm.weight"], eps)
        x = x + o
        n = _rms(x, m.t[p + "ffn_norm.weight"], eps)
        g = n @ m.t[p + "ffn_gate.weight"].T
        u = n @ m.t[p + "ffn_up.weight"].T
        hdn = (_gelu(g) if gemma else _silu(g)) * u
        o = hdn @ m.t[p + "ffn_down.weight"].T
        if gemma:
            o = _rms(o, m.t[p + "post_ffw_norm.weight"], eps)
        x = x + o
    x = _rms(x, m.t["output_norm.weight"], eps)
    logits = x @ out_w.T
    if softcap:
        logits = softcap * np.tanh(logits / softcap)
    return logits


# ---------------------------------------------------------------------------------------------
# Tiny random models
# ---------------------------------------------------------------------------------------------

QTYPES = {name: gguf.GGMLQuantizationType[name] for name in
          ("F32", "F16", "BF16", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K",
           "IQ4_NL", "IQ4_XS")}

# Byte offsets of the float16 scale fields in the K-quant blocks (for random-block generation).
_KQ_LAYOUT = {  # type: (block bytes, {offset of an f16 field: its value range})
    # Scales chosen so that weights have std ~ 1/sqrt(256) and mean ~ 0 like a real layer:
    # Q4_K/Q5_K: w = d·sc·q - dmin·m with 6-bit sc, m (mean 31.5) and q in [0,15] / [0,31];
    # Q6_K: w = d·sc·(q-32) with int8 sc;  Q3_K: w = d·(sc-32)·(q-4) with 6-bit sc, q in [0,7].
    "Q2_K": (84, {80: 4.5e-3, 82: 4.5e-3 * 1.5}),  # w = d·(sc&15)·q - dmin·(sc>>4), q in [0,3]
    "Q3_K": (110, {108: 1.5e-3}),
    "Q4_K": (144, {0: 2.5e-4, 2: 2.5e-4 * 7.5}),
    "Q5_K": (176, {0: 1.2e-4, 2: 1.2e-4 * 15.5}),
    "Q6_K": (210, {208: 5e-5}),
    # IQ4_NL: w = d·table[q] (|table| ~ 60, per 32);  IQ4_XS: w = d·(sc-32)·table[q], 6-bit sc
    "IQ4_NL": (18, {0: 1e-3}),
    "IQ4_XS": (136, {0: 6e-5}),
}


def _encode(w: np.ndarray, wtype: str, rng: np.random.Generator):
    """(data, raw_dtype) for GGUFWriter.add_tensor. K-quants and IQ4: random blocks with sane scales
    (gguf cannot quantize them), so the oracle is gguf's dequantization of those very bytes."""
    if wtype == "F32":
        return w.astype(np.float32), None
    if wtype == "F16":
        return w.astype(np.float16), None
    qt = QTYPES[wtype]
    if wtype in _KQ_LAYOUT:
        bsize, fields = _KQ_LAYOUT[wtype]
        n_out, n_in = w.shape
        nb = n_in // gguf.GGML_QUANT_SIZES[qt][0]
        raw = rng.integers(0, 256, size=(n_out, nb, bsize), dtype=np.uint8)
        for off, scale in fields.items():
            d = (rng.uniform(0.8, 1.2, size=(n_out, nb)) * scale).astype(np.float16)
            raw[:, :, off:off + 2] = d.view(np.uint8).reshape(n_out, nb, 2)
        return raw.reshape(n_out, nb * bsize), qt
    return quants.quantize(w.astype(np.float32), qt), qt


def write_tiny(path: "str | Path", arch: str, wtype: str = "F32", seed: int = 0, *, n_embd: int = 256,
               n_head: int = 4, n_kv_head: int = 2, n_ff: int = 512, n_layer: int = 2, n_vocab: int = 300,
               n_ctx: int = 64, sliding_window: int = 5, tied: bool = True,
               rope_scale: Optional[float] = None, softcap: Optional[float] = None,
               drop: Sequence[str] = (), wrong_shape: Sequence[str] = ()) -> Path:
    """Write a random ``arch`` model (matrices in ``wtype``, vectors in F32) and return its path.

    ``drop``: tensor names to leave out; ``wrong_shape``: tensor names written with one extra row
    (both for error tests)."""
    rng = np.random.default_rng(seed)
    path = Path(path)
    w = gguf.GGUFWriter(str(path), arch)
    D = n_embd // n_head if arch != "gemma3" else 64
    qd, kd = n_head * D, n_kv_head * D
    w.add_uint32(f"{arch}.context_length", n_ctx)
    w.add_uint32(f"{arch}.embedding_length", n_embd)
    w.add_uint32(f"{arch}.feed_forward_length", n_ff)
    w.add_uint32(f"{arch}.block_count", n_layer)
    w.add_uint32(f"{arch}.attention.head_count", n_head)
    if arch != "gpt2":
        w.add_uint32(f"{arch}.attention.head_count_kv", n_kv_head)
    if arch == "gpt2":
        kd = qd
        w.add_float32(f"{arch}.attention.layer_norm_epsilon", 1e-5)
    else:
        w.add_float32(f"{arch}.attention.layer_norm_rms_epsilon", 1e-6 if arch == "gemma3" else 1e-5)
        w.add_float32(f"{arch}.rope.freq_base", 1e6 if arch == "gemma3" else 10000.0)
        w.add_uint32(f"{arch}.rope.dimension_count", D)
    if arch == "gemma3":
        w.add_uint32(f"{arch}.attention.key_length", D)
        w.add_uint32(f"{arch}.attention.value_length", D)
        w.add_uint32(f"{arch}.attention.sliding_window", sliding_window)
        if softcap:
            w.add_float32(f"{arch}.final_logit_softcapping", softcap)
    if rope_scale:
        w.add_string(f"{arch}.rope.scaling.type", "linear")
        w.add_float32(f"{arch}.rope.scaling.factor", rope_scale)
    w.add_uint32("tokenizer.ggml.bos_token_id", 1)

    def mat(name, n_out, n_in, std=None):
        if name in drop:
            return
        if name in wrong_shape:
            n_out += 1
        std = std if std is not None else 1.0 / math.sqrt(n_in)
        data, qt = _encode(rng.normal(0.0, std, size=(n_out, n_in)), wtype, rng)
        if qt is None:
            w.add_tensor(name, data)
        else:
            w.add_tensor(name, data, raw_dtype=qt)

    def vec(name, n, mean=0.0, std=0.1):
        if name in drop:
            return
        if name in wrong_shape:
            n += 1
        w.add_tensor(name, (mean + rng.normal(0.0, std, size=n)).astype(np.float32))

    mat("token_embd.weight", n_vocab, n_embd, std=0.1 if arch != "gemma3" else 0.05)
    if not tied:
        mat("output.weight", n_vocab, n_embd)
    vec("output_norm.weight", n_embd, 1.0)
    if arch == "gpt2":
        vec("output_norm.bias", n_embd)
        w.add_tensor("position_embd.weight", rng.normal(0, 0.3, size=(n_ctx, n_embd)).astype(np.float32))
    for il in range(n_layer):
        p = f"blk.{il}."
        vec(p + "attn_norm.weight", n_embd, 1.0)
        if arch == "gpt2":
            vec(p + "attn_norm.bias", n_embd)
            mat(p + "attn_qkv.weight", qd + 2 * kd, n_embd)
            vec(p + "attn_qkv.bias", qd + 2 * kd)
            mat(p + "attn_output.weight", n_embd, qd)
            vec(p + "attn_output.bias", n_embd)
            vec(p + "ffn_norm.weight", n_embd, 1.0)
            vec(p + "ffn_norm.bias", n_embd)
            mat(p + "ffn_up.weight", n_ff, n_embd)
            vec(p + "ffn_up.bias", n_ff)
            mat(p + "ffn_down.weight", n_embd, n_ff)
            vec(p + "ffn_down.bias", n_embd)
            continue
        mat(p + "attn_q.weight", qd, n_embd)
        mat(p + "attn_k.weight", kd, n_embd)
        mat(p + "attn_v.weight", kd, n_embd)
        if arch == "qwen2":
            vec(p + "attn_q.bias", qd)
            vec(p + "attn_k.bias", kd)
            vec(p + "attn_v.bias", kd)
        mat(p + "attn_output.weight", n_embd, qd)
        if arch == "gemma3":
            vec(p + "attn_q_norm.weight", D, 1.0)
            vec(p + "attn_k_norm.weight", D, 1.0)
            vec(p + "post_attention_norm.weight", n_embd, 1.0)
            vec(p + "post_ffw_norm.weight", n_embd, 1.0)
        vec(p + "ffn_norm.weight", n_embd, 1.0)
        mat(p + "ffn_gate.weight", n_ff, n_embd)
        mat(p + "ffn_up.weight", n_ff, n_embd)
        mat(p + "ffn_down.weight", n_embd, n_ff)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return path


def log_softmax(logits: np.ndarray) -> np.ndarray:
    x = np.asarray(logits, dtype=np.float64)
    mx = x.max(axis=-1, keepdims=True)
    return x - mx - np.log(np.exp(x - mx).sum(axis=-1, keepdims=True))
