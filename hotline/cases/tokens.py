"""Signed tokens that prove a message belongs to a notice's thread (a second factor for email).

A platform's reply by email is only acted on when it carries the notice's reply token (in the
reply address or quoted in the body), or when it comes through the signed action link: a
spoofed From alone can never act on a notice.

A token is `<expiry>.<signature>`: the expiry in base 36 (Unix seconds), the signature Django's
`Signer` HMAC (salted per purpose, SECRET_KEY then SECRET_KEY_FALLBACKS) over the notice id and
that expiry, written in lowercase base32. Lowercase letters and digits only, so a mail system
that lowercases the local part of `reply+n12-<token>@domain` does not break it, and it fits
the 64-character local part (docs/decisions/0006-secrets-at-rest-and-link-expiry.md).

Tokens of the first format (16 hex digits, no expiry) that were already sent keep working
while their notice is open, and never after it closes.
"""

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core import signing
from django.utils.crypto import salted_hmac

from hotline.cases.models import Notice
from hotline.core import clock

SIGNATURE_BYTES = 15  # 120 bits, 24 base32 characters
LEGACY_TOKEN_LENGTH = 16
_PURPOSES = {"reply": "hotline.notice.reply", "act": "hotline.notice.act"}


class _LowercaseSigner(signing.Signer):
    """Django's Signer (keys, fallbacks, constant-time check), with a case-proof signature."""

    def signature(self, value: str | bytes, key: str | bytes | None = None) -> str:
        own_salt = self.salt if isinstance(self.salt, str) else self.salt.decode()
        salt = own_salt + "signer"  # what Signer.signature() salts with
        digest = salted_hmac(salt, value, key or self.key, algorithm=self.algorithm).digest()
        return base64.b32encode(digest[:SIGNATURE_BYTES]).decode().lower()


def _signer(purpose: str) -> _LowercaseSigner:
    return _LowercaseSigner(sep=".", salt=_PURPOSES[purpose], algorithm="sha256")


@dataclass(frozen=True)
class TokenCheck:
    valid: bool
    expired_at: datetime | None = None  # set when the signature is right but time is up

    @property
    def expired(self) -> bool:
        return self.expired_at is not None


def token_expiry(notice: Notice, now: datetime | None = None) -> datetime:
    """The platform's link validity past the notice's deadline (or past now, once overdue)."""
    start = max(notice.deadline_at, now or clock.now())
    expiry = start + timedelta(days=notice.platform.link_validity_days)
    return expiry.replace(microsecond=0)


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while True:
        number, rest = divmod(number, 36)
        text = digits[rest] + text
        if number == 0:
            return text


def _make(purpose: str, notice: Notice) -> str:
    expiry = _base36(int(token_expiry(notice).timestamp()))
    signed = _signer(purpose).sign(f"{notice.pk}:{expiry}")
    return f"{expiry}.{signed.rsplit('.', 1)[1]}"


def _check(purpose: str, notice: Notice, token: str, now: datetime | None) -> TokenCheck:
    candidate = token.strip().lower()
    if "." not in candidate:
        return TokenCheck(valid=_legacy_valid(purpose, notice, candidate))
    expiry, signature = candidate.split(".", 1)
    try:
        _signer(purpose).unsign(f"{notice.pk}:{expiry}.{signature}")
        expires_at = datetime.fromtimestamp(int(expiry, 36), tz=UTC)
    except (signing.BadSignature, ValueError, OverflowError, OSError):
        return TokenCheck(valid=False)
    if (now or clock.now()) >= expires_at:
        return TokenCheck(valid=False, expired_at=expires_at)
    return TokenCheck(valid=True)


def _legacy_mac(purpose: str, notice_id: int, secret: str) -> str:
    key = hashlib.sha256(f"hotline:{purpose}:{secret}".encode()).digest()
    digest = hmac.new(key, str(notice_id).encode(), hashlib.sha256).hexdigest()
    return digest[:LEGACY_TOKEN_LENGTH]


def _legacy_valid(purpose: str, notice: Notice, candidate: str) -> bool:
    """A first-format token: accepted only while its notice is still open."""
    if notice.closed_at is not None or len(candidate) != LEGACY_TOKEN_LENGTH:
        return False
    keys = [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    return any(hmac.compare_digest(_legacy_mac(purpose, notice.pk, key), candidate) for key in keys)


def notice_reply_token(notice: Notice) -> str:
    """Carried in the reply address (`reply+n12-<token>@…`) and body of every notice email."""
    return _make("reply", notice)


def notice_action_token(notice: Notice) -> str:
    """Part of the signed link through which a platform can act on a notice without a login."""
    return _make("act", notice)


def reply_token_check(notice: Notice, token: str, now: datetime | None = None) -> TokenCheck:
    return _check("reply", notice, token, now)


def action_token_check(notice: Notice, token: str, now: datetime | None = None) -> TokenCheck:
    return _check("act", notice, token, now)


def reply_token_valid(notice: Notice, token: str) -> bool:
    return reply_token_check(notice, token).valid


def action_token_valid(notice: Notice, token: str) -> bool:
    return action_token_check(notice, token).valid
