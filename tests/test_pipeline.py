"""The pipeline end to end: extract, streaming pipe, the record contract, the seed example.

Texts written here are made up; the seed example is the project's shared
fixture (../shared/examples), skipped when it is not beside the checkout.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

import onrecord
import onrecord.pipeline
from conftest import SHARED, need_shared
from onrecord.errors import InputError
from onrecord.read.document import RawDocument
from onrecord.record import Attribution, Record
from test_attribute import check_spans

pytestmark = pytest.mark.model

RFERL = SHARED / "examples" / "rferl-putin-record.txt"

PIER = (
    "Mayor Ilse Varga said on Tuesday that the pier would reopen in May.\n\n"
    '"We will rebuild it," Varga said. "The town deserves nothing less."\n'
)

#: the documented Record JSON contract, key for key, in order
RECORD_KEYS = ["doc", "title", "published", "text", "credits", "removed", "entities",
               "attributions", "times"]  # fmt: skip
REMOVED_KEYS = ["text", "reason"]
ENTITY_KEYS = ["id", "name", "type", "titles", "mentions"]
ATTRIBUTION_KEYS = ["id", "kind", "content", "quotes", "cue", "source", "via", "time",
                    "addressee", "setting", "confidence"]  # fmt: skip
CONTENT_KEYS = ["text", "spans"]
CUE_KEYS = ["text", "lemma", "spans"]
SOURCE_KEYS = ["text", "spans", "entity", "name", "anonymous", "kind"]
TIME_KEYS = ["text", "value"]
ADDRESSEE_KEYS = ["text", "spans", "entity", "name", "kind"]
SETTING_KEYS = ["text", "spans"]
TIMES_KEYS = ["text", "spans", "value", "anchored"]


@pytest.fixture
def extract(pipeline: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """``onrecord.extract`` on the session's pipeline (no second model load)."""
    monkeypatch.setattr(onrecord.pipeline, "_default", pipeline)
    return onrecord.extract


def check_contract(data: dict[str, Any]) -> None:
    assert list(data) == RECORD_KEYS
    assert isinstance(data["doc"], str) and data["doc"]
    assert all(isinstance(c, str) for c in data["credits"])
    for r in data["removed"]:
        assert list(r) == REMOVED_KEYS
    for e in data["entities"]:
        assert list(e) == ENTITY_KEYS
    for a in data["attributions"]:
        assert list(a) == ATTRIBUTION_KEYS
        assert list(a["content"]) == CONTENT_KEYS
        assert a["cue"] is None or list(a["cue"]) == CUE_KEYS
        assert a["source"] is None or list(a["source"]) == SOURCE_KEYS
        assert a["time"] is None or list(a["time"]) == TIME_KEYS
        assert a["addressee"] is None or list(a["addressee"]) == ADDRESSEE_KEYS
        assert a["setting"] is None or list(a["setting"]) == SETTING_KEYS
    for t in data["times"]:
        assert list(t) == TIMES_KEYS
    json.dumps(data)  # plain JSON data all the way down


# --------------------------------------------------------------------------- extract


def test_pipeline_extract_returns_a_record(extract: Any) -> None:
    record = extract(PIER, published="2017-05-17")
    assert isinstance(record, Record)
    assert record.published == "2017-05-17"
    assert [a.kind for a in record.attributions] == ["indirect", "direct"]
    said = record.attributions[0]
    assert said.time is not None and said.time.value == "2017-05-16"  # the Tuesday before
    check_contract(record.to_dict())
    check_spans(record)


@pytest.mark.parametrize("published", ["2017-05-17", date(2017, 5, 17)])
def test_pipeline_published_as_string_or_date(extract: Any, published: str | date) -> None:
    assert extract(PIER, published=published).published == "2017-05-17"


def test_pipeline_published_absent_leaves_times_unanchored(extract: Any) -> None:
    record = extract(PIER)
    assert record.published is None
    assert all(not t.anchored for t in record.times)


@pytest.mark.parametrize("published", ["garbage", "17/05/2017x", "2017-02-30"])
def test_pipeline_bad_published_raises_input_error(extract: Any, published: str) -> None:
    with pytest.raises(InputError) as info:
        extract(PIER, published=published)
    assert info.value.reason == "bad_date"


@pytest.mark.parametrize("published", ["", "   "])
def test_pipeline_blank_published_is_no_date(extract: Any, published: str) -> None:
    assert extract(PIER, published=published).published is None


@pytest.mark.parametrize(
    "text",
    [
        PIER,
        "  Breaking News\r\n\r\nMayor Ilse Varga said the pier would reopen in May.\r\n",
        '\n\n\tVarga said:  "We will rebuild the pier."   \n\n',
        "Accessibility links\n\n" + PIER + "\nTo find out more, click here.\n",
    ],
)
def test_pipeline_no_clean_keeps_the_text_exactly(extract: Any, text: str) -> None:
    record = extract(text, clean=False)
    assert record.text == text
    assert record.removed == [] and record.credits == [] and record.title is None
    assert record.attributions
    check_spans(record)


