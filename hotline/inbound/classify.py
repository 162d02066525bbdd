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


@dataclass(frozen=True)
class ThreadRef:
    notice_id: int
    via: str  # "reply-address", "in-reply-to", "subject"


def automatic(message: Message, envelope_from: str | None) -> Automatic | None:
    """Bounces and auto-replies are recorded and never answered: no mail loops."""
    sender = header_text(message, "From")
    if message.get_content_type() == "multipart/report" or any(
        p.get_content_type() == "message/delivery-status" for p in message.walk()
    ):
        return Automatic("bounce", "delivery status report (multipart/report)")
    address = re.sub(r"^.*<|>.*$", "", sender).strip()
    if _BOUNCE_SENDER.match(address):
        return Automatic("bounce", f"sent by {address}")
    if envelope_from is not None and envelope_from.strip() in ("", "<>"):
        return Automatic("bounce", "null return path (MAIL FROM:<>)")
    if header_text(message, "Return-Path").replace(" ", "") == "<>":
        return Automatic("bounce", "null return path (Return-Path: <>)")
    return _auto_reply(message)


def _auto_reply(message: Message) -> Automatic | None:
    auto_submitted = header_text(message, "Auto-Submitted").lower()
    if auto_submitted and not auto_submitted.startswith("no"):
        return Automatic("auto_reply", f"Auto-Submitted: {auto_submitted}")
    for name in ("X-Autoreply", "X-Autorespond", "X-Auto-Reply"):
        if header_text(message, name):
            return Automatic("auto_reply", f"{name} header")
    precedence = header_text(message, "Precedence").lower()
    if precedence in ("bulk", "auto_reply", "junk", "list"):
        return Automatic("auto_reply", f"Precedence: {precedence}")
    subject = header_text(message, "Subject")
    if _AUTO_SUBJECT.match(subject):
        return Automatic("auto_reply", f"subject {subject[:60]!r}")
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


def bounced_notice(raw_text: str) -> int | None:
    """The notice whose email bounced, from the returned headers (for the record only)."""
    match = _NOTICE_MESSAGE_ID.search(raw_text)
    return int(match.group(1)) if match else None
