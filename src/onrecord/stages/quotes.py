"""Find quoted stretches of text: straight, curly, guillemets, doubled apostrophes.

One linear scan per paragraph. Unbalanced marks never raise: a quote still
open at the end of its paragraph closes there (news style leaves a quote open
when it runs on into the next paragraph, which then opens again), and a stray
closing mark is ignored.
"""

from __future__ import annotations

from dataclasses import dataclass

from onrecord.stages.lexicon import QUOTE_PAIRS

_OPENERS = frozenset(QUOTE_PAIRS)
_CLOSERS = frozenset("”»›」』")
_STRAIGHT = '"'


@dataclass(slots=True, frozen=True)
class Quote:
    """A quoted stretch; ``start``/``end`` include the marks."""

    start: int
    end: int
    closed: bool  # False: ran to the end of its paragraph without a closing mark

    @property
    def inner(self) -> tuple[int, int]:
        return (self.start + 1, self.end - 1 if self.closed else self.end)


def _mark_at(text: str, i: int) -> tuple[str, int]:
    """The quote mark at ``i`` (kind, length), or ("", 0)."""
    ch = text[i]
    if ch in ("'", "`") and i + 1 < len(text) and text[i + 1] == ch:
        return ("straight" if ch == "'" else "open", 2)
    if ch == _STRAIGHT:
        return ("straight", 1)
    if ch == "“" or ch == "„":
        return ("open_curly", 1)
    if ch in _CLOSERS:
        # » and › close a quote; with nothing open they open one (German style)
        return ("close", 1)
    if ch in _OPENERS:
        return ("open", 1)
    return ("", 0)


def _opens_here(text: str, i: int) -> bool:
    """Whether a symmetric mark at ``i`` looks like an opening one (space or start before)."""
    return i == 0 or text[i - 1].isspace() or text[i - 1] in "([{—–-/"


def find_quotes(text: str) -> list[Quote]:
    """Every top-level quoted stretch of ``text``, in order."""
    quotes: list[Quote] = []
    start = -1
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "\n":
            if start >= 0:
                end = i
                while end > start + 1 and text[end - 1].isspace():
                    end -= 1
                quotes.append(Quote(start, end, False))
                start = -1
            i += 1
            continue
        kind, length = _mark_at(text, i)
        if not length:
            i += 1
            continue
        if start < 0:
            if (
                kind in ("open", "open_curly")
                or (kind == "straight" and length == 1)
                or (kind == "straight" and _opens_here(text, i))
                or (kind == "close" and text[i] in "»›" and _opens_here(text, i))
            ):
                start = i
        elif kind in ("close", "straight") or (kind == "open_curly" and not _opens_here(text, i)):
            quotes.append(Quote(start, i + length, True))
            start = -1
        i += length
    if start >= 0:
        end = n
        while end > start + 1 and text[end - 1].isspace():
            end -= 1
        quotes.append(Quote(start, end, False))
    return quotes
