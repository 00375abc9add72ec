"""The scorer on hand-built records and tiny hand-written gold (fictional text, no model)."""

from __future__ import annotations

import json
import platform
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from onrecord.errors import GoldDataError, InputError
from onrecord.eval.scorer import (
    METRICS,
    GoldDocument,
    canonical_content,
    corpus_hash,
    evaluate_dir,
    load_gold,
    parse_ann,
    score,
    sentence_around,
)
from onrecord.record import Attribution, Content, Cue, Record, Source, Span

TEXT = (
    "Mayor Lena Ortiz said the bridge would reopen in May. "
    '"We are ready for it," the council added, "and the ferry stops." '
    "The river rose overnight.\n"
    "Officials believe the flood is over."
)


def sp(text: str, sub: str, nth: int = 0) -> Span:
    """The span of the ``nth`` occurrence of ``sub`` in ``text``."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(sub, start + 1)
    return (start, start + len(sub))


def s(sub: str, nth: int = 0) -> Span:
    return sp(TEXT, sub, nth)


def brat_t(tid: str, kind: str, spans: list[Span], text: str = TEXT) -> str:
    offsets = ";".join(f"{a} {b}" for a, b in spans)
    return f"{tid}\t{kind} {offsets}\t{' '.join(text[a:b] for a, b in spans)}"


def gold_ann(*attrs: tuple[list[Span], list[Span], list[Span]], text: str = TEXT) -> str:
    """A brat file: one E line per (content, source, cue) span lists."""
    lines: list[str] = []
    n = 0
    for i, (content, source, cue) in enumerate(attrs, 1):
        roles = []
        for kind, spans in (("Content", content), ("Source", source), ("Cue", cue)):
            if spans:
                n += 1
                lines.append(brat_t(f"T{n}", kind, spans, text))
                roles.append(f"{kind}:T{n}")
        n += 1
        trigger = cue or content
        lines.append(brat_t(f"T{n}", "Attribution", trigger[:1], text))
        lines.append(f"E{i}\tAttribution:T{n} " + " ".join(roles))
    return "\n".join(lines) + "\n"


def make_split(root: Path, texts: dict[str, str], anns: dict[str, str]) -> Path:
    (root / "text").mkdir(parents=True)
    (root / "attributions").mkdir()
    for stem, text in texts.items():
        (root / "text" / f"{stem}.txt").write_text(text, encoding="utf-8")
    for name, ann in anns.items():
        (root / "attributions" / f"{name}.ann").write_text(ann, encoding="utf-8")
    return root


def attr(
    content: list[Span],
    source: list[Span] | None = None,
    cue: list[Span] | None = None,
    *,
    id: str = "a1",
    via: str | None = None,
    text: str = TEXT,
) -> Attribution:
    return Attribution(
        id=id,
        kind="indirect",
        content=Content(" ".join(text[a:b] for a, b in content), content),
        cue=Cue(" ".join(text[a:b] for a, b in cue), "say", cue) if cue is not None else None,
        source=Source(" ".join(text[a:b] for a, b in source), source)
        if source is not None
        else None,
        via=via,
    )


def record(*attributions: Attribution, text: str = TEXT) -> Record:
    return Record(doc="d", text=text, attributions=list(attributions))


def gold_docs(
    tmp_path: Path, *attrs: tuple[list[Span], list[Span], list[Span]]
) -> list[GoldDocument]:
    root = make_split(tmp_path / "split", {"art": TEXT}, {"art_ann1": gold_ann(*attrs)})
    return load_gold(root)


BRIDGE = ([s("the bridge would reopen in May")], [s("Mayor Lena Ortiz")], [s("said")])


# --------------------------------------------------------------------------- gold parsing


def test_evaluate_parse_ann_roles_union_discontinuous_and_noise() -> None:
    first, second = s('"We are ready for it,"'), s('"and the ferry stops."')
    ann = "\n".join(
        [
            brat_t("T1", "Content", [first]),
            brat_t("T2", "Content", [second]),
            brat_t("T3", "Source", [s("the council")]),
            brat_t("T4", "Cue", [s("added")]),
            "a stray line of fragment text that ran over a line break",
            "#1\tAnnotatorNotes T1\tfictional note",
            "E1\tAttribution:T4 Content:T1 Content2:T2 Cue:T4 Source:T3",
            brat_t("T5", "Content", [s("the flood is over"), s("Officials")]),
            "E2\tAttribution-no-source:T5 Content:T5",
            "E3\tAttribution-no-source:T4 ",
        ]
    )
    attributions, skipped = parse_ann(ann, TEXT)
    assert skipped == 1
    assert [a.id for a in attributions] == ["E1", "E2"]
    e1, e2 = attributions
    assert e1.content == [first, second]
    assert e1.source == [s("the council")] and e1.cue == [s("added")]
    # fragments come back sorted; no source or cue is an empty list
    assert e2.content == [s("Officials"), s("the flood is over")]
    assert e2.source == [] and e2.cue == []


def test_evaluate_load_gold_pairs_articles_and_annotators(tmp_path: Path) -> None:
    root = make_split(
        tmp_path,
        {"pub_2016-01-01_some_title": TEXT, "other": TEXT},
        {
            "pub_2016-01-01_some_title_ab12": gold_ann(BRIDGE),
            "pub_2016-01-01_some_title_cd34": gold_ann(),
            "other_ab12": gold_ann(BRIDGE, BRIDGE),
        },
    )
    docs = load_gold(root)
    assert [(d.stem, d.annotator, len(d.attributions)) for d in docs] == [
        ("other", "ab12", 2),
        ("pub_2016-01-01_some_title", "ab12", 1),
        ("pub_2016-01-01_some_title", "cd34", 0),
    ]


@pytest.mark.parametrize(
    ("texts", "anns", "message"),
    [
        (None, None, "does not exist"),
        ({}, None, "not a PolNeAR split"),
        ({"art": TEXT}, {}, "no .ann file"),
        ({}, {"art_ann1": gold_ann(BRIDGE)}, "has no text"),
        ({"art": TEXT}, {"art_ann1": "T1\tContent 10 9999\tx\nE1\tContent:T1\n"}, "outside"),
        ({"art": TEXT}, {"art_ann1": "T1\tContent 1 x\tx\n"}, "bad fragment"),
        ({"art": TEXT}, {"art_ann1": "E1\tContent:T7\n"}, "no T line"),
        ({"art": TEXT}, {"noannotator": gold_ann(BRIDGE)}, "<stem>_<annotator>"),
    ],
)
def test_evaluate_load_gold_rejects_bad_splits(
    tmp_path: Path, texts: dict[str, str] | None, anns: dict[str, str] | None, message: str
) -> None:
    root = tmp_path / "split"
    if texts is not None:
        make_split(root, texts, {})
        if anns is None:
            (root / "attributions").rmdir()
        else:
            for name, ann in anns.items():
                (root / "attributions" / f"{name}.ann").write_text(ann, encoding="utf-8")
    with pytest.raises(GoldDataError, match=message.replace(".", r"\.")):
        load_gold(root)


# --------------------------------------------------------------------------- content


GOLD_CONTENT = "the bridge would reopen in May"


@pytest.mark.parametrize(
    ("pred", "exact", "partial", "matched"),
    [
        ([s(GOLD_CONTENT)], True, True, 1),
        ([s("the bridge would reopen in May.")], True, True, 1),  # full stop trimmed
        ([s(" the bridge would reopen in May. ")], True, True, 1),
        ([s("the bridge would reopen")], False, True, 1),  # Dice 0.87
        ([s("said the bridge would reopen in May")], False, True, 1),  # cue inside
        ([s("in May")], False, False, 1),  # overlaps, Dice 0.33: matched, not partial
        ([s("Mayor Lena Ortiz")], False, False, 0),  # zero overlap never matches
        ([s("The river rose overnight")], False, False, 0),
    ],
)
def test_evaluate_content_exact_and_partial(
    tmp_path: Path, pred: list[Span], exact: bool, partial: bool, matched: int
) -> None:
    gold = gold_docs(tmp_path, BRIDGE)
    report = score(gold, {"art": record(attr(pred))})
    assert report.matched == matched
    assert report.tp["content_exact"] == int(exact)
    assert report.tp["content_partial"] == int(partial)
    assert report.gold == 1 and report.predicted == 1


@pytest.mark.parametrize(
    ("pred", "exact"),
    [
        # the same two fragments
        ([s('"We are ready for it,"'), s('"and the ferry stops."')], True),
        # fragments trimmed of their quote marks and commas
        ([s("We are ready for it"), s("and the ferry stops")], True),
        # one stretch over the cue: partial only
        ([(s('"We are ready')[0], s('stops."')[1])], False),
        # only the first fragment
        ([s('"We are ready for it,"')], False),
    ],
)
def test_evaluate_discontinuous_content(tmp_path: Path, pred: list[Span], exact: bool) -> None:
    quote = (
        [s('"We are ready for it,"'), s('"and the ferry stops."')],
        [s("the council")],
        [s("added")],
    )
    report = score(gold_docs(tmp_path, quote), {"art": record(attr(pred))})
    assert report.tp["content_exact"] == int(exact)
    assert report.matched == 1


def test_evaluate_exact_ignores_fragment_break_on_a_line_break() -> None:
    text = "He said that the river\nrose overnight, and then he left."
    gold = [sp(text, "the river"), sp(text, "rose overnight")]
    pred = [sp(text, "the river\nrose overnight,")]
    assert canonical_content(gold, text) == canonical_content(pred, text)
    # but a gap holding a word is not trimmed away
    assert canonical_content([sp(text, "He"), sp(text, "that")], text) != canonical_content(
        [sp(text, "He said that")], text
    )


# --------------------------------------------------------------------------- matching


def test_evaluate_matching_is_one_to_one_and_greedy_by_overlap(tmp_path: Path) -> None:
    gold = gold_docs(
        tmp_path,
        ([s("the bridge would reopen in May")], [], []),
        ([s("We are ready for it")], [], []),
    )
    preds = record(
        attr([s("bridge would")], id="small"),  # 12 characters inside gold 1
        attr([s("the bridge would reopen in May")], id="big"),  # 30 inside gold 1
        attr([s("We are ready for it")], id="q"),
    )
    report = score(gold, {"art": preds})
    assert report.matched == 2  # "small" finds gold 1 taken
    assert report.tp["content_exact"] == 2
    kinds = sorted((e.kind, e.pred_id) for e in report.errors)
    assert kinds == [("false_alarm", "small")]


def test_evaluate_greedy_takes_the_largest_overlap_first(tmp_path: Path) -> None:
    # pred A overlaps gold 1 by 16 and gold 2 by 5; pred B overlaps gold 1 by 10 only.
    text = "aaaaaaaaaaaaaaaaaaaa bbbbbbbbbbbbbbbbbbbb"
    root = make_split(
        tmp_path,
        {"t": text},
        {"t_x": gold_ann(([(0, 20)], [], []), ([(21, 41)], [], []), text=text)},
    )
    preds = record(
        attr([(4, 26)], id="A", text=text), attr([(0, 10)], id="B", text=text), text=text
    )
    report = score(load_gold(root), {"t": preds})
    assert report.matched == 1  # A takes gold 1; B has nothing left; gold 2 unmatched
    assert sorted((e.kind, e.gold_id, e.pred_id) for e in report.errors) == [
        ("false_alarm", None, "B"),
        ("miss", "E2", None),
    ]


def test_evaluate_overlap_tie_goes_to_higher_dice(tmp_path: Path) -> None:
    gold = gold_docs(tmp_path, ([s("would reopen in May")], [], []))
    long_first = record(
        attr([s("the bridge would reopen in May")], id="long"),  # same overlap, lower Dice
        attr([s("would reopen in May")], id="short"),
    )
    report = score(gold, {"art": long_first})
    assert report.tp["content_exact"] == 1
    assert [(e.kind, e.pred_id) for e in report.errors] == [("false_alarm", "long")]


# --------------------------------------------------------------------------- source, cue


@pytest.mark.parametrize(
    ("gold_source", "pred_source", "ok"),
    [
        ([s("Mayor Lena Ortiz")], [s("Lena Ortiz")], True),
        ([s("Mayor Lena Ortiz")], [s("Ortiz said")], True),  # one shared character is enough
        ([s("Mayor Lena Ortiz")], [s("said")], False),  # touching is not sharing
        ([s("Mayor Lena Ortiz")], None, False),
        ([], None, True),  # both empty
        ([], [], True),
        ([], [s("Mayor Lena Ortiz")], False),
    ],
)
def test_evaluate_source_overlap_or_both_empty(
    tmp_path: Path, gold_source: list[Span], pred_source: list[Span] | None, ok: bool
) -> None:
    gold = gold_docs(tmp_path, ([s(GOLD_CONTENT)], gold_source, [s("said")]))
    report = score(gold, {"art": record(attr([s(GOLD_CONTENT)], pred_source, [s("said")]))})
    assert report.tp["source"] == int(ok)
    assert report.tp["cue"] == 1
    assert report.tp["full"] == int(ok)


@pytest.mark.parametrize(
    ("pred_cue", "ok"),
    [([s("said")], True), ([s("added")], False), (None, False)],
)
def test_evaluate_cue_and_full(tmp_path: Path, pred_cue: list[Span] | None, ok: bool) -> None:
    gold = gold_docs(tmp_path, BRIDGE)
    report = score(gold, {"art": record(attr([s(GOLD_CONTENT)], [s("Lena")], pred_cue))})
    assert (report.tp["cue"], report.tp["full"], report.tp["source"]) == (int(ok), int(ok), 1)
    if not ok:
        assert [e.kind for e in report.errors] == ["wrong_cue"]


def test_evaluate_roles_only_count_on_partial_content(tmp_path: Path) -> None:
    gold = gold_docs(tmp_path, BRIDGE)
    # right source and cue, but the content only overlaps (Dice < 0.5)
    report = score(gold, {"art": record(attr([s("in May")], [s("Ortiz")], [s("said")]))})
    assert report.matched == 1
    assert all(report.tp[k] == 0 for k in METRICS)
    assert [e.kind for e in report.errors] == ["boundary"]


# --------------------------------------------------------------------------- counting


def test_evaluate_multiple_annotator_files_are_summed(tmp_path: Path) -> None:
    quote = ([s("We are ready for it")], [s("the council")], [s("added")])
    root = make_split(
        tmp_path,
        {"art": TEXT},
        {"art_ann1": gold_ann(BRIDGE, quote), "art_ann2": gold_ann(BRIDGE)},
    )
    report = score(load_gold(root), {"art": record(attr([s(GOLD_CONTENT)], [], [s("said")]))})
    assert (report.documents, report.articles) == (2, 1)
    assert report.gold == 3
    assert report.predicted == 2  # the one prediction, counted against each file
    assert report.tp["content_exact"] == 2
    assert report.tp["source"] == 0
    assert report.metric("content_partial").recall == pytest.approx(2 / 3)
    assert report.metric("content_partial").precision == pytest.approx(1.0)


def test_evaluate_e_lines_without_content_are_skipped(tmp_path: Path) -> None:
    ann = gold_ann(BRIDGE) + brat_t("T9", "Cue", [s("believe")]) + "\nE2\tCue:T9 Source:T9\n"
    root = make_split(tmp_path, {"art": TEXT}, {"art_ann1": ann})
    report = score(load_gold(root), {"art": record(attr([s(GOLD_CONTENT)]))})
    assert report.gold == 1
    assert report.skipped_no_content == 1
    assert report.metric("content_partial").recall == 1.0


def test_evaluate_via_only_attributions_are_left_out(tmp_path: Path) -> None:
    gold = gold_docs(tmp_path, BRIDGE)
    outer = attr([s(GOLD_CONTENT)], [s("Mayor Lena Ortiz")], [s("said")], id="outer", via="inner")
    inner = attr([s("the bridge would reopen")], [s("Lena")], [s("said")], id="inner")
    report = score(gold, {"art": record(inner, outer)})
    assert (report.predicted, report.excluded_via) == (1, 1)
    assert report.tp["content_exact"] == 1
    assert report.metric("full").precision == 1.0
    # without the via link both count, and the inner one is a false alarm
    inner.id, outer.via = "other", None
    report = score(gold, {"art": record(inner, outer)})
    assert (report.predicted, report.excluded_via) == (2, 0)
    assert report.metric("full").precision == 0.5


def test_evaluate_no_quote_recall(tmp_path: Path) -> None:
    quote = ([s('"We are ready for it,"')], [s("the council")], [s("added")])
    belief = ([s("the flood is over")], [s("Officials")], [s("believe")])
    gold = gold_docs(tmp_path, BRIDGE, quote, belief)
    report = score(gold, {"art": record(attr([s(GOLD_CONTENT)]), attr([s("We are ready")]))})
    assert (report.no_quote_gold, report.no_quote_found) == (2, 1)
    assert report.no_quote_recall == 0.5
    assert report.quoted_recall == 1.0
    assert report.to_dict()["no_quote"]["meets_target"] is False


def test_evaluate_missing_prediction_and_empty_report(tmp_path: Path) -> None:
    report = score(gold_docs(tmp_path, BRIDGE), {})
    assert (report.missing_predictions, report.predicted, report.gold) == (1, 0, 1)
    for k in METRICS:
        m = report.metric(k)
        assert (m.precision, m.recall, m.f1) == (0.0, 0.0, 0.0)
    assert [e.kind for e in report.errors] == ["miss"]


def test_evaluate_rejects_a_record_of_another_text(tmp_path: Path) -> None:
    gold = gold_docs(tmp_path, BRIDGE)
    with pytest.raises(InputError, match="clean=False"):
        score(gold, {"art": record(text=TEXT.strip() + " Extra.")})


def test_evaluate_report_dict_and_table(tmp_path: Path) -> None:
    report = score(gold_docs(tmp_path, BRIDGE), {"art": record(attr([s(GOLD_CONTENT)]))})
    data = report.to_dict()
    assert list(data) == [
        "corpus_hash", "mode", "runtime", "counts", "metrics", "no_quote", "quoted"
    ]  # fmt: skip
    assert list(data["metrics"]) == list(METRICS)
    assert data["metrics"]["content_exact"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "tp": 1}
    assert data["metrics"]["full"]["f1"] == 0.0
    json.dumps(data)
    table = report.format_table()
    for k in METRICS:
        assert k in table
    assert "recall without quote marks" in table


# --------------------------------------------------------------------------- plumbing


def test_evaluate_sentence_around() -> None:
    start, end = s(GOLD_CONTENT)
    assert sentence_around(TEXT, start, end) == (
        "Mayor Lena Ortiz said the bridge would reopen in May."
    )
    start, end = s("the flood is over")
    assert sentence_around(TEXT, start, end) == "Officials believe the flood is over."


def test_evaluate_corpus_hash_changes_with_any_file(tmp_path: Path) -> None:
    root = make_split(tmp_path, {"art": TEXT}, {"art_ann1": gold_ann(BRIDGE)})
    first = corpus_hash(root)
    assert first == corpus_hash(root) and len(first) == 64
    (root / "attributions" / "art_ann1.ann").write_text(gold_ann(), encoding="utf-8")
    assert corpus_hash(root) != first


class FakePipeline:
    """Yields prepared records in input order; remembers how it was called."""

    mode = "fake"

    def __init__(self, records: dict[str, Record], drop_last: bool = False) -> None:
        self.by_text = {r.text: r for r in records.values()}
        self.drop_last = drop_last
        self.calls: list[dict[str, object]] = []

    def pipe(
        self, texts: Iterable[str], *, batch_size: int = 64, clean: bool = True
    ) -> Iterator[Record]:
        self.calls.append({"batch_size": batch_size, "clean": clean})
        items = list(texts)
        if self.drop_last:
            items = items[:-1]
        for text in items:
            yield self.by_text.get(text, Record(doc="", text=text))


def test_evaluate_dir_pipes_without_cleaning_and_writes_errors(tmp_path: Path) -> None:
    other = "The committee said nothing new would happen."
    root = make_split(
        tmp_path / "split",
        {"art": TEXT, "zzz": other},
        {"art_ann1": gold_ann(BRIDGE), "zzz_ann1": gold_ann(([sp(other, "nothing")], [], []))},
    )
    fake = FakePipeline({"art": record(attr([s(GOLD_CONTENT)], [s("Ortiz")], [s("added")]))})
    errors = tmp_path / "out" / "errors.jsonl"
    report = evaluate_dir(root, pipeline=fake, batch_size=3, errors=errors)
    assert fake.calls == [{"batch_size": 3, "clean": False}]
    assert (report.articles, report.gold, report.predicted) == (2, 2, 1)
    assert report.tp["content_exact"] == 1 and report.tp["full"] == 0
    assert report.corpus_hash == corpus_hash(root) and report.mode == "fake"
    # the versions the scores depend on travel with them
    assert report.runtime["python"] == platform.python_version()
    items = [json.loads(line) for line in errors.read_text(encoding="utf-8").splitlines()]
    assert sorted(i["kind"] for i in items) == ["miss", "wrong_cue"]
    miss = next(i for i in items if i["kind"] == "miss")
    assert miss["doc"] == "zzz_ann1" and miss["sentence"] == other
    assert miss["gold"]["content"] == "nothing"


def test_evaluate_dir_fails_when_the_pipeline_drops_a_record(tmp_path: Path) -> None:
    root = make_split(tmp_path, {"a": TEXT, "b": "Another text."}, {"a_x": gold_ann(BRIDGE)})
    root_b = root / "attributions" / "b_x.ann"
    root_b.write_text("", encoding="utf-8")
    with pytest.raises(InputError, match="1 records for 2 texts"):
        evaluate_dir(root, pipeline=FakePipeline({}, drop_last=True))
