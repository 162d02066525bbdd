"""Capped exponential backoff with jitter: one formula for retried deliveries and outages."""

import random


def jittered_backoff(
    failures: int, *, base: float, cap: float, rng: random.Random | None = None
) -> float:
    """Seconds to wait after `failures` failures in a row: between half and all of
    min(cap, base * 2^(failures-1)), so many waiters do not retry in step."""
    # The exponent stops growing long before a float would overflow (a days-long outage).
    ceiling = min(cap, base * 2.0 ** min(max(failures - 1, 0), 60))
    return (rng or random).uniform(ceiling / 2, ceiling)
