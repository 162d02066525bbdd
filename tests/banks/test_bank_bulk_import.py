"""`hotline bank import` streams rows in batches, skips what the bank has, reports bad lines."""

from collections.abc import Iterator
from io import StringIO
from pathlib import Path

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from hotline.audit.models import Event
from hotline.banks.bulk_import import BadLine, Row, import_rows, plain_csv_rows
from hotline.banks.models import Bank, BankEntry
from hotline.banks.selectors import bank_match
from hotline.banks.services import Signal, bank_add, bank_create

RNG = np.random.default_rng(5)


def random_hex(n: int = 32) -> str:
    return RNG.integers(0, 256, n, dtype=np.uint8).tobytes().hex()


def test_the_entry_table_name_matches_the_raw_insert() -> None:
    assert BankEntry._meta.db_table == "banks_bankentry"


def test_plain_csv_lines_parse_with_their_numbers() -> None:
    pdq = random_hex()
    rows = list(plain_csv_rows([f"{pdq}\n", "\n", f"MD5,{'A' * 32},\n", f"pdq,{pdq},ninety\n"]))
    assert rows == [
        Row(1, "pdq", pdq, None),
        Row(3, "md5", "a" * 32, None),
        BadLine(4, "quality must be a number, got 'ninety'"),
    ]


@pytest.mark.django_db
def test_an_import_adds_new_rows_skips_live_ones_and_reports_bad_lines_by_number() -> None:
    bank = bank_create(name="b", actor="t")
    already = random_hex()
    bank_add(bank=bank, signals=[Signal("pdq", already, 90)], source="before", actor="t")
    fresh = [random_hex() for _ in range(25)]
    lines = [f"pdq,{v},90" for v in fresh] + [
        f"pdq,{already},90",  # live already
        f"pdq,{fresh[0]},80",  # repeated in the file
        "pdq,abc,90",  # too short
        f"sha1,{random_hex(20)}",  # unknown type
        f"pdq,{random_hex()},101",  # quality out of range
    ]
    result = import_rows(
        bank=bank, rows=plain_csv_rows(lines), source="import:t", actor="t", batch_size=10
    )
    assert (result.read, result.added, result.duplicates, result.bad) == (30, 25, 2, 3)
    assert [b.line for b in result.bad_lines] == [28, 29, 30]
    assert "64 hex characters" in result.bad_lines[0].reason
    assert BankEntry.objects.filter(bank=bank, source="import:t").count() == 25
    # One transaction, version and audit event per batch that added something.
    events = list(Event.objects.filter(tag="bank:import").order_by("seq"))
    assert [e.payload["count"] for e in events] == [10, 10, 5]
    assert [e.payload["lines"] for e in events] == [[1, 10], [11, 20], [21, 27]]  # lines staged
    bank.refresh_from_db()
    assert bank.version == result.version == 4
    assert bank_match(signals=[Signal("pdq", fresh[-1], 90)], bank_names=["b"])[0][0].distance == 0
    again = import_rows(bank=bank, rows=plain_csv_rows(lines), source="import:t", actor="t")
    assert (again.added, again.duplicates) == (0, 27)  # a second run adds nothing


@pytest.mark.django_db
def test_an_import_streams_its_input_one_batch_at_a_time() -> None:
    bank = bank_create(name="b", actor="t")
    stored_when_pulled: list[int] = []

    def rows() -> Iterator[Row]:
        for n in range(1, 36):
            stored_when_pulled.append(BankEntry.objects.filter(bank=bank).count())
            yield Row(n, "pdq", random_hex(), None)

    result = import_rows(bank=bank, rows=rows(), source="import:s", actor="t", batch_size=10)
    assert result.added == 35
    # Row 11 is read only after the first ten are in the database: nothing piles up.
    assert stored_when_pulled[10] == 10 and stored_when_pulled[30] == 30


@pytest.mark.django_db
def test_the_command_prints_bad_lines_and_fails_after_adding_the_good_ones(tmp_path: Path) -> None:
    bank_create(name="b", actor="t")
    good = random_hex()
    path = tmp_path / "hashes.csv"
    path.write_text(f"{good}\npdq,{good[:-1]}z,90\n")
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="1 bad line"):
        call_command("bank", "import", "b", str(path), stdout=out, stderr=err)
    assert err.getvalue().startswith(f"{path}, line 2: pdq must be 64 hex characters")
    assert "added 1 of 1 hashes to b" in out.getvalue()  # the bad line is listed, not counted
    assert Bank.objects.get(name="b").entries.count() == 1
