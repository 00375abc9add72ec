"""Accurate mode: a fine-tuned transformer that tags Source / Cue / Content.

The model is a small BERT encoder (6 layers, hidden 384) fine-tuned on PolNeAR
as a BIO token tagger over wordpieces, exported to ONNX and quantized to int8.
It runs with onnxruntime and the ``tokenizers`` package only (no torch), both
imported lazily: install them with ``pip install 'onrecord[accurate]'``.

``Tagger.tag`` returns paired attributions (character offsets, end
exclusive); ``Tagger.tag_spans`` returns the raw labelled spans before
pairing, for callers that pair them with other evidence (e.g. a parse), and
``Tagger.tag_soft`` adds each wordpiece's role probabilities (``RoleProbs``),
with which such a caller can judge spans the tagger did not label.

The windowing and labelling helpers here are shared with the training script
(``train/train_tagger.py``), so that training and inference cut text the same
way.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from onrecord.errors import ModelNotFoundError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from numpy.typing import NDArray

Span = tuple[int, int]
#: a labelled span before pairing: role, start, end (characters, end exclusive), mean probability
RawSpan = tuple[str, int, int, float]

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
MODEL_FILE = "tagger.int8.onnx"
TOKENIZER_FILE = "tagger.tokenizer.json"
CONFIG_FILE = "tagger.json"

#: BIO labels over wordpieces; the order is the model's output order
LABELS = ("O", "B-source", "I-source", "B-cue", "I-cue", "B-content", "I-content")
ROLES = ("source", "cue", "content")
#: per label: 0 for O, else 1 + the index of its role in ROLES
LABEL_ROLE = (0, 1, 1, 2, 2, 3, 3)
#: wordpiece windows: [CLS] + body + [SEP]
MAX_LEN = 256
#: a window is cut at a sentence or paragraph end when one lies in its second half
MIN_FILL = 128
#: "[unused0]": marks a paragraph break (the tokenizer drops newlines)
PARA_ID = 1
CLS_ID = 101
SEP_ID = 102
PAD_ID = 0

_SENT_END = re.compile(r"[.!?][\"'”’)]*\s")
_ENDS_SENT = re.compile(r"[.!?][\"'”’)]*\s+$")


@dataclass(slots=True)
class TaggedAttribution:
    """One attribution found by the tagger: character spans into the text."""

    source: list[Span]
    cue: list[Span]
    content: list[Span]
    score: float


@dataclass(slots=True)
class RoleProbs:
    """The tagger's probability of each role per wordpiece (B + I), for judging other spans.

    ``starts`` are the wordpieces' first characters (paragraph markers left out),
    ``probs`` is wordpieces x roles (source, cue, content).
    """

    starts: NDArray[np.int64]
    probs: NDArray[np.float32]

    @classmethod
    def of(cls, enc: Encoded, probs: NDArray[np.float32]) -> RoleProbs:
        keep = [j for j, (s, e) in enumerate(enc.offsets) if e > s]
        starts = np.asarray([enc.offsets[j][0] for j in keep], dtype=np.int64)
        p = probs[keep] if keep else np.zeros((0, len(LABELS)), dtype=np.float32)
        roles = np.stack([p[:, 2 * r + 1] + p[:, 2 * r + 2] for r in range(len(ROLES))], axis=1)
        return cls(starts, roles.astype(np.float32))

    def mean(self, spans: list[Span], role: str) -> float | None:
        """Mean probability of ``role`` over the wordpieces starting inside ``spans``.

        None when no wordpiece starts inside them (e.g. no spans at all).
        """
        r = ROLES.index(role)
        picked: list[NDArray[np.float32]] = []
        for s, e in spans:
            lo, hi = np.searchsorted(self.starts, [s, e], side="left")
            if hi > lo:
                picked.append(self.probs[lo:hi, r])
        if not picked:
            return None
        return float(np.concatenate(picked).mean())


@dataclass(slots=True)
class Encoded:
    """A text as wordpieces, with paragraph markers inserted.

    ``offsets`` are character spans (a marker has an empty span at the start
    of the next token); ``cont`` flags "##" continuation pieces.
    """

    ids: list[int]
    offsets: list[Span]
    cont: list[bool]
    windows: list[tuple[int, int]] = field(default_factory=list)


def encode(tokenizer: Any, text: str) -> Encoded:
    """Wordpieces of ``text`` with a ``PARA_ID`` marker before each new paragraph."""
    enc = tokenizer.encode(text, add_special_tokens=False)
    ids: list[int] = []
    offsets: list[Span] = []
    cont: list[bool] = []
    prev_end = 0
    for tid, (start, end), tok in zip(enc.ids, enc.offsets, enc.tokens, strict=True):
        if ids and "\n" in text[prev_end:start]:
            ids.append(PARA_ID)
            offsets.append((start, start))
            cont.append(False)
        ids.append(tid)
        offsets.append((start, end))
        cont.append(tok.startswith("##"))
        prev_end = end
    out = Encoded(ids, offsets, cont)
    out.windows = windows(text, out)
    return out


def windows(text: str, enc: Encoded, max_len: int = MAX_LEN) -> list[tuple[int, int]]:
    """Cut the token sequence into windows of at most ``max_len - 2`` pieces.

    A window ends, where it can, after a sentence end or before a paragraph
    marker lying in its second half, and never inside a word.
    """
    body = max_len - 2
    n = len(enc.ids)
    out: list[tuple[int, int]] = []
    start = 0
    while start < n:
        end = min(start + body, n)
        if end < n:
            cut = 0
            for j in range(end, start + MIN_FILL - 1, -1):
                # cut before token j: after a sentence end, or before a marker
                if enc.ids[j] == PARA_ID:
                    cut = j
                    break
                if not enc.cont[j]:
                    lo = max(0, enc.offsets[j - 1][0] - 3)
                    if _ENDS_SENT.search(text, lo, enc.offsets[j][0]):
                        cut = j
                        break
            if not cut:
                cut = end
                while cut > start + 1 and enc.cont[cut]:
                    cut -= 1
            end = cut
        out.append((start, end))
        start = end
    return out


def char_labels(
    n_chars: int, roles: list[tuple[int, list[Span]]], text: str
) -> tuple[NDArray[np.int8], NDArray[np.bool_]]:
    """Per character: role (0 none, 1 source, 2 cue, 3 content) and span starts.

    ``roles`` holds (role, fragments); fragments separated by whitespace only
    count as one span.
    """
    role = np.zeros(n_chars, dtype=np.int8)
    begin = np.zeros(n_chars, dtype=np.bool_)
    for r, frags in roles:
        prev_end = -1
        for s, e in sorted(frags):
            s, e = max(0, s), min(n_chars, e)
            if e <= s:
                continue
            role[s:e] = r
            if prev_end < 0 or text[prev_end:s].strip():
                begin[s] = True
            prev_end = e
    return role, begin


def token_labels(enc: Encoded, role: NDArray[np.int8], begin: NDArray[np.bool_]) -> list[int]:
    """BIO label index per token (-100 for paragraph markers, ignored in training)."""
    out: list[int] = []
    prev = 0
    for tid, (s, e), c in zip(enc.ids, enc.offsets, enc.cont, strict=True):
        if tid == PARA_ID or e <= s:
            out.append(-100)
            continue
        seg = role[s:e]
        r = int(seg.max()) if c else int(seg[0]) or int(seg.max())
        if r == 0:
            out.append(0)
            prev = 0
            continue
        b = bool(begin[s:e].any()) or prev != r
        if c and prev == r:
            b = False
        out.append(2 * r - 1 if b else 2 * r)
        prev = r
    return out


class Tagger:
    """The accurate-mode tagger: ONNX int8 model + tokenizer shipped in ``onrecord/data``.

    ``role_bias`` is added to the model's decoding bias (log-probability) of each role
    (source, cue, content): a caller that checks the tagger's spans against other evidence
    may want more of them than the tagger alone should output.

    ``batch_size`` is windows per model run. The default, 1, wastes nothing on padding and
    makes a window's labels independent of the windows run beside it (int8 activations are
    quantized per batch); on one core it was also the fastest (docs/quality.md).
    """

    def __init__(
        self,
        model_dir: str | Path | None = None,
        *,
        threads: int = 1,
        batch_size: int = 1,
        role_bias: tuple[float, float, float] = (0.0, 0.0, 0.0),
    ) -> None:
        directory = Path(model_dir) if model_dir else DATA_DIR
        model_path = directory / MODEL_FILE
        tok_path = directory / TOKENIZER_FILE
        conf_path = directory / CONFIG_FILE
        for p in (model_path, tok_path, conf_path):
            if not p.is_file():
                raise ModelNotFoundError(
                    f"accurate mode's model is incomplete ({p.name} is missing from {directory}): "
                    "reinstall onrecord, or rebuild the model with `make train` in a checkout"
                )
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise ModelNotFoundError(
                "accurate mode needs onnxruntime and tokenizers: pip install 'onrecord[accurate]'"
            ) from exc
        config = json.loads(conf_path.read_text(encoding="utf-8"))
        if tuple(config.get("labels", ())) != LABELS:
            raise ModelNotFoundError(
                f"{conf_path} lists labels {config.get('labels')}, expected {list(LABELS)}"
            )
        self.max_len = int(config.get("max_len", MAX_LEN))
        self.bias = np.asarray(config.get("bias", [0.0] * len(LABELS)), dtype=np.float32)
        for r, extra in enumerate(role_bias):  # B and I of each role
            self.bias[2 * r + 1 : 2 * r + 3] += extra
        self.batch_size = batch_size
        self.tokenizer = Tokenizer.from_file(str(tok_path))
        self.tokenizer.no_truncation()
        self.tokenizer.no_padding()
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(
            str(model_path), sess_options=opts, providers=["CPUExecutionProvider"]
        )
        self._inputs = {i.name for i in self.session.get_inputs()}
        #: what the model has run over so far: texts, windows (model runs) and wordpieces
        self.counts = {"texts": 0, "windows": 0, "pieces": 0}

    # -- inference ---------------------------------------------------------

    def probabilities(self, texts: list[str]) -> list[tuple[Encoded, NDArray[np.float32]]]:
        """Per text: its encoding and label probabilities per token (n_tokens x labels)."""
        encs = [encode(self.tokenizer, t) for t in texts]
        if self.max_len != MAX_LEN:
            for text, enc in zip(texts, encs, strict=True):
                enc.windows = windows(text, enc, self.max_len)
        probs = [np.zeros((len(e.ids), len(LABELS)), dtype=np.float32) for e in encs]
        jobs = [(i, w) for i, e in enumerate(encs) for w in e.windows]
        self.counts["texts"] += len(texts)
        self.counts["windows"] += len(jobs)
        self.counts["pieces"] += sum(e - s for _, (s, e) in jobs)
        jobs.sort(key=lambda j: j[1][1] - j[1][0])
        for b in range(0, len(jobs), self.batch_size):
            batch = jobs[b : b + self.batch_size]
            width = max(e - s for _, (s, e) in batch) + 2
            ids = np.full((len(batch), width), PAD_ID, dtype=np.int64)
            mask = np.zeros((len(batch), width), dtype=np.int64)
            for k, (i, (s, e)) in enumerate(batch):
                n = e - s
                ids[k, 0] = CLS_ID
                ids[k, 1 : n + 1] = encs[i].ids[s:e]
                ids[k, n + 1] = SEP_ID
                mask[k, : n + 2] = 1
            feeds: dict[str, NDArray[np.int64]] = {"input_ids": ids, "attention_mask": mask}
            if "token_type_ids" in self._inputs:
                feeds["token_type_ids"] = np.zeros((len(batch), width), dtype=np.int64)
            logits = np.asarray(self.session.run(None, feeds)[0], dtype=np.float32)
            logits = logits - logits.max(axis=-1, keepdims=True)
            p = np.exp(logits)
            p /= p.sum(axis=-1, keepdims=True)
            for k, (i, (s, e)) in enumerate(batch):
                probs[i][s:e] = p[k, 1 : e - s + 1]
        return list(zip(encs, probs, strict=True))

    def _spans(
        self, text: str, enc: Encoded, probs: NDArray[np.float32]
    ) -> list[tuple[str, int, int, float]]:
        scores = np.log(np.maximum(probs, 1e-9)) + self.bias
        best = scores.argmax(axis=-1)
        window_starts = {s for s, _ in enc.windows}
        spans: list[tuple[str, int, int, float]] = []
        cur_role = 0
        cur_start = cur_end = 0
        cur_p: list[float] = []

        def close() -> None:
            if cur_role and cur_end > cur_start:
                spans.append((ROLES[cur_role - 1], cur_start, cur_end, float(np.mean(cur_p))))

        for j, (tid, (s, e)) in enumerate(zip(enc.ids, enc.offsets, strict=True)):
            if tid == PARA_ID:
                continue
            lab = int(best[j])
            role = LABEL_ROLE[lab]
            is_begin = lab in (1, 3, 5)
            if enc.cont[j]:
                # a word keeps the role of its first piece
                role = cur_role
                is_begin = False
            elif j in window_starts and role == cur_role:
                is_begin = False
            if role != cur_role or is_begin:
                close()
                cur_role, cur_start, cur_p = role, s, []
            if role:
                cur_end = e
                cur_p.append(float(probs[j, 2 * role - 1] + probs[j, 2 * role]))
        close()
        return spans

    def tag_spans(self, texts: list[str]) -> list[list[RawSpan]]:
        """Raw labelled spans per text: (role, start, end, mean probability), before pairing.

        ``role`` is one of "source", "cue", "content"; offsets are characters,
        end exclusive.
        """
        probs = self.probabilities(texts)
        return [self._spans(t, e, p) for t, (e, p) in zip(texts, probs, strict=True)]

    def tag_soft(self, texts: list[str]) -> list[tuple[list[RawSpan], RoleProbs]]:
        """Per text: the raw labelled spans (``tag_spans``) and the role probabilities."""
        probs = self.probabilities(texts)
        return [
            (self._spans(t, e, p), RoleProbs.of(e, p))
            for t, (e, p) in zip(texts, probs, strict=True)
        ]

    def tag(self, texts: list[str]) -> list[list[TaggedAttribution]]:
        """Attributions per text: tagged spans, paired around their cues."""
        spans = self.tag_spans(texts)
        return [pair(t, s) for t, s in zip(texts, spans, strict=True)]


# -- pairing -----------------------------------------------------------------

#: cost of a paragraph break and of a sentence end between two spans, in characters
PARA_COST = 5000
SENT_COST = 250
#: a cue left without a source borrows the nearest one closer than this
SHARE_COST = 250


class _Gaps:
    """Distances between spans of one text: characters, plus paragraph and sentence costs.

    Between two spans that do not overlap: the characters between them, plus ``PARA_COST``
    per line break and ``SENT_COST`` per sentence end among them; overlapping spans: 0.
    """

    def __init__(self, text: str) -> None:
        self.newlines = np.array([i for i, ch in enumerate(text) if ch == "\n"], dtype=np.int64)
        self.sent_ends = np.array([m.start() for m in _SENT_END.finditer(text)], dtype=np.int64)

    def matrix(self, a: Sequence[Span], b: Sequence[Span]) -> NDArray[np.float64]:
        """The distance of every x in ``a`` (rows) to every y in ``b`` (columns)."""
        sa = np.asarray(a, dtype=np.int64).reshape(-1, 2)[:, None, :]
        sb = np.asarray(b, dtype=np.int64).reshape(-1, 2)[None, :, :]
        before = sa[..., 1] <= sb[..., 0]  # x ends before y starts
        after = sb[..., 1] <= sa[..., 0]
        lo = np.where(before, sa[..., 1], sb[..., 1])
        hi = np.where(before, sb[..., 0], sa[..., 0])
        nl, ends = self.newlines, self.sent_ends
        paras = np.searchsorted(nl, hi) - np.searchsorted(nl, lo)
        sents = np.searchsorted(ends, hi) - np.searchsorted(ends, np.maximum(0, lo - 1))
        gap = (hi - lo + PARA_COST * paras + SENT_COST * sents).astype(np.float64)
        return np.where(before | after, gap, 0.0)


def pair(text: str, spans: list[tuple[str, int, int, float]]) -> list[TaggedAttribution]:
    """Group tagged spans into attributions.

    Each content span joins its nearest cue (paragraph breaks and sentence
    ends count as long distances); the contents of one cue become the
    fragments of one attribution ("…," she said, "…"). Each source joins its
    nearest cue that has content, and a cue keeps its nearest source. A
    content with no cue at all in the text still comes out, without cue.
    """
    dist = _Gaps(text)
    contents = [(s, e, p) for r, s, e, p in spans if r == "content"]
    cues = [(s, e, p) for r, s, e, p in spans if r == "cue"]
    sources = [(s, e, p) for r, s, e, p in spans if r == "source"]
    by_cue: dict[int, list[int]] = {}
    orphans: list[int] = []
    cue_spans = [(cs, ce) for cs, ce, _ in cues]
    src_spans = [(ss, se) for ss, se, _ in sources]
    if cues:
        for k, c in enumerate(dist.matrix([(s, e) for s, e, _ in contents], cue_spans).argmin(1)):
            by_cue.setdefault(int(c), []).append(k)
    else:
        orphans = list(range(len(contents)))
    src_of: dict[int, tuple[float, int]] = {}
    live = sorted(by_cue)
    # sources (rows) against the cues that have content (columns)
    gaps = dist.matrix(src_spans, [cue_spans[c] for c in live])
    if live:
        for k, row in enumerate(gaps):
            j = int(row.argmin())
            c, d = live[j], float(row[j])
            if c not in src_of or d < src_of[c][0]:
                src_of[c] = (d, k)
    # a source shared by coordinated cues ("X said ..., adding that ...")
    if sources:
        for j, c in enumerate(live):
            if c in src_of:
                continue
            k = int(gaps[:, j].argmin())
            if gaps[k, j] < SHARE_COST:
                src_of[c] = (float(gaps[k, j]), k)
    out: list[TaggedAttribution] = []
    for c in live:
        ks = by_cue[c]
        cs, ce, cp = cues[c]
        src: list[Span] = []
        if c in src_of:
            ss, se, _ = sources[src_of[c][1]]
            src = [(ss, se)]
        frags = sorted((contents[k][0], contents[k][1]) for k in ks)
        p = float(np.mean([contents[k][2] for k in ks])) * cp
        out.append(TaggedAttribution(src, [(cs, ce)], frags, p))
    for k in orphans:
        s, e, p = contents[k]
        out.append(TaggedAttribution([], [], [(s, e)], p * 0.5))
    out.sort(key=lambda a: a.content[0])
    return out
