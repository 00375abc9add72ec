"""The per-document heart of onrecord and its streaming batch form.

``Pipeline.pipe`` runs clean -> annotate (one ``nlp.pipe`` call for the whole
stream) -> attribute -> resolve -> date, and yields one ``Record`` per input,
in input order. ``extract`` is the one-document convenience.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from onrecord.errors import InputError, OnrecordError
from onrecord.options import PipelineOptions
from onrecord.record import (
    Attribution,
    Content,
    Cue,
    Entity,
    Record,
    Removed,
    Source,
    TimeExpression,
    TimeRef,
)
from onrecord.stages.addressee import find_addressee_and_setting
from onrecord.stages.attribute import Attributor, Found
from onrecord.stages.quotes import find_quotes

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

    from onrecord.accurate.combine import Combiner, Tagging
    from onrecord.read.document import RawDocument

log = logging.getLogger(__name__)
#: a code point UTF-8 cannot carry: a text holding one cannot be parsed
_SURROGATE = re.compile("[\ud800-\udfff]")


def doc_id(text: str) -> str:
    """A stable id for a text without a name: a short hash of its content."""
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


@dataclass(slots=True)
class _Prepared:
    doc_name: str
    text: str
    title: str | None
    published: date | None
    credits: list[str]
    removed: list[Removed]
    #: accurate mode: the key its text was sent to the tagger process under
    tag_key: int | None = None


class Pipeline:
    """Load the models once; turn texts into records.

    ``mode="fast"`` (the default) uses the spaCy parse and learned linear
    models; ``mode="accurate"`` adds the transformer tagger (needs the
    ``accurate`` extra: onnxruntime and tokenizers). ``options`` says it all at
    once (``model`` and ``mode`` are shorthands for it); what neither gives comes
    from the environment (``onrecord.options``).
    """

    def __init__(
        self,
        model: str | None = None,
        *,
        mode: str | None = None,
        options: PipelineOptions | None = None,
    ) -> None:
        from onrecord.nlp.model import load_model

        if options is None:
            options = PipelineOptions.from_env(model=model, mode=mode)
        self.options = options
        self.mode = options.mode
        self.nlp: Language = load_model(options.model, stock=options.stock_model)
        self.attributor = Attributor()
        self._combiner: Combiner | None = None
        self._tag_keys = itertools.count()
        if options.mode == "accurate":
            import multiprocessing

            from onrecord.accurate.combine import Combiner

            # a daemon process (a pool worker) may not start a child of its own
            own = options.tagger_process and not multiprocessing.current_process().daemon
            self._combiner = Combiner(process=own)

    # -- streaming -----------------------------------------------------------

    def pipe(
        self,
        texts: Iterable[str | RawDocument],
        *,
        batch_size: int = 64,
        published: str | date | None = None,
        clean: bool = True,
        on_error: Callable[[str, BaseException], None] | None = None,
    ) -> Iterator[Record]:
        """Yield one record per text, in order, through one ``nlp.pipe`` call.

        Without ``on_error`` a document that fails raises; with it, the
        failure is handed to ``on_error(name, exception)`` and the stream goes
        on (the document yields no record, and the caller has been told).
        """
        from onrecord.stages.date import parse_published

        default_published = parse_published(published) if published is not None else None

        def prepared() -> Iterator[tuple[str, _Prepared]]:
            for item in texts:
                try:
                    prep = self._prepare(item, default_published, clean)
                except Exception as exc:  # one bad document never ends the stream
                    if on_error is None:
                        raise
                    if not isinstance(exc, OnrecordError):
                        log.exception("failed to prepare %s", _name_of(item))
                    on_error(_name_of(item), exc)
                    continue
                if self._combiner is not None:
                    key = next(self._tag_keys)
                    if self._combiner.submit(key, prep.text):
                        prep.tag_key = key  # the tagger starts on it while the parse waits
                        pending.add(key)
                yield prep.text, prep

        pending: set[int] = set()
        try:
            for doc, prep in self.nlp.pipe(prepared(), as_tuples=True, batch_size=batch_size):
                try:
                    yield self._record(doc, prep)
                except Exception as exc:  # one bad document never ends the stream
                    if on_error is None:
                        raise
                    log.exception("failed on %s", prep.doc_name)
                    on_error(prep.doc_name, exc)
                finally:
                    if prep.tag_key is not None:
                        pending.discard(prep.tag_key)
        finally:
            if pending and self._combiner is not None:
                self._combiner.discard(pending)  # a stream left early: drop what is still out

    def __call__(
        self, text: str, *, published: str | date | None = None, clean: bool = True
    ) -> Record:
        return next(self.pipe([text], published=published, clean=clean, batch_size=1))

    # -- stages --------------------------------------------------------------

    def _prepare(self, item: str | RawDocument, published: date | None, clean: bool) -> _Prepared:
        from onrecord.stages.date import parse_published

        if isinstance(item, str):
            text, name, title, pub = item, None, None, published
        else:
            text, name, title = item.text, item.doc, item.title
            pub = parse_published(item.published) if item.published else published
        if _SURROGATE.search(text):
            raise InputError(
                f"{name or 'text'}: holds a lone surrogate code point (U+D800-U+DFFF), which is "
                "no character: fix the text's encoding",
                reason="undecodable",
            )
        credits: list[str] = []
        removed: list[Removed] = []
        if clean and not (not isinstance(item, str) and item.extracted):
            # a page's body from the HTML extractor is clean already
            from onrecord.stages.clean import clean_text

            cleaned = clean_text(text)
            text = cleaned.text
            title = title or cleaned.title
            credits = cleaned.credits
            removed = cleaned.removed
        if len(text) > self.nlp.max_length:
            raise InputError(
                f"{name or 'text'}: {len(text):,} characters is over the parser's limit of "
                f"{self.nlp.max_length:,} (it needs about 1 GB of memory per 100,000): "
                "split the document",
                reason="too_large",
            )
        return _Prepared(name or doc_id(text), text, title, pub, credits, removed)

    def _record(self, doc: Doc, prep: _Prepared) -> Record:
        tagging = None
        if self._combiner is not None and prep.tag_key is not None:
            tagging = self._combiner.result(prep.tag_key, doc.text)
        return annotate_record(
            doc,
            self.attributor,
            self._combiner,
            name=prep.doc_name,
            title=prep.title,
            published=prep.published,
            credits=prep.credits,
            removed=prep.removed,
            tagging=tagging,
        )


def annotate_record(
    doc: Doc,
    attributor: Attributor,
    combiner: Combiner | None,
    *,
    name: str,
    title: str | None = None,
    published: date | None = None,
    credits: list[str] | None = None,
    removed: list[Removed] | None = None,
    tagging: Tagging | None = None,
) -> Record:
    """The record of one parsed document: attribute -> check -> resolve -> date -> calibrate.

    ``combiner`` is accurate mode's (None in fast mode); ``tagging`` its tagger's result for
    the text when it was computed ahead (else it is computed here). ``Pipeline`` and the spaCy
    component (``onrecord.nlp.component``) both build records here.
    """
    from onrecord.stages.calibrate import calibrate
    from onrecord.stages.check import check
    from onrecord.stages.date import find_times
    from onrecord.stages.resolve import resolve

    text = doc.text  # a property that joins every token: compute it once
    quotes = find_quotes(text)
    if combiner is None:
        found = attributor(doc, quotes, text)
    else:
        # more parse candidates than fast mode keeps: the tagger checks them
        scores = attributor.score_cues(doc, quotes)
        found = attributor(doc, quotes, text, threshold=combiner.cue_threshold, scores=scores)
        tagged, soft = tagging if tagging is not None else (None, None)
        found = combiner(
            doc, found, quotes, text, attributor, tagged=tagged, soft=soft, scores=scores
        )
    found = check(doc, found, quotes, accurate=combiner is not None)  # drop non-attributions
    resolved = resolve(doc, found, text)
    times = find_times(doc, published)
    record = Record(
        doc=name,
        text=text,
        title=title,
        published=published.isoformat() if published else None,
        credits=credits or [],
        removed=removed or [],
        entities=resolved.entities,
        times=times,
    )
    record.attributions = [
        _attribution(text, i, f, resolved.sources[i], times, resolved.entities)
        for i, f in enumerate(found)
    ]
    # the raw confidence -> the probability that it is an attribution (on the web)
    calibrate(record.attributions, "fast" if combiner is None else "accurate")
    return record


def _name_of(item: object) -> str:
    return str(getattr(item, "doc", None) or "<text>")


def _attribution(
    text: str,
    index: int,
    item: Found,
    source: Source | None,
    times: list[TimeExpression],
    entities: list[Entity] | None = None,
) -> Attribution:
    cue = None
    if item.cue:
        spans = _token_spans(item.cue)
        lemma = item.cue_head.lemma_.lower() if item.cue_head is not None else ""
        if item.kind == "according_to":
            lemma = "according to"
        cue = Cue(" ".join(text[s:e] for s, e in spans), lemma, spans)
    time = None
    if item.time is not None:
        # find_times trims its spans ("on Tuesday" -> "Tuesday"): match by containment
        lo, hi = item.time.start_char, item.time.end_char
        tx = next((t for t in times if lo <= t.spans[0][0] and t.spans[0][1] <= hi), None)
        if tx is not None:
            time = TimeRef(tx.text, tx.value)
    content_text = " … ".join(text[s:e] for s, e in item.content)
    # to whom, and where or in what medium: from the parse around the cue
    addressee, setting = find_addressee_and_setting(item, text, entities or [])
    return Attribution(
        id=f"a{index + 1}",
        kind=item.kind,
        content=Content(content_text, list(item.content)),
        quotes=list(item.quotes),
        cue=cue,
        source=source,
        via=f"a{item.via + 1}" if item.via is not None else None,
        time=time,
        addressee=addressee,
        setting=setting,
        confidence=item.confidence,
    )


def _token_spans(tokens: list[Any]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for tok in sorted(tokens, key=lambda t: t.i):
        s, e = tok.idx, tok.idx + len(tok.text)
        if spans and s - spans[-1][1] <= 1:
            spans[-1] = (spans[-1][0], e)
        else:
            spans.append((s, e))
    return spans


_default: Pipeline | None = None


def extract(
    text: str,
    *,
    published: str | date | None = None,
    clean: bool = True,
    model: str | None = None,
    mode: str | None = None,
) -> Record:
    """The record of one article (loads the default pipeline once per process; another
    ``model`` or ``mode`` loads its own)."""
    global _default
    if _default is None or model is not None or mode not in (None, _default.mode):
        pipeline = Pipeline(model, mode=mode)
        if model is None and mode is None:
            _default = pipeline
    else:
        pipeline = _default
    return pipeline(text, published=published, clean=clean)
