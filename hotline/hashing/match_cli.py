"""`hotline match`: range-search a file of PDQ hashes against a bank file, JSON lines out."""

import json
from dataclasses import dataclass
from typing import TextIO

import numpy as np
import numpy.typing as npt

from hotline.hashing.index import DEFAULT_RADIUS, HammingIndex, HexParseError, hashes_from_hex

EXIT_OK = 0
EXIT_BAD_INPUT = 2
_INT64 = np.iinfo(np.int64)


class InputError(Exception):
    """A file that cannot be read or a line that cannot be parsed; the message names both."""


@dataclass(frozen=True)
class _Parsed:
    lines: list[int]  # 0-based line index of each hash
    hashes: npt.NDArray[np.uint8]
    ids: npt.NDArray[np.int64]


def _read_lines(path: str) -> list[str]:
    try:
        with open(path, encoding="utf-8") as f:
            return f.read().splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"{path}: cannot read: {e}") from e


def _parse_id(path: str, index: int, text: str) -> int:
    try:
        value = int(text.strip())
    except ValueError:
        raise InputError(f"{path}:{index + 1}: id is not an integer: {text.strip()!r}") from None
    if not _INT64.min <= value <= _INT64.max:
        raise InputError(f"{path}:{index + 1}: id {value} does not fit in 64 bits")
    return value


def _parse(path: str, *, with_ids: bool) -> _Parsed:
    lines: list[int] = []
    hexes: list[str] = []
    ids: list[int] = []
    for i, raw in enumerate(_read_lines(path)):
        line = raw.strip()
        if not line:
            continue  # blank lines are skipped but still counted
        hex_part, sep, id_part = line.partition(",")
        if sep and not with_ids:
            raise InputError(f"{path}:{i + 1}: expected one 64-character hex hash per line")
        lines.append(i)
        hexes.append(hex_part.strip())
        ids.append(_parse_id(path, i, id_part) if sep else i)
    try:
        hashes = hashes_from_hex(hexes)
    except HexParseError as e:
        raise InputError(f"{path}:{lines[e.index] + 1}: {e.reason}") from None
    return _Parsed(lines, hashes, np.array(ids, np.int64))


def _check_unique(path: str, parsed: _Parsed) -> None:
    values, counts = np.unique(parsed.ids, return_counts=True)
    if not (counts > 1).any():
        return
    dup = int(values[counts > 1][0])
    where = [parsed.lines[i] + 1 for i in np.flatnonzero(parsed.ids == dup)[:2]]
    raise InputError(f"{path}:{where[1]}: duplicate id {dup} (first on line {where[0]})")


def load_bank(path: str) -> HammingIndex:
    """Index a bank file of `HEX` or `HEX,ID` lines (no ID: the 0-based line index)."""
    parsed = _parse(path, with_ids=True)
    _check_unique(path, parsed)
    index = HammingIndex(expected_size=parsed.ids.shape[0])
    index.add(parsed.ids, parsed.hashes)
    return index


def run_match(*, bank_path: str, query_path: str, radius: int, out: TextIO, err: TextIO) -> int:
    """Print one JSON line per query hash; exit status 2 with a message on bad input.

    Output: {"query": <0-based line index>, "matches": [{"id": ID, "distance": D}, ...]},
    matches sorted by distance then id. Error messages name `file:line` with 1-based lines.
    """
    if not 0 <= radius <= 256:
        err.write(f"error: radius must be between 0 and 256, got {radius}\n")
        return EXIT_BAD_INPUT
    try:
        index = load_bank(bank_path)
        queries = _parse(query_path, with_ids=False)
    except InputError as e:
        err.write(f"error: {e}\n")
        return EXIT_BAD_INPUT
    res = index.query_batch_arrays(queries.hashes, radius)
    ids, dists, off = res.ids.tolist(), res.distances.tolist(), res.offsets.tolist()
    for q, line in enumerate(queries.lines):
        matches = [{"id": ids[j], "distance": dists[j]} for j in range(off[q], off[q + 1])]
        out.write(json.dumps({"query": line, "matches": matches}) + "\n")
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry point: `python -m hotline.hashing.match_cli BANK QUERIES [-r R]`."""
    import argparse
    import sys

    parser = argparse.ArgumentParser(prog="hotline match", description=__doc__)
    parser.add_argument("bank", help="bank file: one HEX or HEX,ID per line")
    parser.add_argument("queries", help="query file: one HEX per line")
    parser.add_argument("-r", "--radius", type=int, default=DEFAULT_RADIUS)
    args = parser.parse_args(argv)
    return run_match(
        bank_path=args.bank, query_path=args.queries, radius=args.radius,
        out=sys.stdout, err=sys.stderr,
    )  # fmt: skip


def main_with_bank(argv: list[str]) -> int:
    """`hotline match --bank FILE QUERIES [--radius R]` without Django (the console script
    dispatches here when a bank file is named; the database's banks need Django)."""
    import argparse
    import sys

    parser = argparse.ArgumentParser(prog="hotline match", description=__doc__)
    parser.add_argument("query_file", help="query file: one HEX per line")
    parser.add_argument("--bank", required=True, help="bank file: one HEX or HEX,ID per line")
    parser.add_argument("-r", "--radius", type=int, default=DEFAULT_RADIUS)
    args = parser.parse_args(argv)
    return run_match(
        bank_path=args.bank, query_path=args.query_file, radius=args.radius,
        out=sys.stdout, err=sys.stderr,
    )  # fmt: skip


if __name__ == "__main__":
    raise SystemExit(main())
