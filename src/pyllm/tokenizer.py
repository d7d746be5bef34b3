"""pyllm.Tokenizer — the tokenizer of a GGUF model (byte-level BPE or SentencePiece), llama.cpp-exact.

    >>> tok = pyllm.Tokenizer.from_gguf("ggml-vocab-gpt-2.gguf")            # doctest: +SKIP
    >>> tok.encode("Megatron loves only himself")                            # doctest: +SKIP
    [42672, 23484, 10408, 691, 2241]

Text handling: ``str`` is encoded as UTF-8. Lone surrogates (which UTF-8 cannot represent) are
replaced by U+FFFD, one per surrogate, before tokenizing (as tiktoken does). ``bytes`` are passed
through unchanged; invalid UTF-8 is tokenized like llama.cpp does (byte-level BPE: each invalid byte
becomes U+FFFD; SentencePiece: byte-fallback tokens). ``decode`` returns ``str`` with invalid UTF-8
replaced by U+FFFD; ``decode_bytes`` returns the exact bytes.
"""

from __future__ import annotations

import os
from typing import Dict, Iterable, List, Optional, Sequence, Union

from . import _core

__all__ = ["Tokenizer", "IncrementalDecoder"]

TOKEN_TYPES = {0: "undefined", 1: "normal", 2: "unknown", 3: "control", 4: "user_defined", 5: "unused", 6: "byte"}


def _to_bytes(text: Union[str, bytes]) -> bytes:
    if isinstance(text, (bytes, bytearray, memoryview)):
        return bytes(text)
    if not isinstance(text, str):
        raise TypeError(f"text must be str or bytes, not {type(text).__name__}")
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        # Lone surrogates: replace each with U+FFFD.
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace").encode("utf-8")


class IncrementalDecoder:
    """Streaming detokenizer: ``add(id)`` returns the text that is complete so far.

    A multi-byte UTF-8 character split across tokens is held back until it is complete, so no
    piece ever contains a broken character; ``flush()`` returns whatever is left (invalid bytes
    become U+FFFD). Joining all returned pieces gives ``tok.decode(ids)``.
    """

    def __init__(self, core_tok, skip_special_tokens: bool = False, strip_prefix_space: bool = True):
        self._d = _core.Detokenizer(core_tok, bool(skip_special_tokens), bool(strip_prefix_space))

    def add(self, token_id: int) -> str:
        return self._d.add(int(token_id)).decode("utf-8", "replace")

    def flush(self) -> str:
        return self._d.flush().decode("utf-8", "replace")

    def reset(self) -> None:
        self._d.reset()


