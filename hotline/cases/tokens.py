"""Signed tokens that prove a message belongs to a notice's thread (a second factor for email).

A platform's reply by email is only acted on when it carries the notice's reply token (in the
reply address or quoted in the body), or when it comes through the signed action link: a
spoofed From alone can never act on a notice.
"""

import hashlib
import hmac

from django.conf import settings

TOKEN_LENGTH = 16


def _mac(purpose: str, notice_id: int) -> str:
    key = hashlib.sha256(f"hotline:{purpose}:{settings.SECRET_KEY}".encode()).digest()
    digest = hmac.new(key, str(notice_id).encode(), hashlib.sha256).hexdigest()
    return digest[:TOKEN_LENGTH]


def notice_reply_token(notice_id: int) -> str:
    """Carried in the reply address (`reply+n12-<token>@…`) and body of every notice email."""
    return _mac("reply", notice_id)


def notice_action_token(notice_id: int) -> str:
    """Part of the signed link through which a platform can act on a notice without a login."""
    return _mac("act", notice_id)


def reply_token_valid(notice_id: int, token: str) -> bool:
    return hmac.compare_digest(notice_reply_token(notice_id), token.strip().lower())


def action_token_valid(notice_id: int, token: str) -> bool:
    return hmac.compare_digest(notice_action_token(notice_id), token.strip().lower())
