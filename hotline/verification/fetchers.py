"""Fetching reported URLs for verification, safe against server-side request forgery."""

from __future__ import annotations

import hashlib
import ipaddress
import socket
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

import httpx

__all__ = [
    "EXCERPT_CHARS",
    "FetchResult",
    "Fetcher",
    "HttpxFetcher",
    "RecordingFakeFetcher",
    "address_refusal",
]

EXCERPT_CHARS = 2048
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# Local-use NAT64 prefix (RFC 8215): translates into whatever the local network routes to.
_LOCAL_NAT64 = ipaddress.ip_network("64:ff9b:1::/48")
_WELL_KNOWN_NAT64 = ipaddress.ip_network("64:ff9b::/96")


@dataclass(frozen=True)
class FetchResult:
    """What one fetch saw; ``error`` is set whenever the fetch did not complete normally.

    With ``error == "too large"`` the body fields (hash, text) cover only the first
    ``max_bytes`` bytes, and ``status`` is the real status of the response.
    """

    url: str
    final_url: str
    status: int | None
    body_sha256: str | None
    body_excerpt: str
    text: str
    error: str | None
    fetched_at: datetime


class Fetcher(Protocol):
    """Anything that can fetch a URL without raising."""

    def fetch(self, url: str) -> FetchResult: ...


def address_refusal(address: str | IPAddress, *, allow_loopback: bool = False) -> str | None:
    """Why ``address`` must not be contacted, or ``None`` when it is a public address.

    IPv4 wrapped in IPv6 (IPv4-mapped, NAT64, 6to4, Teredo) is judged by the IPv4 inside it.
    """
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in _LOCAL_NAT64:
            return f"address {ip} is a local-use NAT64 address"
        inner = _embedded_ipv4(ip)
        if inner is not None:
            reason = _classify(inner, allow_loopback=allow_loopback)
            if reason is not None:
                return f"address {ip} wraps {inner}, which is {reason}"
            if ip.ipv4_mapped is not None or ip in _WELL_KNOWN_NAT64:
                return None
    reason = _classify(ip, allow_loopback=allow_loopback)
    return None if reason is None else f"address {ip} is {reason}"


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in _WELL_KNOWN_NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    return None


def _classify(ip: IPAddress, *, allow_loopback: bool) -> str | None:
    """Name the non-public class of ``ip``; order matters, the most specific name wins."""
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_loopback:
        return None if allow_loopback else "loopback"
    checks = (
        (ip.is_link_local, "link-local"),
        (ip.is_multicast, "multicast"),
        (ip.is_reserved, "reserved"),
        (ip.is_private, "private"),
        (not ip.is_global, "not globally routable"),
    )
    return next((name for flag, name in checks if flag), None)


@dataclass(frozen=True)
class _Hop:
    """One request: the URL as named, and the validated address it is pinned to."""

    url: httpx.URL
    pinned: httpx.URL
    host_header: str
    sni_hostname: str


@dataclass
class _Response:
    status: int | None = None
    location: str | None = None
    body: bytes = b""
    encoding: str = "utf-8"
    error: str | None = None


