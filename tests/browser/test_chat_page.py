"""The chat page in real headless Chromium: key, question, streamed answer, cited words."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.api.live import LiveServer

playwright_api = pytest.importorskip("playwright.sync_api")

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
CHROMIUM = "/usr/bin/chromium"
QUESTION = "When is a license required to export advanced computing items for a supercomputer?"


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed")
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"],
        )
        yield b
        b.close()


def test_ask_click_citation_and_see_the_quote_highlighted(server: LiveServer, browser) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    page.goto(server.url + "/")

    page.wait_for_selector("#key-dialog[open]")
    page.fill("#key-input", server.keys["reader"])
    page.click("#key-submit")
    page.locator("#group-filter option").nth(1).wait_for(state="attached")
    assert page.evaluate("sessionStorage.getItem('complyqa.apiKey')") == server.keys["reader"]
    assert page.evaluate("localStorage.length") == 0

    page.fill("#question", QUESTION)
    page.click("#ask")
    bubble = page.locator('.msg.answer[data-done="true"]')
    bubble.wait_for(timeout=120_000)
    answer = bubble.evaluate("el => el.answer")  # the Answer the page received
    assert answer["citations"], answer

    cite = page.locator(".msg.answer a.cite").first
    marker = int(cite.get_attribute("data-marker"))
    citation = next(c for c in answer["citations"] if c["marker"] == marker)
    cite.click()
    mark = page.locator("#source-text mark")
    mark.wait_for()
    assert mark.text_content() == citation["quote"]
    doc_id = citation["doc_id"]
    doc = httpx.get(f"{server.url}/v1/documents/{doc_id}", headers=server.auth("reader")).json()
    assert doc["text"][citation["start"] : citation["end"]] == citation["quote"]
    assert citation["title"] in page.inner_text("#source-title")
    assert mark.is_visible()
    box, panel = mark.bounding_box(), page.locator("#source-text").bounding_box()
    assert box and panel and panel["y"] <= box["y"] <= panel["y"] + panel["height"]

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "chat_page.png"))


def test_follow_up_in_the_same_conversation_and_group_filter(server: LiveServer, browser) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport={"width": 1280, "height": 860})
    page.goto(server.url + "/")
    page.fill("#key-input", server.keys["reader"])
    page.click("#key-submit")
    page.locator("#group-filter option").nth(1).wait_for(state="attached")
    page.select_option("#group-filter", "cn-regulations")

    bodies: list[dict[str, object]] = []
    page.on(
        "request",
        lambda r: bodies.append(json.loads(r.post_data or "{}")) if "/v1/chat" in r.url else None,
    )
    for question in ("出口经营者应当建立什么制度？", "国家对管制物项的出口实行什么制度？"):
        page.fill("#question", question)
        page.press("#question", "Enter")
        page.locator('.msg.answer[data-done="true"]').nth(len(bodies) - 1).wait_for(timeout=120_000)
    assert bodies[0]["conversation_id"] is None and bodies[1]["conversation_id"]
    assert all(b["filters"] == {"groups": ["cn-regulations"]} for b in bodies)
    assert page.locator(".msg.question").count() == 2
    page.screenshot(path=str(ARTIFACTS / "chat_page_follow_up.png"))


def test_wrong_key_is_asked_again(server: LiveServer, browser) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page()
    page.goto(server.url + "/")
    page.fill("#key-input", "cqa_not_a_key")
    page.click("#key-submit")
    page.wait_for_selector("#key-error:not([hidden])")
    assert "not accepted" in page.inner_text("#key-error")


def test_a_citation_link_opens_its_quote_without_a_key(server: LiveServer, browser) -> None:  # type: ignore[no-untyped-def]
    """The URL an Open WebUI source event carries, opened in a tab that has no API key."""
    response = httpx.post(
        f"{server.url}/v1/chat/completions",
        headers=server.auth("reader"),
        json={
            "model": "complyqa",
            "stream": True,
            "messages": [{"role": "user", "content": QUESTION}],
        },
        timeout=120,
    )
    events = [
        json.loads(line[5:])
        for line in response.text.splitlines()
        if line.startswith("data:") and line[5:].strip() != "[DONE]"
    ]
    source = next(e["event"]["data"] for e in events if "event" in e)
    page = browser.new_page(viewport={"width": 1280, "height": 860})
    page.goto(source["source"]["url"])
    mark = page.locator("#source-text mark")
    mark.wait_for()
    assert mark.text_content() == source["document"][0]
    assert mark.is_visible()
    assert "Shared citation" in page.inner_text("#source-quote")
    assert not page.locator("#key-dialog[open]").count()
    assert page.evaluate("sessionStorage.length") == 0
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "shared_citation.png"))
