"""Web pages: main text as markdown, within the parse limits (issue 12.2), deep HTML (12.8)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.errors import FileOverLimit
from ingest.loaders import load_file
from ingest.settings import ChunkingSettings, ParseLimits
from ingest.splitter import split_document
from tests.ingest.files import load_one, write_text

PAGE = """<html><head><title>Export rules page</title><script>var x = 1;</script></head>
<body><nav>Home | About | Contact</nav><article><h1>Export rules</h1>
<p>Cloud providers may rent access to advanced chips &amp; accelerators, which the rules
do not prohibit as long as no export of the items themselves takes place.</p>
<h2>Scope</h2><p>Section 744.23 covers supercomputer and advanced-node end uses in
destinations of concern, with paragraph (a) setting the general prohibition.</p>
</article><footer>Copyright 2024</footer></body></html>"""


def test_html_keeps_headings_and_drops_boilerplate(tmp_path: Path) -> None:
    doc = load_one(write_text(tmp_path / "page.html", PAGE), tmp_path)
    assert "# Export rules" in doc.text and "## Scope" in doc.text
    assert "chips & accelerators" in doc.text
    assert "var x" not in doc.text
    assert doc.title in ("Export rules page", "Export rules")
    chunks = split_document(doc, ChunkingSettings())
    assert any(c.section == "Scope" for c in chunks)


def test_tiny_html_falls_back_to_lxml(tmp_path: Path) -> None:
    doc = load_one(
        write_text(tmp_path / "t.htm", "<html><body><h2>Hi</h2><p>Yo.</p></body></html>"), tmp_path
    )
    assert "Hi" in doc.text and "Yo." in doc.text


def test_html_size_and_depth_limits(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text("<html><body><p>" + "Export rules apply. " * 100 + "</p></body></html>")
    with pytest.raises(FileOverLimit, match=r"bytes of HTML.*parse\.max_html_bytes"):
        load_file(page, tmp_path, limits=ParseLimits(max_html_bytes=1000))
    deep = tmp_path / "deep.html"
    deep.write_text("<html><body>" + "<div>" * 5000 + "<p>Hidden rule.</p>" + "</div>" * 5000)
    with pytest.raises(FileOverLimit, match=r"nest more than 1,000 deep.*parse\.max_html_depth"):
        load_file(deep, tmp_path)


def test_html_nested_500_divs_falls_back_to_plain_text(tmp_path: Path) -> None:
    """libxml2 stops 255 elements deep; the paragraph must still be read (issue 12.8)."""
    depth = 500
    page = tmp_path / "nested.html"
    page.write_text(
        "<html><head><title>Deep page</title><style>p {color: red}</style></head><body>"
        + "<div>" * depth
        + "<p>Operators must renew the licence every year.</p><p>Second rule &amp; more.</p>"
        + "</div>" * depth
        + "</body></html>"
    )
    (doc,) = load_file(page, tmp_path)
    assert doc.text == "Operators must renew the licence every year.\n\nSecond rule & more."
    assert doc.title == "Deep page"
