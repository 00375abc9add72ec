"""The real-web set's scorer: anchors found again after the text moves, matching, judgements."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import ROOT, SHARED, need_shared
from onrecord.eval.web import Anchor, load_web_set, relocate, score_web
from onrecord.record import Attribution, Content, Cue, Record, Source

TEXT = (
    "Harbor master Ines Okafor said on Monday that the north pier would reopen in May.\n\n"
    "The pier covers 300 metres of the old quay.\n"
)


def anchor(text: str, phrase: str) -> dict[str, object]:
    start = text.index(phrase)
    words = phrase.split()
    return {"start": start, "end": start + len(phrase), "head": " ".join(words[:4]),
            "tail": " ".join(words[-4:])}  # fmt: skip


def spans(text: str, phrase: str) -> list[tuple[int, int]]:
    start = text.index(phrase)
    return [(start, start + len(phrase))]


@pytest.mark.parametrize(
    ("prefix", "found"),
    [("", True), ("MENU | Home | News\n", True), ("A much longer line of page furniture.\n", True)],
)
def test_relocate_finds_a_span_after_the_text_moved(prefix: str, found: bool) -> None:
    a = Anchor(**anchor(TEXT, "the north pier would reopen in May"))  # type: ignore[arg-type]
    moved = prefix + TEXT
    span = relocate(a, moved)
    assert span is not None
    assert moved[span[0] : span[1]] == "the north pier would reopen in May"


def test_relocate_says_none_when_the_words_are_gone() -> None:
    a = Anchor(**anchor(TEXT, "the north pier would reopen in May"))  # type: ignore[arg-type]
    assert relocate(a, "Nothing of the kind here.") is None


def write_set(tmp: Path) -> Path:
    page = "https://news.example/pier"
    judged = "https://news.example/quay"
    (tmp / "pages.jsonl").write_text(
        json.dumps({"page": page, "set": "whole"}) + "\n"
        + json.dumps({"page": judged, "set": "judged"}) + "\n"
    )  # fmt: skip
    gold = {
        "page": page, "n": 1, "kind": "indirect",
        "source": anchor(TEXT, "Harbor master Ines Okafor"),
        "speaker": {"name": "Ines Okafor", "kind": "person"},
        "cue": anchor(TEXT, "said"),
        "content": anchor(TEXT, "the north pier would reopen in May"),
        "addressee": None, "setting": None,
    }  # fmt: skip
    (tmp / "gold-x.jsonl").write_text(json.dumps(gold) + "\n")
    wrong = {
        "page": judged, "id": "a1", "cue": anchor(TEXT, "covers"),
        "content": anchor(TEXT, "300 metres of the old quay"), "attribution": False,
        "source_ok": None, "speaker_ok": None, "content_ok": None, "reason": "narration",
    }  # fmt: skip
    (tmp / "judgements-x.jsonl").write_text(json.dumps(wrong) + "\n")
    return tmp


def attribution(
    aid: str, cue: str, content: str, source: str | None, name: str | None
) -> Attribution:
    return Attribution(
        id=aid,
        kind="indirect",
        content=Content(content, spans(TEXT, content)),
        cue=Cue(cue, cue, spans(TEXT, cue)),
        source=Source(source, spans(TEXT, source), name=name, kind="person") if source else None,
    )


def test_score_web_counts_right_wrong_and_judged(tmp_path: Path) -> None:
    web = load_web_set(write_set(tmp_path))
    said = attribution(
        "a1", "said", "the north pier would reopen in May", "Ines Okafor", "Ines Okafor"
    )
    covers = attribution("a2", "covers", "300 metres of the old quay", "The pier", None)
    records = {
        "https://news.example/pier": Record(doc="p", text=TEXT, attributions=[said, covers]),
        "https://news.example/quay": Record(doc="q", text=TEXT, attributions=[covers]),
    }
    report = score_web(web, records)
    assert (report.tp["attribution"], report.predicted["attribution"]) == (1, 2)  # covers: no
    assert (report.tp["full"], report.gold["full"]) == (1, 1)
    assert (report.judged, report.judged_attribution, report.unjudged) == (1, 0, 0)
    assert report.reasons == {"narration": 1}
    assert report.precision_all() == (1 / 3, 1 / 3)
    as_json = report.to_dict()
    assert as_json["whole_pages"]["attribution"] == {
        "precision": 0.5, "recall": 1.0, "f1": 0.6667, "tp": 1, "predicted": 2, "gold": 1
    }  # fmt: skip
    assert as_json["judged_pages"]["wrong_by_reason"] == {"narration": 1}
    assert "attribution" in report.format_table()


def test_score_web_a_wrong_speaker_is_not_full(tmp_path: Path) -> None:
    web = load_web_set(write_set(tmp_path))
    said = attribution(
        "a1", "said", "the north pier would reopen in May", "Harbor master", "Harbor"
    )
    records = {"https://news.example/pier": Record(doc="p", text=TEXT, attributions=[said])}
    report = score_web(web, records)
    assert (report.tp["attribution"], report.tp["full"], report.tp["speaker"]) == (1, 0, 0)


@pytest.mark.shared
@pytest.mark.model
def test_web_set_anchors_all_found_in_todays_text(pipeline: object) -> None:
    from onrecord.eval.web import page_records

    warc = need_shared(SHARED / "data" / "news-pages" / "news-pages.warc.gz")
    web = load_web_set(ROOT / "eval" / "web")
    assert len(web.whole) >= 20 and len(web.judged) >= 60
    assert sum(map(len, web.gold.values())) > 100 and sum(map(len, web.judgements.values())) > 300
    records = page_records(warc, [*web.whole, *web.judged], pipeline)  # type: ignore[arg-type]
    report = score_web(web, records)
    assert report.lost == 0, "a gold anchor is no longer in the pipeline's text"
    assert report.pages == len(web.whole) + len(web.judged)
    assert report.unjudged == 0
