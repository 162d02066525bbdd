"""PURE: a received message's own bytes, less every piece of media, found by walking the raw MIME.

hotline stores what it received byte for byte, so that reading it later decodes it exactly
once, under its own headers. The exceptions are media, whose bytes are never stored: each is
cut out where it stands and only its hashes are kept (services/store.py). Removed are:

- every leaf part that is not text (images, video, PDFs, archives; a text part whose bytes
  are in fact an image is treated as one) — the whole part becomes a short ASCII note whose
  original Content-* headers are kept renamed X-Hotline-Original-*;
- inside text parts: `data:` URIs of media, runs of base64 lines that decode to media, and
  uuencoded blocks — the part is re-encoded in its own transfer encoding, its bytes
  (so its charset) unchanged.

Everything else — headers, other parts, preambles, line endings — stays as received.
"""

import base64
import binascii
import hashlib
import quopri
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from email import policy
from email.message import Message
from email.parser import BytesHeaderParser

from hotline.hashing.videos import looks_like_video
from hotline.inbound.mime import REMOVED_HEADER as _REMOVED
from hotline.inbound.mime import filename

REMOVED_HEADER = _REMOVED.encode("ascii")
_HEADER_END = re.compile(rb"\r?\n\r?\n")
_CONTENT_HEADERS = re.compile(
    rb"(?im)^(content-type|content-transfer-encoding|content-disposition|content-id)(?=[ \t]*:)"
)
# Text kept as text (bodies, bounce reports); any other leaf part is an attachment.
_KEPT_TYPES = ("message/delivery-status", "message/disposition-notification")
_IMAGE_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"II*\x00",
                     b"MM\x00*", b"\x00\x00\x00\x0cjP  ", b"\xff\x0a")  # fmt: skip
# Signatures no text can start with; any other needs a NUL byte too before a text part is
# taken for media ("FLV files …", "GIF89a is …" are text).
_BINARY_SIGNATURES = (b"\x89PNG", b"\xff\xd8\xff")
_DATA_URI = re.compile(
    rb"(?i)data:(?P<type>[a-z]+/[a-z0-9.+-]+)?(?:;[a-z0-9.+-]+=[^;,\s\"'<>]*)*;base64,"
    rb"(?P<data>[A-Za-z0-9+/=]+(?:(?:\r?\n[ \t]*|%0[ad]|&#1[03];)[A-Za-z0-9+/=]+)*)"
)
# Lines of nothing but base64, each of 16 characters or more, and a shorter last line that
# completes the encoding (a pasted or badly attached file, wrapped or on one line). Cut only
# when they decode to media; the last line's test keeps a short word after them ("bye").
_B64_LINE = rb"[A-Za-z0-9+/]{16,}={0,2}[ \t]*"
_B64_LAST = rb"(?:(?:[A-Za-z0-9+/]{4}){1,3}|(?:[A-Za-z0-9+/]{4}){0,3}[A-Za-z0-9+/]{2,3}={1,2})"
_BASE64_RUN = re.compile(
    rb"(?m)^" + _B64_LINE + rb"(?:\r?\n" + _B64_LINE + rb")*"
    rb"(?:\r?\n" + _B64_LAST + rb"[ \t]*)?(?=\r?\n|\Z)"
)
_UUENCODED = re.compile(rb"(?ms)^begin [0-7]{3,4} [^\r\n]*\r?\n(?P<body>.*?)^end[ \t]*\r?$")
_MEDIA_TYPES = ("image/", "video/", "audio/")


@dataclass(frozen=True)
class Removed:
    """One piece of media (or an attachment) cut from the message, with its bytes in memory."""

    where: str  # "attachment", "data-uri", "base64-run", "uuencoded"
    name: str
    content_type: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass
class Stripped:
    raw: bytes
    removed: list[Removed] = field(default_factory=list)


def looks_like_media(data: bytes) -> bool:
    head = data[:64]
    riff = head.startswith(b"RIFF") and head[8:12] in (b"WEBP", b"AVI ", b"WAVE")
    bmp = head.startswith(b"BM") and head[6:10] == b"\x00\x00\x00\x00"  # reserved fields
    return head.startswith(_IMAGE_SIGNATURES) or riff or bmp or looks_like_video(head)


def _text_is_media(data: bytes) -> bool:
    """A part labelled text whose bytes are in fact an image or a video."""
    binary = data.startswith(_BINARY_SIGNATURES) or b"\x00" in data[:64]
    return binary and looks_like_media(data)


