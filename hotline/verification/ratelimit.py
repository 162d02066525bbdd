"""A per-host rate limit for verification fetches, shared by the threads of one process.

Each fetch to a host reserves the next free slot for that host, 1/rate seconds after the
previous one, and waits for it: with N check threads and one slow platform, the platform still
sees at most `rate` new requests a second from this process.
"""

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from hotline.verification.fetchers import Fetcher, FetchResult


@dataclass
class HostRateLimiter:
    per_second: float
    monotonic: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    _next_slot: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def reserve(self, host: str) -> float:
        """Take the host's next slot; return how many seconds from now it starts."""
        if self.per_second <= 0:
            return 0.0  # 0 switches the limit off
        spacing = 1.0 / self.per_second
        with self._lock:
            now = self.monotonic()
            slot = max(now, self._next_slot.get(host, now))
            self._next_slot[host] = slot + spacing
            return slot - now

    def wait(self, host: str) -> None:
        delay = self.reserve(host)
        if delay > 0:
            self.sleep(delay)


@dataclass(frozen=True)
class RateLimitedFetcher:
    """Waits for the host's slot, then fetches with `inner`."""

    inner: Fetcher
    limiter: HostRateLimiter

    def fetch(self, url: str) -> FetchResult:
        self.limiter.wait((urlsplit(url).hostname or "").lower())
        return self.inner.fetch(url)
