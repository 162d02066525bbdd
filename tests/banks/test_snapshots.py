"""A process that starts from a bank's snapshot matches exactly as one built from the rows."""

from io import StringIO
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.core.management import call_command

from hotline.banks import index_cache, snapshots
from hotline.banks.models import Bank
from hotline.banks.purge import bank_purge_items
from hotline.banks.selectors import bank_match
from hotline.banks.services import Signal, bank_add, bank_create, bank_remove

RNG = np.random.default_rng(3)


def random_hex() -> str:
    return RNG.integers(0, 256, 32, dtype=np.uint8).tobytes().hex()


def near(hex_value: str, bits: int) -> str:
    value = bytearray(bytes.fromhex(hex_value))
    for bit in RNG.choice(256, bits, replace=False):
        value[bit // 8] ^= 1 << (bit % 8)
    return value.hex()


def pdq(value: str, quality: int | None = 90) -> Signal:
    return Signal(type="pdq", value=value, quality=quality)


def answers(queries: list[str]) -> list[list[tuple[int, int]]]:
    rows = bank_match(signals=[pdq(q) for q in queries], bank_names=["b"])
    return [[(m.entry_id, m.distance) for m in row] for row in rows]


@pytest.fixture
def snapshot_dir(settings: Any, tmp_path: Path) -> Path:
    settings.HOTLINE_INDEX_SNAPSHOT_DIR = str(tmp_path / "snapshots")
    return tmp_path / "snapshots"


@pytest.mark.django_db(transaction=True)
def test_a_fresh_process_with_a_snapshot_matches_as_one_built_from_the_database(
    snapshot_dir: Path, settings: Any
) -> None:
    bank = bank_create(name="b", actor="t")
    seeds = [random_hex() for _ in range(40)]
    first = bank_add(
        bank=bank,
        signals=[pdq(s) for s in seeds] + [pdq(near(s, 12)) for s in seeds[:20]],
        source="before",
        actor="t",
    )
    bank_add(bank=bank, signals=[pdq(near(seeds[0], 5), quality=30)], source="blurry", actor="t")
    written = snapshots.snapshot_write(bank)
    assert (written.entries, written.version) == (60, 2)
    # Changes after the snapshot: the process reads them from the database as its delta.
    bank_remove(bank=bank, entry_ids=[first[0].pk, first[45].pk], actor="t")
    later = bank_add(
        bank=bank, signals=[pdq(near(s, 9)) for s in seeds[:10]], source="after", actor="t"
    )
    bank_remove(bank=bank, entry_ids=[later[1].pk], actor="t")
    queries = [near(s, 4) for s in seeds] + [random_hex()]

    index_cache.forget_all()  # a fresh process
    from_snapshot = answers(queries)
    cached = index_cache._cache[bank.pk]
    assert cached.base is not None and cached.base_version == 2
    assert isinstance(cached.base._hashes, np.memmap)  # mapped, not copied
    assert len(cached.index) == 9  # only the delta is its own

    settings.HOTLINE_INDEX_SNAPSHOT_DIR = ""
    index_cache.forget_all()
    from_rows = answers(queries)
    assert index_cache._cache[bank.pk].base is None
    assert from_snapshot == from_rows
    assert sum(map(len, from_rows)) > 50  # the queries do find things


@pytest.mark.django_db(transaction=True)
def test_entries_removed_since_the_snapshot_stop_matching_when_nothing_was_added(
    snapshot_dir: Path,
) -> None:
    bank = bank_create(name="b", actor="t")
    values = [random_hex() for _ in range(6)]
    entries = bank_add(bank=bank, signals=[pdq(v) for v in values], source="one", actor="t")
    snapshots.snapshot_write(bank)
    index_cache.forget_all()
    assert all(answers(values))
    bank_remove(bank=bank, entry_ids=[entries[0].pk, entries[3].pk], actor="t")
    found = answers(values)
    cached = index_cache._cache[bank.pk]
    assert cached.base is not None and len(cached.index) == 0  # the snapshot alone, less two
    assert [bool(row) for row in found] == [False, True, True, False, True, True]


@pytest.mark.django_db(transaction=True)
def test_a_running_process_moves_to_a_newer_snapshot_and_keeps_matching(
    snapshot_dir: Path,
) -> None:
    bank = bank_create(name="b", actor="t")
    values = [random_hex() for _ in range(10)]
    bank_add(bank=bank, signals=[pdq(v) for v in values[:5]], source="one", actor="t")
    snapshots.snapshot_write(bank)
    index_cache.forget_all()
    assert all(answers(values[:5]))
    bank_add(bank=bank, signals=[pdq(v) for v in values[5:]], source="two", actor="t")
    written = snapshots.snapshots_refresh(min_entries=1)
    assert [w.version for w in written] == [2]
    assert snapshots.snapshots_refresh(min_entries=1) == []  # nothing changed since
    assert all(answers(values))  # the version moved: the process takes the new snapshot
    assert index_cache._cache[bank.pk].base_version == 2
    assert len(list(snapshot_dir.glob("bank-*-v*"))) == 1  # the old one was cleared away


@pytest.mark.django_db(transaction=True)
def test_a_purge_after_the_snapshot_makes_the_process_ignore_it(snapshot_dir: Path) -> None:
    bank = bank_create(name="b", actor="t")
    withdrawn, kept = random_hex(), random_hex()
    bank_add(bank=bank, signals=[pdq(withdrawn)], source="item:7", item_id=7, actor="t")
    bank_add(bank=bank, signals=[pdq(kept)], source="other", actor="t")
    snapshots.snapshot_write(bank)
    bank_purge_items(item_ids=[7], actor="t", reason="consent withdrawn")
    # The files held the withdrawn value: they are deleted with the purge, never left on disk.
    assert not list(snapshot_dir.glob(f"bank-{bank.pk}*"))
    index_cache.forget_all()
    assert answers([withdrawn, kept])[0] == []
    assert answers([kept])[0] and index_cache._cache[bank.pk].base is None


@pytest.mark.django_db(transaction=True)
def test_a_snapshot_of_another_database_under_the_same_directory_is_never_used(
    snapshot_dir: Path,
) -> None:
    bank = bank_create(name="b", actor="t")
    stranger = random_hex()
    bank_add(bank=bank, signals=[pdq(stranger)], source="s", actor="t")
    snapshots.snapshot_write(bank)
    # The same id and name in a different database: a bank made at another time.
    Bank.objects.filter(pk=bank.pk).update(created_at=bank.created_at.replace(year=2001))
    assert snapshots.snapshot_open(Bank.objects.get(pk=bank.pk)) is None


@pytest.mark.django_db(transaction=True)
def test_the_snapshot_command_writes_every_bank(snapshot_dir: Path) -> None:
    bank = bank_create(name="b", actor="t")
    bank_add(bank=bank, signals=[pdq(random_hex()) for _ in range(3)], source="s", actor="t")
    out = StringIO()
    call_command("bank", "snapshot", "b", stdout=out)
    assert out.getvalue().startswith(f"b: 3 PDQ entries at version 1 in {snapshot_dir}")
    assert snapshots.snapshot_version(bank) == 1


@pytest.mark.django_db(transaction=True)
def test_the_worker_lane_snapshots_changed_banks_big_enough_to_need_it(
    snapshot_dir: Path,
) -> None:
    from hotline.banks.bulk_import import Row, import_rows
    from hotline.cases.management.commands import worker

    big, small = bank_create(name="big", actor="t"), bank_create(name="small", actor="t")
    rows = (Row(n, "pdq", random_hex()) for n in range(1, snapshots.WORKER_MIN_ENTRIES + 1))
    import_rows(bank=big, rows=rows, source="import:t", actor="t")
    bank_add(bank=small, signals=[pdq(random_hex())], source="s", actor="t")
    assert worker._snapshots() is False  # a lane step that always waits its interval
    assert snapshots.snapshot_version(Bank.objects.get(name="big")) == 1
    assert snapshots.snapshot_version(small) is None  # built from its row in no time


@pytest.mark.django_db(transaction=True)
def test_a_shard_matcher_maps_its_own_shards_snapshot_and_no_other(
    snapshot_dir: Path, settings: Any
) -> None:
    bank = bank_create(name="b", actor="t")
    seeds = [random_hex() for _ in range(30)]
    added = bank_add(
        bank=bank,
        signals=[pdq(s) for s in seeds] + [pdq(near(s, 6)) for s in seeds],
        source="s",
        actor="t",
    )
    queries = [near(s, 3) for s in seeds] + [random_hex()]
    settings.HOTLINE_MATCH_SHARD = (0, 2)
    written = snapshots.snapshot_write(bank)
    evens = [e.pk for e in added if e.pk % 2 == 0]
    assert written.entries == len(evens) and written.path.name.startswith(f"bank-{bank.pk}-s0of2-")
    index_cache.forget_all()
    from_snapshot = answers(queries)
    assert index_cache._cache[bank.pk].base is not None
    settings.HOTLINE_INDEX_SNAPSHOT_DIR = ""
    index_cache.forget_all()
    assert answers(queries) == from_snapshot  # as the shard's own rows answer
    found = {entry for row in from_snapshot for entry, _ in row}
    assert found and all(entry % 2 == 0 for entry in found)

    settings.HOTLINE_INDEX_SNAPSHOT_DIR = str(snapshot_dir)
    settings.HOTLINE_MATCH_SHARD = (1, 2)  # the other shard has none of its own yet
    assert snapshots.snapshot_version(bank) is None and snapshots.snapshot_open(bank) is None
    settings.HOTLINE_MATCH_SHARD = None  # nor does a whole-bank process take a shard's
    assert snapshots.snapshot_version(bank) is None and snapshots.snapshot_open(bank) is None
    snapshots.snapshot_write(bank)
    settings.HOTLINE_MATCH_SHARD = (0, 2)  # and the shard still opens its own, not the whole
    opened = snapshots.snapshot_open(bank)
    assert opened is not None and len(opened.index) == len(evens)


@pytest.mark.django_db(transaction=True)
def test_a_purge_deletes_every_shards_snapshot_files(snapshot_dir: Path, settings: Any) -> None:
    bank = bank_create(name="b", actor="t")
    withdrawn = random_hex()
    bank_add(bank=bank, signals=[pdq(withdrawn)], source="item:7", item_id=7, actor="t")
    bank_add(bank=bank, signals=[pdq(random_hex()) for _ in range(4)], source="o", actor="t")
    for shard in [(0, 2), (1, 2), None]:
        settings.HOTLINE_MATCH_SHARD = shard
        snapshots.snapshot_write(bank)
    assert len(list(snapshot_dir.glob(f"bank-{bank.pk}*"))) == 6  # three links, three folders
    bank_purge_items(item_ids=[7], actor="t", reason="consent withdrawn")
    assert not list(snapshot_dir.glob(f"bank-{bank.pk}*"))
