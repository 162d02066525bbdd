"""Bank writes cost the same at any bank size, and a match never waits on one."""

import os
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from hotline.banks import index_cache
from hotline.banks.models import Bank, BankEntry
from hotline.banks.selectors import bank_match
from hotline.banks.services import Signal, bank_add, bank_create, bank_remove

RNG = np.random.default_rng(11)


def random_hex() -> str:
    return RNG.integers(0, 256, 32, dtype=np.uint8).tobytes().hex()


def pdq(value: str) -> Signal:
    return Signal(type="pdq", value=value, quality=90)


def add_queries(bank: Bank, count: int) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        bank_add(bank=bank, signals=[pdq(random_hex())], source="one", actor="t")
    return [q["sql"] for q in queries.captured_queries]


@pytest.mark.django_db
def test_adding_one_hash_runs_the_same_queries_whatever_the_bank_size() -> None:
    bank = bank_create(name="b", actor="t")
    small = add_queries(bank, 1)
    bank_add(bank=bank, signals=[pdq(random_hex()) for _ in range(3000)], source="many", actor="t")
    large = add_queries(bank, 3001)
    assert len(large) == len(small)
    # The duplicate check looks up the value being added, never every live row of the bank.
    lookups = [sql for sql in large if 'FROM "banks_bankentry"' in sql]
    assert lookups and all('"value" IN' in sql for sql in lookups)


@pytest.mark.django_db
def test_the_delta_and_the_duplicate_check_use_indexes_not_scans() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the planner's choice on a tiny PostgreSQL table says nothing; SQLite's does")
    bank = bank_create(name="b", actor="t")
    bank_add(bank=bank, signals=[pdq(random_hex()) for _ in range(50)], source="s", actor="t")
    entries = BankEntry.objects.filter(bank=bank, signal_type="pdq")
    reads = [
        entries.filter(added_version__gt=0, added_version__lte=1),
        entries.filter(removed_version__gt=0, removed_version__lte=1),
        entries.filter(value__in=["a" * 64], removed_version=None),
        # The indexes migration 0009 narrowed or dropped (docs/decisions/0030): lookups by item
        # use the partial item index, by bank alone a composite one, removals the partial one.
        BankEntry.objects.filter(item_id=7),
        BankEntry.objects.filter(item_id__in=[7, 8]),
        BankEntry.objects.filter(bank=bank, item_id__in=[7, 8]),
        BankEntry.objects.filter(bank=bank),
        BankEntry.objects.filter(bank=bank, removed_version=None),
        BankEntry.objects.filter(bank=bank, removed_version__isnull=False, removed_version__lte=3),
    ]
    for queryset in reads:
        sql, params = queryset.values_list("pk").query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
        assert "USING INDEX" in plan or "USING COVERING INDEX" in plan, plan
        assert "SCAN" not in plan.replace("SCAN TABLE", "SCAN"), plan


@pytest.mark.django_db(transaction=True)
def test_a_match_during_an_open_add_transaction_answers_without_waiting_for_it() -> None:
    if connection.vendor == "sqlite":
        pytest.skip("the in-memory test database locks whole tables; see the file-based test")
    index_cache.forget_all()
    bank = bank_create(name="b", actor="t")
    kept, pending = random_hex(), random_hex()
    bank_add(bank=bank, signals=[pdq(kept)], source="kept", actor="t")
    added, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            with transaction.atomic():
                bank_add(bank=Bank.objects.get(name="b"), signals=[pdq(pending)], source="new",
                         actor="t")  # fmt: skip
                added.set()
                release.wait(60)  # holds the write transaction (and the bank's row lock)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            added.set()
            connection.close()

    answers: list[list[str]] = []

    def matcher() -> None:
        try:
            rows = bank_match(signals=[pdq(kept), pdq(pending)], bank_names=["b"])
            answers.extend([m.source for m in row] for row in rows)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    write = threading.Thread(target=writer)
    write.start()
    assert added.wait(60)
    match = threading.Thread(target=matcher)
    match.start()
    match.join(60)
    finished_while_held = not match.is_alive()
    release.set()
    write.join(60)
    match.join(60)
    assert not errors
    assert finished_while_held  # the match did not wait for the writer to commit
    assert answers == [["kept"], []]  # as of the last committed version
    assert [m.source for m in bank_match(signals=[pdq(pending)], bank_names=["b"])[0]] == ["new"]


