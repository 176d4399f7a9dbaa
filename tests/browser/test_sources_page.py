"""The chat page says where each cited text came from, and shows when its sources disagree.

An in-process server (fake embedder) over the API tests' small corpus plus an editor's
planted memo (issue 12 item 5), driven by headless Chromium.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from assistant.api import create_app
from assistant.service import ComplyQA
from assistant.settings import Settings
from tests.api.corpus import write_corpus
from tests.api.test_planted_text import MEMO, MEMO_ID, QUESTION
from tests.conftest import FakeEmbedder

playwright_api = pytest.importorskip("playwright.sync_api")

pytestmark = [pytest.mark.browser]

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed")
    root = tmp_path_factory.mktemp("sources-page")
    corpus = write_corpus(root / "corpus")
    settings = Settings.load(data_dir=root / "data", relevance={"enabled": False})
    qa = ComplyQA(settings, embedder=FakeEmbedder())  # type: ignore[arg-type]
    assert not qa.ingest([corpus], root=corpus).failed
    app = create_app(settings, qa=qa)
    reader, _ = app.state.complyqa.keys.create("page", "reader", None)
    editor, _ = app.state.complyqa.keys.create("editor", "editor", None)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    url = f"http://127.0.0.1:{port}"
    uploaded = httpx.post(
        url + "/v1/documents",
        headers={"Authorization": f"Bearer {editor}"},
        files=[("files", ("memo.md", MEMO))],
        data={"group": "seeds"},
        timeout=60,
    )
    assert uploaded.json()["added"] == [MEMO_ID], uploaded.text
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"],
        )
        tab = browser.new_page(viewport={"width": 1440, "height": 900})
        tab.goto(url + "/")
        tab.wait_for_selector("#key-dialog[open]")
        tab.fill("#key-input", reader)
        tab.click("#key-submit")
        tab.locator("#group-filter option").nth(1).wait_for(state="attached")
        yield tab
        browser.close()
    server.should_exit = True
    thread.join(timeout=10)


def test_each_source_says_where_it_came_from_and_the_conflict_is_shown(page: Any) -> None:
    page.fill("#question", QUESTION)
    page.click("#ask")
    bubble = page.locator('.msg.answer[data-done="true"]').last
    bubble.wait_for(timeout=60_000)
    answer = bubble.evaluate("el => el.answer")
    origins = bubble.locator(".sources .source-origin")
    assert origins.count() == len(answer["citations"]) >= 2
    assert [origins.nth(i).inner_text() for i in range(origins.count())] == [
        c["source"] for c in answer["citations"]
    ]
    assert bubble.locator(".sources .source-origin.upload").inner_text() == "upload by editor"
    assert "disagree on whether it is required" in bubble.locator(".answer-text").inner_text()
