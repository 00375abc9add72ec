"""Accurate mode's tagger in a child process: same spans as in-process, streams left early,
errors from the child."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from onrecord.accurate import tagger as T
from onrecord.accurate.process import TaggerProcess
from onrecord.errors import ModelNotFoundError, OnrecordError
from onrecord.nlp.blas import BLAS_THREAD_VARIABLES

TEXTS = [
    "Mayor Lena Brandt said on Tuesday that the bridge would reopen in May.",
    "“We will not raise taxes,” the governor told reporters in Albany.",
    "",
    "Rain is expected tomorrow, the weather service said.",
]


def test_missing_model_raises_in_the_parent(tmp_path: Path) -> None:
    """The child's ModelNotFoundError reaches the caller as one, with the same message."""
    pytest.importorskip("onnxruntime", reason="accurate mode needs onnxruntime")
    with pytest.raises(ModelNotFoundError, match="missing"):
        TaggerProcess(tmp_path)


@pytest.fixture(scope="module")
def proc() -> Any:
    if not (T.DATA_DIR / T.MODEL_FILE).is_file():
        pytest.skip(f"{T.DATA_DIR / T.MODEL_FILE} is absent (build it with `make train`)")
    pytest.importorskip("onnxruntime", reason="accurate mode needs onnxruntime")
    p = TaggerProcess()
    yield p
    p.close()


def test_same_spans_as_in_process(proc: TaggerProcess) -> None:
    assert proc.tag_spans(TEXTS) == T.Tagger().tag_spans(TEXTS)


def test_results_by_key_in_any_order(proc: TaggerProcess) -> None:
    for n, text in enumerate(TEXTS):
        proc.submit(("k", n), text)
    got = {n: proc.result(("k", n)) for n in reversed(range(len(TEXTS)))}
    assert got[0] == proc.tag_spans([TEXTS[0]])[0]
    assert got[2] == []


def test_discarded_results_do_not_leak_into_later_calls(proc: TaggerProcess) -> None:
    proc.submit("dropped", TEXTS[0])
    proc.discard("dropped")
    assert proc.tag_spans([TEXTS[1]]) == T.Tagger().tag_spans([TEXTS[1]])
    assert not proc._done and not proc._ignored


def test_parent_stays_single_threaded(proc: TaggerProcess) -> None:
    """The point of the child: onnxruntime's threads live there; the parsing process keeps one."""
    code = (
        "from onrecord import Pipeline\n"
        "p = Pipeline(mode='accurate')\n"
        "r = next(p.pipe(['Officials said on Monday that talks would go on.'], clean=False))\n"
        "assert r.attributions\n"
        "import sys\n"
        "print('onnxruntime' in sys.modules, open('/proc/self/status').read().split('Threads:')[1]"
        ".split()[0])\n"
    )
    # as ingest workers run it: BLAS limited to one thread before numpy loads (onrecord.nlp.blas)
    env = {
        **os.environ,
        **dict.fromkeys(BLAS_THREAD_VARIABLES, "1"),
        "ONRECORD_TAGGER_PROCESS": "1",
    }
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert out.stdout.split() == ["False", "1"], out.stdout + out.stderr
    assert proc.cpu_seconds() > 0.0


def test_a_closed_child_is_a_clear_error(tmp_path: Path) -> None:
    if not (T.DATA_DIR / T.MODEL_FILE).is_file():
        pytest.skip(f"{T.DATA_DIR / T.MODEL_FILE} is absent (build it with `make train`)")
    p = TaggerProcess()
    p._proc.kill()
    p._proc.join()
    with pytest.raises(OnrecordError, match="tagger process ended"):
        p.tag_spans(TEXTS[:1])
    p.close()


@pytest.fixture(scope="module")
def process_pipeline(proc: TaggerProcess) -> Any:
    """Accurate mode with ``ONRECORD_TAGGER_PROCESS=1``."""
    from onrecord import Pipeline

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ONRECORD_TAGGER_PROCESS", "1")
        pipeline = Pipeline(mode="accurate")
    assert isinstance(pipeline._combiner.tagger, TaggerProcess)
    yield pipeline
    pipeline._combiner.close()


def test_in_process_by_default(accurate_pipeline: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ONRECORD_TAGGER_PROCESS", raising=False)
    assert isinstance(accurate_pipeline._combiner.tagger, T.Tagger)


def test_same_records_as_in_process(process_pipeline: Any, accurate_pipeline: Any) -> None:
    texts = [f"{t} Officials said on day {n} that talks would go on." for n, t in enumerate(TEXTS)]
    got = [r.to_dict() for r in process_pipeline.pipe(texts, clean=False, batch_size=2)]
    assert got == [r.to_dict() for r in accurate_pipeline.pipe(texts, clean=False)]


def test_accurate_stream_left_early_then_reused(process_pipeline: Any) -> None:
    texts = [f"{t} Officials said on day {n} that talks would go on." for n, t in enumerate(TEXTS)]
    stream = process_pipeline.pipe(texts * 10, clean=False, batch_size=4)
    first = next(stream)
    stream.close()  # the rest was sent to the tagger: its results are dropped, not kept
    again = list(process_pipeline.pipe(texts[:1], clean=False))
    assert [a.to_dict() for a in again[0].attributions] == [a.to_dict() for a in first.attributions]
    assert not process_pipeline._combiner.tagger._done


def test_a_failed_text_is_an_error_record_and_the_stream_goes_on(process_pipeline: Any) -> None:
    errors: list[str] = []
    texts = ["Officials said the port would close.", "Officials said the port would open."]
    tagger = process_pipeline._combiner.tagger
    real = tagger.result_soft

    def result_soft(key: Any) -> Any:
        tagged = real(key)
        if key % 2 == 0:
            raise OnrecordError("the tagger failed: boom")
        return tagged

    tagger.result_soft = result_soft
    try:
        out = list(
            process_pipeline.pipe(texts, clean=False, on_error=lambda n, e: errors.append(str(e)))
        )
    finally:
        del tagger.result_soft
    assert len(out) + len(errors) == 2 and errors == ["the tagger failed: boom"]


def test_soft_results_match_in_process(proc: TaggerProcess) -> None:
    """``tag_soft`` in the child: the same spans and role probabilities as in-process."""
    ((spans, soft),) = proc.tag_soft(TEXTS[:1])
    ((spans_here, soft_here),) = T.Tagger().tag_soft(TEXTS[:1])
    assert spans == spans_here
    assert (soft.starts == soft_here.starts).all()
    assert (abs(soft.probs - soft_here.probs) < 1e-6).all()
