"""The documented tree of onrecord's errors.

``OnrecordError`` is the root; every message says what to do about it. The CLI
turns these into one line on stderr and a non-zero exit code.
"""

from __future__ import annotations


class OnrecordError(Exception):
    """Base class of every error onrecord raises on purpose."""

    #: short machine-readable reason, used in error records
    reason = "error"


class InputError(OnrecordError):
    """The input cannot be processed (empty, binary, undecodable, too large...)."""

    reason = "bad_input"

    def __init__(self, message: str, *, reason: str | None = None) -> None:
        super().__init__(message)
        if reason:
            self.reason = reason


class ModelNotFoundError(OnrecordError):
    """No spaCy pipeline (or accurate-mode model) could be loaded."""

    reason = "model_not_found"


class GoldDataError(OnrecordError):
    """A gold corpus directory is missing or malformed."""

    reason = "bad_gold"


class UsageError(InputError):
    """The command was asked for something that cannot be (a path that does not exist...)."""

    reason = "usage"
