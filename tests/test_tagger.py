"""The accurate-mode tagger: the shipped ONNX model on short invented sentences."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from onrecord.accurate import tagger as T
from onrecord.errors import ModelNotFoundError


@pytest.fixture(scope="module")
def tagger() -> T.Tagger:
    if not (T.DATA_DIR / T.MODEL_FILE).is_file():
        pytest.skip(f"{T.DATA_DIR / T.MODEL_FILE} is absent (build it with `make train`)")
    pytest.importorskip("onnxruntime", reason="accurate mode needs onnxruntime")
    pytest.importorskip("tokenizers", reason="accurate mode needs tokenizers")
    return T.Tagger()


def _covers(spans: list[tuple[int, int]], text: str, phrase: str) -> bool:
    start = text.index(phrase)
    end = start + len(phrase)
    return any(s <= start and end <= e + 1 for s, e in spans)


def test_said_that(tagger: T.Tagger) -> None:
    text = "Mayor Lena Brandt said on Tuesday that the bridge would reopen in May."
    (spans,) = tagger.tag_spans([text])
    sure = {(role, text[s:e]) for role, s, e, p in spans if p >= 0.9}
    assert ("cue", "said") in sure, spans
    assert any(r == "source" and "Brandt" in t for r, t in sure), spans
    assert any(r == "content" and "the bridge would reopen in May" in t for r, t in sure), spans
    (attrs,) = tagger.tag([text])
    assert attrs, "no attribution found"
    a = max(attrs, key=lambda x: x.score)
    assert _covers(a.content, text, "the bridge would reopen in May")
    assert any("Brandt" in text[s:e] for s, e in a.source)
    assert 0.0 < a.score <= 1.0
    # The tagger's own pairing joins a content to the nearest cue span: the shipped model
    # also labels "Tuesday" as a doubtful cue (p ~0.5), which wins there. Accurate mode takes
    # its cues from the parse and gets "said" (the next test).


def test_said_that_in_accurate_mode(accurate_pipeline: Any) -> None:
    text = "Mayor Lena Brandt said on Tuesday that the bridge would reopen in May."
    record = accurate_pipeline(text, clean=False)
    got = [
        (a.source and a.source.text, a.cue and a.cue.text, a.content.text)
        for a in record.attributions
    ]
    assert got == [("Mayor Lena Brandt", "said", "that the bridge would reopen in May")], got


def test_no_attribution(tagger: T.Tagger) -> None:
    text = "The bridge over the Ostra river is four hundred meters long and painted green."
    assert tagger.tag([text]) == [[]]
    assert not [s for s in tagger.tag_spans([text])[0] if s[0] == "content"]


def test_spans_and_batch(tagger: T.Tagger) -> None:
    texts = [
        "“We will not raise taxes,” the governor told reporters in Albany.",
        "",
        "Rain is expected tomorrow.",
    ]
    spans = tagger.tag_spans(texts)
    assert len(spans) == 3
    assert spans[1] == []
    roles = {r for r, *_ in spans[0]}
    assert {"cue", "content"} <= roles
    for role, s, e, p in spans[0]:
        assert role in T.ROLES
        assert 0 <= s < e <= len(texts[0])
        assert 0.0 <= p <= 1.0


def test_long_text_is_windowed(tagger: T.Tagger) -> None:
    para = "Officials said on Monday that the new rail line would open next spring. "
    text = "\n\n".join([para * 6] * 12)
    enc = T.encode(tagger.tokenizer, text)
    assert len(enc.windows) > 1
    assert enc.windows[0][0] == 0 and enc.windows[-1][1] == len(enc.ids)
    assert all(e - s <= T.MAX_LEN - 2 for s, e in enc.windows)
    (attrs,) = tagger.tag([text])
    assert len(attrs) >= 60


def test_counts_what_the_model_ran_over(tagger: T.Tagger) -> None:
    para = "The ferry operator said on Friday that crossings to Velm would resume. "
    texts = ["\n\n".join([para * 5] * 6), "", "Snow fell on the pass."]
    before = dict(tagger.counts)
    tagger.tag_spans(texts)
    done = {k: tagger.counts[k] - before[k] for k in before}
    encs = [T.encode(tagger.tokenizer, t) for t in texts]
    assert done["texts"] == 3
    assert done["windows"] == sum(len(e.windows) for e in encs) > 2
    # one window per model run, every piece once: no padding, no overlap
    assert done["pieces"] == sum(len(e.ids) for e in encs)


def test_missing_model(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFoundError, match="missing"):
        T.Tagger(tmp_path)


def test_labels_roundtrip() -> None:
    """Character labels -> wordpiece BIO: fragments split by whitespace stay one span."""
    text = "He said the plan\nwas good."
    role, begin = T.char_labels(len(text), [(2, [(3, 7)]), (3, [(8, 16), (17, 26)])], text)
    assert role[3:7].tolist() == [2] * 4
    assert begin.nonzero()[0].tolist() == [3, 8]
    assert np.all(role[17:26] == 3)


def test_role_probabilities_judge_any_span(tagger: T.Tagger) -> None:
    """``tag_soft``: the same spans as ``tag_spans``, plus role probabilities per wordpiece that
    rate spans the tagger did not label (high on its own cue, low on a word that is no cue)."""
    text = "Mayor Lena Brandt said on Tuesday that the bridge would reopen in May."
    ((spans, soft),) = tagger.tag_soft([text])
    assert spans == tagger.tag_spans([text])[0]
    assert soft.probs.shape == (len(soft.starts), len(T.ROLES))
    assert np.all(np.diff(soft.starts) >= 0)
    said = [(text.index("said"), text.index("said") + 4)]
    bridge = [(text.index("bridge"), text.index("bridge") + 6)]
    assert (soft.mean(said, "cue") or 0.0) > 0.5
    assert (soft.mean(bridge, "cue") or 1.0) < 0.2
    assert (soft.mean(bridge, "content") or 0.0) > 0.5
    assert soft.mean([], "cue") is None
    assert soft.mean([(len(text), len(text))], "source") is None


def test_role_bias_shifts_decoding() -> None:
    """A large negative bias on a role removes that role from the decoded spans."""
    if not (T.DATA_DIR / T.MODEL_FILE).is_file():
        pytest.skip(f"{T.DATA_DIR / T.MODEL_FILE} is absent (build it with `make train`)")
    pytest.importorskip("onnxruntime", reason="accurate mode needs onnxruntime")
    text = "Mayor Lena Brandt said on Tuesday that the bridge would reopen in May."
    no_cues = T.Tagger(role_bias=(0.0, -50.0, 0.0)).tag_spans([text])[0]
    assert no_cues and not [s for s in no_cues if s[0] == "cue"]


class _WordPieces:
    """A stand-in for the ``tokenizers`` encoding: whitespace words, "pre" split in two."""

    def encode(self, text: str, add_special_tokens: bool = False) -> object:
        import re

        ids, offsets, tokens = [], [], []
        for m in re.finditer(r"\S+", text):
            if m.group().startswith("pre") and len(m.group()) > 3:
                pieces = [(m.start(), m.start() + 3, "pre"), (m.start() + 3, m.end(), "##x")]
            else:
                pieces = [(m.start(), m.end(), m.group())]
            for s, e, tok in pieces:
                ids.append(1000 + len(ids))
                offsets.append((s, e))
                tokens.append(tok)
        return type("Enc", (), {"ids": ids, "offsets": offsets, "tokens": tokens})()


def _gap(text: str, a: tuple[int, int], b: tuple[int, int]) -> float:
    """The distance ``pair`` uses, one pair at a time, written out plainly."""
    if a[1] <= b[0]:
        lo, hi = a[1], b[0]
    elif b[1] <= a[0]:
        lo, hi = b[1], a[0]
    else:
        return 0.0
    paras = text.count("\n", lo, hi)
    ends = [m.start() for m in T._SENT_END.finditer(text)]
    sents = sum(1 for e in ends if max(0, lo - 1) <= e < hi)
    return float(hi - lo + T.PARA_COST * paras + T.SENT_COST * sents)


def test_gap_matrix_equals_pairwise_gaps() -> None:
    text = "One said it. Two.\nThree told us: four, five. Six said so.\n\nSeven."
    gaps = T._Gaps(text)
    rng = np.random.default_rng(3)
    spans = [tuple(sorted(map(int, rng.integers(0, len(text), 2)))) for _ in range(40)]
    spans += [(0, 3), (3, 3), (len(text) - 1, len(text))]
    m = gaps.matrix(spans, spans[::-1])
    assert m.shape == (len(spans), len(spans))
    for i, a in enumerate(spans):
        for j, b in enumerate(spans[::-1]):
            assert m[i, j] == _gap(text, a, b), (a, b)
    assert gaps.matrix([], spans).shape == (0, len(spans))


def test_pair_joins_contents_to_the_nearest_cue_and_shares_a_source() -> None:
    text = (
        "The mayor said the pier would reopen, adding that repairs were done.\n"
        "Rain is expected on Friday."
    )

    def at(role: str, phrase: str, p: float = 0.9) -> tuple[str, int, int, float]:
        s = text.index(phrase)
        return (role, s, s + len(phrase), p)

    spans = [
        at("source", "The mayor"),
        at("cue", "said"),
        at("content", "the pier would reopen"),
        at("cue", "adding"),
        at("content", "repairs were done"),
        at("content", "Rain is expected on Friday", 0.6),
    ]
    out = T.pair(text, spans)
    by_cue = {text[a.cue[0][0] : a.cue[0][1]] if a.cue else "": a for a in out}
    said, adding = by_cue["said"], by_cue["adding"]
    assert [text[s:e] for s, e in said.content] == ["the pier would reopen"]
    assert [text[s:e] for s, e in said.source] == ["The mayor"]
    # a content always joins its nearest cue, even across a paragraph break
    assert [text[s:e] for s, e in adding.content] == [
        "repairs were done",
        "Rain is expected on Friday",
    ]
    # the coordinated cue borrows the source of its sentence
    assert [text[s:e] for s, e in adding.source] == ["The mayor"]
    assert len(out) == 2
    assert T.pair(text, [at("content", "repairs were done")])[0].cue == []
