"""A live server with a small corpus for the browser tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.api.live import LiveServer, live_server


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(tmp_path_factory.mktemp("browser-live")) as s:
        yield s