def test_pipeline_clean_removes_boilerplate_lines_with_reasons(extract: Any) -> None:
    text = "Accessibility links\n\n" + PIER + "\nTo find out more, click here.\n"
    record = extract(text)
    assert "click here" not in record.text and "Accessibility" not in record.text
    assert {(r.text, r.reason) for r in record.removed} == {
        ("Accessibility links", "navigation"),
        ("To find out more, click here.", "click_here"),
    }
    assert record.text.startswith("Mayor Ilse Varga said")
    check_spans(record)


# --------------------------------------------------------------------------- pipe


def test_pipeline_pipe_one_record_per_input_in_order(pipeline: Any) -> None:
    texts = [f"Harbor master No. {i} said the pier was fine." for i in range(7)]
    texts[3] = "The pier reopened on Tuesday."  # nothing attributed: still a record
    stream = pipeline.pipe(iter(texts), batch_size=2, clean=False)
    assert isinstance(stream, Iterator)
    records = list(stream)
    assert [r.text for r in records] == texts
    assert [len(r.attributions) for r in records] == [1, 1, 1, 0, 1, 1, 1]


def test_pipeline_pipe_streams_lazily(pipeline: Any) -> None:
    pulled: list[int] = []

    def endless() -> Iterator[str]:
        for i in itertools.count():
            pulled.append(i)
            yield f"Varga said pier {i} was fine."

    first = list(itertools.islice(pipeline.pipe(endless(), batch_size=2, clean=False), 3))
    assert [r.text for r in first] == [f"Varga said pier {i} was fine." for i in range(3)]
    assert len(pulled) < 10


def test_pipeline_pipe_raw_documents_keep_their_names(pipeline: Any) -> None:
    docs = [
        RawDocument(doc="pier-b", text=PIER, encoding="utf-8", path=None,
                    published="2017-05-17", title="Pier to reopen"),
        RawDocument(doc="pier-a", text=PIER, encoding="utf-8", path=None),
        "Varga said the pier was fine.",
    ]  # fmt: skip
    records = list(pipeline.pipe(docs, published="2016-01-01"))
    assert [r.doc for r in records[:2]] == ["pier-b", "pier-a"]
    assert records[0].published == "2017-05-17"  # the document's own date wins
    assert records[1].published == "2016-01-01"  # else the run's
    assert records[0].title == "Pier to reopen"
    # a plain string is named by a stable hash of its text
    assert records[2].doc == onrecord.pipeline.doc_id("Varga said the pier was fine.")
    assert len(records[2].doc) == 16


def test_pipeline_pipe_on_error_reports_and_goes_on(pipeline: Any) -> None:
    docs = [
        RawDocument(doc="good-1", text=PIER, encoding="utf-8", path=None),
        RawDocument(doc="bad", text=PIER, encoding="utf-8", path=None, published="garbage"),
        RawDocument(doc="good-2", text=PIER, encoding="utf-8", path=None),
    ]
    errors: list[tuple[str, BaseException]] = []
    records = list(pipeline.pipe(docs, on_error=lambda n, e: errors.append((n, e))))
    assert [r.doc for r in records] == ["good-1", "good-2"]
    assert [(n, type(e)) for n, e in errors] == [("bad", InputError)]
    with pytest.raises(InputError):
        list(pipeline.pipe(docs))


# --------------------------------------------------------------------------- the record


def test_pipeline_record_round_trips_through_dict(extract: Any) -> None:
    record = extract(
        "Citing anonymous officials, local media reported on Monday that the port would close.\n\n"
        + PIER,
        published="2017-05-17",
    )
    data = record.to_dict()
    check_contract(data)
    assert any(a["via"] for a in data["attributions"])  # the round trip covers via
    assert Record.from_dict(data).to_dict() == data
    assert Record.from_dict(json.loads(json.dumps(data))).to_dict() == data


# --------------------------------------------------------------------------- seed example


@pytest.fixture(scope="module", params=["fast", "accurate"])
def seed(request: pytest.FixtureRequest) -> Record:
    # the seed example's attributions must stay right in both modes
    text = need_shared(RFERL).read_text(encoding="utf-8")
    fixture = "pipeline" if request.param == "fast" else "accurate_pipeline"
    record: Record = request.getfixturevalue(fixture)(text, published="2017-05-17")
    return record


def one(record: Record, content: str) -> Attribution:
    """The one attribution whose content holds ``content``, nested ``via`` ones aside."""
    vias = {a.via for a in record.attributions}
    found = [a for a in record.attributions if content in a.content.text and a.id not in vias]
    assert len(found) == 1, [(a.id, a.content.text) for a in found]
    return found[0]


def entity_id(record: Record, name: str) -> str:
    (e,) = [e for e in record.entities if e.name == name]
    return e.id


@pytest.mark.shared
def test_pipeline_seed_contract_and_spans(seed: Record) -> None:
    data = seed.to_dict()
    check_contract(data)
    check_spans(seed)
    assert Record.from_dict(data).to_dict() == data


