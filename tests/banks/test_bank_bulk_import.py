"""`hotline bank import` streams rows in batches, skips what the bank has, reports bad lines."""

from collections.abc import Iterator
from io import StringIO
from itertools import pairwise
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
        bank=bank,
        rows=plain_csv_rows(lines),
        source="import:t",
        actor="t",
        batch_size=10,
        window=10,  # each window one batch: batches of consecutive lines
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

    result = import_rows(
        bank=bank, rows=rows(), source="import:s", actor="t", batch_size=5, window=10
    )
    assert result.added == 35
    # Row 11 is read only after the first ten (a window) are in the database: nothing piles up.
    assert stored_when_pulled[10] == 10 and stored_when_pulled[30] == 30
    assert stored_when_pulled[9] == 0  # a window is written when it is full


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
    # 7 distinct values (line 12 repeats line 10, line 18 line 13), sorted: batches of 4, 3.
    assert sorted(e.payload["count"] for e in events) == [3, 3]  # `already` is in one of them
    assert min(e.payload["lines"][0] for e in events) == 10
    assert max(e.payload["lines"][1] for e in events) == 17
    again = import_rows(bank=bank, rows=[block], source="import:t", actor="t", batch_size=4)
    assert (again.added, again.duplicates) == (0, 9)


@pytest.mark.django_db
def test_a_window_is_sorted_written_in_batches_of_consecutive_values_and_rerun_safely() -> None:
    """Rows are gathered in a window, sorted by value and written in batches of consecutive
    values; bad lines keep their numbers, a repeat counts from its first line, each event
    names its batch's lowest and highest line, and a rerun adds nothing."""
    bank = bank_create(name="b", actor="t")
    already = "0" * 64  # the lowest value: in the first batch of pdq
    bank_add(bank=bank, signals=[Signal("pdq", already, 90)], source="before", actor="t")
    fresh = [random_hex() for _ in range(40)]
    md5 = [random_hex(16) for _ in range(3)]
    lines = [f"pdq,{v},{50 + i}" for i, v in enumerate(fresh[:20])]
    lines += ["pdq,abc,90", f"pdq,{already},90", f"pdq,{fresh[3]},10"]  # lines 21, 22, 23
    lines += [f"md5,{v}" for v in md5]  # lines 24-26
    lines += [f"pdq,{v},{70 + i}" for i, v in enumerate(fresh[20:])]  # lines 27-46
    lines += [f"pdq,{random_hex()},101"]  # line 47
    result = import_rows(
        bank=bank, rows=plain_csv_rows(lines), source="import:t", actor="t", batch_size=8
    )
    assert (result.read, result.added, result.duplicates, result.bad) == (47, 43, 2, 2)
    assert [b.line for b in result.bad_lines] == [21, 47]
    live = BankEntry.objects.filter(bank=bank, source="import:t")
    assert live.get(value=fresh[3]).quality == 53  # line 4's, not line 23's
    events = list(Event.objects.filter(tag="bank:import").order_by("seq"))
    # Sorted by type and value (md5, then pdq), in batches of 8; the first holds `already`.
    assert [e.payload["count"] for e in events] == [7, 8, 8, 8, 8, 4]
    line_of = {v: i for i, v in enumerate(fresh[:20], start=1)}
    line_of.update({v: 24 + i for i, v in enumerate(md5)})
    line_of.update({v: 27 + i for i, v in enumerate(fresh[20:])})
    runs = []
    for event in events:
        keys = list(
            live.filter(added_version=event.payload["version"]).values_list("signal_type", "value")
        )
        numbers = [line_of[v] for _, v in keys]
        assert event.payload["lines"] == [min(numbers), max(numbers)]
        runs.append(sorted(keys))
    assert all(a[-1] < b[0] for a, b in pairwise(runs))  # each batch a run of consecutive keys
    assert runs[0][0][0] == "md5" and runs[1][0][0] == "pdq"
    again = import_rows(
        bank=bank, rows=plain_csv_rows(lines), source="import:t", actor="t", batch_size=8
    )
    assert (again.added, again.duplicates, again.bad) == (0, 45, 2)
    assert [b.line for b in again.bad_lines] == [21, 47]
    assert BankEntry.objects.filter(bank=bank, removed_version=None).count() == 44


@pytest.mark.django_db
def test_a_rerun_of_a_window_with_part_of_it_live_adds_only_the_rest() -> None:
    """A crash left some of a window's batches in: the rerun's batches that are all old add
    nothing, the mixed one adds its new rows, and those after it (on PostgreSQL: the fast COPY
    again) add theirs."""
    bank = bank_create(name="b", actor="t")
    values = sorted(random_hex() for _ in range(50))
    rows = [Row(i, "pdq", v, 90) for i, v in enumerate(RNG.permutation(values).tolist(), 1)]
    first = [r for r in rows if r.value <= values[24]]  # what the first run got in
    import_rows(bank=bank, rows=first, source="import:t", actor="t", batch_size=10)
    result = import_rows(bank=bank, rows=rows, source="import:t", actor="t", batch_size=10)
    assert (result.added, result.duplicates) == (25, 25)
    live = BankEntry.objects.filter(bank=bank, removed_version=None)
    assert sorted(live.values_list("value", flat=True)) == values


def test_a_window_yields_its_values_sorted_once_each_in_batches() -> None:
    """The window keeps values as bytes: those ending in zero bytes, or all zero, sort and
    compare as their hex does; a repeat is dropped (its first line counts)."""
    from hotline.banks.bulk_import import _Window
    from hotline.exchange.records import Block

    values = [random_hex() for _ in range(30)] + ["00" * 32, "00" * 31 + "01", "01" + "00" * 31]
    values += ["ab" + "00" * 31, "ab" + "00" * 30 + "01", values[0], values[5]]
    window = _Window(8)  # smaller than its first block: the columns grow
    window.add_block(Block(1, "pdq", values[:20], [90] * 20))
    for line, value in enumerate(values[20:], start=21):
        window.add(line, "pdq", value, None)
    window.add(99, "md5", "f" * 32, 5)
    batches = list(window.drain(batch_size=7))
    assert [len(b.values) for b in batches] == [7, 7, 7, 7, 7, 1]
    assert [v for b in batches for v in b.values] == ["f" * 32, *sorted(set(values))]
    assert [k for b in batches for k in b.kinds] == ["md5"] + ["pdq"] * 35
    assert window.repeats == 2 and window.count == 0
    quality = {v: q for b in batches for v, q in zip(b.values, b.qualities, strict=True)}
    assert quality[values[0]] == 90 and quality[values[-3]] is None and quality["f" * 32] == 5
