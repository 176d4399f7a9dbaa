"""The chat page shows a cited text's status: a superseded or amended text never looks current.

An in-process server (fake embedder) over two real versions of a judicial interpretation and
the bundled Cybersecurity Law, driven by headless Chromium.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from assistant.api import create_app
from assistant.service import ComplyQA
from assistant.settings import Settings
from tests.conftest import CORPUS, FakeEmbedder

playwright_api = pytest.importorskip("playwright.sync_api")

pytestmark = [pytest.mark.browser]

CHROMIUM = "/usr/bin/chromium"
CN_LAWS = Path(__file__).resolve().parents[3] / "shared" / "corpus-large" / "cn-laws"
SMALL = "司法解释/最高人民法院关于设立国际商事法庭若干问题的规定"
OLD, NEW = f"{SMALL}(2018-06-27).md", f"{SMALL}(2023-12-18).md"  # in force 2018-07-01, 2024-01-01
CSL = "cn-regulations/网络安全法(2016-11-07).md"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """(URL, reader key) of a served app over the versions corpus."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed")
    if not (CN_LAWS / OLD).is_file():
        pytest.skip("needs ../shared/corpus-large/cn-laws (not in this checkout)")
    root = tmp_path_factory.mktemp("versions-page")
    corpus = root / "corpus"
    for source, rel in [
        (CN_LAWS, OLD),
        (CN_LAWS, NEW),
        (CORPUS, CSL),
        (CORPUS, CSL + ".meta.json"),
    ]:
        (corpus / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source / rel, corpus / rel)
    settings = Settings.load(data_dir=root / "data", relevance={"enabled": False})
    qa = ComplyQA(settings, embedder=FakeEmbedder())  # type: ignore[arg-type]
    assert not qa.ingest([corpus]).failed
    app = create_app(settings, qa=qa)
    key, _ = app.state.complyqa.keys.create("page", "reader", None)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", key
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def page(site: tuple[str, str]) -> Iterator[Any]:
    url, key = site
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"],
        )
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.goto(url + "/")
        page.wait_for_selector("#key-dialog[open]")
        page.fill("#key-input", key)
        page.click("#key-submit")
        page.locator("#group-filter option").nth(1).wait_for(state="attached")
        yield page
        browser.close()


def _ask(page: Any, question: str, as_of: str = "") -> Any:
    page.click("#new-chat")
    page.fill("#as-of", as_of)
    page.fill("#question", question)
    page.click("#ask")
    bubble = page.locator('.msg.answer[data-done="true"]').last
    bubble.wait_for(timeout=60_000)
    return bubble


def test_as_of_answer_lists_the_older_text_as_superseded(page: Any) -> None:
    bubble = _ask(page, "国际商事法庭受理哪些案件？", as_of="2020-01-01")
    answer = bubble.evaluate("el => el.answer")
    assert answer["citations"] and {c["doc_id"] for c in answer["citations"]} == {OLD}
    warnings = bubble.locator(".sources .version-status.not-current")
    assert warnings.count() == len(answer["citations"])
    assert warnings.first.inner_text() == "⚠ superseded · text in force 2018-07-01 to 2024-01-01"
    bubble.locator("a.source-link").first.click()
    page.locator("#source-text mark").wait_for()
    assert "superseded" in page.inner_text("#source-meta")


def test_cybersecurity_law_citation_shows_the_amendment_warning(page: Any) -> None:
    bubble = _ask(page, "网络安全法第二十一条规定了什么？")
    answer = bubble.evaluate("el => el.answer")
    cited = [c for c in answer["citations"] if c["doc_id"] == CSL]
    assert cited
    text = bubble.locator(".sources").inner_text()
    assert (
        "⚠ amended 2025-10-28, amendment not in corpus · text in force 2017-06-01 to 2026-01-01"
        in text
    )


def test_today_answer_cites_the_text_in_force_without_a_warning(page: Any) -> None:
    bubble = _ask(page, "国际商事法庭受理哪些案件？")
    answer = bubble.evaluate("el => el.answer")
    assert answer["citations"] and {c["doc_id"] for c in answer["citations"]} == {NEW}
    assert bubble.locator(".version-status.not-current").count() == 0
    assert "in force · since 2024-01-01" in bubble.locator(".sources").inner_text()