@pytest.mark.shared
def test_pipeline_seed_title_credits_and_removed(seed: Record) -> None:
    assert seed.title == "Putin Offers To Provide Record Of Controversial Trump-Lavrov Talks"
    assert seed.published == "2017-05-17"
    assert seed.credits == ["RIA", "Reuters", "AP", "dpa", "AFP", "TASS"]
    reasons = [(r.text, r.reason) for r in seed.removed]
    caption = (
        "Russian President Vladimir Putin speaks during a joint press conference with Italian "
        "Prime Minister Paolo Gentiloni following their meeting in Sochi on May 17."
    )
    for line, reason in [
        ("Accessibility links", "navigation"),
        ("Breaking News", "navigation"),
        ("• 16x9 Image", "media_label"),
        ("To find out more, click here.", "click_here"),
        ("With reporting by RIA, Reuters, AP, dpa, AFP, and TASS", "credit"),
    ]:
        assert (line, reason) in reasons
    assert reasons.count((caption, "caption")) == 2  # both copies of the duplicated caption
    footers = [t for t, r in reasons if r == "footer"]
    assert any(t.startswith("RFE/RL journalists report the news") for t in footers)
    assert any("undesirable organization" in t for t in footers)
    for gone in ("Accessibility links", "Breaking News", "16x9", "click here", caption,
                 "RFE/RL", "With reporting by"):  # fmt: skip
        assert gone not in seed.text
    assert seed.text.startswith("Russian President Vladimir Putin says that Moscow")


@pytest.mark.shared
def test_pipeline_seed_putin_direct_quotes(seed: Record) -> None:
    putin = entity_id(seed, "Vladimir Putin")
    hard = one(seed, "It's hard to imagine what else")
    surprises = one(seed, "What surprises me is that")
    for a in (hard, surprises):
        assert a.kind == "direct"
        assert a.source is not None
        assert (a.source.text, a.source.entity, a.source.name) == ("Putin", putin,
                                                                   "Vladimir Putin")  # fmt: skip
        assert a.cue is not None and a.cue.lemma == "say"
    assert "Either they don't understand the damage" in surprises.content.text
    assert "dangerous and corrupt" in surprises.content.text
    assert len(surprises.content.spans) == 2 and len(surprises.quotes) == 2


@pytest.mark.shared
def test_pipeline_seed_he_added_again_is_putin(seed: Record) -> None:
    a = one(seed, "If the American administration wants this, of course.")
    assert a.kind == "direct"
    assert a.source is not None and a.source.text == "He"
    assert (a.source.entity, a.source.name) == (entity_id(seed, "Vladimir Putin"),
                                                "Vladimir Putin")  # fmt: skip


@pytest.mark.shared
def test_pipeline_seed_ushakov_reported_speech(seed: Record) -> None:
    a = one(seed, "Putin was talking about a written record")
    assert a.kind == "indirect"
    assert a.cue is not None and a.cue.lemma == "say"
    assert a.source is not None
    ushakov = next(e for e in seed.entities if e.name == "Yury Ushakov")
    assert (a.source.entity, a.source.name) == (ushakov.id, "Yury Ushakov")
    assert any("senior Kremlin aide" in t for t in ushakov.titles)
    # what Ushakov says Putin meant is Ushakov's statement, not a second one of Putin's
    assert not [b for b in seed.attributions if b.cue and b.cue.text == "talking"]


@pytest.mark.shared
def test_pipeline_seed_media_report_via_anonymous_officials(seed: Record) -> None:
    a = one(seed, "Trump had disclosed highly classified information")
    assert a.source is not None
    assert (a.source.text, a.source.anonymous, a.source.kind) == ("U.S. media", True, "media")
    assert a.cue is not None and a.cue.lemma == "report"
    assert a.time is not None and a.time.value == "2017-05-15"
    assert a.via is not None
    (inner,) = [b for b in seed.attributions if b.id == a.via]
    assert inner.source is not None
    assert (inner.source.text, inner.source.anonymous) == ("anonymous officials", True)


@pytest.mark.shared
def test_pipeline_seed_trump_statement_is_dated(seed: Record) -> None:
    a = one(seed, "an absolute right")
    assert a.kind == "mixed"
    assert a.source is not None and a.source.text == "Trump"
    assert a.cue is not None and a.cue.lemma == "say"
    assert a.time is not None and (a.time.text, a.time.value) == ("May 16", "2017-05-16")


@pytest.mark.shared
def test_pipeline_seed_surnames_join_the_full_names(seed: Record) -> None:
    names = [e.name for e in seed.entities]
    assert "Trump" not in names and "Lavrov" not in names
    a = one(seed, "an absolute right")
    assert a.source is not None
    assert (a.source.entity, a.source.name, a.source.kind) == (
        entity_id(seed, "Donald Trump"), "Donald Trump", "person")  # fmt: skip


@pytest.mark.shared
def test_pipeline_seed_white_house_denial(seed: Record) -> None:
    a = one(seed, "Trump did anything wrong")
    assert a.kind == "indirect"
    assert a.cue is not None and a.cue.lemma == "deny"
    assert a.source is not None
    assert (a.source.name, a.source.kind) == ("White House", "organization")
