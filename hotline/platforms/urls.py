"""Pure URL normalisation: one canonical identity string per reported location."""

from __future__ import annotations

import functools
import ipaddress
import re
import string
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, unquote, urlsplit

import idna

from hotline.platforms.url_rules import (
    LocationKind,
    site_rule_for,
    without_tracking,
)

__all__ = [
    "InvalidUrl",
    "LocationKind",
    "NormalisedUrl",
    "normalise_url",
]

_SCHEME_RE = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
_HOST_CHARS = frozenset(string.ascii_lowercase + string.digits + "-_.")
_UNRESERVED = frozenset(string.ascii_letters + string.digits + "-._~")
# Printable ASCII that may stay literal in a path or query; everything else is escaped.
_PATH_SAFE = frozenset(string.ascii_letters + string.digits + "-._~!$&'()*+,;=:@/")
_QUERY_SAFE = _PATH_SAFE | {"?"}
_HEX = frozenset(string.hexdigits)
_DEFAULT_PORTS = {"http": 80, "https": 443}


class InvalidUrl(ValueError):
    """The input cannot be read as an http(s) URL."""


@dataclass(frozen=True)
class NormalisedUrl:
    """Canonical identity of a URL: equal for every spelling of the same location."""

    url: str
    host: str
    path: str
    kind: LocationKind = LocationKind.OTHER
    # The canonical URL of the room or account a message belongs to, when the site says.
    room: str | None = None


# Pure, and called for each line up to three times on its way in (bulk intake checks it,
# intake validates it, the item stores it): remember the last few thousand answers.
@functools.lru_cache(maxsize=4096)
def normalise_url(raw: str) -> NormalisedUrl:
    """Return the canonical form of ``raw`` or raise :class:`InvalidUrl`.

    The result is an identity key for comparison and deduplication, not necessarily a URL to fetch:

    * Leading/trailing whitespace is stripped; a missing scheme means https (``t.me/foo``);
      only http and https are accepted, and http is rewritten to https.
    * ``tg://resolve?domain=x&post=5``, ``tg://join?invite=h`` and ``tg://privatepost`` map to t.me.
    * Credentials (``user@host``), control characters and whitespace in the host are rejected.
    * Host: lowercased, trailing dot dropped, one ``www.`` prefix dropped (not from ``www.com``),
      non-ASCII labels converted to punycode (IDNA 2008 / UTS #46 non-transitional, as browsers
      do: ``straße.de`` -> ``xn--strae-oqa.de``), IPv6 literals compressed. Default ports (80 for
      http, 443 for https) are dropped.
    * Path and query: ``%XX`` escapes of unreserved characters are decoded, other escapes get
      uppercase hex, non-ASCII and unsafe characters (spaces included) are UTF-8 percent-encoded,
      dot segments are resolved, a trailing slash is dropped (the root path stays ``/``).
    * The query is kept in its original order (order can be meaningful); an empty ``?`` is
      dropped. The fragment is always dropped.
    * Telegram: t.me, telegram.me, telegram.dog (and ``www.``) become ``t.me``; ``<name>.t.me``
      becomes ``t.me/<name>``; the web preview prefix ``/s/`` is dropped; the first path segment
      (username) is lowercased except for invite links ``/+hash``; ``/joinchat/hash`` becomes
      ``/+hash`` (same invite; the hash keeps its case); the presentation-only query parameters
      in ``url_rules.TELEGRAM_PRESENTATION_PARAMS`` and ``utm_*`` are dropped, others (``comment``,
      ``thread``) are kept because they point at a different message. web.telegram.org links
      (``/k/#@name``, ``/a/#-100123``, ``#?tgaddr=tg://…``) become the t.me link of that chat.
    * X: x.com, twitter.com, mobile./m. hosts and the fxtwitter/vxtwitter/fixupx embed proxies
      become ``x.com``; a post is ``x.com/i/status/<id>`` whatever account name, ``/photo/1``
      or share parameters (``?s=20&t=…``) surround it; account names are lowercased.
    * Discord: discordapp.com, ptb. and canary. become ``discord.com``; invites in every
      spelling become ``discord.gg/<code>``; CDN attachments drop their expiring signature.
    * Any other site: click-tracking parameters (``utm_*``, ``fbclid``, ``gclid``, …) are
      dropped. Site rules live in ``url_rules.py``, which also says whether a URL is a message,
      a room, an account, an invite or a file, and which room a message belongs to.
    """
    scheme, host, port, path, query = _split(_clean(raw))
    host = _canonical_host(host)
    path = _normalise_escapes(_remove_dot_segments(path or "/"), _PATH_SAFE)
    query = _normalise_escapes(query, _QUERY_SAFE)
    kind, room = LocationKind.OTHER, None
    rule = site_rule_for(host)
    if rule is None:
        query = without_tracking(query)
    else:
        site = rule(host, path, query)
        host, path, query, kind, room = site.host, site.path, site.query, site.kind, site.room
    if len(path) > 1:
        path = path.rstrip("/") or "/"
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        authority = f"{_host_for_url(host)}:{port}"
    else:
        authority = _host_for_url(host)
    url = f"https://{authority}{path}" + (f"?{query}" if query else "")
    return NormalisedUrl(url=url, host=host, path=path, kind=kind, room=room)


