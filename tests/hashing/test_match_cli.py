"""The `hotline match` contract: bank and query files in, one JSON line per query out."""

import io
import json
from pathlib import Path

import numpy as np
import pytest

from hotline.hashing.index import hashes_to_hex
from hotline.hashing.match_cli import run_match

H = hashes_to_hex(np.random.default_rng(0).integers(0, 2**64, (4, 4), dtype=np.uint64))


def flip(hex_hash: str, bits: int) -> str:
    return f"{int(hex_hash, 16) ^ ((1 << bits) - 1):064x}"


def run(tmp_path: Path, bank: str, queries: str, radius: int = 31) -> tuple[int, str, str]:
    (tmp_path / "bank.txt").write_text(bank)
    (tmp_path / "q.txt").write_text(queries)
    out, err = io.StringIO(), io.StringIO()
    code = run_match(
        bank_path=str(tmp_path / "bank.txt"), query_path=str(tmp_path / "q.txt"),
        radius=radius, out=out, err=err,
    )  # fmt: skip
    return code, out.getvalue(), err.getvalue()


def test_json_line_per_query_sorted_by_distance(tmp_path: Path) -> None:
    bank = f"{H[0]},42\n{flip(H[0], 3)},-5\n\n{flip(H[0], 31)}\n{flip(H[0], 32)},7\n{H[1]}, 9\n"
    queries = f"{H[0]}\n\n{H[2]}\n{flip(H[1], 1).upper()}\n"
    code, out, err = run(tmp_path, bank, queries)
    assert (code, err) == (0, "")
    lines = [json.loads(line) for line in out.splitlines()]
    assert lines == [
        {"query": 0, "matches": [
            {"id": 42, "distance": 0}, {"id": -5, "distance": 3}, {"id": 3, "distance": 31},
        ]},
        {"query": 2, "matches": []},
        {"query": 3, "matches": [{"id": 9, "distance": 1}]},
    ]  # fmt: skip


def test_radius_is_respected(tmp_path: Path) -> None:
    code, out, _ = run(tmp_path, f"{H[0]}\n{flip(H[0], 5)}\n", f"{H[0]}\n", radius=4)
    assert code == 0
    assert json.loads(out) == {"query": 0, "matches": [{"id": 0, "distance": 0}]}


@pytest.mark.parametrize(
    ("bank", "queries", "message"),
    [
        (f"{H[0]}\n{H[1][:-1]}\n", f"{H[0]}\n", "bank.txt:2: expected 64 hex characters, got 63"),
        (f"{H[0]}\n\n{H[1][:5]}x{H[1][6:]}\n", f"{H[0]}\n", "bank.txt:3: character 6 is not"),
        (f"{H[0]},abc\n", f"{H[0]}\n", "bank.txt:1: id is not an integer: 'abc'"),
        (f"{H[0]},{2**63}\n", f"{H[0]}\n", "bank.txt:1: id 9223372036854775808 does not fit"),
        (f"{H[0]},1\n{H[1]}\n", f"{H[0]}\n", "bank.txt:2: duplicate id 1 (first on line 1)"),
        (f"{H[0]}\n", f"\n{H[0]},3\n", "q.txt:2: expected one 64-character hex hash per line"),
        (f"{H[0]}\n", f"{H[0]}\nnot-a-hash\n", "q.txt:2: expected 64 hex characters, got 10"),
    ],
)
def test_bad_lines_name_file_and_line_and_exit_2(
    tmp_path: Path, bank: str, queries: str, message: str
) -> None:
    code, out, err = run(tmp_path, bank, queries)
    assert code == 2
    assert out == ""
    assert message in err


def test_missing_file_and_bad_radius_exit_2(tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    missing = str(tmp_path / "nope.txt")
    assert run_match(bank_path=missing, query_path=missing, radius=31, out=out, err=err) == 2
    assert "nope.txt: cannot read" in err.getvalue()
    code, _, err_text = run(tmp_path, f"{H[0]}\n", f"{H[0]}\n", radius=300)
    assert code == 2
    assert "radius" in err_text


def test_empty_files(tmp_path: Path) -> None:
    assert run(tmp_path, "", "") == (0, "", "")
    _, out, _ = run(tmp_path, "", f"{H[0]}\n")
    assert json.loads(out) == {"query": 0, "matches": []}
