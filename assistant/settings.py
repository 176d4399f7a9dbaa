"""The one `Settings` object: ingest's part plus retrieval, answering, LLM and API parts.

Values come, lowest priority first, from the defaults here, a named profile file
(`assistant/profiles/NAME.toml`), and environment variables `COMPLYQA_*`
(`COMPLYQA_CHROMA_URL`, `COMPLYQA_DATA_DIR`, `COMPLYQA_LLM_BASE_URL`, ...).
The profile's name is stamped on every answer and eval result.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from ingest.errors import ConfigurationError
from ingest.settings import (
    ChunkingSettings,
    EmbeddingSettings,
    IndexSettings,
    IngestSettings,
    ParseLimits,
)

PROFILES_DIR = Path(__file__).parent / "profiles"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
PROMPTS_DIR = PROJECT_ROOT / "prompts"


class RetrievalSettings(BaseModel):
    dense_k: int = Field(default=30, ge=1, le=500)
    lexical_k: int = Field(default=30, ge=1, le=500)
    rrf_k: int = Field(default=60, ge=1)
    dense_weight: float = Field(default=1.0, ge=0)
    lexical_weight: float = Field(default=1.0, ge=0)
    # Dense weight by query language, for embedding models that do not cover a language:
    # all-MiniLM-L6-v2 is English-only, so its rankings of Chinese queries are noise.
    dense_language_weights: dict[str, float] = {"zh": 0.0}
    # Weight of "the article the user named, in the document they named or are discussing".
    structural_weight: float = Field(default=3.0, ge=0)
    top_k: int = Field(default=8, ge=1, le=100)


class AnswerSettings(BaseModel):
    """Extractive answering and abstention; thresholds are calibrated by `evals`."""

    max_sentences: int = Field(default=3, ge=1, le=10)
    # A sentence after the lead joins the answer only when it scores at least this share of
    # the lead's score: lower adds context, higher drops padding (`extractive._select`).
    follow_ratio: float = Field(default=0.6, ge=0, le=1)
    max_chars: int = Field(default=900, ge=100)
    passages_considered: int = Field(default=5, ge=1, le=50)
    # Evidence strength below which the assistant abstains (see assistant/answering/extractive.py).
    min_evidence: float = Field(default=0.35, ge=0, le=1)
    max_question_chars: int = Field(default=4000, ge=10)
    # The embedding model's cosine below `dense_floor` says "no topical match", above
    # `dense_ceiling` "a clear one"; evidence scales it in between. Each model has its own
    # range (all-MiniLM-L6-v2: 0.15-0.65; e5's cosines sit higher and closer together).
    dense_floor: float = Field(default=0.15, ge=-1, le=1)
    dense_ceiling: float = Field(default=0.65, ge=-1, le=1)
    # How much lower both bounds sit for a passage in the other language than the question's
    # (a multilingual model's cosines across languages run lower; `extractive.passage_dense`).
    cross_lingual_shift: float = Field(default=0.0, ge=0, le=1)


class RelevanceSettings(BaseModel):
    """The trained relevance model: reranking, answerability and answer selection.

    Thresholds are probabilities from the model and are calibrated by `complyqa eval
    calibrate` (see docs/benchmarks.md); `enabled = false` keeps the lexical answer layer
    (fused order, term-coverage evidence). Off here, on in the shipped profiles: `default`
    reranks the passages answers are drawn from, `rerank` also search (their comments give
    the figures). Off, nothing loads the model (`fast`, and settings built in code).
    """

    enabled: bool = False
    model_dir: Path | None = None  # default: the model shipped in assistant/relevance/model
    # Fused candidates the model reorders (the rest keep their fused order behind them): for
    # search (ranked lists, evals) and for answering, where latency counts more and only the
    # first few passages are read. `rerank_depth = 0`: search and the retriever keep the
    # fused order (fast, ~35 ms at 65k chunks), only answering reranks.
    rerank_depth: int = Field(default=40, ge=0, le=200)
    answer_depth: int = Field(default=16, ge=1, le=200)
    # A passage longer than the model's window is read as up to this many overlapping
    # windows (its best one counts): more finds answers deep in long passages, and costs
    # one model call per window.
    max_windows: int = Field(default=4, ge=1, le=16)
    # Share of the fused rank (1 / (rank + 1)) in the reranking score beside the model's.
    fused_prior: float = Field(default=0.3, ge=0, le=1)
    # Below this best-passage relevance no passage answers: abstain (before any LLM call).
    min_relevance: float = Field(default=0.48, ge=0, le=1)
    # A further sentence joins the answer only when its own relevance reaches both
    # `sentence_min` and `sentence_ratio` times the leading sentence's.
    sentence_min: float = Field(default=0.3, ge=0, le=1)
    sentence_ratio: float = Field(default=0.6, ge=0, le=1)
    # Weight of the question's term coverage beside the model's sentence score.
    sentence_coverage_weight: float = Field(default=0.5, ge=0, le=5)
    # Which of the model's three jobs it does beyond reranking. Off, the lexical answer
    # layer decides (term-coverage evidence against `[answer] min_evidence`, sentences by
    # coverage) over the reranked passages.
    decide_answerability: bool = True
    select_sentences: bool = True


class LLMSettings(BaseModel):
    """An OpenAI-compatible chat endpoint; unset `base_url` keeps the extractive answerer."""

    base_url: str | None = None
    model: str = "local"
    api_key: SecretStr = SecretStr("not-needed")
    temperature: float = Field(default=0.0, ge=0, le=2)
    max_tokens: int = Field(default=400, ge=16)
    timeout: float = Field(default=60.0, gt=0)
    retries: int = Field(default=1, ge=0, le=10)
    unsupported: Literal["remove", "mark"] = "remove"
    min_supported_ratio: float = Field(default=0.5, ge=0, le=1)
    # Share of a sentence's content words its cited quote must contain (docs/llm.md).
    min_overlap: float = Field(default=0.6, ge=0, le=1)


class ApiSettings(BaseModel):
    auth: bool = True
    rate_limit_per_minute: int = Field(default=120, ge=1)
    max_upload_bytes: int = Field(default=25 * 1024 * 1024, ge=1)
    cors_origins: list[str] = []
    #: OpenAI-compatible replies end with a plain "Sources:" list; clients that show the
    #: structured source events (Open WebUI) can do without it (or ask per request).
    sources_block: bool = True
    #: Where people open the chat page, for citation links (default: the request's address).
    public_url: str | None = None
    #: How long a citation link opens its passage without an API key.
    citation_link_hours: int = Field(default=24 * 30, ge=1)
    #: Uploads by editors are stored but answer nothing until an admin approves them
    #: (`POST /v1/documents/{doc_id}/approve`); an admin's own upload needs no review.
    review_uploads: bool = False


class Settings(BaseSettings):
    """Everything complyqa can be told; build it with `Settings.load(profile)`."""

    model_config = SettingsConfigDict(
        env_prefix="COMPLYQA_",
        env_nested_delimiter="__",
        extra="ignore",
    )

    profile: str = "default"
    data_dir: Path = Path("data")
    chroma_url: str | None = None
    corpus_dir: Path = PROJECT_ROOT / "corpus"
    embedding: EmbeddingSettings = EmbeddingSettings()
    chunking: ChunkingSettings = ChunkingSettings()
    retrieval: RetrievalSettings = RetrievalSettings()
    answer: AnswerSettings = AnswerSettings()
    relevance: RelevanceSettings = RelevanceSettings()
    llm: LLMSettings = LLMSettings()
    api: ApiSettings = ApiSettings()
    parse: ParseLimits = ParseLimits()

    @classmethod
    def load(cls, profile: str | None = None, **overrides: Any) -> Settings:
        """Defaults, then the profile file, then `COMPLYQA_*` variables, then `overrides`."""
        name = profile or os.environ.get("COMPLYQA_PROFILE") or "default"
        values = _read_profile(name)
        values["profile"] = name
        _apply_flat_env(values)
        merged = _deep_merge(values, overrides)
        # Init kwargs outrank env in pydantic-settings, so env must be folded in above.
        return cls(**merged)

    def with_profile(self, name: str) -> Settings:
        """The settings of profile `name` over the same data: this one's data dir, Chroma URL,
        corpus dir, embedding, chunking, LLM endpoint (with its key) and API settings carried
        over; retrieval, answer and relevance settings come from the profile."""
        return Settings.load(
            name,
            data_dir=self.data_dir,
            chroma_url=self.chroma_url,
            corpus_dir=self.corpus_dir,
            embedding=self.embedding.model_dump(),
            chunking=self.chunking.model_dump(),
            llm=self.llm.model_dump() | {"api_key": self.llm.api_key},
            api=self.api.model_dump(),
        )

    @property
    def ingest(self) -> IngestSettings:
        return IngestSettings(
            embedding=self.embedding,
            chunking=self.chunking,
            index=IndexSettings(data_dir=self.data_dir, chroma_url=self.chroma_url),
            parse=self.parse,
        )


def available_profiles() -> list[str]:
    return sorted(p.stem for p in PROFILES_DIR.glob("*.toml"))


def _read_profile(name: str, seen: tuple[str, ...] = ()) -> dict[str, Any]:
    """A profile file's values over those of the profile it names as `base`, if any: `fast`
    and `rerank` say only how they differ from `default`, so the encoder is set in one file."""
    path = PROFILES_DIR / f"{name}.toml"
    if not path.is_file():
        raise ConfigurationError(
            f"unknown settings profile {name!r}; choose one of: {', '.join(available_profiles())}"
        )
    if name in seen:
        raise ConfigurationError(
            f"settings profiles name each other as base: {' -> '.join((*seen, name))}"
        )
    with path.open("rb") as fh:
        values = tomllib.load(fh)
    base = values.pop("base", None)
    return _deep_merge(_read_profile(base, (*seen, name)), values) if base else values


_FLAT_ENV = {
    # Short, documented names for the settings people set most.
    "COMPLYQA_DATA_DIR": ("data_dir",),
    "COMPLYQA_CHROMA_URL": ("chroma_url",),
    "COMPLYQA_CORPUS_DIR": ("corpus_dir",),
    "COMPLYQA_EMBEDDING_MODEL": ("embedding", "model"),
    "COMPLYQA_LLM_BASE_URL": ("llm", "base_url"),
    "COMPLYQA_LLM_MODEL": ("llm", "model"),
    "COMPLYQA_LLM_API_KEY": ("llm", "api_key"),
    "COMPLYQA_LLM_TIMEOUT": ("llm", "timeout"),
}


def _apply_flat_env(values: dict[str, Any]) -> None:
    for var, path in _FLAT_ENV.items():
        if var in os.environ:
            node = values
            for part in path[:-1]:
                node = node.setdefault(part, {})
            node[path[-1]] = os.environ[var]
    nested = {
        k[len("COMPLYQA_") :].lower(): v
        for k, v in os.environ.items()
        if k.startswith("COMPLYQA_") and "__" in k
    }
    for key, value in nested.items():
        node = values
        parts = key.split("__")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value


def _deep_merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out
