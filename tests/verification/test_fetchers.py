"""Tests for the SSRF-safe fetcher against a real server on 127.0.0.1 only."""

import contextlib
import hashlib
import http.server
import ipaddress
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from hotline.verification.fetchers import (
    FetchResult,
    HttpxFetcher,
    RecordingFakeFetcher,
    address_refusal,
)

PAGE = "<html><body>안녕 hello</body></html>"
BIG = b"x" * 5000
SLOW_SECONDS = 2.0


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        routes = {
            "/page": lambda: self._send(200, PAGE.encode("utf-8")),
            "/missing": lambda: self._send(404, b"not here"),
            "/big": lambda: self._send(200, BIG),
            "/host": lambda: self._send(200, self.headers["Host"].encode()),
            "/hop1": lambda: self._redirect("/hop2"),
            "/hop2": lambda: self._redirect(f"http://{self.headers['Host']}/page"),
            "/loop": lambda: self._redirect("/loop"),
            "/to-metadata": lambda: self._redirect("http://169.254.169.254/latest/meta-data/"),
            "/to-private": lambda: self._redirect("http://10.0.0.1/"),
            "/to-ftp": lambda: self._redirect("ftp://127.0.0.1/x"),
            "/slow": self._slow,
        }
        routes.get(self.path, lambda: self._send(500, b"no route"))()

    def _send(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _slow(self) -> None:
        # Ends by itself, so the server thread never hangs on a client that gave up.
        threading.Event().wait(SLOW_SECONDS)
        with contextlib.suppress(OSError):
            self._send(200, b"late")

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()
    thread.join()


@pytest.fixture(autouse=True)
def connections(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record every outgoing connection and fail on any non-loopback one."""
    made: list[str] = []
    real = socket.create_connection

    def guarded(address: tuple[str, int], *args: object, **kwargs: object) -> socket.socket:
        host = address[0]
        made.append(host)
        assert ipaddress.ip_address(host).is_loopback, f"test tried to connect to {host}"
        return real(address, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "create_connection", guarded)
    return made


def loopback_fetcher(**kwargs: object) -> HttpxFetcher:
    return HttpxFetcher(allow_loopback=True, **kwargs)  # type: ignore[arg-type]


def test_loopback_refused_by_default(server: str, connections: list[str]) -> None:
    result = HttpxFetcher().fetch(f"{server}/page")
    assert result.error == "refused: address 127.0.0.1 is loopback"
    assert result.status is None
    assert result.body_sha256 is None
    assert connections == []


def test_ok_page(server: str) -> None:
    result = loopback_fetcher().fetch(f"{server}/page")
    assert result.error is None
    assert result.status == 200
    assert result.final_url == f"{server}/page"
    assert result.body_sha256 == hashlib.sha256(PAGE.encode("utf-8")).hexdigest()
    assert result.text == PAGE
    assert result.body_excerpt == PAGE
    assert result.fetched_at.tzinfo is UTC


def test_excerpt_is_first_2kb_and_text_is_whole_body(server: str) -> None:
    result = loopback_fetcher().fetch(f"{server}/big")
    assert (len(result.body_excerpt), len(result.text)) == (2048, 5000)


def test_host_header_is_the_name_not_the_pinned_ip(server: str) -> None:
    port = server.rsplit(":", 1)[1]
    result = loopback_fetcher().fetch(f"http://localhost:{port}/host")
    if result.error and "network error" in result.error:
        pytest.skip("localhost resolves first to an address the server does not listen on")
    assert result.text == f"localhost:{port}"


def test_not_found(server: str) -> None:
    result = loopback_fetcher().fetch(f"{server}/missing")
    assert (result.status, result.error, result.text) == (404, None, "not here")


def test_redirect_chain_followed(server: str) -> None:
    result = loopback_fetcher().fetch(f"{server}/hop1")
    assert result.url == f"{server}/hop1"
    assert result.final_url == f"{server}/page"
    assert (result.status, result.text) == (200, PAGE)


@pytest.mark.parametrize(
    ("path", "error"),
    [
        ("/to-metadata", "refused: address 169.254.169.254 is link-local"),
        ("/to-private", "refused: address 10.0.0.1 is private"),
        ("/to-ftp", "refused: scheme 'ftp' is not http or https"),
    ],
)
def test_redirect_to_refused_target_is_not_followed(
    server: str, connections: list[str], path: str, error: str
) -> None:
    result = loopback_fetcher().fetch(f"{server}{path}")
    assert result.error == error
    assert result.status is None
    assert connections == ["127.0.0.1"]


def test_redirect_loop_stops(server: str, connections: list[str]) -> None:
    result = loopback_fetcher(max_redirects=3).fetch(f"{server}/loop")
    assert result.error == "too many redirects (more than 3)"
    assert result.status == 302
    assert len(connections) == 4


def test_oversized_body_truncated(server: str) -> None:
    result = loopback_fetcher(max_bytes=1000).fetch(f"{server}/big")
    assert (result.status, result.error) == (200, "too large")
    assert result.text == "x" * 1000
    assert result.body_sha256 == hashlib.sha256(b"x" * 1000).hexdigest()


def test_slow_server_times_out(server: str) -> None:
    result = loopback_fetcher(timeout=0.2).fetch(f"{server}/slow")
    assert result.error == "timeout"
    assert result.status is None


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("ftp://127.0.0.1/x", "refused: scheme 'ftp' is not http or https"),
        ("file:///etc/passwd", "refused: scheme 'file' is not http or https"),
        ("http://localhost/", "refused: address"),
        ("http://[::1]/", "refused: address ::1 is loopback"),
        (
            "http://[::ffff:127.0.0.1]/",
            "refused: address ::ffff:7f00:1 wraps 127.0.0.1, which is loopback",
        ),
        ("http://10.0.0.1/", "refused: address 10.0.0.1 is private"),
        ("http://0.0.0.0/", "refused: address 0.0.0.0 is unspecified"),
        ("not a url at all", "invalid URL"),
        ("http:///nohost", "invalid URL"),
    ],
)
def test_refused_without_connecting(url: str, error: str, connections: list[str]) -> None:
    result = HttpxFetcher().fetch(url)
    assert result.error is not None
    assert result.error.startswith(error)
    assert result.status is None
    assert connections == []


def test_private_ranges_refused_even_when_loopback_allowed(connections: list[str]) -> None:
    result = loopback_fetcher().fetch("http://192.168.1.1/")
    assert result.error == "refused: address 192.168.1.1 is private"
    assert connections == []


UNSPECIFIED = "0.0.0.0"  # noqa: S104 - an address under test, never bound
ADDRESSES = [
    ("10.1.2.3", "address 10.1.2.3 is private"),
    ("172.16.0.1", "address 172.16.0.1 is private"),
    ("192.168.0.1", "address 192.168.0.1 is private"),
    ("100.64.0.1", "address 100.64.0.1 is not globally routable"),
    ("169.254.169.254", "address 169.254.169.254 is link-local"),
    ("224.0.0.1", "address 224.0.0.1 is multicast"),
    (UNSPECIFIED, "address 0.0.0.0 is unspecified"),
    ("240.0.0.1", "address 240.0.0.1 is reserved"),
    ("127.0.0.1", "address 127.0.0.1 is loopback"),
    ("127.8.9.10", "address 127.8.9.10 is loopback"),
    ("::1", "address ::1 is loopback"),
    ("::", "address :: is unspecified"),
    ("fe80::1", "address fe80::1 is link-local"),
    ("fc00::1", "address fc00::1 is private"),
    ("ff0e::1", "address ff0e::1 is multicast"),
    ("2001:db8::1", "address 2001:db8::1 is private"),
    ("::ffff:10.0.0.1", "address ::ffff:a00:1 wraps 10.0.0.1, which is private"),
    ("::ffff:127.0.0.1", "address ::ffff:7f00:1 wraps 127.0.0.1, which is loopback"),
    ("64:ff9b::a00:1", "address 64:ff9b::a00:1 wraps 10.0.0.1, which is private"),
    ("64:ff9b:1::1", "address 64:ff9b:1::1 is a local-use NAT64 address"),
    ("2002:a00:1::", "address 2002:a00:1:: wraps 10.0.0.1, which is private"),
    (
        "2001:0:4136:e378:8000:63bf:3fff:fdd2",
        "address 2001:0:4136:e378:8000:63bf:3fff:fdd2 wraps 192.0.2.45, which is private",
    ),
    ("2002:808:808::", None),
    ("8.8.8.8", None),
    ("1.1.1.1", None),
    ("2001:4860:4860::8888", None),
    ("::ffff:8.8.8.8", None),
    ("64:ff9b::808:808", None),
]


@pytest.mark.parametrize(("address", "expected"), ADDRESSES)
def test_address_refusal(address: str, expected: str | None) -> None:
    assert address_refusal(address) == expected


@pytest.mark.parametrize("address", ["127.0.0.1", "::1", "::ffff:127.0.0.1"])
def test_loopback_allowed_when_asked(address: str) -> None:
    assert address_refusal(address, allow_loopback=True) is None


@pytest.mark.parametrize("address", ["10.0.0.1", "169.254.169.254", "::ffff:10.0.0.1", UNSPECIFIED])
def test_allow_loopback_allows_nothing_else(address: str) -> None:
    assert address_refusal(address, allow_loopback=True) is not None


def test_fake_fetcher_records_calls_and_serves_canned_responses() -> None:
    at = datetime(2025, 1, 2, tzinfo=UTC)
    canned = FetchResult("u3", "u3", None, None, "", "", "timeout", at)
    fake = RecordingFakeFetcher({"u1": (200, "hi"), "u2": (404, b""), "u3": canned}, now=lambda: at)
    first, second, third, unknown = (fake.fetch(u) for u in ("u1", "u2", "u3", "u4"))
    assert fake.calls == ["u1", "u2", "u3", "u4"]
    assert (first.status, first.text, first.fetched_at) == (200, "hi", at)
    assert first.body_sha256 == hashlib.sha256(b"hi").hexdigest()
    assert (second.status, second.text) == (404, "")
    assert third is canned
    assert (unknown.status, unknown.error) == (None, "no fake response")


def fake_dns(monkeypatch: pytest.MonkeyPatch, answers: dict[str, list[str]]) -> None:
    real = socket.getaddrinfo

    def resolve(host: str, port: int, *args: Any, **kwargs: Any) -> list[Any]:
        if host not in answers:
            return real(host, port, *args, **kwargs)
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
            for a in answers[host]
        ]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)


def test_connection_is_pinned_to_the_checked_address(
    server: str, connections: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_dns(monkeypatch, {"pinned.example": ["127.0.0.1"]})
    port = server.rsplit(":", 1)[1]
    result = loopback_fetcher().fetch(f"http://pinned.example:{port}/host")
    assert (result.status, result.text) == (200, f"pinned.example:{port}")
    assert connections == ["127.0.0.1"]


def test_any_refused_address_in_the_answer_refuses(
    connections: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_dns(monkeypatch, {"mixed.example": ["8.8.8.8", "10.0.0.1"]})
    result = HttpxFetcher().fetch("https://mixed.example/")
    assert result.error == "refused: address 10.0.0.1 is private"
    assert connections == []


def test_unresolvable_host_is_an_error_not_an_exception(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: object, **kwargs: object) -> list[object]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", fail)
    result = HttpxFetcher().fetch("https://nowhere.example/")
    assert result.error is not None
    assert result.error.startswith("dns: cannot resolve nowhere.example")
