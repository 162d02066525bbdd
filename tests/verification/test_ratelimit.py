"""The per-host rate limit of verification fetches: slots spaced 1/rate apart per host, shared
by a worker's check threads, in front of the real fetcher (a real HTTP server on loopback)."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from hotline.verification import backends
from hotline.verification.ratelimit import HostRateLimiter


class FrozenClock:
    def __init__(self) -> None:
        self.now, self.slept = 100.0, []  # type: ignore[var-annotated]

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 6))


def test_each_host_gets_slots_spaced_by_its_rate() -> None:
    clock = FrozenClock()
    limiter = HostRateLimiter(per_second=4, monotonic=clock.monotonic, sleep=clock.sleep)
    assert [limiter.reserve("t.me") for _ in range(3)] == [0.0, 0.25, 0.5]
    assert limiter.reserve("x.com") == 0.0  # another host has its own budget
    clock.now += 10  # the host has been quiet: no wait
    assert limiter.reserve("t.me") == 0.0


def test_threads_share_one_budget() -> None:
    clock = FrozenClock()
    limiter = HostRateLimiter(per_second=10, monotonic=clock.monotonic, sleep=clock.sleep)
    waits: list[float] = []
    lock = threading.Lock()

    def take() -> None:
        delay = limiter.reserve("t.me")
        with lock:
            waits.append(round(delay, 6))

    threads = [threading.Thread(target=take) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(waits) == [round(n * 0.1, 6) for n in range(20)]  # no two share a slot


def test_a_rate_of_zero_switches_the_limit_off() -> None:
    assert HostRateLimiter(per_second=0).reserve("t.me") == 0.0


@pytest.fixture
def page_server() -> Any:
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            body = b"<html>still here</html>"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()
    server.server_close()


def test_the_real_fetcher_waits_for_the_hosts_slot(
    settings: Any, page_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    base, hits = page_server
    settings.HOTLINE_FETCHER_BACKEND = "http"
    settings.HOTLINE_FETCH_ALLOW_LOOPBACK = True
    settings.HOTLINE_FETCH_HOST_RATE = 2
    clock = FrozenClock()
    shared = HostRateLimiter(per_second=2, monotonic=clock.monotonic, sleep=clock.sleep)
    monkeypatch.setitem(backends._LIMITERS, 2, shared)
    results = [backends.fetcher_from_settings().fetch(f"{base}/p/{n}") for n in range(3)]
    assert [r.status for r in results] == [200, 200, 200] and len(hits) == 3
    assert clock.slept == [0.5, 1.0]  # the 2nd and 3rd fetch waited for their slots
    assert backends.host_rate_limiter() is shared  # every fetcher of the process shares it