def strip_media(raw: bytes) -> Stripped:
    """The message less its media; `removed` lists what was cut, in order."""
    result = Stripped(raw=b"")
    result.raw = _entity(raw, result.removed)
    return result


def _entity(data: bytes, removed: list[Removed]) -> bytes:
    head, body = _split(data)
    headers = BytesHeaderParser(policy=policy.compat32).parsebytes(head)
    content_type = headers.get_content_type()
    if content_type.startswith("multipart/"):
        boundary = headers.get_boundary()
        if not boundary:
            return head + _clean_text(body, removed)
        return head + _multipart(body, boundary, removed)
    cte = str(headers.get("Content-Transfer-Encoding", "")).strip().lower()
    if content_type in ("message/rfc822", "message/global") and cte in ("", "7bit", "8bit"):
        return head + _entity(body, removed)
    if headers.get(_REMOVED):
        return data  # already a note (a message stored by hotline and read again)
    if content_type.startswith("text/") or content_type in _KEPT_TYPES:
        decoded = _transfer_decoded(body, cte)
        if _text_is_media(decoded):
            return _note(head, decoded, headers, content_type, removed)
        cleaned = _clean_text(decoded, removed)
        return data if cleaned == decoded else head + _transfer_encoded(cleaned, cte, body)
    return _note(head, _transfer_decoded(body, cte), headers, content_type, removed)


def _split(data: bytes) -> tuple[bytes, bytes]:
    """Headers (with the blank line) and body; a part with no headers starts with the blank."""
    if data.startswith((b"\r\n", b"\n")):
        cut = 2 if data.startswith(b"\r\n") else 1
        return data[:cut], data[cut:]
    match = _HEADER_END.search(data)
    if match is None:
        return data, b""
    return data[: match.end()], data[match.end() :]


def _multipart(body: bytes, boundary: str, removed: list[Removed]) -> bytes:
    """Each part between the delimiter lines processed; preamble and epilogue cleaned as text."""
    escaped = re.escape(boundary.encode("ascii", errors="replace"))
    delimiter = re.compile(rb"(?m)^--" + escaped + rb"(--)?[ \t]*(?:\r?\n|\Z)")
    out, position, closed = [], 0, False
    for match in delimiter.finditer(body):
        segment = body[position : match.start()]
        if position == 0:
            out.append(_clean_text(segment, removed))  # the preamble
        else:
            # The line break before a delimiter belongs to the delimiter (RFC 2046).
            end = len(segment) - (2 if segment.endswith(b"\r\n") else 1 if segment else 0)
            out.append(_entity(segment[:end], removed) + segment[end:])
        out.append(match.group())
        position = match.end()
        if match.group(1):
            closed = True
            break
    rest = body[position:]
    out.append(_clean_text(rest, removed) if closed or position == 0 else _entity(rest, removed))
    return b"".join(out)


def _transfer_decoded(body: bytes, cte: str) -> bytes:
    if cte == "base64":
        if not re.fullmatch(rb"[A-Za-z0-9+/=\s]*", body):
            return body  # not base64 at all: taken as it is (see mime.payload_bytes)
        return _b64decode(body)
    if cte == "quoted-printable":
        return quopri.decodestring(body)
    return body


def _transfer_encoded(data: bytes, cte: str, original: bytes) -> bytes:
    newline = b"\r\n" if b"\r\n" in original else b"\n"
    if cte == "base64":
        encoded = base64.encodebytes(data)
    elif cte == "quoted-printable":
        encoded = quopri.encodestring(data)
    else:
        return data
    return encoded.replace(b"\n", newline) if newline != b"\n" else encoded


def _b64decode(text: bytes) -> bytes:
    compact = re.sub(rb"[^A-Za-z0-9+/]", b"", text)
    compact = compact[: len(compact) - len(compact) % 4] if len(compact) % 4 == 1 else compact
    try:
        return base64.b64decode(compact + b"=" * (-len(compact) % 4))
    except binascii.Error:
        return b""


