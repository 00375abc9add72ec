"""A said-verb baseline: the simplest honest reference point for onrecord.

For every verb whose lemma is in ``SPEECH_VERBS`` (spaCy's parse, onrecord's
model loader):

* cue = the verb;
* source = the subtree of its ``nsubj`` child (none if it has none);
* content = the subtree of its ``ccomp`` child ("Officials said that ...",
  '"...," she added.'); failing that, when the verb's own subtree does not
  cover the sentence ("The plan, she claimed, was sound." / "..., X said."
  parsed as parataxis), the rest of the sentence outside that subtree;
  otherwise nothing is predicted.

No quote handling, no "according to", no multi-sentence content, no tuning on
dev. Scored with ``onrecord.eval.scorer.score``:

    .venv/bin/python -m bench.baselines.saidverb [--gold ../shared/data/polnear/dev] [--json]
"""

from __future__ import annotations

import sys
from typing import Any

from bench.baselines.common import main, make_attribution, token_spans
from onrecord.record import Attribution

#: a small list of speech verbs, picked before looking at dev
SPEECH_VERBS = frozenset(
    {
        "say", "tell", "add", "claim", "state", "report", "announce", "explain", "argue",
        "insist", "note", "warn", "write", "acknowledge", "admit", "deny", "confirm",
        "declare", "suggest", "predict", "reply", "respond", "testify",
    }
)  # fmt: skip


def content_tokens(verb: Any) -> list[Any]:
    for child in verb.children:
        if child.dep_ == "ccomp":
            return list(child.subtree)
    sent = verb.sent
    left, right = verb.left_edge.i, verb.right_edge.i
    if left <= sent.start and right >= sent.end - 1:
        return []
    rest = [t for t in sent if t.i < left or t.i > right]
    # drop punctuation at the edges of each side
    while rest and rest[0].is_punct:
        rest.pop(0)
    while rest and rest[-1].is_punct:
        rest.pop()
    return rest


def said_verbs(doc: Any) -> list[Attribution]:
    found: list[Attribution] = []
    for verb in doc:
        if verb.pos_ != "VERB" or verb.lemma_.lower() not in SPEECH_VERBS:
            continue
        content = content_tokens(verb)
        if not content:
            continue
        subjects = [c for c in verb.children if c.dep_ == "nsubj"]
        source = list(subjects[0].subtree) if subjects else []
        found.append(
            make_attribution(
                len(found) + 1,
                doc.text,
                token_spans(content),
                token_spans(source),
                token_spans([verb]),
                verb.lemma_,
            )
        )
    return found


if __name__ == "__main__":
    sys.exit(main(said_verbs, name="said-verb baseline"))
