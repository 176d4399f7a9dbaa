"""API test fixtures: the real `ComplyQA` facade over a small corpus written to a tmp dir.

Embeddings come from the shared `FakeEmbedder` (tests/conftest.py), so no model loads; the
real-model server test lives in `test_server.py` (marked slow).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from assistant.api import create_app
from assistant.api.deps import ApiState
from assistant.service import ComplyQA
from assistant.settings import Settings
from tests.api.corpus import write_corpus
from tests.conftest import FakeEmbedder

#: name -> (role, scope) of the keys every test app gets.
KEYS: dict[str, tuple[str, list[str] | None]] = {
    "admin": ("admin", None),
    "editor": ("editor", None),
    "reader": ("reader", None),
    "cn_reader": ("reader", ["cn-regulations"]),
    "us_reader": ("reader", ["us-ear"]),
    "seeds_editor": ("editor", ["seeds"]),
    "cn_admin": ("admin", ["cn-regulations"]),
}


@dataclass
class ApiEnv:
    app: FastAPI
    client: TestClient
    qa: ComplyQA
    settings: Settings
    corpus: Path
    keys: dict[str, str] = field(default_factory=dict)
    key_ids: dict[str, str] = field(default_factory=dict)

    @property
    def state(self) -> ApiState:
        state: ApiState = self.app.state.complyqa
        return state

    def auth(self, name: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[name]}"}

    def get(self, url: str, as_: str = "admin", **kw: Any) -> Any:
        headers = {**self.auth(as_), **kw.pop("headers", {})}
        return self.client.get(url, headers=headers, **kw)

    def post(self, url: str, as_: str = "admin", **kw: Any) -> Any:
        headers = {**self.auth(as_), **kw.pop("headers", {})}
        return self.client.post(url, headers=headers, **kw)

    def delete(self, url: str, as_: str = "admin", **kw: Any) -> Any:
        headers = {**self.auth(as_), **kw.pop("headers", {})}
        return self.client.delete(url, headers=headers, **kw)


def build_env(root: Path, embedder: FakeEmbedder, **api: Any) -> ApiEnv:
    corpus = write_corpus(root / "corpus")
    api = {"rate_limit_per_minute": 100_000, **api}
    settings = Settings.load(data_dir=root / "data", api=api)
    qa = ComplyQA(settings, embedder=embedder)  # type: ignore[arg-type]
    report = qa.ingest([corpus], root=corpus)
    assert not report.failed, report.failed
    app = create_app(settings, qa=qa)
    env = ApiEnv(
        app=app,
        client=TestClient(app, raise_server_exceptions=False),
        qa=qa,
        settings=settings,
        corpus=corpus,
    )
    for name, (role, scope) in KEYS.items():
        secret, info = env.state.keys.create(name, role, scope)
        env.keys[name] = secret
        env.key_ids[name] = info.id
    return env


@pytest.fixture(scope="session")
def api(tmp_path_factory: pytest.TempPathFactory) -> ApiEnv:
    """One read-mostly app for the session: tests must not change its documents."""
    return build_env(tmp_path_factory.mktemp("api"), FakeEmbedder())


@pytest.fixture
def make_api(tmp_path: Path) -> Iterator[Callable[..., ApiEnv]]:
    """A fresh app with its own data dir, for tests that upload, delete or tune limits."""
    made: list[ApiEnv] = []

    def make(**api_settings: Any) -> ApiEnv:
        env = build_env(tmp_path / f"env{len(made)}", FakeEmbedder(), **api_settings)
        made.append(env)
        return env

    yield make
    for env in made:
        env.state.close()


def doc_text(env: ApiEnv, doc_id: str) -> str:
    response = env.get(f"/v1/documents/{doc_id}")
    assert response.status_code == 200, response.text
    text: str = response.json()["text"]
    return text


def sse_events(body: str) -> list[tuple[str, str]]:
    """(event, data) pairs of a server-sent events body; `message` when no event name."""
    events: list[tuple[str, str]] = []
    for block in body.replace("\r\n", "\n").split("\n\n"):
        name, data = "message", []
        for line in block.split("\n"):
            if line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].removeprefix(" "))
        if data:
            events.append((name, "\n".join(data)))
    return events
