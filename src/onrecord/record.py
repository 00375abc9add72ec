"""Typed records passed between stages, and the article record itself.

All offsets are character offsets into ``Record.text`` (end exclusive). Every
record turns into plain JSON-ready data with ``to_dict()``; the field names
are the ones documented in the README ("Record JSON").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Span = tuple[int, int]

#: attribution kinds, in the order they are documented
KINDS = ("direct", "indirect", "mixed", "according_to", "belief")
#: source kinds
SOURCE_KINDS = ("person", "organization", "media", "document", "unnamed")
#: addressee kinds
ADDRESSEE_KINDS = ("person", "organization", "media", "audience")


def _spans(spans: list[Span]) -> list[list[int]]:
    return [[s, e] for s, e in spans]


@dataclass(slots=True)
class Removed:
    """A line the cleaner took out of the text, with the reason it was removed."""

    text: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "reason": self.reason}


@dataclass(slots=True)
class Entity:
    """A person or organization of the article: one cluster of mentions."""

    id: str
    name: str
    type: str  # "person" | "organization" | "media" | "place" | ...
    titles: list[str] = field(default_factory=list)
    mentions: list[Span] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "type": self.type,
            "titles": list(self.titles),
            "mentions": _spans(self.mentions),
        }


@dataclass(slots=True)
class Content:
    text: str
    spans: list[Span]

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "spans": _spans(self.spans)}


@dataclass(slots=True)
class Cue:
    text: str
    lemma: str
    spans: list[Span]

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "lemma": self.lemma, "spans": _spans(self.spans)}


@dataclass(slots=True)
class Source:
    text: str
    spans: list[Span]
    entity: str | None = None
    name: str | None = None
    anonymous: bool = False
    kind: str = "unnamed"

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "spans": _spans(self.spans),
            "entity": self.entity,
            "name": self.name,
            "anonymous": self.anonymous,
            "kind": self.kind,
        }


@dataclass(slots=True)
class Addressee:
    """To whom the statement was made: "told reporters", "said to the crowd", the name in
    "in an interview with CNN"; ``entity`` / ``name`` point at the resolved entity."""

    text: str
    spans: list[Span]
    entity: str | None = None
    name: str | None = None
    kind: str = "audience"  # one of ADDRESSEE_KINDS

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "spans": _spans(self.spans),
            "entity": self.entity,
            "name": self.name,
            "kind": self.kind,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Addressee:
        return cls(
            data["text"],
            [(int(s), int(e)) for s, e in data["spans"]],
            data.get("entity"),
            data.get("name"),
            data.get("kind", "audience"),
        )


@dataclass(slots=True)
class Setting:
    """Where, in what medium or on what occasion the statement was made, as written with its
    preposition: "at a press conference in Sochi", "in a statement", "on Twitter"."""

    text: str
    spans: list[Span]

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "spans": _spans(self.spans)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Setting:
        return cls(data["text"], [(int(s), int(e)) for s, e in data["spans"]])


@dataclass(slots=True)
class TimeRef:
    """The time attached to an attribution (when the statement was made)."""

    text: str
    value: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "value": self.value}


@dataclass(slots=True)
class Attribution:
    id: str
    kind: str
    content: Content
    quotes: list[Span] = field(default_factory=list)
    cue: Cue | None = None
    source: Source | None = None
    via: str | None = None
    time: TimeRef | None = None
    addressee: Addressee | None = None
    setting: Setting | None = None
    confidence: float = 1.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "content": self.content.to_dict(),
            "quotes": _spans(self.quotes),
            "cue": self.cue.to_dict() if self.cue else None,
            "source": self.source.to_dict() if self.source else None,
            "via": self.via,
            "time": self.time.to_dict() if self.time else None,
            "addressee": self.addressee.to_dict() if self.addressee else None,
            "setting": self.setting.to_dict() if self.setting else None,
            "confidence": round(self.confidence, 3),
        }


@dataclass(slots=True)
class TimeExpression:
    text: str
    spans: list[Span]
    value: str | None  # ISO 8601, partial allowed: 2017-05-17, 2017-02, 2016, --05-17
    anchored: bool  # resolved against a known publication date

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "spans": _spans(self.spans),
            "value": self.value,
            "anchored": self.anchored,
        }


@dataclass(slots=True)
class Record:
    """Everything onrecord knows about one article."""

    doc: str
    text: str
    title: str | None = None
    published: str | None = None
    credits: list[str] = field(default_factory=list)
    removed: list[Removed] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    attributions: list[Attribution] = field(default_factory=list)
    times: list[TimeExpression] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "doc": self.doc,
            "title": self.title,
            "published": self.published,
            "text": self.text,
            "credits": list(self.credits),
            "removed": [r.to_dict() for r in self.removed],
            "entities": [e.to_dict() for e in self.entities],
            "attributions": [a.to_dict() for a in self.attributions],
            "times": [t.to_dict() for t in self.times],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Record:
        """Rebuild a record from its JSON form (the inverse of ``to_dict``)."""

        def spans(raw: list[list[int]]) -> list[Span]:
            return [(int(s), int(e)) for s, e in raw]

        attributions = []
        for a in data.get("attributions", []):
            cue = a.get("cue")
            src = a.get("source")
            tm = a.get("time")
            addressee = a.get("addressee")  # absent from records made before it existed
            setting = a.get("setting")
            attributions.append(
                Attribution(
                    id=a["id"],
                    kind=a["kind"],
                    content=Content(a["content"]["text"], spans(a["content"]["spans"])),
                    quotes=spans(a.get("quotes", [])),
                    cue=Cue(cue["text"], cue["lemma"], spans(cue["spans"])) if cue else None,
                    source=(
                        Source(
                            src["text"],
                            spans(src["spans"]),
                            src.get("entity"),
                            src.get("name"),
                            bool(src.get("anonymous")),
                            src.get("kind", "unnamed"),
                        )
                        if src
                        else None
                    ),
                    via=a.get("via"),
                    time=TimeRef(tm["text"], tm.get("value")) if tm else None,
                    addressee=Addressee.from_dict(addressee) if addressee else None,
                    setting=Setting.from_dict(setting) if setting else None,
                    confidence=float(a.get("confidence", 1.0)),
                )
            )
        return cls(
            doc=data.get("doc", ""),
            text=data["text"],
            title=data.get("title"),
            published=data.get("published"),
            credits=list(data.get("credits", [])),
            removed=[Removed(r["text"], r["reason"]) for r in data.get("removed", [])],
            entities=[
                Entity(e["id"], e["name"], e["type"], list(e["titles"]), spans(e["mentions"]))
                for e in data.get("entities", [])
            ],
            attributions=attributions,
            times=[
                TimeExpression(t["text"], spans(t["spans"]), t.get("value"), t["anchored"])
                for t in data.get("times", [])
            ],
        )
