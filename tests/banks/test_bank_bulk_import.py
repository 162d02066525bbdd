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


def _as_rows(items: list[object]) -> list[object]:
    """Blocks spelled out as the rows read_csv yields for their lines."""
    from hotline.exchange.records import Block
    from hotline.exchange.records import Row as FileRow

    out: list[object] = []
    for item in items:
        if isinstance(item, Block):
            out += [
                FileRow(item.first_line + i, item.signal_type, value, quality)
                for i, (value, quality) in enumerate(zip(item.values, item.qualities, strict=True))
            ]
        else:
            out.append(item)
    return out


def test_the_csv_block_reader_reads_what_the_line_reader_reads() -> None:
    from hotline.exchange.readers import read_csv, read_csv_blocks
    from hotline.exchange.records import Block

    pdq = [random_hex() for _ in range(12)]
    uniform = [f"pdq,{v.upper() if i % 2 else v},{80 + i % 2}\n" for i, v in enumerate(pdq)]
    files = [
        ["signal_type,value,quality,entry_id,op\n", *uniform],  # a header, then rows
        [*uniform[:3], f"pdq,{pdq[0][:-1]}g,90\n", *uniform[4:]],  # a bad hex digit
        [*uniform[:3], f"pdq,{pdq[0]},101\n", *uniform[4:]],  # a quality out of range
        [f"{v}\n" for v in pdq],  # bare PDQ hex
        [f"md5,{random_hex(16)},\n" for _ in range(5)],  # an empty quality
        [f"md5,{random_hex(16)}\n" for _ in range(5)],
        [*uniform[:5], f"pdq,{pdq[0]},9\n"],  # another width: line by line
        [*uniform[:5], uniform[5].rstrip("\n")],  # no newline at the end
        [*uniform[:2], f"pdq,{pdq[0]},90\r\n"],
        [f"pdq,{pdq[0]},90,17,delete\n"] * 3,
        uniform + uniform,  # repeated rows are rows; the import counts them
    ]
    for lines in files:
        text = "".join(lines)
        blocks = list(read_csv_blocks(StringIO(text), block=5))
        assert _as_rows(blocks) == list(read_csv(StringIO(text))), lines
    # The uniform files come in blocks (the fast path), not line by line.
    blocks = list(read_csv_blocks(StringIO("".join(files[0])), block=5))
    assert [len(b.values) for b in blocks if isinstance(b, Block)] == [4, 5, 3]
    assert all(isinstance(b, Block) for b in read_csv_blocks(StringIO("".join(files[3])), 5))


@pytest.mark.django_db
def test_a_rerun_after_a_crash_adds_only_what_is_missing(tmp_path: Path) -> None:
    """The first run stops after some batches; the second adds the rest, counting the rows
    already there (on PostgreSQL: the fast COPY fails on them and the batch goes through the
    stage, then the fast way again once a batch is all new)."""
    bank = bank_create(name="b", actor="t")
    values = [random_hex() for _ in range(250)]
    path = tmp_path / "hashes.csv"
    path.write_text("".join(f"pdq,{v},90\n" for v in values[:120]))
    out = StringIO()
    call_command(
        "bank", "import", "b", str(path), "--no-progress", "--label", "a\tb\\c", stdout=out
    )
    assert "added 120 of 120" in out.getvalue()
    path.write_text("".join(f"pdq,{v},90\n" for v in values))
    out = StringIO()
    call_command("bank", "import", "b", str(path), "--no-progress", stdout=out)
    assert "added 130 of 250 hashes to b, 120 already there" in out.getvalue()
    live = BankEntry.objects.filter(bank=bank, removed_version=None)
    assert sorted(live.values_list("value", flat=True)) == sorted(values)
    assert set(live.filter(value__in=values[:120]).values_list("source", flat=True)) == {
        "import:a\tb\\c"  # COPY's escapes undone
    }
    assert set(live.values_list("quality", flat=True)) == {90}


@pytest.mark.django_db
def test_blocks_count_repeats_and_rows_already_live() -> None:
    from hotline.exchange.records import Block

    bank = bank_create(name="b", actor="t")
    already, fresh = random_hex(), [random_hex() for _ in range(6)]
    bank_add(bank=bank, signals=[Signal("pdq", already, 90)], source="before", actor="t")
    block = Block(10, "pdq", [fresh[0], already, *fresh, fresh[1]], [90] * 9)
    result = import_rows(bank=bank, rows=[block], source="import:t", actor="t", batch_size=4)
    assert (result.read, result.added, result.duplicates) == (9, 6, 3)
    events = list(Event.objects.filter(tag="bank:import").order_by("seq"))
    assert [e.payload["lines"] for e in events] == [[10, 13], [14, 17]]
    assert [e.payload["count"] for e in events] == [2, 4]  # the last batch's row was added
    again = import_rows(bank=bank, rows=[block], source="import:t", actor="t", batch_size=4)
    assert (again.added, again.duplicates) == (0, 9)
