"""Fixtures of the API tests: a small world of filed requests, and the background worker."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from hotline.audit.models import Event
from hotline.cases.models import Item, Message, Notice, TakedownRequest
from hotline.core.worker import drain_ready_tasks
from hotline.delivery.models import Delivery
from hotline.delivery.services import delivery_relay_until_idle
from tests.conftest import ApiCaller, request_body

# Everyone in the test directory, and the caller without a token.
PEOPLE = ("analyst", "caseworker_a", "caseworker_b", "telegram_mod", "x_mod", "auditor")
UNAUTHORISED = {
    "error": "unauthorized",
    "message": "a valid API token is required: Authorization: Bearer hl_...",
    "details": [],
}


def file_request(call_api: ApiCaller, who: str, *urls: str, **overrides: Any) -> dict[str, Any]:
    """File a valid request over the API and return its receipt."""
    status, receipt = call_api(who, "post", "/requests", request_body(*urls, **overrides))
    assert status == 201, receipt
    return receipt


def notice_for(receipt: dict[str, Any], platform: str) -> dict[str, Any]:
    (notice,) = [n for n in receipt["notices"] if n["platform"] == platform]
    return notice


def items_on(receipt: dict[str, Any], notice_id: int) -> list[dict[str, Any]]:
    return [i for i in receipt["items"] if i["notice_id"] == notice_id]


VICTIM_A = "V-A-0001"  # Centre A's own reference of the victim its case was filed for


@dataclass(frozen=True)
class World:
    """Centre A's case went to Telegram (plus one triage item); KCSC's case went to X."""

    case_a: str
    telegram_notice: int
    telegram_item: int
    triage_item: int
    case_kcsc: str
    x_notice: int
    x_item: int


@pytest.fixture
def world(call_api: ApiCaller) -> World:
    centre_a = file_request(
        call_api,
        "caseworker_a",
        "https://t.me/roomofa/7",
        "https://unknown-host.example/a",
        victim_reference=VICTIM_A,
    )
    kcsc = file_request(call_api, "analyst", "https://x.com/someone/status/42")
    telegram = notice_for(centre_a, "Telegram")
    x = notice_for(kcsc, "X")
    return World(
        case_a=centre_a["case_id"],
        telegram_notice=telegram["id"],
        telegram_item=items_on(centre_a, telegram["id"])[0]["id"],
        triage_item=next(i["id"] for i in centre_a["items"] if i["state"] == "triage"),
        case_kcsc=kcsc["case_id"],
        x_notice=x["id"],
        x_item=items_on(kcsc, x["id"])[0]["id"],
    )


def snapshot() -> dict[str, object]:
    """Everything a denied call must leave as it was."""
    return {
        "events": Event.objects.count(),
        "requests": TakedownRequest.objects.count(),
        "items": sorted(Item.objects.values_list("pk", "state", "acted_at")),
        "notices": sorted(Notice.objects.values_list("pk", "acknowledged_at", "closed_at")),
        "messages": Message.objects.count(),
        "deliveries": Delivery.objects.count(),
    }


@pytest.fixture
def drain(transactional_db: None) -> Callable[[], None]:
    """Run the queued background tasks as the worker process does.

    The worker commits and drops idle database connections between tasks, which only works
    outside the per-test transaction on PostgreSQL: tests that drain use transactional_db.
    Then the outbox relay sends what the tasks and the test put in the outbox.
    """

    def drain_and_relay() -> None:
        drain_ready_tasks()
        delivery_relay_until_idle()

    return drain_and_relay
