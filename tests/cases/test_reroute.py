"""Routing what was unroutable: triage items move onto notices when their platform, host or
deadline policy is added later, once each, one notice per request and platform, audited."""

from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from hotline.audit.models import Event
from hotline.cases.categories import Category
from hotline.cases.legal import LegalBasis, LegalElements
from hotline.cases.models import Item, Notice
from hotline.cases.services import reroute
from hotline.cases.services.intake import ItemInput, RequestInput, request_submit
from hotline.core import clock
from hotline.core.worker import drain_ready_tasks
from hotline.delivery.models import Delivery
from hotline.platforms.models import Platform
from hotline.platforms.services import DeadlineRule, platform_create, platform_update
from tests.conftest import ApiCaller, Directory, request_body

DISCORD = [
    "https://discord.com/channels/111/222/333",
    "https://discordapp.com/channels/111/222/444",
]


@pytest.fixture(autouse=True)
def _real_time() -> Iterator[None]:
    yield
    clock.back_to_real_time()


def file(call_api: ApiCaller, *urls: str, who: str = "analyst", **extra: Any) -> dict[str, Any]:
    status, receipt = call_api(who, "post", "/requests", request_body(*urls, **extra))
    assert status == 201, receipt
    return receipt


def add_discord(**extra: Any) -> Platform:
    return platform_create(
        name="Discord",
        hosts=["discord.com"],
        hotline_email="safety@discord.example",
        deadlines=[DeadlineRule("KR", 24, 12), DeadlineRule("US", 48, 48)],
        actor="admin",
        **extra,
    )


def notices_per_request_and_platform() -> Counter[tuple[int, int]]:
    return Counter(Notice.objects.values_list("request_id", "platform_id"))


def test_adding_a_platform_routes_its_waiting_items_onto_one_notice_with_a_fresh_deadline(
    call_api: ApiCaller,
) -> None:
    receipt = file(call_api, "https://t.me/room/1", *DISCORD)
    assert [i["state"] for i in receipt["items"]] == ["notified", "triage", "triage"]
    clock.advance(timedelta(hours=5))
    moved_at = clock.now()

    discord = add_discord()
    drain_ready_tasks()

    items = Item.objects.filter(request__case_id=receipt["case_id"]).order_by("position")
    assert [i.state for i in items] == ["notified", "notified", "notified"]
    notice = Notice.objects.get(platform=discord)
    assert {i.pk for i in notice.items.all()} == {items[1].pk, items[2].pk}
    # The platform's usual deadline (24 hours for a Korean request), from the re-route.
    assert notice.created_at >= moved_at
    assert notice.deadline_at - notice.created_at == timedelta(hours=24)
    assert Delivery.objects.filter(about=f"notice:{notice.pk}", kind="notice").count() == 1
    events = Event.objects.filter(tag="item:reroute").order_by("pk")
    assert [e.subject for e in events] == [f"item:{items[1].pk}", f"item:{items[2].pk}"]
    assert {e.payload["trigger"] for e in events} == {"platform Discord: host discord.com added"}
    assert {e.actor for e in events} == {"admin"}
    assert Event.objects.filter(tag="notice:create", subject=f"notice:{notice.pk}").exists()


def test_a_second_run_moves_nothing_and_makes_no_second_notice(call_api: ApiCaller) -> None:
    file(call_api, *DISCORD)
    add_discord()
    drain_ready_tasks()
    before = Notice.objects.count()

    again = reroute.triage_reroute(trigger="test", actor="test")
    platform_update(platform=Platform.objects.get(name="Discord"), changes={}, actor="admin",
                    add_hosts=["discord.gg"])  # fmt: skip
    drain_ready_tasks()

    assert again.moved == [] and Notice.objects.count() == before
    assert Event.objects.filter(tag="item:reroute").count() == 2


