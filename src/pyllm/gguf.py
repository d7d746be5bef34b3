"""Read GGUF files: metadata, the tensor table, tensors as numpy arrays."""

from __future__ import annotations

import os
from typing import Any, Dict, List, NamedTuple, Optional, Tuple

import numpy as np

from . import _core

__all__ = ["GGUFFile", "TensorInfo"]


class TensorInfo(NamedTuple):
    """One entry of a GGUF tensor table.

    ``shape`` is in numpy order (slowest dimension first: ``(rows, row_length)`` for a matrix), i.e.
    the reverse of GGUF's ``ne`` order. ``offset`` is the absolute byte offset in the file.
    """

    name: str
    type: str
    shape: Tuple[int, ...]
    offset: int
    nbytes: int

    @property
    def n_elements(self) -> int:
        n = 1
        for d in self.shape:
            n *= d
        return n


class GGUFFile:
    """A memory-mapped, validated GGUF file (versions 2 and 3).

    Opening parses and checks the header, metadata and tensor table against the file size; a
    corrupt, truncated or hostile file raises :class:`pyllm.GGUFError` naming what is wrong.
    Tensor data is not read until asked for.

        with pyllm.GGUFFile("model.gguf") as f:
            print(f.architecture, len(f.tensors))
            emb = f.tensor("token_embd.weight")   # numpy float32, shape (n_vocab, n_embd)

    Arrays returned by :meth:`tensor` stay valid after :meth:`close` (they keep the mapping alive).
    """

    def __init__(self, path: "str | os.PathLike[str]"):
        self._path = os.fspath(path)
        self._f: Optional[_core.GGUFFile] = _core.GGUFFile(self._path)
        self._metadata: Optional[Dict[str, Any]] = None
        self._tensors: Optional[List[TensorInfo]] = None
        self._by_name: Optional[Dict[str, TensorInfo]] = None

    # -- lifecycle -----------------------------------------------------------------------------
    def close(self) -> None:
        """Release this object's reference to the mapping (idempotent)."""
        self._f = None

    def __enter__(self) -> "GGUFFile":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def _file(self) -> _core.GGUFFile:
        if self._f is None:
            raise ValueError(f"GGUFFile '{self._path}' is closed")
        return self._f

    def __repr__(self) -> str:
        state = "closed" if self._f is None else f"{len(self.tensors)} tensors"
        return f"GGUFFile({self._path!r}, {state})"

    # -- header ----------------------------------------------------------------------------------
    @property
    def path(self) -> str:
        return self._path

    @property
    def version(self) -> int:
        return self._file.version

    @property
    def alignment(self) -> int:
        return self._file.alignment

    @property
    def data_offset(self) -> int:
        """Absolute byte offset of the tensor data section."""
        return self._file.data_offset

    @property
    def file_size(self) -> int:
        return self._file.file_size

    # -- metadata --------------------------------------------------------------------------------
    @property
    def metadata(self) -> Dict[str, Any]:
        """All key-value metadata as Python values (arrays become lists). Built once, then cached."""
        if self._metadata is None:
            self._metadata = self._file.metadata()
        return self._metadata

    @property
    def metadata_types(self) -> Dict[str, str]:
        """The GGUF value type of every key: ``"UINT32"``, ``"STRING"``, ``"ARRAY[FLOAT32]"``, ..."""
        return self._file.metadata_types()

    def get(self, key: str, default: Any = None) -> Any:
        """One metadata value (without converting the whole table), or ``default``."""
        v = self._file.get(key)
        return default if v is None else v

    @property
    def architecture(self) -> Optional[str]:
        """``general.architecture`` (e.g. ``"llama"``, ``"gemma3"``, ``"gpt2"``), or None."""
        return self.get("general.architecture")

    # -- tensors ---------------------------------------------------------------------------------
    @property
    def tensors(self) -> List[TensorInfo]:
        """The tensor table in file order."""
        if self._tensors is None:
            self._tensors = [TensorInfo(*t) for t in self._file.tensor_infos()]
            self._by_name = {t.name: t for t in self._tensors}
        return self._tensors

    def tensor_info(self, name: str) -> TensorInfo:
        self.tensors
        assert self._by_name is not None
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(f"no tensor named {name!r} in '{self._path}'") from None

    def tensor(self, name: str) -> np.ndarray:
        """The tensor as a float32 numpy array in numpy shape order.

        F32 tensors are zero-copy, read-only views of the file; other types are converted.
        Raises KeyError for an unknown name, NotImplementedError for a type pyllm cannot convert.
        """
        return self._file.tensor(name)

    def tensor_bytes(self, name: str) -> np.ndarray:
        """The tensor's raw bytes (any type) as a read-only uint8 view of the file."""
        return self._file.tensor_bytes(name)

    @property
    def n_params(self) -> int:
        return sum(t.n_elements for t in self.tensors)
