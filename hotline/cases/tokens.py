"""Signed tokens that prove a message belongs to a notice's thread (a second factor for email).

A platform's reply by email is only acted on when it carries the notice's reply token (in the
reply address or quoted in the body), or when it comes through the signed action link: a
spoofed From alone can never act on a notice.
"""

import hashlib
import hmac

from django.conf import settings

TOKEN_LENGTH = 16


def _mac(purpose: str, notice_id: int, secret: str | None = None) -> str:
    secret = settings.SECRET_KEY if secret is None else secret
    key = hashlib.sha256(f"hotline:{purpose}:{secret}".encode()).digest()
    digest = hmac.new(key, str(notice_id).encode(), hashlib.sha256).hexdigest()
    return digest[:TOKEN_LENGTH]


def _valid(purpose: str, notice_id: int, token: str) -> bool:
    """Made with the current key or a retired one (SECRET_KEY_FALLBACKS), so that links and
    reply addresses sent before a key rotation keep working."""
    candidate = token.strip().lower()
    secrets = [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    return any(hmac.compare_digest(_mac(purpose, notice_id, s), candidate) for s in secrets)


def notice_reply_token(notice_id: int) -> str:
    """Carried in the reply address (`reply+n12-<token>@…`) and body of every notice email."""
    return _mac("reply", notice_id)


def notice_action_token(notice_id: int) -> str:
    """Part of the signed link through which a platform can act on a notice without a login."""
    return _mac("act", notice_id)


def reply_token_valid(notice_id: int, token: str) -> bool:
    return _valid("reply", notice_id, token)


def action_token_valid(notice_id: int, token: str) -> bool:
    return _valid("act", notice_id, token)
