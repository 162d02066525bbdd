"""Withdrawing consent deletes her hash values everywhere: banks, indexes, items, notices.

The proof is a dump of every table of the database, searched for each value afterwards.
"""

import secrets
from typing import Any

import pytest
from django.db import connection

from hotline.audit.models import Event
from hotline.banks.index_cache import _cache
from hotline.banks.models import BankEntry
from hotline.banks.selectors import bank_match
from hotline.banks.services import KNOWN_CONTENT_BANK, REPORTED_ITEMS_BANK, Signal
from hotline.cases.feed import feed_for_actor
from hotline.cases.models import Item
from hotline.cases.services.prevention import item_bank_known
from hotline.delivery.models import Delivery
from hotline.selfservice.models import HeldUrl, SelfCase
from hotline.selfservice.review import held_url_approve
from hotline.selfservice.services import self_case_file, self_case_withdraw
from tests.conftest import Directory


def _signals() -> list[dict[str, Any]]:
    return [
        {"type": "pdq", "value": secrets.token_hex(32), "quality": 100},
        {"type": "md5", "value": secrets.token_hex(16)},
        {"type": "sha256", "value": secrets.token_hex(32)},
    ]


def database_dump() -> str:
    """Every row of every table, as text (what `dumpdata` or pg_dump would show)."""
    parts = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            parts += [repr(row) for row in cursor.fetchall()]
    return "\n".join(parts).lower()


@pytest.fixture
def filed(directory: Directory) -> tuple[str, list[dict[str, Any]]]:
    photo, on_telegram = _signals(), _signals()
    issued = self_case_file(
        items=[{"signals": photo}, {"url": "https://t.me/room/77", "signals": on_telegram}],
        category="non_consensual_intimate_image",
    )
    # Her URL goes to Telegram once a support centre has reviewed it (selfservice.review).
    [held] = HeldUrl.objects.filter(item__request__case_id=issued.case_id)
    held_url_approve(actor=directory.actors["caseworker_a"], held_id=held.pk)
    return issued.case_id, photo + on_telegram


def test_withdrawal_leaves_no_hash_value_in_any_table(
    filed: tuple[str, list[dict[str, Any]]], directory: Directory
) -> None:
    case_id, values = filed
    case = SelfCase.objects.get(request__case_id=case_id)
    telegram_item = Item.objects.get(request=case.request, position=2)
    item_bank_known(item=telegram_item, actor="test")  # as after a confirmed removal
    pdq = Signal("pdq", values[3]["value"], 100)
    [before] = bank_match(signals=[pdq])  # builds this process's indexes
    assert {m.bank for m in before} == {REPORTED_ITEMS_BANK, KNOWN_CONTENT_BANK}
    notice = Delivery.objects.get(kind="notice")
    assert values[3]["value"] in str(notice.payload)
    dump = database_dump()
    assert all(v["value"] in dump for v in values)  # the search would find them

    self_case_withdraw(case=case, actor="self")

    dump = database_dump()
    assert [v["value"] for v in values if v["value"] in dump] == []
    assert not BankEntry.objects.filter(item_id__in=[telegram_item.pk]).exists()
    assert bank_match(signals=[pdq]) == [[]]
    held = sum(len(c.index) for c in _cache.values())
    assert held == BankEntry.objects.filter(signal_type="pdq").count() == 0
    purges = Event.objects.filter(tag="bank:purge")
    assert {p.payload["entries"] for p in purges} == {6, 3}  # reported-items; known-content
    assert Item.objects.filter(request=case.request, signals=[]).count() == 2


def test_the_platform_feed_tells_the_platform_to_delete_what_it_received(
    filed: tuple[str, list[dict[str, Any]]], directory: Directory
) -> None:
    case_id, _ = filed
    case = SelfCase.objects.get(request__case_id=case_id)
    self_case_withdraw(case=case, actor="self")
    page = feed_for_actor(actor=directory.actors["telegram_mod"], after=None)
    withdrawn = [e for e in page.events if e.event == "item:consent_withdrawn"]
    assert [e.item_id for e in withdrawn] == [Item.objects.get(request=case.request, position=2).pk]
