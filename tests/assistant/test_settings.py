"""Named profiles: a profile that names a `base` says only how it differs from it."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant import settings as settings_module
from assistant.settings import Settings
from ingest.errors import ConfigurationError


def test_fast_and_rerank_take_the_default_encoder_and_change_only_their_own_fields() -> None:
    default = Settings.load("default")
    for name in ("fast", "rerank"):
        profile = Settings.load(name)
        assert profile.embedding == default.embedding
        assert profile.answer.min_evidence == default.answer.min_evidence
        assert profile.profile == name
    assert Settings.load("rerank").relevance.rerank_depth == 20
    assert Settings.load("fast").retrieval.dense_k == 10
    assert Settings.load("minilm").embedding.model == "all-MiniLM-L6-v2"


def test_profiles_that_name_each_other_as_base_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a.toml").write_text('base = "b"\n')
    (tmp_path / "b.toml").write_text('base = "a"\n')
    monkeypatch.setattr(settings_module, "PROFILES_DIR", tmp_path)
    with pytest.raises(ConfigurationError, match="a -> b -> a"):
        Settings.load("a")
