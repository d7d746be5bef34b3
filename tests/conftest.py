"""Shared fixtures: where the reference data lives, and the real models.

PYLLM_TEST_DATA points at the shared reference data (default: ../shared/data beside the checkout).
Real models come from pyllm.models (fetched into PYLLM_CACHE on first use; CI fetches them first).
"""

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def _data_dir() -> Path:
    env = os.environ.get("PYLLM_TEST_DATA")
    return Path(env) if env else REPO.parent / "shared" / "data"


@pytest.fixture(scope="session")
def data_dir() -> Path:
    d = _data_dir()
    if not (d / "README.md").is_file():
        pytest.fail(f"reference data not found at {d} (set PYLLM_TEST_DATA)")
    return d


@pytest.fixture(scope="session")
def vocab_dir(data_dir) -> Path:
    return data_dir / "vocab"


@pytest.fixture(scope="session")
def golden_dir(data_dir) -> Path:
    return data_dir / "golden"


@pytest.fixture(scope="session")
def smollm2_path() -> Path:
    import pyllm

    return pyllm.models.get("smollm2", quiet=True)


@pytest.fixture(scope="session")
def gemma3_path() -> Path:
    import pyllm

    return pyllm.models.get("gemma3", quiet=True)
