"""pyllm — run GGUF language models fast on an ordinary CPU.

    >>> import pyllm
    >>> f = pyllm.GGUFFile(pyllm.models.get("smollm2"))   # doctest: +SKIP
    >>> f.architecture                                      # doctest: +SKIP
    'llama'
"""

import warnings as _warnings

from . import _core
from .errors import GGUFError, PyllmError, UnsupportedModelError
from .gguf import GGUFFile, TensorInfo
from .tokenizer import Tokenizer
from . import models
from .model import Model, Session
from .pipeline import pipeline
from . import chat
from . import classic

__version__ = "0.1.0"

__all__ = [
    "GGUFFile",
    "Model",
    "Session",
    "TensorInfo",
    "Tokenizer",
    "GGUFError",
    "PyllmError",
    "UnsupportedModelError",
    "chat",
    "cpu_info",
    "models",
    "classic",
    "pipeline",
    "__version__",
]


def cpu_info() -> dict:
    """What this CPU supports and which kernels pyllm chose.

    Returns a dict with ``isa`` (the kernel level in use: ``"scalar"``, ``"avx2"`` or ``"avx512"``),
    ``available_isas``, ``features`` (flag -> bool, OS support included), ``vendor``, ``brand``,
    ``physical_cores`` and ``logical_cpus``. Set ``PYLLM_ISA`` before import to force a level.
    """
    return _core.cpu_info()


if _core.cpu_info()["dispatch_warning"]:
    _warnings.warn(_core.cpu_info()["dispatch_warning"], RuntimeWarning, stacklevel=2)
