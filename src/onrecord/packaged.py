"""The JSON files shipped in ``onrecord/data`` (the cue model, the calibration maps)."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from onrecord.errors import ModelNotFoundError


def load_json(name: str, path: str | Path | None = None, *, what: str, remedy: str) -> Any:
    """``data/<name>`` of the package, or ``path`` when given; ``ModelNotFoundError`` naming
    ``what`` is missing and the ``remedy`` when it cannot be read."""
    try:
        if path is None:
            raw = resources.files("onrecord").joinpath("data", name).read_text("utf-8")
        else:
            raw = Path(path).read_text("utf-8")
    except (FileNotFoundError, OSError) as exc:
        raise ModelNotFoundError(
            f"the {what} {path or name} is missing: reinstall onrecord or run `{remedy}`"
        ) from exc
    return json.loads(raw)
