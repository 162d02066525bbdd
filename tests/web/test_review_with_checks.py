"""The review page and the signed link once verification has checked an item.

Both answered 500 as soon as any item on the notice had a check (the template asked a
queryset for its last element); the notice the demo's printed link points at is one of them.
"""

from django.test import Client

from hotline.cases.models import Item, ItemCheck
from hotline.cases.tokens import notice_action_token
from hotline.cases.workflow import ItemState
from hotline.core.worker import drain_ready_tasks
from tests.cases.test_verification_flow import PAGE_WITH, file_items, remove, serve
from tests.conftest import Directory
from tests.web.conftest import signed_in_client


def test_review_page_and_signed_link_show_the_latest_check(directory: Directory) -> None:
    notice = file_items(directory, 5, 6)
    first, _second = notice.items.order_by("position")
    serve(5, (200, PAGE_WITH.format(live=5)))  # still shown: the removal claim is false
    remove(directory, notice, first)
    drain_ready_tasks()
    first.refresh_from_db()
    assert first.state == ItemState.REOPENED
    check = ItemCheck.objects.get(item=first)

    pages = {
        "review": signed_in_client("telegram_mod").get(f"/notices/{notice.pk}/"),
        "signed link": Client().get(f"/act/{notice.pk}/{notice_action_token(notice)}/"),
    }
    for name, response in pages.items():
        assert response.status_code == 200, name
        body = response.content.decode()
        assert "Last check" in body, name
        assert check.reason in body, name
    assert Item.objects.filter(notice=notice, state=ItemState.NOTIFIED).count() == 1
