"""PURE: what kind of mail this is: an automatic message, or which notice it answers."""

import re
from dataclasses import dataclass
from email.message import Message

from hotline.inbound.mime import header_all, header_text

_AUTO_SUBJECT = re.compile(
    r"(?i)^\s*(out of (the )?office|automatic reply|auto(matic)?[- ]?reply|auto:|"
    r"autoreply|vacation|자동\s*회신|자동\s*응답|부재중)"
)
_BOUNCE_SENDER = re.compile(r"(?i)^(mailer-daemon|postmaster)@")
_NOTICE_MESSAGE_ID = re.compile(r"<notice-(\d+)@[^>]+>")
_RETURNED_ID = re.compile(r"(?im)^Message-ID:\s*<notice-(\d+)@[^>]+>")
_SUBJECT_TAG = re.compile(r"\[hotline\s+(HL-\d{4}-\d{6})?\s*N(\d+)\]", re.IGNORECASE)
_CASE_ID = re.compile(r"\bHL-\d{4}-\d{6}\b")
# A token is <expiry base36>.<signature base32> (hotline.cases.tokens), or the first format's
# 16 hex digits; mail systems may change the case, so both are matched case-insensitively.
_THREAD_TAG = r"[0-9a-z]{1,13}\.[a-z2-7]{24}|[0-9a-f]{16}"
_REPLY_ADDRESS = re.compile(rf"(?i)^reply\+n(\d+)-({_THREAD_TAG})@")
_BODY_REFERENCE = re.compile(rf"(?i)\bN(\d+)-({_THREAD_TAG})\b")


@dataclass(frozen=True)
class Automatic:
    kind: str  # "auto_reply" or "bounce"
    why: str
    # Only a hint (a subject, a Precedence header): a registered reporter's mail is still read.
    weak: bool = False


@dataclass(frozen=True)
class ThreadRef:
    notice_id: int
    via: str  # "reply-address", "in-reply-to", "subject"


def automatic(message: Message, envelope_from: str | None) -> Automatic | None:
    """Bounces and auto-replies are recorded and never answered: no mail loops.

    A bounce is a message whose own top part is a report (multipart/report, or a bare
    message/delivery-status), or one sent from a mailer-daemon or with a null return path. A
    report forwarded or attached inside a person's mail (message/rfc822) makes no bounce.
    """
    report = _report(message)
    if report is not None:
        return report
    sender = header_text(message, "From")
    address = re.sub(r"^.*<|>.*$", "", sender).strip()
    if _BOUNCE_SENDER.match(address):
        return Automatic("bounce", f"sent by {address}")
    if envelope_from is not None and envelope_from.strip() in ("", "<>"):
        return Automatic("bounce", "null return path (MAIL FROM:<>)")
    if header_text(message, "Return-Path").replace(" ", "") == "<>":
        return Automatic("bounce", "null return path (Return-Path: <>)")
    return _auto_reply(message)


def _report(message: Message) -> Automatic | None:
    content_type = message.get_content_type()
    if content_type == "message/delivery-status":
        return Automatic("bounce", "delivery status report (message/delivery-status)")
    if content_type != "multipart/report":
        return None
    report_type = str(message.get_param("report-type") or "").lower()
    if report_type == "delivery-status" or any(
        part.get_content_type() == "message/delivery-status" for part in _children(message)
    ):
        return Automatic("bounce", "delivery status report (multipart/report)")
    return Automatic("auto_reply", f"automatic report (multipart/report; {report_type or '?'})")


def _children(message: Message) -> list[Message]:
    payload = message.get_payload()
    return [p for p in payload if isinstance(p, Message)] if isinstance(payload, list) else []


def _auto_reply(message: Message) -> Automatic | None:
    auto_submitted = header_text(message, "Auto-Submitted").lower()
    if auto_submitted and not auto_submitted.startswith("no"):
        return Automatic("auto_reply", f"Auto-Submitted: {auto_submitted}")
    for name in ("X-Autoreply", "X-Autorespond", "X-Auto-Reply"):
        if header_text(message, name):
            return Automatic("auto_reply", f"{name} header")
    precedence = header_text(message, "Precedence").lower()
    if precedence == "auto_reply":
        return Automatic("auto_reply", f"Precedence: {precedence}")
    if precedence in ("bulk", "junk", "list"):
        return Automatic("auto_reply", f"Precedence: {precedence}", weak=True)
    subject = header_text(message, "Subject")
    if _AUTO_SUBJECT.match(subject):
        return Automatic("auto_reply", f"subject {subject[:60]!r}", weak=True)
    return None


def reply_tokens(recipients: list[str], text: str) -> list[tuple[int, str]]:
    """(notice id, token) pairs from reply+n<id>-<token>@ recipients and N<id>-<token> text."""
    pairs = []
    for recipient in recipients:
        match = _REPLY_ADDRESS.match(recipient)
        if match:
            pairs.append((int(match.group(1)), match.group(2).lower()))
    pairs += [(int(m.group(1)), m.group(2).lower()) for m in _BODY_REFERENCE.finditer(text)]
    return pairs


def thread_refs(message: Message, recipients: list[str]) -> list[ThreadRef]:
    refs = [ThreadRef(n, "reply-address") for n, _ in reply_tokens(recipients, "")]
    for name in ("In-Reply-To", "References"):
        for value in header_all(message, name):
            refs += [ThreadRef(int(n), "in-reply-to") for n in _NOTICE_MESSAGE_ID.findall(value)]
    for match in _SUBJECT_TAG.finditer(header_text(message, "Subject")):
        refs.append(ThreadRef(int(match.group(2)), "subject"))
    return refs


def case_ids(subject: str) -> list[str]:
    return _CASE_ID.findall(subject)


def bounced_notice(message: Message) -> int | None:
    """The notice whose email bounced (for the record only): the Message-ID of the returned
    message, read from the report's own parts, never from mail forwarded inside another."""
    for part in _children(message):
        if part.get_content_type() in ("message/rfc822", "text/rfc822-headers"):
            match = _NOTICE_MESSAGE_ID.search(_returned_message_id(part))
            if match:
                return int(match.group(1))
    if message.get_content_type() == "text/plain":
        # A plain-text bounce (an old mailer-daemon) quotes the returned headers in its text.
        payload = message.get_payload(decode=True)
        text = payload.decode("ascii", errors="replace") if isinstance(payload, bytes) else ""
        match = _RETURNED_ID.search(text)
        return int(match.group(1)) if match else None
    return None


def _returned_message_id(part: Message) -> str:
    if part.get_content_type() == "message/rfc822":
        inner = part.get_payload()
        returned = inner[0] if isinstance(inner, list) and inner else None
        return header_text(returned, "Message-ID") if isinstance(returned, Message) else ""
    payload = part.get_payload(decode=True)
    text = payload.decode("ascii", errors="replace") if isinstance(payload, bytes) else ""
    match = _RETURNED_ID.search(text)
    return match.group() if match else ""
