"""A tiny synthetic GGUF model whose next token is controlled: a lookup table, not a language model.

Architecture llama, one layer, attention and FFN outputs zero, token embeddings one-hot: the
hidden state after the stack is the one-hot of the current token, so the logits are a table row:
``logits[next] = TABLE[current][next]``. The vocabulary (SentencePiece-style, ``tokenizer.ggml.model
= llama``) has words chosen so that stop strings can be split across tokens. Greedy chains:

    A  -> " the" " end" " is" " ne" "ar" "." " X" "Y" "Z" -> " the" ...   (a cycle)
    Q  -> " bye" </s>                                                     (EOS)
    R  -> " ok" <|im_end|>                                                (an EOG control token)
    E  -> <0xC3> <0xA9> "!" </s>                                          ("é!" split over byte tokens)

Off-chain entries are random (seeded) and ``SOFT`` lowers the margin so sampling at temperature > 1
really varies.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Dict, List

import numpy as np

TOKENS: List[str] = ["<unk>", "<s>", "</s>", "<|im_end|>", "A", "Q", "R", "E",
                     "\u2581the", "\u2581end", "\u2581is", "\u2581ne", "ar", ".", "\u2581X", "Y", "Z",
                     "\u2581bye", "\u2581ok", "<0xC3>", "<0xA9>", "!", "\u2581", "n", "e", "a", "r", "d", "s"]
TYPES = [2, 3, 3, 3] + [1] * 15 + [6, 6] + [1] * 8
ID: Dict[str, int] = {t: i for i, t in enumerate(TOKENS)}
CHAINS = [
    ["A", "\u2581the", "\u2581end", "\u2581is", "\u2581ne", "ar", ".", "\u2581X", "Y", "Z", "\u2581the"],
    ["Q", "\u2581bye", "</s>"],
    ["R", "\u2581ok", "<|im_end|>"],
    ["E", "<0xC3>", "<0xA9>", "!", "</s>"],
]
MARGIN = 8.0
CHAT_TEMPLATE = ("{% for m in messages %}{{ m['role'] + ': ' + m['content'] + '\\n' }}{% endfor %}"
                 "{% if add_generation_prompt %}{{ 'R' }}{% endif %}")


def table(seed: int = 0, soft: bool = False) -> np.ndarray:
    """[n_vocab][n_vocab]: row = current token, column = next token logit."""
    rng = np.random.default_rng(seed)
    V = len(TOKENS)
    t = rng.normal(0.0, 1.0, size=(V, V))
    for chain in CHAINS:
        for a, b in zip(chain, chain[1:]):
            t[ID[a], ID[b]] = MARGIN if not soft else 1.5
    return t


def write_chain_model(path: "str | Path", seed: int = 0, soft: bool = False, n_ctx: int = 64,
                      chat_template: bool = False) -> Path:
    import gguf

    V = len(TOKENS)
    E = 32  # >= V: one-hot embeddings
    assert E >= V
    H, D, F = 2, 16, 32
    path = Path(path)
    w = gguf.GGUFWriter(str(path), "llama")
    w.add_uint32("llama.context_length", n_ctx)
    w.add_uint32("llama.embedding_length", E)
    w.add_uint32("llama.feed_forward_length", F)
    w.add_uint32("llama.block_count", 1)
    w.add_uint32("llama.attention.head_count", H)
    w.add_uint32("llama.attention.head_count_kv", H)
    w.add_float32("llama.attention.layer_norm_rms_epsilon", 1e-6)
    w.add_float32("llama.rope.freq_base", 10000.0)
    w.add_uint32("llama.rope.dimension_count", D)
    w.add_string("tokenizer.ggml.model", "llama")
    w.add_string("tokenizer.ggml.pre", "default")
    w.add_array("tokenizer.ggml.tokens", TOKENS)
    w.add_array("tokenizer.ggml.scores", [0.0] * V)
    w.add_array("tokenizer.ggml.token_type", TYPES)
    w.add_uint32("tokenizer.ggml.unknown_token_id", 0)
    w.add_uint32("tokenizer.ggml.bos_token_id", 1)
    w.add_uint32("tokenizer.ggml.eos_token_id", 2)
    w.add_bool("tokenizer.ggml.add_bos_token", False)
    w.add_bool("tokenizer.ggml.add_space_prefix", False)
    if chat_template:
        w.add_string("tokenizer.chat_template", CHAT_TEMPLATE)

    rng = np.random.default_rng(seed + 1)
    embd = np.zeros((V, E), np.float32)
    embd[np.arange(V), np.arange(V)] = 1.0
    w.add_tensor("token_embd.weight", embd)
    # rms_norm(one-hot) = one-hot * sqrt(E): scale the table down by that.
    out = np.zeros((V, E), np.float32)
    out[:, :V] = (table(seed, soft).T / math.sqrt(E)).astype(np.float32)
    w.add_tensor("output.weight", out)
    w.add_tensor("output_norm.weight", np.ones(E, np.float32))
    w.add_tensor("blk.0.attn_norm.weight", np.ones(E, np.float32))
    for name in ("attn_q", "attn_k", "attn_v"):
        w.add_tensor(f"blk.0.{name}.weight", rng.normal(0, 0.2, size=(H * D, E)).astype(np.float32))
    w.add_tensor("blk.0.attn_output.weight", np.zeros((E, H * D), np.float32))
    w.add_tensor("blk.0.ffn_norm.weight", np.ones(E, np.float32))
    w.add_tensor("blk.0.ffn_gate.weight", rng.normal(0, 0.2, size=(F, E)).astype(np.float32))
    w.add_tensor("blk.0.ffn_up.weight", rng.normal(0, 0.2, size=(F, E)).astype(np.float32))
    w.add_tensor("blk.0.ffn_down.weight", np.zeros((E, F), np.float32))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return path


def ids(*tokens: str) -> List[int]:
    return [ID[t] for t in tokens]
