"""`/healthz` and `/readyz`."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from assistant.api import create_app
from assistant.service import ComplyQA
from assistant.settings import Settings
from tests.api.conftest import ApiEnv
from tests.conftest import FakeEmbedder


def test_healthz_needs_no_key(api: ApiEnv) -> None:
    assert api.client.get("/healthz").json() == {"status": "ok"}


def test_readyz_reports_the_loaded_index(api: ApiEnv) -> None:
    body = api.client.get("/readyz").json()
    assert body["status"] == "ready"
    assert body["documents"] == 4 and body["chunks"] >= 4 and body["fingerprint"]


def test_readyz_is_503_without_an_index(tmp_path: Path) -> None:
    settings = Settings.load(data_dir=tmp_path / "empty")
    app = create_app(settings, qa=ComplyQA(settings, embedder=FakeEmbedder()))  # type: ignore[arg-type]
    response = TestClient(app).get("/readyz")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert TestClient(app).get("/healthz").status_code == 200
    app.state.complyqa.close()


def test_a_starting_server_loads_both_encoders_in_the_background(tmp_path: Path) -> None:
    """A worker's first question and first upload do not wait seconds for a model."""

    class Recording(FakeEmbedder):
        preloaded: list[bool] = []

        def preload(self, *, passages: bool = False) -> None:
            self.preloaded.append(passages)

    settings = Settings.load(data_dir=tmp_path / "data")
    embedder = Recording()
    app = create_app(settings, qa=ComplyQA(settings, embedder=embedder))  # type: ignore[arg-type]
    with TestClient(app) as client:  # runs the lifespan
        assert client.get("/healthz").status_code == 200
    assert embedder.preloaded == [True]
