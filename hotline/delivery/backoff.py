"""Retry timing: exponential backoff with full jitter, capped."""

import random
from datetime import timedelta

MAX_ATTEMPTS = 8
BASE_SECONDS = 30.0
CAP_SECONDS = 3600.0


def retry_delay(attempt: int, rng: random.Random | None = None) -> timedelta:
    """Delay before attempt number `attempt + 1`, after `attempt` failures."""
    ceiling = min(CAP_SECONDS, BASE_SECONDS * (2 ** (attempt - 1)))
    return timedelta(seconds=(rng or random).uniform(ceiling / 2, ceiling))
