"""The retry schedule's pure rules: backoff bounds, Retry-After parsing, the give-up window."""

import random
from datetime import UTC, datetime, timedelta

import pytest

from hotline.core.backoff import jittered_backoff
from hotline.delivery.backoff import (
    RETRY_AFTER_MAX,
    gives_up,
    next_attempt_delay,
    retry_after_seconds,
    retry_delay,
    smtp_retry_after,
)

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(("failures", "low", "high"), [(1, 15, 30), (2, 30, 60), (8, 1800, 3600)])
def test_the_backoff_doubles_with_jitter_up_to_an_hour(failures: int, low: int, high: int) -> None:
    rng = random.Random(failures)
    delays = [retry_delay(failures, rng).total_seconds() for _ in range(200)]
    assert all(low <= d <= high for d in delays)
    assert len(set(delays)) > 100  # jittered, so waiting senders do not retry in step


def test_the_cap_holds_however_many_failures() -> None:
    assert jittered_backoff(500, base=0.5, cap=30, rng=random.Random(1)) <= 30
    assert retry_delay(10_000).total_seconds() <= 3600


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("120", 120.0),
        (" 0 ", 0.0),
        ("Tue, 01 Dec 2026 12:05:00 GMT", 300.0),
        ("Tue, 01 Dec 2026 11:00:00 GMT", 0.0),  # already past: no wait
        ("soon", None),
        ("-5", None),
        ("", None),
        (None, None),
    ],
)
def test_retry_after_is_read_as_seconds_or_an_http_date(
    header: str | None, seconds: float | None
) -> None:
    assert retry_after_seconds(header, NOW) == seconds


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("4.7.1 Greylisted, try again in 300 seconds", 300.0),
        ("4.2.0 rate limited; retry after 5 minutes", 300.0),
        ("4.3.0 try again later", None),
    ],
)
def test_an_smtp_answer_naming_a_wait_is_understood(text: str, seconds: float | None) -> None:
    assert smtp_retry_after(text) == seconds


def test_retry_after_moves_the_next_attempt_later_never_earlier() -> None:
    rng = random.Random(3)
    assert next_attempt_delay(1, 600, rng) == timedelta(seconds=600)
    assert next_attempt_delay(8, 5, rng) >= timedelta(minutes=30)  # our own backoff wins
    assert next_attempt_delay(1, 10**9, rng) == RETRY_AFTER_MAX


def test_a_delivery_is_given_up_only_once_its_window_is_over() -> None:
    window = timedelta(hours=72)
    assert not gives_up(
        retrying_since=NOW, now=NOW + timedelta(hours=71, minutes=59), window=window
    )
    assert gives_up(retrying_since=NOW, now=NOW + window, window=window)
