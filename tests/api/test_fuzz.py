"""Property-based fuzzing of the whole API from its own OpenAPI schema (schemathesis).

Every operation gets generated requests, ones that fit the schema and ones that do not, sent
with an admin key to the app over the small test corpus (fake embedder, so no model loads).
Whatever they send, the server answers without a 5xx, and every error is a problem document
whose `status` is the response's. Bounded by `EXAMPLES` per operation and mode.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from tests.api.conftest import ApiEnv, build_env
from tests.conftest import FakeEmbedder

#: Generated cases per API operation and generation mode.
EXAMPLES = 40


@pytest.fixture
def fuzz_env(tmp_path: Path) -> ApiEnv:
    # One app per test: schemathesis ends the app's lifespan (closing its stores) at teardown.
    return build_env(tmp_path, FakeEmbedder())


def _check(case: Any, env: ApiEnv) -> None:
    response = case.call(headers=env.auth("admin"))
    where = f"{case.method} {case.formatted_path}"
    assert response.status_code < 500, (where, response.status_code, response.text[:500])
    if response.status_code >= 400:
        content_type = str(response.headers.get("content-type", ""))
        assert "application/problem+json" in content_type, (where, content_type)
        problem = json.loads(response.content)
        assert problem["status"] == response.status_code, (where, problem)
        assert problem["title"] and problem["detail"], (where, problem)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_5xx_and_every_error_is_a_problem(fuzz_env: ApiEnv, mode: GenerationMode) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", fuzz_env.app)
    failures: dict[str, BaseException] = {}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 16
    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any) -> None:
            _check(case, fuzz_env)

        try:
            run()
        except Unsatisfiable:
            assert mode is GenerationMode.NEGATIVE  # no parameter to get wrong (/healthz)
        except Exception as exc:  # gather every operation's first failure, then report all
            failures[f"{operation.method.upper()} {operation.path}"] = exc
    assert not failures, "\n".join(f"{op}: {exc}" for op, exc in failures.items())
    # Hundreds of odd requests later, the audit log is one intact chain.
    assert len(fuzz_env.state.audit.entries()) > 100 and fuzz_env.state.audit.verify().ok
