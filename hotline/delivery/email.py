"""The email channel: notices as MIME multipart/alternative over SMTP (STARTTLS or TLS, AUTH)."""

import hashlib
import smtplib
import ssl
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, parseaddr
from typing import TYPE_CHECKING

from django.conf import settings

from hotline.core import clock
from hotline.delivery.backoff import smtp_retry_after
from hotline.delivery.dkim import DkimNotConfigured, dkim_sign
from hotline.delivery.hosts import is_loopback_host
from hotline.delivery.mail_render import render_parts
from hotline.delivery.messages import MESSAGE_ID, OutboundMessage, SendResult

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer


def message_id(idempotency_key: str) -> str:
    """The Message-ID of a delivery; the inbound side threads replies by it. Never change it."""
    return f"<{idempotency_key}@{settings.HOTLINE_MAIL_DOMAIN}>"


def reply_address(notice_id: int, reply_token: str) -> str:
    """Replies to this address prove they belong to the notice's thread (a second factor)."""
    return f"reply+n{notice_id}-{reply_token}@{settings.HOTLINE_MAIL_DOMAIN}"


def build_email(message: OutboundMessage) -> EmailMessage:
    """The same message renders to the same bytes every time, so a resend is a true duplicate."""
    parts = render_parts(message)
    email = EmailMessage(policy=SMTP)
    email["From"] = settings.HOTLINE_MAIL_FROM
    email["To"] = message.recipient
    email["Subject"] = parts.subject
    email["Date"] = format_datetime(message.created_at or clock.now())
    email["Message-ID"] = message_id(message.idempotency_key)
    notice_id, token = message.payload.get("notice_id"), message.payload.get("reply_token")
    if notice_id is not None and token:
        email["Reply-To"] = reply_address(int(notice_id), str(token))
    in_reply_to, references = thread_headers(message)
    if in_reply_to:
        email["In-Reply-To"] = in_reply_to
        email["References"] = " ".join(references)
    email["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies to this
    email["Hotline-Idempotency-Key"] = message.idempotency_key
    email.set_content(parts.text)
    email.add_alternative(parts.html, subtype="html")
    for part in email.iter_parts():
        del part["MIME-Version"]  # add_alternative copies it into the parts
    # The generator would pick a random boundary; a fixed one keeps resends byte-identical.
    digest = hashlib.sha256(message.idempotency_key.encode()).hexdigest()[:32]
    email.set_boundary(f"=_hotline_{digest}")
    return email


def thread_headers(message: OutboundMessage) -> tuple[str, list[str]]:
    """In-Reply-To and References: under the sender's own message when answering one (a
    receipt, a confirmation), and under the notice for every other message about a notice."""
    payload = message.payload
    chain = [r for r in payload.get("references") or [] if MESSAGE_ID.fullmatch(str(r))]
    parent = str(payload.get("in_reply_to") or "")
    parent = parent if MESSAGE_ID.fullmatch(parent) else ""
    notice_id = payload.get("notice_id")
    if message.kind != "notice" and notice_id is not None and payload.get("reply_token"):
        chain.insert(0, message_id(f"notice-{notice_id}"))
    if parent:
        chain.append(parent)
    chain = list(dict.fromkeys(chain))
    return (parent or (chain[-1] if chain else "")), chain


class EmailChannel:
    """Sends over the relay named by HOTLINE_SMTP_*; 5xx answers are permanent, 4xx retried."""

    def send(self, message: OutboundMessage) -> SendResult:
        _, address = parseaddr(message.recipient)
        if "@" not in address:
            return SendResult(False, f"not an email address: {message.recipient!r}", True)
        try:
            raw = dkim_sign(build_email(message).as_bytes())
        except DkimNotConfigured as error:
            # Held, not sent unsigned: the operator asked for signed mail.
            return SendResult(False, str(error))
        try:
            with _connect() as smtp:
                refused = smtp.sendmail(settings.HOTLINE_MAIL_FROM, [address], raw)
                code, reply = smtp.data_reply
        except smtplib.SMTPRecipientsRefused as error:
            code, text = next(iter(error.recipients.values()))
            return _answer(code, text)
        except smtplib.SMTPAuthenticationError as error:
            # Our credentials, not the recipient: retry, so a fixed setting still delivers.
            return SendResult(False, f"SMTP authentication failed: {error.smtp_code}")
        except smtplib.SMTPResponseException as error:
            return _answer(error.smtp_code, error.smtp_error)
        except (smtplib.SMTPException, OSError) as error:
            return SendResult(False, f"SMTP {type(error).__name__}: {error}")
        if refused:
            code, text = next(iter(refused.values()))
            return _answer(code, text)
        reply_text = reply.decode(errors="replace")
        return SendResult(
            True,
            f"accepted by {settings.HOTLINE_SMTP_HOST} as {message_id(message.idempotency_key)}",
            proof={
                "message_id": message_id(message.idempotency_key),
                "smtp_host": settings.HOTLINE_SMTP_HOST,
                "smtp_reply": f"{code} {reply_text}",
                "message_sha256": hashlib.sha256(raw).hexdigest(),
            },
        )


class _SMTP(smtplib.SMTP):
    """Keeps the server's reply to DATA: it is the server's word that it took the message."""

    data_reply: tuple[int, bytes] = (0, b"")

    def data(self, msg: "ReadableBuffer | str") -> tuple[int, bytes]:
        self.data_reply = super().data(msg)
        return self.data_reply


class _SMTP_SSL(smtplib.SMTP_SSL):  # noqa: N801 - smtplib's own spelling
    data_reply: tuple[int, bytes] = (0, b"")

    def data(self, msg: "ReadableBuffer | str") -> tuple[int, bytes]:
        self.data_reply = super().data(msg)
        return self.data_reply


def _answer(code: int, text: bytes | str) -> SendResult:
    detail = text.decode(errors="replace") if isinstance(text, bytes) else text
    permanent = 500 <= code < 600
    wait = None if permanent else smtp_retry_after(detail)
    return SendResult(False, f"SMTP {code} {detail}", permanent=permanent, retry_after=wait)


def _connect() -> _SMTP | _SMTP_SSL:
    host, port = settings.HOTLINE_SMTP_HOST, settings.HOTLINE_SMTP_PORT
    timeout, helo = settings.HOTLINE_SMTP_TIMEOUT, settings.HOTLINE_MAIL_DOMAIN
    context = ssl.create_default_context(cafile=settings.HOTLINE_SMTP_CA_FILE or None)
    smtp: _SMTP | _SMTP_SSL
    if settings.HOTLINE_SMTP_SSL:
        smtp = _SMTP_SSL(host, port, local_hostname=helo, timeout=timeout, context=context)
    else:
        smtp = _SMTP(host, port, local_hostname=helo, timeout=timeout)
    try:
        if settings.HOTLINE_SMTP_STARTTLS and not settings.HOTLINE_SMTP_SSL:
            smtp.starttls(context=context)
        if settings.HOTLINE_SMTP_USER:
            if not credentials_allowed():
                raise smtplib.SMTPException("refusing to send SMTP credentials without TLS")
            smtp.login(settings.HOTLINE_SMTP_USER, settings.HOTLINE_SMTP_PASSWORD)
    except BaseException:
        smtp.close()
        raise
    return smtp


def credentials_allowed() -> bool:
    """A password goes only over TLS, or to a relay on this machine."""
    encrypted = settings.HOTLINE_SMTP_SSL or settings.HOTLINE_SMTP_STARTTLS
    return bool(encrypted) or is_loopback_host(settings.HOTLINE_SMTP_HOST)
