"""Paths the tests need: the repository, the shared reference data beside it,
and the ``kassign`` binary (the Rust library's answers)."""

import os
import pathlib

import pytest
from hypothesis import settings

# Determinism: the same examples on every run, and no example database
# written into the checkout.
settings.register_profile("deterministic", derandomize=True, database=None)
settings.load_profile("deterministic")

ROOT = pathlib.Path(__file__).resolve().parents[3]
SHARED = pathlib.Path(os.environ.get("KAFKA_ASSIGNORS_SHARED", ROOT.parent / "shared"))


def kassign_path():
    path = pathlib.Path(os.environ.get("KASSIGN", ROOT / "target" / "debug" / "kassign"))
    if not path.exists():
        raise RuntimeError(f"kassign not found at {path}: run `cargo build -p kassign` or set KASSIGN")
    return str(path)


@pytest.fixture(scope="session")
def kassign():
    return kassign_path()
