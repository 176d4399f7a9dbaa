"""The per-key token bucket."""

from __future__ import annotations

import pytest

from assistant.stores.ratelimit import RateLimiter


def test_bucket_allows_a_burst_then_refills_per_key() -> None:
    now = [0.0]
    limiter = RateLimiter(per_minute=60, clock=lambda: now[0])
    assert all(limiter.acquire("a") is None for _ in range(60))
    wait = limiter.acquire("a")
    assert wait == pytest.approx(1.0)
    assert limiter.acquire("b") is None  # other keys are unaffected
    now[0] += 1.0
    assert limiter.acquire("a") is None
    assert limiter.acquire("a") is not None
    now[0] += 3600
    assert all(limiter.acquire("a") is None for _ in range(60))  # capped at the burst size
    assert limiter.acquire("a") is not None


def test_a_refunded_request_does_not_count() -> None:
    limiter = RateLimiter(per_minute=2, clock=lambda: 0.0)
    assert limiter.acquire("k") is None and limiter.acquire("k") is None
    assert limiter.acquire("k") is not None
    limiter.refund("k")
    assert limiter.acquire("k") is None and limiter.acquire("k") is not None
    for _ in range(5):
        limiter.refund("k")  # never above the burst size
    assert limiter.acquire("k") is None and limiter.acquire("k") is None
    assert limiter.acquire("k") is not None
    limiter.refund("unknown")  # a bucket never used: nothing to give back
    assert limiter.acquire("unknown") is None