class Tokenizer:
    """Tokenizer loaded from the ``tokenizer.ggml.*`` metadata of a GGUF file (weights untouched)."""

    def __init__(self, core_tok):
        self._tok = core_tok
        self._vocab: Optional[Dict[str, int]] = None
        self._tokens: Optional[List[str]] = None

    @classmethod
    def from_gguf(cls, path: Union[str, os.PathLike]) -> "Tokenizer":
        """Load from a GGUF model or vocabulary-only file."""
        return cls(_core.Tokenizer.from_gguf(os.fspath(path)))

    # ---- encoding ------------------------------------------------------------------------------
    def encode(self, text: Union[str, bytes], add_special_tokens: bool = True, special: bool = False) -> List[int]:
        """Text -> token ids.

        add_special_tokens: add BOS/EOS where the vocabulary says so (``add_bos_token``/``add_eos_token``).
        special: parse control tokens written in the text (``<|im_start|>``, ``<|endoftext|>``, ...)
        as single ids; otherwise they are ordinary text. User-defined tokens are always matched.
        """
        return self._tok.encode(_to_bytes(text), bool(add_special_tokens), bool(special))

    def encode_batch(self, texts: Iterable[Union[str, bytes]], add_special_tokens: bool = True,
                     special: bool = False, n_threads: Optional[int] = None) -> List[List[int]]:
        """Encode many texts on ``n_threads`` threads (None: all cores), GIL released."""
        data = [_to_bytes(t) for t in texts]
        return self._tok.encode_batch(data, bool(add_special_tokens), bool(special), int(n_threads or 0))

    def tokenize(self, text: Union[str, bytes], add_special_tokens: bool = False, special: bool = False) -> List[str]:
        """Text -> token strings as stored in the vocabulary (e.g. ``'Ġloves'``, ``'▁Hello'``)."""
        return self.convert_ids_to_tokens(self.encode(text, add_special_tokens, special))

    # ---- decoding ------------------------------------------------------------------------------
    def decode(self, ids: Iterable[int], skip_special_tokens: bool = False) -> str:
        """Token ids -> text (invalid UTF-8 becomes U+FFFD). Raises ValueError for an unknown id."""
        return self.decode_bytes(ids, skip_special_tokens).decode("utf-8", "replace")

    def decode_bytes(self, ids: Iterable[int], skip_special_tokens: bool = False) -> bytes:
        """Token ids -> the exact bytes they stand for."""
        return self._tok.decode(list(ids) if not isinstance(ids, (list, tuple)) else ids, bool(skip_special_tokens))

    def decoder(self, skip_special_tokens: bool = False, strip_prefix_space: bool = True) -> IncrementalDecoder:
        """A streaming decoder: ``d = tok.decoder(); for i in ids: print(d.add(i), end='')``.

        strip_prefix_space: like ``decode``, drop the space a SentencePiece vocabulary prefixes to
        the text (first token, or first after BOS). Pass False when streaming a continuation
        (tokens generated after a prompt), where a leading space is real.
        """
        return IncrementalDecoder(self._tok, skip_special_tokens, strip_prefix_space)

    def token_to_piece(self, token_id: int) -> bytes:
        """The bytes one token decodes to (control tokens: their text)."""
        self._check(token_id)
        return self._tok.token_to_piece(int(token_id))

    # ---- vocabulary ----------------------------------------------------------------------------
    def _check(self, token_id: int) -> None:
        if not (0 <= int(token_id) < self.vocab_size):
            raise ValueError(f"token id {token_id} is out of range (vocabulary size {self.vocab_size})")

    def convert_ids_to_tokens(self, ids: Union[int, Sequence[int]]):
        if isinstance(ids, int):
            self._check(ids)
            return self._all_tokens()[ids]
        toks = self._all_tokens()
        out = []
        for i in ids:
            self._check(i)
            out.append(toks[i])
        return out

    def convert_tokens_to_ids(self, tokens: Union[str, Sequence[str]]):
        """Token string(s) -> id(s); unknown strings map to the UNK id (or None without one)."""
        self.get_vocab()
        vocab = self._vocab
        unk = self.unk_token_id
        if isinstance(tokens, str):
            return vocab.get(tokens, unk)
        return [vocab.get(t, unk) for t in tokens]

    def _all_tokens(self) -> List[str]:
        if self._tokens is None:
            self._tokens = self._tok.tokens()
        return self._tokens

    def get_vocab(self) -> Dict[str, int]:
        """token string -> id (a later duplicate string wins, as in the tokenizer itself)."""
        if self._vocab is None:
            self._vocab = {t: i for i, t in enumerate(self._all_tokens())}
        return dict(self._vocab)

    def token_type(self, token_id: int) -> str:
        """'normal', 'control', 'user_defined', 'byte', 'unknown', 'unused' or 'undefined'."""
        self._check(token_id)
        return TOKEN_TYPES.get(self._tok.token_type(int(token_id)), "undefined")

    def is_eog(self, token_id: int) -> bool:
        """True for end-of-generation tokens (EOS, EOT, <|im_end|>, <end_of_turn>, ...)."""
        return self._tok.is_eog(int(token_id))

    @property
    def eog_token_ids(self) -> List[int]:
        return list(self._tok.eog_ids)

    @property
    def vocab_size(self) -> int:
        return self._tok.n_vocab

    def __len__(self) -> int:
        return self.vocab_size

    @property
    def model(self) -> str:
        """``tokenizer.ggml.model``: 'gpt2' (byte-level BPE) or 'llama' (SentencePiece)."""
        return self._tok.model

    @property
    def pre(self) -> str:
        """``tokenizer.ggml.pre`` (the pre-tokenizer family)."""
        return self._tok.pre

    def _special(self, name: str) -> Optional[int]:
        v = self._tok.special_ids[name]
        return None if v < 0 else v

    @property
    def bos_token_id(self) -> Optional[int]:
        return self._special("bos")

    @property
    def eos_token_id(self) -> Optional[int]:
        return self._special("eos")

    @property
    def eot_token_id(self) -> Optional[int]:
        return self._special("eot")

    @property
    def eom_token_id(self) -> Optional[int]:
        return self._special("eom")

    @property
    def pad_token_id(self) -> Optional[int]:
        return self._special("pad")

    @property
    def unk_token_id(self) -> Optional[int]:
        return self._special("unk")

    @property
    def add_bos_token(self) -> bool:
        return self._tok.add_bos

    @property
    def add_eos_token(self) -> bool:
        return self._tok.add_eos

    def __repr__(self) -> str:
        return f"Tokenizer(model={self.model!r}, pre={self.pre!r}, vocab_size={self.vocab_size})"
