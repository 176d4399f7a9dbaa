"""Plain text and markdown: decoding and normalization."""

from __future__ import annotations

from pathlib import Path

from tests.ingest.files import load_one, write_text


def test_txt_with_escapes_is_normalized(tmp_path: Path) -> None:
    path = write_text(
        tmp_path / "seeds" / "a.txt", "Al-Galaxy charges \\$10 per hour\r\nfor A100s.\n"
    )
    doc = load_one(path, tmp_path)
    assert doc.doc_id == "seeds/a.txt"
    assert doc.text == "Al-Galaxy charges $10 per hour\nfor A100s."
    assert doc.title == "Al-Galaxy charges $10 per hour"
    assert doc.language == "en" and len(doc.content_hash) == 64
    assert doc.group == "seeds" and doc.source_path == str(path)


def test_non_utf8_text_is_detected(tmp_path: Path) -> None:
    path = tmp_path / "gbk.txt"
    path.write_bytes(
        "第一条 为了保障网络安全，维护网络空间主权和国家安全，制定本法。".encode("gbk")
    )
    assert load_one(path, tmp_path).text.startswith("第一条 为了保障网络安全")