def test_requests_are_batched_whole_so_a_request_never_gets_two_notices(
    call_api: ApiCaller,
) -> None:
    first = file(call_api, *DISCORD, "https://discord.com/channels/111/222/555")
    second = file(call_api, "https://discord.com/channels/9/8/7", who="caseworker_a")
    third = file(
        call_api,
        "https://discord.com/channels/5/6/7",
        "https://discord.com/channels/5/6/8",
        who="caseworker_b",
        jurisdiction="US",
    )
    discord = platform_create(
        name="Discord",
        hosts=[],
        hotline_email="safety@discord.example",
        deadlines=[DeadlineRule("KR", 24, 12), DeadlineRule("US", 48, 48)],
        actor="admin",
    )
    from hotline.platforms.models import PlatformHost

    PlatformHost.objects.create(platform=discord, host="discord.com")  # no signal: by hand

    result = reroute.triage_reroute(trigger="test", actor="test", batch_size=1)

    assert len(result.moved) == 6 and len(result.notices) == 3
    counts = notices_per_request_and_platform()
    assert set(counts.values()) == {1}
    for receipt, expected in ((first, 3), (second, 1), (third, 2)):
        notice = Notice.objects.get(request__case_id=receipt["case_id"], platform=discord)
        assert notice.items.count() == expected
    us = Notice.objects.get(request__case_id=third["case_id"])
    assert us.deadline_at - us.created_at == timedelta(hours=48)


