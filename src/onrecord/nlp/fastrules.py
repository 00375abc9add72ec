"""Faster drop-in replacements for the model's two rule components.

spaCy's small English pipeline ends its parse with two rule-based
components, ``attribute_ruler`` (part-of-speech, morphology and some lemmas
from the tagger's fine tags: 179 token patterns run by the ``Matcher``) and
``lemmatizer`` (rule lemmas). Measured on news text they cost about a fifth
of the whole parse (docs/performance.md), most of it per-token Python work
that repeats for every ``the`` and ``said``:

- the ``Matcher`` tries every pattern at every token. ``FastAttributeRuler``
  indexes the same patterns by their first token's lower-cased form or fine
  tag, checks only the few candidates, and sets each token's attributes once,
  merged in the ruler's own order (later patterns win);
- the lemmatizer caches only some of its results (not base forms, the most
  common case), and looks each candidate form up in word lists by linear
  search. ``CachedLemmatizer`` caches every lemma by (form, part of speech,
  morphology), the three things a rule lemma depends on, and turns the word
  lists into sets (the same membership answers).

Both keep the original component and give the same annotations: anything
they do not know how to match exactly (an operator or attribute the
patterns of another model use, a document without a parse) goes to the
original. ``tests/test_fastrules.py`` compares every token of real
articles. ``speed_up(nlp)`` swaps them in; ``load_model`` does it unless
``ONRECORD_STOCK_RULES=1`` (and benchmarks load the stock model as the
yardstick).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

log = logging.getLogger(__name__)

#: token attributes the fast matcher reads (anything else: keep the Matcher)
_ATTRS = ("TAG", "LOWER", "DEP", "IS_SPACE")
#: the lemma cache is emptied when it grows past this many entries
LEMMA_CACHE_MAX = 500_000

Predicate = Callable[[str, str, str, bool], bool]
Entry = tuple[int, list[Predicate]]
#: what the patterns read of a token: (tag, lower, dep, is_space)
Token4 = tuple[str, str, str, bool]
#: the per-token match cache is emptied when it grows past this many entries
TOKEN_CACHE_MAX = 200_000


class Unsupported(ValueError):
    """A pattern the fast matcher cannot reproduce exactly."""


def _value_test(attr: str, spec: Any) -> Callable[[Any], bool]:
    if isinstance(spec, dict):
        if len(spec) != 1:
            raise Unsupported(f"{attr}: several operators {sorted(spec)}")
        ((op, arg),) = spec.items()
        if op == "IN":
            allowed = frozenset(arg)
            return lambda v: v in allowed
        if op == "NOT_IN":
            banned = frozenset(arg)
            return lambda v: v not in banned
        if op == "REGEX":
            rx = re.compile(arg)
            return lambda v: rx.search(v) is not None
        raise Unsupported(f"{attr}: operator {op}")
    if isinstance(spec, (bool, str)):
        return lambda v: v == spec
    raise Unsupported(f"{attr}: value {spec!r}")


def _token_test(token: dict[str, Any]) -> Callable[[str, str, str, bool], bool]:
    """A predicate over (tag, lower, dep, is_space) for one pattern token."""
    unknown = set(token) - set(_ATTRS)
    if unknown:
        raise Unsupported(f"attributes {sorted(unknown)}")
    tests = [(_ATTRS.index(attr), _value_test(attr, spec)) for attr, spec in token.items()]

    def test(tag: str, lower: str, dep: str, space: bool) -> bool:
        values = (tag, lower, dep, space)
        return all(t(values[i]) for i, t in tests)

    return test


def _keys(token: dict[str, Any], attr: str) -> list[str] | None:
    """The values of ``attr`` a pattern token needs (equality or IN), else None."""
    spec = token.get(attr)
    if isinstance(spec, str):
        return [spec]
    if isinstance(spec, dict) and set(spec) == {"IN"}:
        return [str(v) for v in spec["IN"]]
    return None


class FastAttributeRuler:
    """The same patterns as a spaCy ``AttributeRuler``, matched by index."""

    def __init__(self, ruler: Any) -> None:
        self.original = ruler
        self.name = getattr(ruler, "name", "attribute_ruler")
        self.attrs: list[dict[Any, Any]] = list(ruler.attrs)
        self.indices: list[int] = list(ruler.indices)
        # indexes of (rule, token predicates) by the first token's lower form, else its
        # tag, else none: one set for single-token patterns (their result depends on the
        # token alone, and is cached per token), one for longer ones
        Index = tuple[dict[str, list[Entry]], dict[str, list[Entry]], list[Entry]]
        single: Index = ({}, {}, [])
        longer: Index = ({}, {}, [])
        for rule, spec in enumerate(ruler.patterns):
            for pattern in spec["patterns"]:
                if not pattern or any(not isinstance(t, dict) or "OP" in t for t in pattern):
                    raise Unsupported("empty pattern or quantifier")
                entry = (rule, [_token_test(t) for t in pattern])
                by_lower, by_tag, general = single if len(pattern) == 1 else longer
                lowers = _keys(pattern[0], "LOWER")
                tags = _keys(pattern[0], "TAG")
                if lowers is not None:
                    for key in lowers:
                        by_lower.setdefault(key, []).append(entry)
                elif tags is not None:
                    for key in tags:
                        by_tag.setdefault(key, []).append(entry)
                else:
                    general.append(entry)
        self.single = single
        self.longer = longer
        self._token_rules: dict[Token4, tuple[tuple[int, ...], tuple[Entry, ...]]] = {}
        self._merged: dict[tuple[int, ...], dict[Any, Any]] = {}

    def _first_token(self, tok: Token4) -> tuple[tuple[int, ...], tuple[Entry, ...]]:
        """The single-token rules that match ``tok``, and the longer patterns it can start."""
        lower, tag = tok[1], tok[0]
        s_lower, s_tag, s_general = self.single
        l_lower, l_tag, l_general = self.longer
        rules = tuple(
            rule
            for group in (s_lower.get(lower), s_tag.get(tag), s_general)
            if group
            for rule, tests in group
            if tests[0](*tok)
        )
        starts = tuple(
            entry
            for group in (l_lower.get(lower), l_tag.get(tag), l_general)
            if group
            for entry in group
            if entry[1][0](*tok)
        )
        return rules, starts

    def _merge(self, rules: tuple[int, ...]) -> dict[Any, Any]:
        merged: dict[Any, Any] = {}
        for rule in rules:  # sorted: later rules win, as in AttributeRuler.match
            merged.update(self.attrs[rule])
        self._merged[rules] = merged
        return merged

    def __call__(self, doc: Doc) -> Doc:
        from spacy.attrs import DEP, IS_SPACE, LOWER, TAG
        from spacy.tokens._retokenize import set_token_attrs

        if not (doc.has_annotation("TAG") and doc.has_annotation("DEP")):
            return self.original(doc)
        strings = doc.vocab.strings
        rows = doc.to_array([TAG, LOWER, DEP, IS_SPACE]).tolist()
        names: dict[int, str] = {0: ""}

        def text(h: int) -> str:
            s = names.get(h)
            if s is None:
                s = names[h] = strings[h]
            return s

        toks = [(text(t), text(lo), text(d), bool(sp)) for t, lo, d, sp in rows]
        n = len(toks)
        hits: dict[int, list[int]] = {}
        indices = self.indices
        known = self._token_rules
        if len(known) > TOKEN_CACHE_MAX:
            known.clear()
        for i, tok in enumerate(toks):
            seen = known.get(tok)
            if seen is None:
                seen = known[tok] = self._first_token(tok)
            rules, starts = seen
            if rules:
                hits.setdefault(i, []).extend(rules)
            for rule, tests in starts:  # longer patterns whose first token is this one
                end = i + len(tests)
                if end > n or not all(tests[k](*toks[i + k]) for k in range(1, len(tests))):
                    continue
                index = indices[rule]
                target = (i if index >= 0 else end) + index
                if not i <= target < end:  # the AttributeRuler raises on this; let it
                    return self.original(doc)
                hits.setdefault(target, []).append(rule)
        merged = self._merged
        for i, found in hits.items():
            key = tuple(sorted(found))
            attrs = merged.get(key)
            if attrs is None:
                attrs = self._merge(key)
            set_token_attrs(doc[i], attrs)
        return doc


class CachedLemmatizer:
    """A spaCy rule ``Lemmatizer`` with every lemma cached by (form, POS, morphology)."""

    def __init__(self, lemmatizer: Any) -> None:
        self.original = lemmatizer
        self.name = getattr(lemmatizer, "name", "lemmatizer")
        self.cache: dict[tuple[int, int, int], int] = {}
        # the rule lemmatizer asks ``form in index`` of word lists of up to 57,000 entries
        # (a linear search for every candidate form): the same words as sets answer alike
        lookups = getattr(lemmatizer, "lookups", None)
        if lookups is not None and lookups.has_table("lemma_index"):
            table = lookups.get_table("lemma_index")
            for key, words in list(table.items()):
                if isinstance(words, list):
                    table[key] = frozenset(words)

    def __call__(self, doc: Doc) -> Doc:
        from spacy.attrs import LEMMA, MORPH, ORTH, POS

        lem = self.original
        if getattr(lem, "mode", None) != "rule":
            return lem(doc)
        if not getattr(lem, "_validated", True):
            lem._validate_tables()
        array = doc.to_array([ORTH, POS, MORPH, LEMMA])
        overwrite = bool(getattr(lem, "overwrite", False))
        cache = self.cache
        if len(cache) > LEMMA_CACHE_MAX:
            cache.clear()
        strings = doc.vocab.strings
        lemmas = array[:, 3].copy()
        for i, (orth, pos, morph, lemma) in enumerate(array.tolist()):
            if lemma and not overwrite:
                continue
            key = (orth, pos, morph)
            value = cache.get(key)
            if value is None:
                value = cache[key] = strings.add(lem.lemmatize(doc[i])[0])
            lemmas[i] = value
        column: Any = lemmas.reshape(-1, 1)
        doc.from_array([LEMMA], column)
        return doc


#: component names of the fast versions; the originals stay in the pipeline, disabled
FAST_NAMES = {"attribute_ruler": "fast_attribute_ruler", "lemmatizer": "fast_lemmatizer"}


def _register() -> None:
    from spacy.language import Language

    if Language.has_factory("onrecord_fast_rules"):
        return

    @Language.factory("onrecord_fast_rules", default_config={"source": "attribute_ruler"})
    def make(nlp: Language, name: str, source: str) -> Any:
        proc = nlp.get_pipe(source)
        if type(proc).__name__ == "AttributeRuler":
            return FastAttributeRuler(proc)
        return CachedLemmatizer(proc)


def speed_up(nlp: Language) -> list[str]:
    """Swap the fast components in where they reproduce the originals; return their names.

    Each fast component is added right after its original, which is disabled
    (not removed: the fast one delegates to it for what it does not cover).
    """
    from spacy.pipeline import AttributeRuler, Lemmatizer

    _register()
    swapped: list[str] = []
    for source, fast_name in FAST_NAMES.items():
        if source not in nlp.pipe_names or fast_name in nlp.component_names:
            continue
        proc = nlp.get_pipe(source)
        rule_lemmatizer = isinstance(proc, Lemmatizer) and getattr(proc, "mode", None) == "rule"
        if not (type(proc) is AttributeRuler or rule_lemmatizer):
            continue
        try:  # the factory raises Unsupported before anything is added
            nlp.add_pipe(
                "onrecord_fast_rules", name=fast_name, after=source, config={"source": source}
            )
        except Unsupported as exc:
            log.info("%s keeps spaCy's component: %s", source, exc)
            continue
        nlp.disable_pipe(source)
        swapped.append(source)
    return swapped
