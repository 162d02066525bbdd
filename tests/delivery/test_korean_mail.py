"""Mail hotline writes to a Korean platform is Korean throughout: escalations, reopenings."""

from django.db import transaction

from hotline.cases.models import Item
from hotline.cases.services.notify import escalation_send, reopen_send
from hotline.delivery.email import build_email
from hotline.delivery.models import Delivery
from hotline.delivery.services import outbound_message
from hotline.platforms.models import Platform
from tests.conftest import ApiCaller
from tests.delivery.conftest import MAIL_DOMAIN
from tests.delivery.servers import Inbox
from tests.delivery.test_email import file_notice
from tests.inbound.conftest import english_words

# Names, not words: the platform, the time zone and the checker's HTTP status.
NAMES = ("Telegram", "KST", "Asia/Seoul", "HTTP")


def test_escalations_and_reopenings_to_a_korean_platform_are_korean_throughout(
    call_api: ApiCaller, inbox: Inbox
) -> None:
    Platform.objects.filter(name="Telegram").update(
        language="ko", time_zone="Asia/Seoul", official_email="official@telegram.example"
    )
    notice = file_notice(call_api)
    items = list(Item.objects.filter(notice=notice).order_by("position"))
    with transaction.atomic():
        escalation_send(notice=notice, waiting_items=items)
        reopen_send(notice=notice, item=items[0], reason="HTTP 200")
    for kind in ("escalation", "reopen"):
        mail = build_email(outbound_message(Delivery.objects.get(kind=kind)))
        assert english_words(mail, names=NAMES) == [], kind
        assert mail["In-Reply-To"] == f"<notice-{notice.pk}@{MAIL_DOMAIN}>"
