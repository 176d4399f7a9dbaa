"""Normalization must be canonical and idempotent: every offset in the system points into it."""

from __future__ import annotations

import pytest

from ingest.normalize import (
    content_hash,
    date_from_filename,
    detect_language,
    extract_title,
    normalize_text,
    split_front_matter,
)

TRICKY = [
    "a\r\nb\rc",
    "\ufeffBOM at start and zero\u200bwidth\u200d joiners",
    "price \\$10 and \\*stars\\* and \\_under\\_ and \\[link\\] \\# 1\\. done",
    "double \\\\$5 and \\\\\\\\$6",
    "&amp;amp; &lt;b&gt; &#x41; &#65; AT&T &not a tag",
    "caf\u0065\u0301 vs café",
    "ＡＢＣ１２３ａｂｃ，。；：（一）",
    "nbsp\u00a0here\u3000ideographic\u2009thin\t\ttabs   spaces   \n",
    "line one   \nline two\n\n\n\n\nline three\n\n",
    "  leading and trailing  ",
    "\u2028separator\u2029para\x0cform\x85next",
    "ctrl\x00\x07chars",
    "&#92;$ entity that makes an escape",
    "",
    "   \n\n  ",
]


@pytest.mark.parametrize("raw", TRICKY)
def test_idempotent(raw: str) -> None:
    once = normalize_text(raw)
    assert normalize_text(once) == once


def test_line_endings_spaces_and_blank_lines() -> None:
    assert normalize_text("a\r\nb\rc") == "a\nb\nc"
    assert normalize_text("x\u00a0y\u3000z\u2009w\t\tv   u") == "x y z w v u"
    assert normalize_text("one   \ntwo\n\n\n\nthree\n") == "one\ntwo\n\nthree"
    assert normalize_text("  padded  ") == "padded"


def test_invisible_characters_removed_and_nfc() -> None:
    assert normalize_text("\ufeffzero\u200bwidth") == "zerowidth"
    assert normalize_text("cafe\u0301") == "café"


def test_fullwidth_letters_digits_but_not_chinese_punctuation() -> None:
    assert normalize_text("第２１条 ＡＩ芯片，出口。；") == "第21条 AI芯片，出口。；"


def test_markdown_escapes_and_entities() -> None:
    raw = "charges \\$10 for \\*eight\\* chips \\[1\\] \\# 1\\. &amp; R&amp;D"
    assert normalize_text(raw) == "charges $10 for *eight* chips [1] # 1. & R&D"
    assert normalize_text("AT&T &not; &notanentity") == "AT&T ¬ &notanentity"
    assert normalize_text("C:\\Users\\me") == "C:\\Users\\me"  # not an escape: kept


def test_detect_language() -> None:
    assert detect_language("第二十一条 国家实行网络安全等级保护制度。") == "zh"
    assert detect_language("Article 21 The State implements a protection system.") == "en"
    # Chinese law text quoting an English term is still Chinese.
    assert detect_language("网络运营者应当按照 GB/T 22239 标准的要求履行义务") == "zh"
    assert detect_language("12345 !!!") == "en"


def test_content_hash_is_of_normalized_text() -> None:
    assert content_hash("a\r\nb") == content_hash("a\nb")
    assert len(content_hash("x")) == 64
    assert content_hash("x") != content_hash("y")


def test_title_from_heading_line_or_fallback() -> None:
    assert extract_title("intro\n# **Main** title\n## sub") == "Main title"
    assert (
        extract_title("# 中华人民共和国民法典\n\n# 侵权责任编\n\ntext")
        == "中华人民共和国民法典 侵权责任编"
    )
    assert extract_title("##### § 744.1 General provisions. #####\n\n(a)") == (
        "§ 744.1 General provisions."
    )
    assert extract_title("\n\nFirst *line* here\nsecond") == "First line here"
    long = extract_title(" ".join(["word"] * 100))
    assert len(long) <= 121 and long.endswith("…") and not long.endswith("wor…")
    assert extract_title("", fallback="doc.txt") == "doc.txt"


def test_date_from_filename() -> None:
    assert date_from_filename("网络安全法(2016-11-07).md") == "2016-11-07"
    assert date_from_filename("民法典侵权责任编.md") is None
    assert date_from_filename("report-2024-13-45.md") is None


def test_front_matter() -> None:
    meta, body = split_front_matter(
        "---\ntitle: Rules\ndate: 2024-04-04\njurisdiction: US\n---\n# H\n"
    )
    assert meta == {"title": "Rules", "date": "2024-04-04", "jurisdiction": "US"}
    assert body == "# H\n"
    assert split_front_matter("---\n\nJust a rule\n") == ({}, "---\n\nJust a rule\n")
    assert split_front_matter("no front matter") == ({}, "no front matter")