@pytest.mark.django_db(transaction=True)
def test_removing_keeps_the_index_in_step_with_the_rows() -> None:
    index_cache.forget_all()
    bank = bank_create(name="b", actor="t")
    values = [random_hex() for _ in range(20)]
    entries = bank_add(bank=bank, signals=[pdq(v) for v in values], source="s", actor="t")
    assert all(bank_match(signals=[pdq(v)], bank_names=["b"])[0] for v in values)
    bank_remove(bank=bank, entry_ids=[entries[3].pk], actor="t")
    assert bank_match(signals=[pdq(values[3])], bank_names=["b"])[0] == []
    # Added again after removal: a new entry, matched again.
    again = bank_add(bank=bank, signals=[pdq(values[3])], source="again", actor="t")
    assert [m.entry_id for m in bank_match(signals=[pdq(values[3])], bank_names=["b"])[0]] == [
        again[0].pk
    ]


WRITER = """
import sys
from django.db import transaction
from hotline.banks.models import Bank
from hotline.banks.services import Signal, bank_add, bank_create
bank_create(name="b", actor="t")
def add(value, source):
    bank_add(bank=Bank.objects.get(name="b"), signals=[Signal("pdq", value, 90)], source=source,
             actor="t")
add("{kept}", "kept")
with transaction.atomic():
    add("{pending}", "new")
    print("held", flush=True)
    sys.stdin.read()  # holds the write transaction until the test closes stdin
print("committed", flush=True)
"""
MATCHER = """
from hotline.banks.selectors import bank_match
from hotline.banks.services import Signal
queries = [Signal("pdq", "{kept}", 90), Signal("pdq", "{pending}", 90)]
rows = bank_match(signals=queries, bank_names=["b"])
print([[m.source for m in row] for row in rows], flush=True)
"""


def test_on_sqlite_a_match_in_another_process_answers_while_an_add_is_uncommitted(
    tmp_path: Path,
) -> None:
    """The deployment's case: WAL mode lets a reader go on while a writer holds the lock."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
           "HOTLINE_VAR_DIR": str(tmp_path)}  # fmt: skip
    hotline = [sys.executable, "-m", "hotline.cli"]
    subprocess.run([*hotline, "migrate", "-v0"], env=env, check=True, timeout=300)
    kept, pending = random_hex(), random_hex()
    writer = subprocess.Popen(
        [*hotline, "shell", "--no-imports", "-c", WRITER.format(kept=kept, pending=pending)],
        env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert writer.stdout is not None and writer.stdin is not None
        assert writer.stdout.readline().strip() == "held"
        match = subprocess.run(
            [*hotline, "shell", "--no-imports", "-c", MATCHER.format(kept=kept, pending=pending)],
            env=env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert writer.poll() is None  # the writer still holds its transaction
        assert match.returncode == 0, match.stderr
        assert match.stdout.strip() == "[['kept'], []]"
        writer.stdin.close()
        assert writer.stdout.readline().strip() == "committed"
    finally:
        writer.kill()
        writer.wait(30)
    after = subprocess.run(
        [*hotline, "shell", "--no-imports", "-c", MATCHER.format(kept=kept, pending=pending)],
        env=env, capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    assert after.stdout.strip() == "[['kept'], ['new']]"


@pytest.mark.django_db
def test_entry_values_compare_as_bytes_on_postgresql() -> None:
    """Migration 0010: the unique index of live values compares bytes, not through strcoll."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite compares bytes already (BINARY); its columns carry no collation")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name, collation_name FROM information_schema.columns"
            " WHERE table_name = 'banks_bankentry' AND column_name IN ('signal_type', 'value')"
        )
        assert dict(cursor.fetchall()) == {"signal_type": "C", "value": "C"}
        cursor.execute(
            "SELECT coll.collname FROM pg_index i"
            " JOIN pg_class ix ON ix.oid = i.indexrelid"
            " CROSS JOIN LATERAL unnest(i.indcollation::oid[]) AS used(oid)"
            " JOIN pg_collation coll ON coll.oid = used.oid"
            " WHERE ix.relname = 'banks_entry_one_live_value'"
        )
        assert [row[0] for row in cursor.fetchall()] == ["C", "C"]
    bank = bank_create(name="b", actor="t")
    bank_add(bank=bank, signals=[pdq("ab" * 32)], source="s", actor="t")
    assert BankEntry.objects.filter(bank=bank, value="ab" * 32, removed_version=None).exists()