def test_a_crash_half_way_leaves_whole_requests_and_the_rerun_finishes(
    call_api: ApiCaller, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = file(call_api, *DISCORD)
    second = file(
        call_api, "https://discord.com/channels/9/8/7", "https://discord.com/channels/9/8/6"
    )
    discord = platform_create(
        name="Discord", hosts=[], hotline_email="s@discord.example",
        deadlines=[DeadlineRule("KR", 24, 12)], actor="admin",
    )  # fmt: skip
    from hotline.platforms.models import PlatformHost

    PlatformHost.objects.create(platform=discord, host="discord.com")
    real_open = reroute.notice_open
    calls = {"n": 0}

    def crash_on_second(**kwargs: Any) -> Notice:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("worker killed")
        return real_open(**kwargs)

    monkeypatch.setattr(reroute, "notice_open", crash_on_second)
    with pytest.raises(RuntimeError):
        reroute.triage_reroute(trigger="test", actor="test")
    second_items = Item.objects.filter(request__case_id=second["case_id"])
    assert {i.state for i in second_items} == {"triage"}
    assert not Notice.objects.filter(request__case_id=second["case_id"]).exists()
    assert not Event.objects.filter(tag="item:reroute", subject__in=[
        f"item:{i.pk}" for i in second_items]).exists()  # fmt: skip

    monkeypatch.setattr(reroute, "notice_open", real_open)
    rerun = reroute.triage_reroute(trigger="test", actor="test")

    assert {m.case_id for m in rerun.moved} == {second["case_id"]}
    assert set(notices_per_request_and_platform().values()) == {1}
    assert Notice.objects.filter(request__case_id=first["case_id"], platform=discord).count() == 1
    assert Item.objects.filter(state="triage").count() == 0


def test_a_deadline_policy_added_later_routes_items_waiting_for_it(call_api: ApiCaller) -> None:
    # X has no US policy: Centre B's item waits in triage with its platform known.
    receipt = file(call_api, "https://x.com/a/status/1", who="caseworker_b", jurisdiction="US")
    assert receipt["items"][0]["state"] == "triage"
    x = Platform.objects.get(name="X")

    platform_update(platform=x, changes={}, deadlines=[DeadlineRule("US", 48, 48)], actor="admin")
    drain_ready_tasks()

    item = Item.objects.get(pk=receipt["items"][0]["id"])
    assert item.state == "notified" and item.notice is not None
    assert item.notice.platform == x
    (event,) = Event.objects.filter(tag="item:reroute")
    assert event.payload["trigger"] == "platform X: deadline policy US set"


def test_an_item_held_for_review_is_never_sent_on_by_a_reroute(directory: Directory) -> None:
    request_submit(
        actor=directory.actors["caseworker_a"],
        data=RequestInput(
            category=Category.SEXUAL_DEEPFAKE,
            reasons="r" * 20,
            elements=LegalElements(signature="s", good_faith_statement="g", contact="c"),
            legal_bases=[LegalBasis.TAKE_IT_DOWN],
            items=[ItemInput(url=DISCORD[0])],
            hold_for_review=True,
        ),
    )
    add_discord()
    drain_ready_tasks()
    result = reroute.triage_reroute(trigger="test", actor="test")

    (item,) = Item.objects.all()
    assert item.state == "triage" and item.held_for_review and item.notice is None
    assert result.moved == [] and result.still_waiting == 0


def test_a_rerouted_url_already_on_another_organisations_notice_becomes_its_duplicate(
    call_api: ApiCaller,
) -> None:
    # Centre A files while Discord is unknown; Discord is added; KCSC files the same message
    # before the queued re-route runs, so KCSC's item is the open original.
    centre = file(call_api, DISCORD[0], who="caseworker_a")
    add_discord()
    kcsc = file(call_api, "https://ptb.discord.com/channels/111/222/333")
    original = Item.objects.get(pk=kcsc["items"][0]["id"])
    assert original.state == "notified"

    drain_ready_tasks()

    dup = Item.objects.get(pk=centre["items"][0]["id"])
    assert dup.state == "duplicate" and dup.duplicate_of_id == original.pk
    assert dup.notice is None and Notice.objects.count() == 1  # the platform is asked once
    # The signed record (which goes whole into Centre A's evidence package) names no KCSC item.
    event = Event.objects.get(tag="item:reroute", subject=f"item:{dup.pk}")
    assert event.payload["duplicate_of_another_organisation"] is True
    assert "duplicate_of" not in event.payload
    assert original.pk not in event.payload.values()


def test_the_command_says_what_it_would_move_then_moves_it(call_api: ApiCaller) -> None:
    receipt = file(call_api, *DISCORD)
    discord = platform_create(
        name="Discord", hosts=[], hotline_email="s@discord.example",
        deadlines=[DeadlineRule("KR", 24, 12)], actor="admin",
    )  # fmt: skip
    from hotline.platforms.models import PlatformHost

    PlatformHost.objects.create(platform=discord, host="discord.com")

    out = StringIO()
    call_command("triage", "reroute", "--dry-run", stdout=out)
    case = receipt["case_id"]
    assert f"{case} #1 https://discord.com/channels/111/222/333: would go to Discord" in (
        out.getvalue()
    )
    assert "would move 2 items; 0 still wait in triage" in out.getvalue()
    assert Item.objects.filter(state="triage").count() == 2

    out = StringIO()
    call_command("triage", "reroute", stdout=out)
    notice = Notice.objects.get(platform=discord)
    line = f"{case} #2 https://discord.com/channels/111/222/444: notified at Discord on notice"
    assert f"{line} {notice.pk}" in out.getvalue()
    assert "moved 2 items onto 1 new notices; 0 still wait in triage" in out.getvalue()

    out = StringIO()
    call_command("triage", "reroute", stdout=out)
    assert "moved 0 items onto 0 new notices" in out.getvalue()


def test_an_unknown_host_keeps_waiting_and_queues_nothing(call_api: ApiCaller) -> None:
    from django_tasks_db.models import DBTaskResult

    file(call_api, "https://unknown.example/a")
    path = "hotline.cases.tasks.reroute_triage"
    add_discord()
    assert DBTaskResult.objects.filter(task_path=path).count() >= 1
    drain_ready_tasks()
    assert Item.objects.get().state == "triage"
    Item.objects.update(held_for_review=True)  # now nothing waits
    DBTaskResult.objects.filter(task_path=path).delete()
    platform_update(platform=Platform.objects.get(name="Discord"), changes={},
                    add_hosts=["discord.gg"], actor="admin")  # fmt: skip
    assert not DBTaskResult.objects.filter(task_path=path).exists()  # nothing waits
