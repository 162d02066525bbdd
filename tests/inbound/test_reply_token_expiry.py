"""Reply tokens expire with the platform's policy, survive lowercasing, and old ones still work."""

import hashlib
import hmac
from datetime import timedelta

from django.conf import settings

from hotline.cases.models import Notice
from hotline.cases.tokens import notice_reply_token
from hotline.core import clock
from hotline.inbound.models import InboundStatus
from hotline.platforms.models import Platform
from tests.inbound.conftest import Mailer, corpus, reply_fill
from tests.inbound.test_inbound_replies import notice, states

__all__ = ["notice"]


def _address(notice_id: int, token: str) -> str:
    return f"reply+n{notice_id}-{token}@hotline.example"


def test_an_expired_reply_token_is_quarantined_with_the_reason(
    smtp: Mailer, notice: Notice
) -> None:
    Platform.objects.filter(pk=notice.platform_id).update(link_validity_days=0)
    Notice.objects.filter(pk=notice.pk).update(deadline_at=clock.now() - timedelta(days=1))
    notice = Notice.objects.select_related("platform", "request").get(pk=notice.pk)
    fill = {**reply_fill(notice), "TOKEN": notice_reply_token(notice)}  # expires as it is made
    row = smtp.send(corpus("reply-grammar.eml", **fill), to=(_address(notice.pk, fill["TOKEN"]),))
    assert row.status == InboundStatus.QUARANTINED
    assert f"reply token for notice N{notice.pk} expired" in row.reason
    assert set(states(notice).values()) == {"notified"}


def test_a_reply_address_that_a_mail_system_upper_cased_still_acts(
    smtp: Mailer, notice: Notice
) -> None:
    fill = reply_fill(notice)
    shouted = _address(notice.pk, str(fill["TOKEN"])).upper()
    raw = corpus("reply-grammar.eml", **fill).replace(str(fill["TOKEN"]).encode(), b"elsewhere")
    row = smtp.send(raw, to=(shouted,))  # the token only in the (upper-cased) address
    assert row.status == InboundStatus.PROCESSED, row.reason
    assert states(notice)[1] == "removed"


def test_a_first_format_token_still_acts_while_the_notice_is_open(
    smtp: Mailer, notice: Notice
) -> None:
    key = hashlib.sha256(f"hotline:reply:{settings.SECRET_KEY}".encode()).digest()
    legacy = hmac.new(key, str(notice.pk).encode(), hashlib.sha256).hexdigest()[:16]
    fill = {**reply_fill(notice), "TOKEN": legacy}
    row = smtp.send(corpus("reply-grammar.eml", **fill), to=(_address(notice.pk, legacy),))
    assert row.status == InboundStatus.PROCESSED, row.reason
    Notice.objects.filter(pk=notice.pk).update(closed_at=clock.now())
    again = smtp.send(corpus("reply-grammar.eml", **fill), to=(_address(notice.pk, legacy),))
    assert again.status == InboundStatus.QUARANTINED and "no valid reply token" in again.reason
