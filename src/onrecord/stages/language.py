"""The language check: onrecord's pipeline is English-only.

The detector is py3langid (a maintained fork of langid.py: a naive Bayes model
over byte n-grams, 97 languages). Its model (4.6 MB) ships inside the wheel,
so nothing is fetched at run time; it depends on numpy only, classifies a
news article in about a millisecond and loads in about a second (once per
worker). lingua is more accurate on very short texts but ships a much larger
wheel, and the fastText detectors either download their model on first use or
pull in a compiled fastText; for whole news articles langid's accuracy is
plenty.

A document is rejected only when the detector is confident
(``MIN_CONFIDENCE``) that it is not English: on very short or name-heavy
texts ("Sergei Lavrov, Dmitry Peskov") langid's best guess is noise, and such
a text is better passed to the pipeline (which will find little) than lost.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from onrecord.errors import InputError

#: the languages the pipeline handles (ISO 639-1)
SUPPORTED = frozenset({"en"})
#: a non-English guess below this probability is not trusted
MIN_CONFIDENCE = 0.9
#: how much of a text is looked at (the start of an article says enough)
SAMPLE_CHARS = 2000

_identifier: Any = None
_lock = threading.Lock()


@dataclass(slots=True, frozen=True)
class Language:
    code: str
    confidence: float


def _get() -> Any:
    global _identifier
    if _identifier is None:
        with _lock:
            if _identifier is None:
                from py3langid.langid import MODEL_FILE, LanguageIdentifier

                _identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    return _identifier


def detect(text: str) -> Language:
    """The most likely language of ``text`` and its probability."""
    code, prob = _get().classify(text[:SAMPLE_CHARS])
    return Language(str(code), float(prob))


def check_language(text: str, *, name: str) -> str:
    """The language to record for ``text``; ``InputError`` if it is not supported."""
    found = detect(text)
    if found.code in SUPPORTED:
        return found.code
    if found.confidence < MIN_CONFIDENCE:
        return "en"
    raise InputError(
        f"{name}: the text is in language {found.code!r} (p={found.confidence:.2f}); "
        "onrecord's pipeline reads English only",
        reason="unsupported_language",
    )
