"""Native (C++) log messages routed into Python's ``logging`` (logger ``pyllm.native``).

Silent by default: a model created with ``verbose=False`` lets only warnings through (there are
none in normal operation); ``verbose=True`` lets INFO messages (prompt and decode timings, cache
reuse) through and, if the ``pyllm`` logger has no handler, adds one printing to stderr.
Configure ``logging.getLogger("pyllm")`` yourself to route them elsewhere.
"""

from __future__ import annotations

import atexit
import logging
import sys

from . import _core

logger = logging.getLogger("pyllm")
native_logger = logging.getLogger("pyllm.native")
_installed = False


def _sink(level: int, message: str) -> None:
    native_logger.log(level, message)


def _uninstall() -> None:
    try:
        _core.set_log_sink(None, logging.WARNING)
    except Exception:  # pragma: no cover - interpreter shutdown
        pass


def configure(verbose: bool) -> None:
    """Called before each generation with the model's ``verbose`` flag."""
    global _installed
    if not _installed:
        _core.set_log_sink(_sink, logging.WARNING)
        atexit.register(_uninstall)
        _installed = True
    if verbose:
        if not logger.handlers:
            h = logging.StreamHandler(sys.stderr)
            h.setFormatter(logging.Formatter("pyllm: %(message)s"))
            logger.addHandler(h)
        if logger.level == logging.NOTSET or logger.level > logging.INFO:
            logger.setLevel(logging.INFO)
        _core.set_log_level(max(logging.INFO, native_logger.getEffectiveLevel()))
    else:
        _core.set_log_level(logging.WARNING)
