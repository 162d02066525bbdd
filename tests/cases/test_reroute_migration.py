"""Items filed before decision 22 get their location kind and room from their URL, and the
URLs a victim filed (waiting for review, or declined) are marked held, so that a platform added
later never sends them on."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from hotline.cases.models import Item
from hotline.cases.services import reroute
from hotline.platforms.services import DeadlineRule, platform_create
from hotline.selfservice.services import self_case_file
from tests.conftest import ApiCaller, request_body

BEFORE = [("cases", "0006_news_kind_copy_found"), ("selfservice", "0002_held_urls_and_attempts")]


def _migrate(targets: list[tuple[str, str]] | None = None) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(targets or executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_items_filed_before_get_their_kind_room_and_hold(call_api: ApiCaller) -> None:
    status, receipt = call_api(
        "analyst", "post", "/requests",
        request_body("https://t.me/s/Room/5", "https://discord.com/channels/1/2"),
    )  # fmt: skip
    assert status == 201
    issued = self_case_file(
        items=[{"url": "https://discord.com/channels/1/2/9"}],
        category="non_consensual_intimate_image",
    )
    try:
        _migrate(BEFORE)
    finally:
        _migrate()

    message, room = (Item.objects.get(pk=i["id"]) for i in receipt["items"])
    assert (message.location_kind, message.room_url) == ("message", "https://t.me/room")
    assert (room.location_kind, room.room_url) == ("room", "")
    held = Item.objects.get(request__case_id=issued.case_id)
    assert held.held_for_review and not message.held_for_review
    platform_create(
        name="Discord", hosts=["discord.com"], hotline_email="s@discord.example",
        deadlines=[DeadlineRule("KR", 24, 12)], actor="admin",
    )  # fmt: skip
    reroute.triage_reroute(trigger="test", actor="test")
    held.refresh_from_db()
    room.refresh_from_db()
    assert held.state == "triage" and room.state == "notified"