def _clean(raw: str) -> str:
    """Strip, reject unreadable input, and translate Telegram app links."""
    if not isinstance(raw, str):
        raise InvalidUrl(f"URL must be a string, not {type(raw).__name__}")
    text = raw.strip()
    if not text:
        raise InvalidUrl("empty URL")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in text):
        raise InvalidUrl("URL contains a control character (tab, newline, ...)")
    if not _is_encodable(text):
        raise InvalidUrl("URL contains characters that cannot be UTF-8 encoded")
    if text.lower().startswith("tg:"):
        return _telegram_app_link(text)
    return _telegram_web_link(text) if _WEB_TELEGRAM.match(text) else text


def _split(text: str) -> tuple[str, str, int | None, str, str]:
    """Split into (scheme, raw host, port, path, query), defaulting the scheme to https."""
    match = _SCHEME_RE.match(text)
    if text.startswith("//"):
        text = "https:" + text
    elif match is None or (not text[match.end() :].startswith("//") and _looks_like_port(text)):
        text = "https://" + text
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise InvalidUrl(f"malformed URL: {exc}") from exc
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise InvalidUrl(f"unsupported scheme {scheme!r}: only http and https are accepted")
    if "@" in parts.netloc:
        raise InvalidUrl("URL contains credentials (user@host), which are not accepted")
    host = parts.hostname or ""
    if not host:
        raise InvalidUrl("URL has no host")
    if port == 0:
        raise InvalidUrl("port 0 is not a valid port")
    return scheme, host, port, parts.path, parts.query


def _is_encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _looks_like_port(text: str) -> bool:
    """True for ``host:8080/...`` (a host and port, not a scheme like ``mailto:``)."""
    return re.match(r"^[^:/]+:\d+(?:[/?#]|$)", text) is not None


def _canonical_host(host: str) -> str:
    """Lowercase, punycode, strip a trailing dot and ``www.``; IP literals in canonical form."""
    host = host.rstrip(".").lower()
    if any(ch.isspace() for ch in host):
        raise InvalidUrl(f"host {host!r} contains whitespace")
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    if not host.isascii():
        try:
            host = idna.encode(host, uts46=True, transitional=False).decode("ascii")
        except idna.IDNAError as exc:
            raise InvalidUrl(f"host {host!r} is not a valid internationalised name: {exc}") from exc
    if not host or not set(host) <= _HOST_CHARS or ".." in host or host.startswith("."):
        raise InvalidUrl(f"host {host!r} contains characters not allowed in a host name")
    return host.removeprefix("www.") if host.count(".") >= 2 else host


