"""A purge reaches every process's in-memory index, not only the purging one's.

The purging process drops its index when the purge commits. Another process (here: the
index as it stood before the purge, put back as another process would still hold it) drops
its own through `index_cache.refresh`, which its background thread runs every
HOTLINE_BANK_INDEX_REFRESH_SECONDS, or at the latest at its next match.
"""

import os
import secrets
import subprocess
import sys
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection

from hotline.banks import index_cache
from hotline.banks.models import Bank, PurgedEntry
from hotline.banks.purge import bank_purge_items
from hotline.banks.selectors import bank_match
from hotline.banks.services import Signal, bank_add, bank_create

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def stale() -> Iterator[tuple[Bank, Signal, Any]]:
    """A bank with her PDQ; the index a second process built before the purge, put back."""
    index_cache.forget_all()
    bank = bank_create(name="shared", actor="t")
    hers = Signal("pdq", secrets.token_hex(32), 100)
    bank_add(bank=bank, signals=[hers], source="item:1", item_id=1, actor="t")
    assert bank_match(signals=[hers], bank_names=["shared"])[0]
    before = index_cache._cache[bank.pk]
    bank_purge_items(item_ids=[1], actor="t", reason="consent withdrawn")
    assert bank.pk not in index_cache._cache  # this process dropped its own on commit
    index_cache._cache[bank.pk] = before  # what another process still holds
    assert len(before.index) == 1
    yield bank, hers, before
    index_cache.stop_refresher()
    index_cache.forget_all()


def test_refresh_drops_an_index_that_holds_purged_rows(stale: tuple[Bank, Signal, Any]) -> None:
    bank, hers, _ = stale
    [tomb] = PurgedEntry.objects.filter(bank=bank)
    assert (tomb.item_id, tomb.reason, tomb.signal_type) == (1, "consent withdrawn", "pdq")
    assert not hasattr(tomb, "value")
    assert index_cache.refresh() == [bank.pk]
    assert bank.pk not in index_cache._cache
    assert index_cache.refresh() == []  # nothing cached, nothing read
    assert bank_match(signals=[hers], bank_names=["shared"]) == [[]]


def test_an_index_that_holds_no_purged_rows_is_kept(stale: tuple[Bank, Signal, Any]) -> None:
    bank, _, _ = stale
    index_cache.forget_all()
    other = Signal("pdq", secrets.token_hex(32), 100)
    bank_add(bank=bank, signals=[other], source="item:2", item_id=2, actor="t")
    assert bank_match(signals=[other], bank_names=["shared"])[0]
    assert index_cache.refresh() == []
    assert bank.pk in index_cache._cache


def test_the_background_thread_drops_it_without_any_query(
    stale: tuple[Bank, Signal, Any], settings: Any
) -> None:
    bank, _, _ = stale
    settings.HOTLINE_BANK_INDEX_REFRESH_SECONDS = 0.05
    dropped = threading.Event()
    real_refresh = index_cache.refresh

    def watched() -> list[int]:
        result = real_refresh()
        if bank.pk in result:
            dropped.set()
        return result

    index_cache.refresh = watched  # type: ignore[assignment]
    try:
        index_cache._ensure_refresher()  # started by the process's first index
        assert dropped.wait(timeout=60)
    finally:
        index_cache.stop_refresher()
        index_cache.refresh = real_refresh  # type: ignore[assignment]
    assert bank.pk not in index_cache._cache


def test_the_setting_zero_starts_no_thread(settings: Any) -> None:
    settings.HOTLINE_BANK_INDEX_REFRESH_SECONDS = 0
    index_cache._ensure_refresher()
    assert index_cache._refresher is None


SECOND_PROCESS = """
import os, sys, time
import django
django.setup()
from hotline.banks import index_cache
from hotline.banks.selectors import bank_match
from hotline.banks.services import Signal
bank_id, value = int(sys.argv[1]), sys.argv[2]
print(len(bank_match(signals=[Signal("pdq", value, 100)], bank_names=["shared"])[0]), flush=True)
sys.stdin.readline()  # the purge has committed; this process makes no query from now on
deadline = time.monotonic() + 120
while bank_id in index_cache._cache and time.monotonic() < deadline:
    time.sleep(0.1)
print("dropped" if bank_id not in index_cache._cache else "kept", flush=True)
"""


def test_a_second_process_drops_its_index_without_a_query() -> None:
    """A real second process (PostgreSQL: SQLite's test database lives in this process's
    memory) holds her PDQ in its index, and drops it by itself after the purge."""
    database = connection.settings_dict
    if connection.vendor != "postgresql":
        pytest.skip("a second process needs a database outside this process")
    index_cache.forget_all()
    bank = bank_create(name="shared", actor="t")
    hers = Signal("pdq", secrets.token_hex(32), 100)
    bank_add(bank=bank, signals=[hers], source="item:1", item_id=1, actor="t")
    url = f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "hotline.settings",
        "HOTLINE_BANK_INDEX_REFRESH_SECONDS": "1",
    }
    child = subprocess.Popen(
        [sys.executable, "-c", SECOND_PROCESS, str(bank.pk), hers.value],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert child.stdout is not None and child.stdin is not None
        assert child.stdout.readline().strip() == "1"  # its index holds her PDQ
        bank_purge_items(item_ids=[1], actor="t", reason="consent withdrawn")
        child.stdin.write("purged\n")
        child.stdin.flush()
        assert child.stdout.readline().strip() == "dropped"
    finally:
        if child.poll() is None:
            child.kill()
        child.wait(timeout=30)
