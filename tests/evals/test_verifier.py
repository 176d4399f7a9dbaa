"""The verifier benchmark: the generator's edits, claims files, metrics and `eval verifier`."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest
import typer
from typer.testing import CliRunner

from assistant.cli.output import USER_ERROR
from assistant.settings import Settings
from evals.cli import register
from evals.verifier import run_verifier_eval
from evals.verifier_claims import ClaimCitation, ClaimsError, CorpusPassages, load_claims
from evals.verifier_edits import (
    edit_actor,
    edit_article,
    edit_date,
    edit_law,
    edit_modality,
    edit_negation,
    edit_number,
    inserted_text,
)

ROOT = Path(__file__).resolve().parents[2]

# ---------------------------------------------------------------- the generator's edits


def test_number_edits_change_amounts_not_years_or_articles() -> None:
    zh = list(edit_number("网络日志留存不少于六个月，处五千万元以下罚款。"))
    assert "网络日志留存不少于十二个月，处五千万元以下罚款。" in zh
    assert "网络日志留存不少于六个月，处五百万元以下罚款。" in zh
    en = list(edit_number("Logs are kept for 6 months and fines reach RMB 50,000."))
    assert "Logs are kept for 60 months and fines reach RMB 50,000." in en
    assert "Logs are kept for 6 months and fines reach RMB 500,000." in en
    assert next(edit_number("Within two working days.")) == "Within four working days."
    # A year or an article number is another edit's business.
    assert list(edit_number("In 2024, Article 21 applied.")) == []
    assert list(edit_number("依照第二十一条。")) == []


def test_date_edits_move_the_date() -> None:
    assert next(edit_date("该规则于2024年9月11日发布。")) == "该规则于2024年10月11日发布。"
    assert "November 1, 2021" in next(edit_date("It took effect on September 1, 2021."))
    assert next(edit_date("Rules of 2019 apply.")) == "Rules of 2020 apply."
    assert list(edit_date("Operators may keep logs.")) == []  # the verb "may" is no month


def test_negation_edits_flip_polarity() -> None:
    assert (
        next(edit_negation("Access does not violate US rules.")) == "Access does violate US rules."
    )
    assert next(edit_negation("Operators must keep logs.")) == "Operators must not keep logs."
    assert next(edit_negation("网络日志不少于六个月。")) == "网络日志少于六个月。"
    assert next(edit_negation("运营者应当留存日志。")) == "运营者不应当留存日志。"
    # 供应 is not the modal 应: no negation goes inside it.
    assert all("供不应" not in e for e in edit_negation("由学东科技供应的平台。"))


def test_modality_edits_weaken_or_strengthen() -> None:
    assert next(edit_modality("Operators must keep logs.")) == "Operators may keep logs."
    assert next(edit_modality("Exporters may apply.")) == "Exporters must apply."
    assert next(edit_modality("运营者应当留存日志。")) == "运营者可以留存日志。"
    assert next(edit_modality("平台可以停止服务。")) == "平台应当停止服务。"
    assert list(edit_modality("Logs were kept.")) == []


def test_actor_law_and_article_edits() -> None:
    assert next(edit_actor("Network operators must keep logs.")) == (
        "Network providers must keep logs."
    )
    assert next(edit_actor("网络运营者应当留存日志。")) == "网络产品提供者应当留存日志。"
    assert next(edit_law("Under the Data Security Law, …")) == "Under the Cybersecurity Law, …"
    assert next(edit_law("《网络安全法》第二十一条")) == "《数据安全法》第二十一条"
    assert next(edit_article("依照《网络安全法》第二十一条。")) == "依照《网络安全法》第二十二条。"
    assert next(edit_article("See § 744.23 of the EAR.")) == "See § 744.24 of the EAR."
    assert next(edit_article("Under Article 7, …")) == "Under Article 8, …"


def test_inserted_text_gives_whole_words() -> None:
    assert inserted_text("Network operators must", "Network providers must") == "providers"
    assert inserted_text("网络运营者应当", "网络提供者应当") == "提供"


def _generator() -> ModuleType:
    path = ROOT / "scripts" / "make_verifier_set.py"
    spec = importlib.util.spec_from_file_location("make_verifier_set", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_verifier_set"] = module
    spec.loader.exec_module(module)
    return module


def test_generator_keeps_only_edits_the_passage_does_not_state(tmp_path: Path) -> None:
    gen = _generator()
    corpus = tiny_corpus(tmp_path)
    docs = CorpusPassages(corpus)
    law = docs.passage_for(ClaimCitation("cn/law.md", quote="留存相关的网络日志不少于六个月"))
    sentence = "网络运营者应当留存网络日志不少于六个月。"
    # 十二个月 is not in the passage: unsupported; 一年 is (the passage names it too).
    assert gen.is_unsupported("number", sentence, sentence.replace("六", "十二"), [law])
    assert not gen.is_unsupported("number", sentence, sentence.replace("六个月", "一年"), [law])
    assert not gen.is_unsupported("actor", sentence, sentence.replace("网络运营者", "用户"), [law])
    assert gen.is_unsupported("actor", sentence, sentence.replace("网络运营者", "进口商"), [law])
    assert not gen.is_unsupported("negation", sentence, sentence, [law])
    # The tuning split is a fixed coin per case.
    assert [gen.in_tuning_split(f"q{i:03d}") for i in range(40)] == [
        gen.in_tuning_split(f"q{i:03d}") for i in range(40)
    ]
    assert 5 <= sum(gen.in_tuning_split(f"q{i:03d}") for i in range(100)) <= 55


def test_bundled_sets_locate_and_do_not_share_sources() -> None:
    datasets = ROOT / "evals" / "datasets"
    reported = load_claims(datasets / "verifier.jsonl")
    tuning = load_claims(datasets / "verifier_tune.jsonl")
    case = {c.id.split("s")[0] for c in reported}
    assert case.isdisjoint({c.id.split("s")[0] for c in tuning})
    edits = {c.edit for c in reported}
    assert {"number", "date", "negation", "modality", "actor", "law", "article"} < edits
    assert "cross_doc" in edits and None in edits
    assert all((c.edit is None) == c.supported for c in reported)
    docs = CorpusPassages(ROOT / "corpus")
    for claim in reported[:60]:
        assert docs.passages_for(claim.citations)


# ---------------------------------------------------------------- claims, metrics, CLI

LAW = """# 中华人民共和国网络安全法