def _host_for_url(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _normalise_escapes(text: str, safe: frozenset[str]) -> str:
    """Decode escaped unreserved characters, uppercase other escapes, escape everything unsafe."""
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "%" and i + 2 < len(text) and set(text[i + 1 : i + 3]) <= _HEX:
            decoded = chr(int(text[i + 1 : i + 3], 16))
            out.append(decoded if decoded in _UNRESERVED else text[i : i + 3].upper())
            i += 3
            continue
        out.append(ch if ch in safe else quote(ch, safe=""))
        i += 1
    return "".join(out)


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4, on whole segments, so that ``/a/../b`` equals ``/b``."""
    result: list[str] = []
    segments = path.split("/")
    for segment in segments[1:]:
        if segment == "..":
            if result:
                result.pop()
        elif segment != ".":
            result.append(segment)
    trailing = "/" if segments[-1] in {".", ".."} else ""
    return "/" + "/".join(result) + trailing


# web.telegram.org names the chat in the fragment, which every other URL drops: read it first.
_WEB_TELEGRAM = re.compile(
    r"^(?:https?://)?(?:www\.)?web\.telegram\.org(?::\d+)?(?P<path>/[^#?]*)?(?:\?[^#]*)?"
    r"#(?P<fragment>.+)$",
    re.IGNORECASE,
)
_WEB_USERNAME = re.compile(r"^@([A-Za-z0-9_]+)(?:/(\d+))?$")
_WEB_CHANNEL_ID = re.compile(r"^-100(\d+)(?:_(\d+))?$")


def _telegram_web_link(text: str) -> str:
    """Translate a web.telegram.org link (the K, A and old clients) to its t.me equivalent:
    ``#@name`` is t.me/name, ``#-100123`` the private channel t.me/c/123, ``#?tgaddr=tg://…``
    the app link it carries. A chat named some other way (a private chat's numeric id) keeps its
    fragment as the ``peer`` query, so that two different chats never fold into one URL."""
    match = _WEB_TELEGRAM.match(text)
    if match is None:
        return text
    path, fragment = (match["path"] or "/").rstrip("/"), match["fragment"]
    if fragment.startswith("?tgaddr="):  # parsed before unescaping: the address is escaped
        address = dict(parse_qsl(fragment[1:])).get("tgaddr", "")
        if address.lower().startswith("tg:"):
            return _telegram_app_link(address)
    if fragment.startswith("/im?"):  # the old client: #/im?p=@name
        fragment = dict(parse_qsl(fragment[4:])).get("p", fragment)
    fragment = unquote(fragment)
    if username := _WEB_USERNAME.match(fragment):
        name, post = username.groups()
        return f"https://t.me/{name}" + (f"/{post}" if post else "")
    if channel := _WEB_CHANNEL_ID.match(fragment):
        channel_id, post = channel.groups()
        return f"https://t.me/c/{channel_id}" + (f"/{post}" if post else "")
    return f"https://web.telegram.org{path}?peer={quote(fragment, safe='@')}"


def _telegram_app_link(text: str) -> str:
    """Translate a ``tg://`` app link to its https://t.me equivalent."""
    parts = urlsplit(text)
    action = (parts.netloc or parts.path.lstrip("/")).lower()
    params = dict(parse_qsl(parts.query))
    if action == "resolve" and params.get("domain"):
        post = params.get("post")
        return f"https://t.me/{params['domain']}" + (f"/{post}" if post else "")
    if action == "join" and params.get("invite"):
        return f"https://t.me/+{params['invite']}"
    if action == "privatepost" and params.get("channel") and params.get("post"):
        return f"https://t.me/c/{params['channel']}/{params['post']}"
    raise InvalidUrl(f"unsupported Telegram app link {text!r}")