def _clean_text(data: bytes, removed: list[Removed]) -> bytes:
    """Text with its embedded media (data: URIs, base64 runs, uuencoded files) cut out."""

    def data_uri(match: re.Match[bytes]) -> bytes:
        declared = (match.group("type") or b"").decode("ascii").lower()
        blob = _b64decode(re.sub(rb"%0[ad]|&#1[03];", b"", match.group("data"), flags=re.I))
        if not declared.startswith(_MEDIA_TYPES) and not looks_like_media(blob):
            return match.group()
        item = Removed("data-uri", "", declared or "application/octet-stream", blob)
        removed.append(item)
        return b"data:,hotline-removed-media-sha256-" + item.sha256.encode()

    def embedded(where: str, blob: bytes, original: bytes) -> bytes:
        if not looks_like_media(blob):
            return original
        item = Removed(where, "", "application/octet-stream", blob)
        removed.append(item)
        return b"[hotline removed embedded media, sha256 " + item.sha256.encode() + b"]"

    def uuencoded(match: re.Match[bytes]) -> bytes:
        blob = b"".join(_uu_line(line) for line in match.group("body").splitlines())
        return embedded("uuencoded", blob, match.group())

    data = _DATA_URI.sub(data_uri, data)
    data = _BASE64_RUN.sub(lambda m: embedded("base64-run", _b64decode(m.group()), m.group()), data)
    if b"begin " in data:
        data = _UUENCODED.sub(uuencoded, data)
    return data


def _uu_line(line: bytes) -> bytes:
    try:
        return binascii.a2b_uu(line)
    except binascii.Error:
        return b""


def _note(
    head: bytes, data: bytes, headers: Message, content_type: str, removed: list[Removed]
) -> bytes:
    """The part replaced by an ASCII note; its own Content-* headers kept under new names."""
    item = Removed("attachment", filename(headers), content_type, data)
    removed.append(item)
    newline = b"\r\n" if b"\r\n" in head or not head else b"\n"
    kept = _CONTENT_HEADERS.sub(lambda m: b"X-Hotline-Original-" + m.group(1), head)
    kept = kept.rstrip(b"\r\n")
    note = (
        f"[hotline stored no bytes of this attachment: {content_type}, {len(data)} bytes, "
        f"sha256 {item.sha256}]"
    ).encode("ascii", errors="replace")
    new_headers = [
        b"Content-Type: text/plain; charset=us-ascii",
        b"Content-Transfer-Encoding: 7bit",
        REMOVED_HEADER + b": " + item.where.encode("ascii"),
    ]
    lines = ([kept] if kept else []) + new_headers
    return newline.join(lines) + newline + newline + note + newline


FORGOTTEN = b"(deleted: consent withdrawn)"


def forget_values(raw: bytes, values: Iterable[str]) -> bytes:
    """A stored message with each of these hash values (hex, any case) replaced, wherever it
    stands: in the notes that replaced attachments, and inside text parts, which are decoded
    from their transfer encoding, cleaned and re-encoded in it (consent withdrawn)."""
    needles = sorted({v.strip().lower() for v in values if v.strip()}, key=len, reverse=True)
    if not needles:
        return raw
    pattern = re.compile(b"|".join(re.escape(n.encode("ascii", "replace")) for n in needles), re.I)
    return _forget(raw, pattern)


def _forget(data: bytes, pattern: re.Pattern[bytes]) -> bytes:
    head, body = _split(data)
    headers = BytesHeaderParser(policy=policy.compat32).parsebytes(head)
    content_type = headers.get_content_type()
    boundary = headers.get_boundary() if content_type.startswith("multipart/") else None
    if boundary:
        return head + _forget_multipart(body, boundary, pattern)
    cte = str(headers.get("Content-Transfer-Encoding", "")).strip().lower()
    if content_type in ("message/rfc822", "message/global") and cte in ("", "7bit", "8bit"):
        return head + _forget(body, pattern)
    decoded = _transfer_decoded(body, cte)
    cleaned = pattern.sub(FORGOTTEN, decoded)
    return data if cleaned == decoded else head + _transfer_encoded(cleaned, cte, body)


def _forget_multipart(body: bytes, boundary: str, pattern: re.Pattern[bytes]) -> bytes:
    escaped = re.escape(boundary.encode("ascii", errors="replace"))
    delimiter = re.compile(rb"(?m)^--" + escaped + rb"(--)?[ \t]*(?:\r?\n|\Z)")
    out, position = [], 0
    for match in delimiter.finditer(body):
        segment = body[position : match.start()]
        if position == 0:
            out.append(pattern.sub(FORGOTTEN, segment))  # the preamble
        else:
            end = len(segment) - (2 if segment.endswith(b"\r\n") else 1 if segment else 0)
            out.append(_forget(segment[:end], pattern) + segment[end:])
        out.append(match.group())
        position = match.end()
        if match.group(1):
            break
    out.append(pattern.sub(FORGOTTEN, body[position:]))
    return b"".join(out)
