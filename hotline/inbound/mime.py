"""PURE: reading real mail: charsets (declared or not), encoded headers, bodies, attachments."""

import email
import re
from collections.abc import Iterator
from dataclasses import dataclass
from email import policy
from email.header import decode_header
from email.message import EmailMessage, Message
from email.utils import getaddresses
from html import unescape

from hotline.inbound.charsets import decode_text

_HANGUL = re.compile("[\uac00-\ud7a3]")
BODY_TYPES = ("text/plain", "text/html")
# Marks the note that replaced an attachment (hotline.inbound.strip): not a body.
REMOVED_HEADER = "X-Hotline-Removed"


@dataclass(frozen=True)
class TextPart:
    content_type: str  # text/plain or text/html
    text: str


def parse(raw: bytes) -> EmailMessage:
    message = email.message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def decode_bytes(data: bytes, declared: str | None = None) -> str:
    """Text from a part's or a header's bytes: the charset rules of hotline.inbound.charsets."""
    return decode_text(data, declared)


_BASE64_BODY = re.compile(rb"[A-Za-z0-9+/=\s]*")


def payload_bytes(part: Message) -> bytes:
    """A leaf part's bytes, its transfer encoding undone exactly once.

    A body that is not base64 under a base64 label (a message an earlier version stored
    decoded under its original headers, or a mailer that mislabelled it) is taken as it is:
    decoding it again would turn the text into garbage.
    """
    # The body as parsed (8-bit bytes kept as surrogate escapes); get_payload(decode=False)
    # would decode 8-bit bytes by the declared charset first.
    raw = getattr(part, "_payload", None)
    if isinstance(raw, str) and part.get("Content-Transfer-Encoding", "").strip().lower() == (
        "base64"
    ):
        body = raw.encode("ascii", errors="surrogateescape")
        if not _BASE64_BODY.fullmatch(body):
            return body
    payload = part.get_payload(decode=True)
    return payload if isinstance(payload, bytes) else b""


def _unescape(value: str) -> bytes:
    """The header's original bytes: the parser keeps 8-bit bytes as surrogate escapes."""
    return value.encode("ascii", errors="surrogateescape")


def decode_header_value(value: str) -> str:
    """RFC 2047 encoded words and raw 8-bit bytes, each chunk through the charset fallback."""
    raw = _unescape(value) if any("\udc80" <= c <= "\udcff" for c in value) else None
    if raw is not None:
        value = decode_bytes(raw)
    chunks = []
    for chunk, charset in decode_header(value):
        chunks.append(decode_bytes(chunk, charset) if isinstance(chunk, bytes) else chunk)
    return re.sub(r"\s+", " ", "".join(chunks)).strip()


def header_text(message: Message, name: str) -> str:
    """The decoded value of the first header of that name ('' when absent)."""
    for key, value in message.raw_items():
        if key.lower() == name.lower():
            return decode_header_value(str(value))
    return ""


def header_all(message: Message, name: str) -> list[str]:
    return [
        decode_header_value(str(v)) for k, v in message.raw_items() if k.lower() == name.lower()
    ]


def first_address(value: str) -> str:
    pairs = getaddresses([value])
    return pairs[0][1].strip().lower() if pairs and "@" in pairs[0][1] else ""


def all_addresses(values: list[str]) -> list[str]:
    return [addr.strip().lower() for _, addr in getaddresses(values) if "@" in addr]


def is_body_part(part: Message) -> bool:
    """Text the sender wrote (kept and read); everything else is an attachment."""
    if part.is_multipart() or part.get_content_maintype() == "message":
        return False
    if part.get_content_type() not in BODY_TYPES or part.get(REMOVED_HEADER):
        return False
    return part.get_content_disposition() != "attachment" or not part.get_filename()


def _leaves(message: Message) -> Iterator[Message]:
    for part in message.walk():
        if not part.is_multipart() and part.get_content_maintype() != "message":
            yield part


def text_parts(message: Message) -> list[TextPart]:
    """Every plain and HTML body, forwarded messages (message/rfc822) included."""
    parts = []
    for part in _leaves(message):
        if is_body_part(part):
            text = decode_bytes(payload_bytes(part), part.get_content_charset())
            parts.append(TextPart(part.get_content_type(), text))
    return parts


def filename(part: Message) -> str:
    name = part.get_filename() or part.get_param("name", header="content-type") or ""
    return decode_header_value(str(name)) if name else ""


def plain_text(message: Message) -> str:
    """All plain bodies; the HTML ones only where a message has no plain body at all."""
    parts = text_parts(message)
    plain = [p.text for p in parts if p.content_type == "text/plain"]
    return "\n".join(plain) if plain else "\n".join(html_to_text(p.text) for p in parts)


def html_to_text(html: str) -> str:
    text = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", html)
    text = re.sub(r"(?i)<br\s*/?>|</p>|</div>|</tr>|</li>|</blockquote>", "\n", text)
    return unescape(re.sub(r"<[^>]+>", " ", text))


def has_hangul(text: str) -> bool:
    return bool(_HANGUL.search(text))
