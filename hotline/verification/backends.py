"""Chooses the Fetcher from settings: the real SSRF-safe HTTP fetcher, or the recording fake."""

import threading
from dataclasses import dataclass, replace

from django.conf import settings

from hotline.verification.fetchers import (
    FakeResponse,
    Fetcher,
    FetchResult,
    HttpxFetcher,
    RecordingFakeFetcher,
)
from hotline.verification.ratelimit import HostRateLimiter, RateLimitedFetcher

# Unit tests of the layers above register canned responses here (HOTLINE_FETCHER_BACKEND=fake).
FAKE_RESPONSES: dict[str, FakeResponse] = {}
# One limiter per process, so every check thread of a worker shares each host's budget.
_LIMITERS: dict[float, HostRateLimiter] = {}
_LIMITERS_LOCK = threading.Lock()


def host_rate_limiter() -> HostRateLimiter:
    rate = settings.HOTLINE_FETCH_HOST_RATE
    with _LIMITERS_LOCK:
        return _LIMITERS.setdefault(rate, HostRateLimiter(per_second=rate))


@dataclass(frozen=True)
class RewritingFetcher:
    """Fetches from a mirror: the first matching prefix is replaced; evidence keeps the original."""

    inner: Fetcher
    rewrites: tuple[tuple[str, str], ...]

    def fetch(self, url: str) -> FetchResult:
        for prefix, replacement in self.rewrites:
            if url.startswith(prefix):
                result = self.inner.fetch(replacement + url[len(prefix) :])
                return replace(result, url=url)
        return self.inner.fetch(url)


def parse_rewrites(text: str) -> tuple[tuple[str, str], ...]:
    pairs = (entry.split("=", 1) for entry in text.split(",") if "=" in entry)
    return tuple((prefix.strip(), target.strip()) for prefix, target in pairs)


def fetcher_from_settings() -> Fetcher:
    fetcher: Fetcher
    if settings.HOTLINE_FETCHER_BACKEND == "fake":
        fetcher = RecordingFakeFetcher(responses=FAKE_RESPONSES)
    else:
        # Limited inside the rewrite, so the budget belongs to the host really contacted.
        fetcher = RateLimitedFetcher(
            HttpxFetcher(
                allow_loopback=settings.HOTLINE_FETCH_ALLOW_LOOPBACK,
                timeout=settings.HOTLINE_FETCH_TIMEOUT_SECONDS,
                max_bytes=settings.HOTLINE_FETCH_MAX_BYTES,
            ),
            host_rate_limiter(),
        )
    rewrites = parse_rewrites(settings.HOTLINE_FETCH_REWRITES)
    return RewritingFetcher(fetcher, rewrites) if rewrites else fetcher
