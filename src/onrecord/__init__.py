"""onrecord: who said what, to whom, when, and according to whom.

    >>> import onrecord
    >>> record = onrecord.extract(text, published="2017-05-17")
    >>> for a in record.attributions: print(a.source.name, a.cue.text, a.content.text)

The public API is what ``__all__`` lists; everything else may change.
Heavy dependencies (spaCy, onnxruntime) load when first used, not on import.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from onrecord.errors import GoldDataError, InputError, ModelNotFoundError, OnrecordError
from onrecord.record import (
    Attribution,
    Content,
    Cue,
    Entity,
    Record,
    Removed,
    Source,
    TimeExpression,
    TimeRef,
)

if TYPE_CHECKING:
    from onrecord.pipeline import Pipeline, extract

__version__ = "0.1.0"
__all__ = [
    "Attribution",
    "Content",
    "Cue",
    "Entity",
    "GoldDataError",
    "InputError",
    "ModelNotFoundError",
    "OnrecordError",
    "Pipeline",
    "Record",
    "Removed",
    "Source",
    "TimeExpression",
    "TimeRef",
    "extract",
]


def __getattr__(name: str) -> Any:
    # Pipeline and extract pull in spaCy: import them on first use only
    if name in ("Pipeline", "extract"):
        from onrecord import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module 'onrecord' has no attribute {name!r}")
