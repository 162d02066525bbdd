"""An expired signed link says so and how to get a new one; a forged one is still a 404."""

from datetime import timedelta

from django.test import Client

from hotline.cases.models import Notice
from hotline.cases.tokens import notice_action_token
from hotline.core import clock
from hotline.platforms.models import Platform
from tests.api.conftest import World


def test_an_expired_link_gets_a_page_that_says_how_to_get_a_new_one(
    world: World, settings: object
) -> None:
    notice = Notice.objects.select_related("platform").get(pk=world.telegram_notice)
    Platform.objects.filter(pk=notice.platform_id).update(link_validity_days=0)
    Notice.objects.filter(pk=notice.pk).update(deadline_at=clock.now() - timedelta(days=1))
    notice.refresh_from_db()
    notice.platform.refresh_from_db()
    token = notice_action_token(notice)  # expires the moment it is made
    client = Client()
    response = client.get(f"/act/{notice.pk}/{token}/")
    assert response.status_code == 410
    body = response.content.decode()
    assert "This link has expired" in body
    assert f"N{notice.pk}" in body and settings.HOTLINE_MAIL_FROM in body  # type: ignore[attr-defined]
    acted = client.post(
        f"/act/{notice.pk}/{token}/items/{world.telegram_item}/act/", {"action": "removed"}
    )
    assert acted.status_code == 410
    assert notice.items.get(pk=world.telegram_item).state == "notified"  # nothing was done


def test_a_fresh_link_works_and_a_forged_one_is_not_found(world: World) -> None:
    notice = Notice.objects.select_related("platform").get(pk=world.telegram_notice)
    token = notice_action_token(notice)
    assert Client().get(f"/act/{notice.pk}/{token}/").status_code == 200
    expiry = token.split(".")[0]
    assert Client().get(f"/act/{notice.pk}/{expiry}.{'a' * 24}/").status_code == 404