class HttpxFetcher:
    """Fetches with httpx, following redirects by hand and refusing non-public addresses.

    Each hop's host is resolved here, every resolved address is checked, and the connection
    goes to the checked address (the URL is rewritten to the IP, with the original ``Host``
    header and TLS SNI/certificate name), so a second DNS answer cannot redirect it
    (DNS rebinding). Keep-alive is off so that a TLS connection verified for one host name is
    never reused for another host on the same IP. Environment proxies are ignored, since a
    proxy would do its own resolution. Name resolution itself is not bounded by ``timeout``.
    """

    def __init__(
        self,
        *,
        allow_loopback: bool = False,
        timeout: float = 10.0,
        max_bytes: int = 2_000_000,
        max_redirects: int = 5,
        user_agent: str = "hotline-verifier/0.1",
    ) -> None:
        self.allow_loopback = allow_loopback
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.user_agent = user_agent

    def fetch(self, url: str) -> FetchResult:
        fetched_at = datetime.now(UTC)
        deadline = time.monotonic() + self.timeout
        current = url
        with httpx.Client(
            trust_env=False,
            follow_redirects=False,
            timeout=self.timeout,
            limits=httpx.Limits(max_keepalive_connections=0),
        ) as client:
            for _ in range(self.max_redirects + 1):
                hop = self._prepare(current)
                if time.monotonic() > deadline:
                    hop = "timeout"
                if isinstance(hop, str):
                    return _build(url, current, _Response(error=hop), fetched_at)
                response = self._request(client, hop, deadline)
                if response.status not in REDIRECT_STATUSES or response.location is None:
                    return _build(url, current, response, fetched_at)
                try:
                    current = str(hop.url.join(response.location))
                except (httpx.InvalidURL, ValueError) as exc:
                    response.error = f"invalid redirect location: {exc}"
                    return _build(url, current, response, fetched_at)
        response.error = f"too many redirects (more than {self.max_redirects})"
        return _build(url, current, response, fetched_at)

    def _prepare(self, url: str) -> _Hop | str:
        """Validate one hop and pin it to a checked address; a string is the refusal."""
        try:
            parsed = httpx.URL(url)
            host = parsed.raw_host.decode("ascii")
        except (httpx.InvalidURL, UnicodeError, ValueError) as exc:
            return f"invalid URL: {exc}"
        if not parsed.scheme:
            return "invalid URL: no scheme"
        if parsed.scheme not in ("http", "https"):
            return f"refused: scheme {parsed.scheme!r} is not http or https"
        if not host:
            return "invalid URL: no host"
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            return f"dns: cannot resolve {host}: {exc}"
        addresses = [str(info[4][0]) for info in infos]
        for address in addresses:
            refusal = address_refusal(address.split("%")[0], allow_loopback=self.allow_loopback)
            if refusal is not None:
                return f"refused: {refusal}"
        if not addresses:
            return f"dns: no address for {host}"
        return _Hop(
            url=parsed,
            pinned=parsed.copy_with(host=addresses[0].split("%")[0]),
            host_header=parsed.netloc.decode("ascii"),
            sni_hostname=host,
        )

    def _request(self, client: httpx.Client, hop: _Hop, deadline: float) -> _Response:
        # Identity encoding keeps max_bytes meaningful; a server that compresses anyway is
        # still bounded, by one decompressed network chunk.
        headers = {
            "Host": hop.host_header,
            "User-Agent": self.user_agent,
            "Accept-Encoding": "identity",
        }
        extensions = {"sni_hostname": hop.sni_hostname}
        result = _Response()
        try:
            request = client.build_request(
                "GET", hop.pinned, headers=headers, extensions=extensions
            )
            response = client.send(request, stream=True)
            try:
                result.status = response.status_code
                result.location = response.headers.get("location")
                result.encoding = response.encoding or "utf-8"
                self._read_body(response, result, deadline)
            finally:
                response.close()
        except httpx.TimeoutException:
            result.error = "timeout"
        except (httpx.HTTPError, OSError) as exc:
            result.error = f"network error: {type(exc).__name__}: {exc}"
        return result

    def _read_body(self, response: httpx.Response, result: _Response, deadline: float) -> None:
        """Stream the body, stopping at ``max_bytes`` or when the overall deadline passes."""
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            chunks.append(chunk)
            size += len(chunk)
            if size > self.max_bytes:
                result.error = "too large"
                break
            if time.monotonic() > deadline:
                result.error = "timeout"
                break
        result.body = b"".join(chunks)[: self.max_bytes]


def _build(url: str, final_url: str, response: _Response, fetched_at: datetime) -> FetchResult:
    text = _decode(response.body, response.encoding)
    has_body = response.status is not None
    return FetchResult(
        url=url,
        final_url=final_url,
        status=response.status,
        body_sha256=hashlib.sha256(response.body).hexdigest() if has_body else None,
        body_excerpt=text[:EXCERPT_CHARS],
        text=text,
        error=response.error,
        fetched_at=fetched_at,
    )


def _decode(body: bytes, encoding: str) -> str:
    try:
        return body.decode(encoding, errors="replace")
    except LookupError:
        return body.decode("utf-8", errors="replace")


FakeResponse = tuple[int, str | bytes] | FetchResult


@dataclass
class RecordingFakeFetcher:
    """A :class:`Fetcher` for tests: canned responses by exact URL, and a record of calls.

    A URL without a canned response yields ``error="no fake response"`` and no status
    (what a network failure looks like). A :class:`FetchResult` value is returned as is.
    """

    responses: Mapping[str, FakeResponse] = field(default_factory=dict)
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    calls: list[str] = field(default_factory=list)

    def fetch(self, url: str) -> FetchResult:
        self.calls.append(url)
        canned = self.responses.get(url)
        if isinstance(canned, FetchResult):
            return canned
        if canned is None:
            return _build(url, url, _Response(error="no fake response"), self.now())
        status, body = canned
        raw = body.encode("utf-8") if isinstance(body, str) else body
        return _build(url, url, _Response(status=status, body=raw), self.now())
