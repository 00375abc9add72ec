"""A tagger trained with marks (the parse's cue candidates as input) gets them from accurate
mode, in process and in the tagger's own process.

No such model ships (docs/quality.md: it did not beat the shipped one), so the shipped model is
given a config that asks for marks: its graph has no token-type input and ignores them, so the
records must not change, while the wiring that computes and sends the marks runs for real.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from onrecord.accurate import tagger as T

pytestmark = pytest.mark.model

TEXT = (
    "Mayor Lena Brandt said on Tuesday that the bridge would reopen in May. "
    "The council, she added, will vote on the budget next week."
)


@pytest.fixture()
def marks_model(tmp_path: Path) -> Path:
    if not (T.DATA_DIR / T.MODEL_FILE).is_file():
        pytest.skip(f"{T.DATA_DIR / T.MODEL_FILE} is absent (build it with `make train`)")
    pytest.importorskip("onnxruntime", reason="accurate mode needs onnxruntime")
    for name in (T.MODEL_FILE, T.TOKENIZER_FILE):
        (tmp_path / name).symlink_to(T.DATA_DIR / name)
    config = json.loads((T.DATA_DIR / T.CONFIG_FILE).read_text(encoding="utf-8"))
    config["marker_levels"] = [0.1, 0.3, 0.6]
    (tmp_path / T.CONFIG_FILE).write_text(json.dumps(config), encoding="utf-8")
    return tmp_path


def test_accurate_mode_gives_the_tagger_the_cue_candidates(
    marks_model: Path, accurate_pipeline: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from onrecord.pipeline import Pipeline

    monkeypatch.setattr(T, "DATA_DIR", marks_model)
    monkeypatch.delenv("ONRECORD_TAGGER_PROCESS", raising=False)
    pipe = Pipeline(mode="accurate")
    assert pipe._combiner.wants_marks and not accurate_pipeline._combiner.wants_marks
    assert not pipe._combiner.submit("k", TEXT)  # the parse must come first
    given: list[Any] = []
    real = pipe._combiner.tagger.probabilities

    def recording(texts: list[str], marks: Any = None) -> Any:
        given.append(marks)
        return real(texts, marks)

    pipe._combiner.tagger.probabilities = recording
    record = pipe(TEXT, clean=False)
    ((marks,),) = given
    said = TEXT.index("said")
    assert any(s == said and e == said + 4 and p > 0.5 for s, e, p in marks)
    assert all(TEXT[s:e].strip() == TEXT[s:e] and 0.0 <= p <= 1.0 for s, e, p in marks)
    # the shipped graph takes no token types: same attributions as without marks
    plain = accurate_pipeline(TEXT, clean=False)
    assert [a.to_dict() for a in record.attributions] == [a.to_dict() for a in plain.attributions]


def test_the_tagger_process_takes_marks(marks_model: Path) -> None:
    from onrecord.accurate.process import TaggerProcess

    proc = TaggerProcess(marks_model)
    try:
        assert proc.wants_marks
        marks = [[(TEXT.index("said"), TEXT.index("said") + 4, 0.9)]]
        ((spans, soft),) = proc.tag_soft([TEXT], marks)
        ((spans_here, soft_here),) = T.Tagger(marks_model).tag_soft([TEXT], marks)
        assert spans == spans_here
        assert (soft.probs == soft_here.probs).all()
    finally:
        proc.close()
