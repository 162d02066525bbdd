"""Signed action-link and reply tokens: expiry from the platform, rotation, mail-safe shape."""

import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from hotline.cases.models import Notice
from hotline.cases.tokens import (
    action_token_check,
    action_token_valid,
    notice_action_token,
    notice_reply_token,
    reply_token_check,
    reply_token_valid,
    token_expiry,
)
from hotline.core import clock
from hotline.platforms.models import Platform

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
MAX_NOTICE_ID = 9_223_372_036_854_775_807  # BigAutoField's ceiling: the longest id there is


def _notice(pk: int = 12, *, days: int = 30, closed: bool = False) -> Notice:
    """Unsaved: the tokens need only the id, the deadline and the platform's policy."""
    return Notice(
        pk=pk,
        deadline_at=NOW + timedelta(hours=24),
        closed_at=NOW if closed else None,
        platform=Platform(name="P", link_validity_days=days),
    )


@pytest.fixture(autouse=True)
def _frozen_now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: NOW)


def _legacy(purpose: str, notice_id: int, secret: str) -> str:
    """The first format, as already-sent emails carry it."""
    key = hashlib.sha256(f"hotline:{purpose}:{secret}".encode()).digest()
    return hmac.new(key, str(notice_id).encode(), hashlib.sha256).hexdigest()[:16]


def test_a_token_lasts_the_platforms_validity_past_the_deadline() -> None:
    notice = _notice(days=30)
    token = notice_action_token(notice)
    expires = NOW + timedelta(hours=24, days=30)
    assert token_expiry(notice) == expires
    assert action_token_check(notice, token, now=expires - timedelta(seconds=1)).valid
    late = action_token_check(notice, token, now=expires)
    assert not late.valid and late.expired_at == expires


def test_a_platform_with_a_shorter_policy_gets_shorter_links() -> None:
    token = notice_reply_token(_notice(days=2))
    two_and_a_day = NOW + timedelta(days=3, seconds=1)
    assert reply_token_check(_notice(days=2), token, now=two_and_a_day).expired


def test_a_token_sent_after_the_deadline_counts_from_when_it_was_sent(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    later = NOW + timedelta(days=40)  # an escalation or reopen long after the deadline
    monkeypatch.setattr(clock, "now", lambda: later)
    notice = _notice(days=30)
    assert token_expiry(notice) == later + timedelta(days=30)
    assert reply_token_valid(notice, notice_reply_token(notice))


def test_a_token_is_for_one_notice_and_one_purpose() -> None:
    notice = _notice(12)
    action, reply = notice_action_token(notice), notice_reply_token(notice)
    assert action != reply
    assert not action_token_valid(_notice(13), action)
    assert not reply_token_valid(notice, action)
    assert not action_token_valid(notice, reply)


def test_a_changed_expiry_breaks_the_signature() -> None:
    notice = _notice()
    expiry, signature = notice_action_token(notice).split(".")
    pushed = expiry + "0"  # 36 times later
    assert not action_token_check(notice, f"{pushed}.{signature}").valid
    assert not action_token_check(notice, f"{expiry}.{'a' * 24}").valid
    for garbage in ("", ".", "zzzzzzzzzzzzzzz.", "..", "abc.def.ghi", "%%%.%%%"):
        assert not action_token_check(notice, garbage).valid, garbage


def test_the_reply_address_survives_lowercasing_and_fits_a_local_part() -> None:
    notice = _notice(MAX_NOTICE_ID)
    token = notice_reply_token(notice)
    assert token == token.lower() and set(token) <= set("0123456789abcdefghijklmnopqrstuvwxyz.")
    local_part = f"reply+n{MAX_NOTICE_ID}-{token}"
    assert len(local_part) <= 64, len(local_part)  # RFC 5321 § 4.5.3.1.1
    assert reply_token_valid(notice, token.upper())  # a system that upper-cases it, too


def test_links_sent_before_a_key_rotation_still_work(settings: Any) -> None:
    notice = _notice()
    old_action, old_reply = notice_action_token(notice), notice_reply_token(notice)
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY = "n" * 50
    settings.SECRET_KEY_FALLBACKS = [old_key]
    assert notice_action_token(notice) != old_action  # new links use the new key
    assert action_token_valid(notice, old_action) and reply_token_valid(notice, old_reply)
    assert action_token_valid(notice, notice_action_token(notice))
    settings.SECRET_KEY_FALLBACKS = []
    assert not action_token_valid(notice, old_action)  # retired for good once dropped


def test_first_format_tokens_work_until_their_notice_closes(settings: Any) -> None:
    action, reply = (
        _legacy("act", 12, settings.SECRET_KEY),
        _legacy("reply", 12, settings.SECRET_KEY),
    )
    assert action_token_valid(_notice(12), action) and reply_token_valid(_notice(12), reply)
    assert action_token_valid(_notice(12), action.upper())
    assert not action_token_valid(_notice(13), action)
    assert not action_token_valid(_notice(12, closed=True), action)
    assert not reply_token_valid(_notice(12, closed=True), reply)
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "m" * 50, [old_key]
    assert action_token_valid(_notice(12), action)  # rotation keeps them too