第二十一条 网络运营者应当按照网络安全等级保护制度的要求，履行下列安全保护义务，保障用户权益：
采取监测、记录网络运行状态、网络安全事件的技术措施，并按照规定留存相关的网络日志不少于六个月，事件记录保存一年。

第二十二条 网络产品、服务的提供者不得设置恶意程序。发现其网络产品、服务存在安全缺陷时，应当立即采取补救措施，并在三日内报告。
"""

BRIEF = """Cloud access briefing

Chinese entities are utilising cloud services from Amazon to access
advanced   US chips. This method of access does not violate US regulations, as it does not
involve the direct export of the technology. Shenzhen University spent $27,996 on the access.
"""


def tiny_corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    (corpus / "cn").mkdir(parents=True, exist_ok=True)
    (corpus / "en").mkdir(exist_ok=True)
    (corpus / "cn" / "law.md").write_text(LAW, encoding="utf-8")
    (corpus / "en" / "brief.txt").write_text(BRIEF, encoding="utf-8")
    return corpus


def claim(cid: str, sentence: str, cites: list[dict], supported: bool, edit: str | None) -> str:
    row = {"id": cid, "sentence": sentence, "citations": cites, "supported": supported}
    return json.dumps({**row, "edit": edit}, ensure_ascii=False)


LOGS = {"doc_id": "cn/law.md", "quote": "留存相关的网络日志不少于六个月"}
# Line-broken and double-spaced in the file: located whitespace-tolerantly.
CLOUD = {"doc_id": "en/brief.txt", "quote": "utilising cloud services from Amazon to access advanced US chips"}  # fmt: skip


def tiny_claims(tmp_path: Path) -> Path:
    start = BRIEF.index("This method")
    lines = [
        claim("zh-ok", "网络运营者应当留存相关的网络日志不少于六个月。", [LOGS], True, None),
        claim("zh-num", "网络运营者应当留存相关的网络日志不少于十二个月。", [LOGS], False, "number"),
        claim("zh-modal", "网络运营者可以留存相关的网络日志不少于六个月。", [LOGS], False, "modality"),
        claim("en-ok", "Chinese entities use cloud services from Amazon to access advanced US chips.",
              [CLOUD], True, None),
        claim("en-neg", "This method of access does violate US regulations.",
              [{"doc_id": "en/brief.txt", "start": start, "end": start + 50}], False, "negation"),
        # True, but written too loosely for a lexical check: a false removal.
        claim("en-loose", "Firms in China rent American processors remotely.", [CLOUD], True, None),
    ]  # fmt: skip
    path = tmp_path / "claims.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_metrics_on_a_tiny_claims_file(tmp_path: Path) -> None:
    corpus = tiny_corpus(tmp_path)
    metrics = run_verifier_eval(tiny_claims(tmp_path), corpus, Settings.load(), tmp_path / "out")
    assert metrics["n_supported"] == 3 and metrics["n_unsupported"] == 3
    assert metrics["removal_rate"] == 1.0
    assert metrics["false_removal_rate"] == pytest.approx(1 / 3)
    assert metrics["per_edit"]["number"]["removal_rate"] == 1.0
    assert metrics["per_edit"]["supported"]["false_removed"] == 1
    assert metrics["per_language"]["zh"]["false_removal_rate"] == 0.0
    assert metrics["per_language"]["en"]["false_removal_rate"] == 0.5
    assert metrics["removal_rate@modality"] == 1.0
    assert metrics["profile"] == "default" and metrics["latency_p50_ms"] > 0
    rows = [json.loads(x) for x in (tmp_path / "out" / "claims.jsonl").read_text().splitlines()]
    assert {r["id"]: r["kept"] for r in rows} == {
        "zh-ok": True, "zh-num": False, "zh-modal": False,
        "en-ok": True, "en-neg": False, "en-loose": False,
    }  # fmt: skip


def test_quotes_are_found_whitespace_tolerantly_and_missing_ones_named(tmp_path: Path) -> None:
    docs = CorpusPassages(tiny_corpus(tmp_path))
    start, end = docs.locate(ClaimCitation(**CLOUD))
    assert " ".join(docs.document("en/brief.txt").text[start:end].split()) == CLOUD["quote"]
    passage = docs.passage_for(ClaimCitation(**LOGS))
    assert passage.section and "第二十一条" in passage.section and LOGS["quote"] in passage.text
    with pytest.raises(ClaimsError, match="not in the normalized text"):
        docs.locate(ClaimCitation("en/brief.txt", quote="Alibaba supplied the chips"))
    with pytest.raises(ClaimsError, match="is not a file"):
        docs.locate(ClaimCitation("en/none.txt", quote="x"))
    # A bare file name that names one document is enough.
    assert docs.passage_for(ClaimCitation("law.md", quote=LOGS["quote"])).doc_id == "cn/law.md"


def test_claims_file_checks_its_fields(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    row = {"id": "a", "sentence": "S.", "citations": [], "supported": False, "note": "extra"}
    path.write_text(json.dumps(row) + "\n", encoding="utf-8")
    (only,) = load_claims(path)  # unknown fields are ignored
    assert only.edit == "unspecified" and only.citations == ()
    path.write_text(json.dumps({**row, "supported": "yes"}) + "\n", encoding="utf-8")
    with pytest.raises(ClaimsError, match="line 1 \\(a\\): 'supported' must be true or false"):
        load_claims(path)
    path.write_text(json.dumps(row) + "\n" + json.dumps(row) + "\n", encoding="utf-8")
    with pytest.raises(ClaimsError, match="duplicate id"):
        load_claims(path)


def test_cli_end_to_end(tmp_path: Path) -> None:
    corpus = tiny_corpus(tmp_path)
    app = typer.Typer()

    @app.callback()
    def _root() -> None:
        pass

    register(app)
    runner = CliRunner()
    out = tmp_path / "run"
    args = ["eval", "verifier", "--dataset", str(tiny_claims(tmp_path)), "--corpus", str(corpus)]
    result = runner.invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["removal_rate"] == 1.0 and metrics["n_supported"] == 3
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "Confusion table" in report and "| supported | 2 | 1 |" in report
    assert "| unsupported | 0 | 3 |" in report
    gated = runner.invoke(app, [*args, "--out", str(out), "--gate", "false_removal_rate<=0.1"])
    assert gated.exit_code == 1

    bad = tmp_path / "bad.jsonl"
    bad.write_text(claim("x1", "A claim.", [{"doc_id": "en/brief.txt", "quote": "no such words"}],
                         True, None) + "\n", encoding="utf-8")  # fmt: skip
    result = runner.invoke(
        app, ["eval", "verifier", "--dataset", str(bad), "--corpus", str(corpus)]
    )
    text = " ".join(result.output.split())
    assert result.exit_code == USER_ERROR and "line 1 (x1)" in text
    assert "not in the normalized text" in text and "Traceback" not in text
