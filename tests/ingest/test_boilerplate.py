from ingest.boilerplate import boilerplate_spans, content_chunks, is_boilerplate_line
from ingest.models import Chunk, Document, Segment
from ingest.settings import ChunkingSettings
from ingest.splitter import split_document

PAGE = """Shenzhen University, for instance, spent approximately $27,996 through Yunda Technology.

How well do you really know your competitors?

Access the most comprehensive Company Profiles on the market, powered by GlobalData. Save hours of research.

Company Profile – free sample

Thank you!

Not ready to buy yet? Download a free sample

Home | News | Analysis | Contact

Neither Shenzhen University nor Yunda Technology responded to requests for comment.
"""


def _doc(text: str, **kw: object) -> Document:
    return Document(
        doc_id="seeds/page.txt",
        text=text,
        title="Page",
        language="en",
        content_hash="h",
        **kw,  # type: ignore[arg-type]
    )


def test_marketing_and_navigation_lines_are_boilerplate() -> None:
    for line in [
        "Company Profile – free sample",
        "Access the most comprehensive Company Profiles on the market, powered by GlobalData.",
        "Not ready to buy yet? Download a free sample",
        "Thank you!",
        "Home | News | Analysis | Contact",
        "Database copyright © 2023 ProQuest LLC. All rights reserved.",
    ]:
        assert is_boilerplate_line(line), line


def test_content_about_the_same_words_is_not() -> None:
    for line in [
        "Shenzhen University spent approximately $27,996 through Yunda Technology.",
        "The operator shall publish its privacy policy and the rules for processing.",
        "个人信息处理者应当制定内部管理制度和操作规程。",
        "Exports to China | Entity List",  # two items: not a navigation trail
        "Subscribers of telecommunication services shall register with their real names.",
    ]:
        assert not is_boilerplate_line(line), line


def test_no_chunk_covers_a_boilerplate_line_and_offsets_still_hold() -> None:
    doc = _doc(PAGE)
    chunks = content_chunks(doc, split_document(doc, ChunkingSettings()))
    spans = boilerplate_spans(doc.text)
    assert len(spans) == 6
    assert chunks, "the content lines are still indexed"
    for c in chunks:
        assert doc.text[c.start : c.end] == c.text
        assert all(c.end <= s or c.start >= e for s, e in spans), c.text
    joined = " ".join(c.text for c in chunks)
    assert "Yunda Technology." in joined and "responded to requests" in joined
    assert "free sample" not in joined and "GlobalData" not in joined
    assert len({c.key for c in chunks}) == len(chunks)


def test_a_chunk_split_by_boilerplate_keeps_section_and_gets_unique_keys() -> None:
    text = "Intro sentence one.\nThank you!\nIntro sentence two."
    doc = _doc(text)
    chunk = Chunk(doc.doc_id, "1", text, 0, len(text), "Intro", None)
    pieces = content_chunks(doc, [chunk])
    assert [(p.key, p.text, p.section) for p in pieces] == [
        ("1", "Intro sentence one.", "Intro"),
        ("1.2", "Intro sentence two.", "Intro"),
    ]


def test_pre_segmented_documents_are_left_alone() -> None:
    text = "Thank you!"
    doc = _doc(text, segments=(Segment(key="p1", start=0, end=len(text)),))
    chunk = Chunk(doc.doc_id, "p1", text, 0, len(text))
    assert content_chunks(doc, [chunk]) == [chunk]
