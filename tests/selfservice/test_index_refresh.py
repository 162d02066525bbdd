"""A purge reaches every process's in-memory index, not only the purging one's.

The purging process drops its index when the purge commits. Another process (here: the
index as it stood before the purge, put back as another process would still hold it) drops
its own through `index_cache.refresh`, which its background thread runs every
HOTLINE_BANK_INDEX_REFRESH_SECONDS, or at the latest at its next match.
"""

import secrets
import threading
from collections.abc import Iterator
from typing import Any

import pytest

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
