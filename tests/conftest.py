"""Shared fixtures: one loaded model per test session, paths to ../shared."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
POLNEAR = SHARED / "data" / "polnear"
EXAMPLES = ROOT / "examples"


@pytest.fixture(scope="session")
def nlp():  # type: ignore[no-untyped-def]
    from onrecord.nlp.model import load_model

    return load_model()


@pytest.fixture(scope="session")
def pipeline():  # type: ignore[no-untyped-def]
    from onrecord import Pipeline

    return Pipeline()


@pytest.fixture(scope="session")
def accurate_pipeline():  # type: ignore[no-untyped-def]
    """A Pipeline in accurate mode, or a skip when its model or runtime is absent."""
    from onrecord import Pipeline
    from onrecord.errors import ModelNotFoundError

    try:
        return Pipeline(mode="accurate")
    except ModelNotFoundError as exc:
        pytest.skip(f"accurate mode unavailable: {exc}")


def need_shared(path: Path) -> Path:
    """Skip the calling test with a reason when a ../shared file is absent."""
    if not path.exists():
        pytest.skip(f"{path} is absent (../shared is not beside the checkout)")
    return path


# the served database and server for tests/test_serve_*.py (session-scoped, shared)
from serve_helpers import examples_served, many_served, serve_db, served  # noqa: E402, F401
