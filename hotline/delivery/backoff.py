"""When a failed delivery is tried again, when it is given up, and what a receiver asked for.

The schedule (docs/delivery.md): about 30 s, 1, 2, 4, 8, 16, 32 minutes, then every 30 to 60
minutes, until HOTLINE_DELIVERY_GIVE_UP_HOURS (72) have passed since the delivery was queued
(or retried by hand). A receiver's `Retry-After` moves the next attempt later, never earlier
than hotline's own backoff, and never more than RETRY_AFTER_MAX away.
"""

import random
import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

from hotline.core.backoff import jittered_backoff

BASE_SECONDS = 30.0
CAP_SECONDS = 3600.0
# A receiver cannot park a notice for longer than this with one answer.
RETRY_AFTER_MAX = timedelta(hours=24)

# Greylisting and rate-limiting relays often say when to come back in the 4xx text, e.g.
# "451 4.7.1 Greylisted, try again in 300 seconds". SMTP has no Retry-After header.
_SMTP_WAIT = re.compile(
    r"(?:retry|try\s+again)\s+(?:in|after)\s+(\d{1,6})\s*(s|sec|secs|seconds?|m|mins?|minutes?)\b",
    re.IGNORECASE,
)


def retry_delay(attempt: int, rng: random.Random | None = None) -> timedelta:
    """hotline's own delay before attempt number `attempt + 1`, after `attempt` failures."""
    seconds = jittered_backoff(attempt, base=BASE_SECONDS, cap=CAP_SECONDS, rng=rng)
    return timedelta(seconds=seconds)


def next_attempt_delay(
    attempt: int, retry_after: float | None, rng: random.Random | None = None
) -> timedelta:
    """The backoff, or the receiver's Retry-After when that is later (bounded)."""
    delay = retry_delay(attempt, rng)
    if retry_after is None:
        return delay
    asked = min(timedelta(seconds=max(retry_after, 0.0)), RETRY_AFTER_MAX)
    return max(delay, asked)


def gives_up(*, retrying_since: datetime, now: datetime, window: timedelta) -> bool:
    """Whether a delivery failing at `now` is failed for good: its retry window is over."""
    return now >= retrying_since + window


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """An HTTP Retry-After value (delay-seconds or an HTTP-date) as seconds from `now`."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:  # "-0000": RFC 9110 dates are GMT anyway
        moment = moment.replace(tzinfo=UTC)
    return max((moment - now).total_seconds(), 0.0)


def smtp_retry_after(text: str) -> float | None:
    """The wait a 4xx SMTP answer names ("try again in 5 minutes"), in seconds, if any."""
    found = _SMTP_WAIT.search(text)
    if found is None:
        return None
    amount, unit = int(found.group(1)), found.group(2).lower()
    return float(amount * 60 if unit.startswith("m") else amount)
