"""pyllm's exception classes.

The native core raises these (translated from its C++ exceptions):

* :class:`GGUFError` — a file is not valid GGUF (truncated, corrupt, hostile). A ``ValueError``.
* :class:`UnsupportedModelError` — a valid file asks for something pyllm does not implement
  (an unknown architecture, a big-endian or version-1 GGUF). A ``ValueError``.

Bad arguments raise ``ValueError``, out-of-range indices ``IndexError``, missing files ``OSError``
(``FileNotFoundError``), and not-yet-implemented features ``NotImplementedError``.
"""

__all__ = ["PyllmError", "GGUFError", "UnsupportedModelError"]


class PyllmError(Exception):
    """Base class of pyllm's own exceptions."""


class GGUFError(PyllmError, ValueError):
    """A file is not valid GGUF; the message names the key, tensor or byte offset at fault."""


class UnsupportedModelError(PyllmError, ValueError):
    """The file is valid, but uses an architecture or feature pyllm does not support."""
