"""Streaming readers: each yields `Row`s and `BadLine`s, in file order, with line numbers.

A reader never holds more of a file than one record (and a 64 KiB read buffer), except hotline's
own CSV, which holds one block of lines (BLOCK_LINES, a few MB): the CSV formats go line by
line (hotline's checks a block at once when its lines allow), the JSON formats decode one
record at a time out of the document's list (or one JSON object per line), and NCMEC's XML
is fed to a pull parser line by line. A record that cannot be read becomes a `BadLine` and
reading goes on where the format allows it (CSV, JSON Lines, any record of a list); a broken
document (JSON or XML that does not parse any further) ends with one `BadLine` at the place
it broke.
"""

import csv
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any, TextIO

import numpy as np

from hotline.exchange.names import FROM_NCMEC, FROM_STOPNCII, FROM_TE, FROM_TX
from hotline.exchange.records import FORMATS, BadLine, Block, Row

Item = Row | BadLine
# Hex lengths of the signal types hotline keeps (the bank's service checks every other row).
_HEX_LENGTHS = {"pdq": 64, "md5": 32, "sha256": 64}
BLOCK_LINES = 50_000  # lines hotline's CSV reader checks at once (a few MB of text)
_WS = re.compile(r"[ \t\r\n]*")
_DECODER = json.JSONDecoder()


def read(fmt: str, stream: TextIO) -> Iterator[Item | Block]:
    """Rows and bad lines of `stream` in format `fmt` (one of records.FORMATS); hotline's CSV
    also yields `Block`s of well-formed lines."""
    readers: dict[str, Callable[[TextIO], Iterator[Item | Block]]] = {
        "csv": read_csv_blocks,
        "te-csv": read_te_csv,
        "te-json": read_te_json,
        "hma": read_hma,
        "stopncii": read_stopncii,
        "ncmec": read_ncmec,
    }
    if fmt not in readers:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    return readers[fmt](stream)


def _quality(text: str) -> int | None:
    """A quality as written, or None when blank; ValueError when not a whole number."""
    text = text.strip()
    return int(text) if text else None


# hotline's plain CSV -------------------------------------------------------------------------


def read_csv(stream: TextIO) -> Iterator[Item]:
    """hotline's own CSV: `TYPE,HEX[,QUALITY[,ENTRY_ID[,OP]]]` per line, or a bare PDQ hex.

    The first three columns are the format `hotline bank import` always read; `hotline bank
    export --format csv` adds the entry id and `add`/`delete`, under a header line (skipped)."""
    return _csv_lines(stream, 1)


def read_csv_blocks(stream: TextIO, block: int = BLOCK_LINES) -> Iterator[Item | Block]:
    """`read_csv`, a block of lines at a time: a block whose lines all have the first one's
    layout (`TYPE,HEX,QUALITY`, `TYPE,HEX` or a bare PDQ hex, of one width) is checked at once
    with numpy and yielded as one `Block`; any other block is read line by line, as
    `read_csv` does, with the same rows, bad lines and line numbers."""
    number = 1
    while lines := list(islice(stream, block)):
        found = _uniform_block(lines, number)
        if found is None and len(lines) > 1:  # a header or comment line, then the rows?
            found = _uniform_block(lines[1:], number + 1)
            if found is not None:
                yield from _csv_lines(lines[:1], number)
        if found is not None:
            yield found
        else:
            yield from _csv_lines(lines, number)
        number += len(lines)


def _uniform_block(lines: list[str], first: int) -> Block | None:
    """The lines as one Block when every one is a good row laid out like the first (same
    type, width and quality width, no spaces, each ending in a newline); None when any is not."""
    head = lines[0]
    parts = head[:-1].split(",") if head.endswith("\n") else []
    if not 1 <= len(parts) <= 3 or (len(parts) == 1 and len(parts[0]) != 64):
        return None  # a header, a comment, an export's five columns: line by line
    kind = parts[0] if len(parts) > 1 else "pdq"
    length = _HEX_LENGTHS.get(kind)
    if length is None or (len(parts) > 1 and len(parts[1]) != length):
        return None
    start = len(kind) + 1 if len(parts) > 1 else 0  # where the hex starts
    width = len(head)
    text = "".join(lines)
    if len(text) != width * len(lines) or not text.isascii():
        return None
    cells = np.frombuffer(text.encode("ascii"), np.uint8).reshape(len(lines), width)
    newlines = cells == 10
    if not newlines[:, -1].all() or np.count_nonzero(newlines) != len(lines):
        return None  # lines of other widths that happen to add up
    if start and not (cells[:, :start] == cells[0, :start]).all():
        return None
    digits = cells[:, start : start + length]
    lower = digits | np.uint8(0x20)  # A-F to a-f (digits are unchanged by it)
    is_hex = ((digits >= 48) & (digits <= 57)) | ((lower >= 97) & (lower <= 102))
    if not is_hex.all():
        return None
    qualities: list[int | None]
    if len(parts) == 3:
        tail = cells[:, start + length : width - 1]  # ",QUALITY"
        if tail.shape[1] > 4 or not (tail[:, 0] == 44).all():
            return None
        numbers = tail[:, 1:].astype(np.int64) - 48
        if not ((numbers >= 0) & (numbers <= 9)).all():
            return None
        if numbers.shape[1] == 0:
            qualities = [None] * len(lines)
        else:
            values = numbers @ (10 ** np.arange(numbers.shape[1] - 1, -1, -1, dtype=np.int64))
            if (values > 100).any():
                return None  # the service says why, line by line
            qualities = (
                [int(values[0])] * len(lines) if (values == values[0]).all() else values.tolist()
            )
    else:
        qualities = [None] * len(lines)
    flat = lower.tobytes().decode("ascii")  # lowercase: every cell is a hex digit
    return Block(
        first, kind, [flat[i : i + length] for i in range(0, len(flat), length)], qualities
    )


def _csv_lines(lines: Iterable[str], start: int) -> Iterator[Item]:
    for number, line in enumerate(lines, start=start):
        parts = [p.strip() for p in line.split(",")]
        if not parts[0] or parts[0].startswith("#"):
            continue
        if number == 1 and parts[0].lower() == "signal_type":
            continue  # the header `hotline bank export` writes
        if len(parts) == 1:
            parts = ["pdq", parts[0]]
        if len(parts) > 5:
            yield BadLine(number, f"expected at most 5 columns, got {len(parts)}")
            continue
        parts += [""] * (5 - len(parts))
        op = parts[4].lower() or "add"
        if op not in {"add", "delete"}:
            yield BadLine(number, f"the fifth column is add or delete, got {parts[4][:40]!r}")
            continue
        try:
            quality = _quality(parts[2])
        except ValueError:
            yield BadLine(number, f"quality must be a number, got {parts[2][:40]!r}")
            continue
        if op == "delete" and not parts[1]:
            yield Row(number, parts[0].lower(), "", delete=True, external_id=parts[3])
            continue
        yield Row(
            number,
            parts[0].lower(),
            parts[1].lower(),
            quality,
            delete=op == "delete",
            external_id=parts[3],
        )


# ThreatExchange CSV (`tx dataset -P --csv`) --------------------------------------------------


def read_te_csv(stream: TextIO) -> Iterator[Item]:
    """The CSV that python-threatexchange's `tx dataset --print-signals --csv` prints:
    a header `signal_type,signal_str,collab,category,tags`, then one signal per line."""
    reader = csv.reader(stream)
    header: list[str] | None = None
    for cells in reader:
        number = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        if header is None:
            header = [c.strip().lower() for c in cells]
            if "signal_type" not in header or "signal_str" not in header:
                yield BadLine(
                    number, "the first line must be the header with signal_type,signal_str"
                )
                return
            continue
        record = dict(zip(header, (c.strip() for c in cells), strict=False))
        name = record.get("signal_type", "")
        signal_type = FROM_TX.get(name.lower())
        if signal_type is None:
            yield BadLine(number, f"signal type {name[:40]!r} is not one hotline keeps", skip=True)
            continue
        value = record.get("signal_str", "")
        if not value:
            yield BadLine(number, "signal_str is empty")
            continue
        yield Row(number, signal_type, value.lower())


# JSON: one scanner for a document's list of records, or JSON Lines --------------------------


class _Scanner:
    """A JSON text read 64 KiB at a time, with the line number of the current position."""

    CHUNK = 1 << 16

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.buf = ""
        self.pos = 0
        self.line = 1
        self.eof = False

    def _fill(self) -> bool:
        if self.eof:
            return False
        chunk = self.stream.read(self.CHUNK)
        if not chunk:
            self.eof = True
            return False
        self.buf = self.buf[self.pos :] + chunk
        self.pos = 0
        return True

    def advance(self, to: int) -> None:
        self.line += self.buf.count("\n", self.pos, to)
        self.pos = to

    def peek(self) -> str | None:
        """The next character that is not white space (None at the end)."""
        while True:
            match = _WS.match(self.buf, self.pos)
            assert match is not None
            self.advance(match.end())
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self._fill():
                return None

    def value(self) -> Any:
        """Decode the JSON value at the position (json.JSONDecodeError when it is not one)."""
        while True:
            try:
                obj, end = _DECODER.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError:
                if self._fill():
                    continue
                raise
            if end == len(self.buf) and self._fill():
                continue  # a number or literal at the buffer's end may go on in the next read
            self.advance(end)
            return obj

    def line_of(self, position: int) -> int:
        return self.line + self.buf.count("\n", self.pos, position)

    def rest_of_line(self) -> str | None:
        """The text up to the next newline (which is consumed); None at the end."""
        while "\n" not in self.buf[self.pos :] and self._fill():
            pass
        if self.pos >= len(self.buf):
            return None
        end = self.buf.find("\n", self.pos)
        end = len(self.buf) if end < 0 else end + 1
        text = self.buf[self.pos : end]
        self.advance(end)
        return text


def _json_records(stream: TextIO, container: str) -> Iterator[tuple[int, Any] | BadLine]:
    """The records of a JSON document `{..., "<container>": [records], ...}` or `[records]`,
    or of JSON Lines (one record object per line); each with the line it starts on."""
    scan = _Scanner(stream)
    first = scan.peek()
    if first is None:
        return
    if first == "[":
        scan.advance(scan.pos + 1)
        yield from _json_list(scan)
        return
    if first != "{":
        yield BadLine(scan.line, "expected a JSON object, a list of them, or JSON Lines")
        return
    # A document whose records are under `container`, or the first line of JSON Lines?
    start_line = scan.line
    head = scan.rest_of_line() or ""
    try:
        obj = json.loads(head)
    except json.JSONDecodeError:
        obj = None
    if isinstance(obj, dict) and not isinstance(obj.get(container), list):
        yield start_line, obj
        yield from _json_lines(scan)
        return
    if isinstance(obj, dict):  # a one-line document
        for record in obj[container]:
            yield start_line, record
        return
    yield from _json_document(head, scan, start_line, container)


def _json_document(
    head: str, scan: _Scanner, start_line: int, container: str
) -> Iterator[tuple[int, Any] | BadLine]:
    # Put the first line back and walk the top-level object's keys up to the container's list.
    scan.buf = head + scan.buf[scan.pos :]
    scan.pos, scan.line = 0, start_line
    scan.advance(1)  # past "{"
    try:
        while True:
            char = scan.peek()
            if char == "}" or char is None:
                yield BadLine(start_line, f"the document has no {container!r} list")
                return
            if char == ",":
                scan.advance(scan.pos + 1)
                continue
            key = scan.value()
            if scan.peek() != ":":
                yield BadLine(scan.line, "expected ':' after a key")
                return
            scan.advance(scan.pos + 1)
            if scan.peek() == "[" and key == container:
                scan.advance(scan.pos + 1)
                yield from _json_list(scan)
                return
            scan.value()  # a value before the records: skipped
    except json.JSONDecodeError as error:
        yield BadLine(scan.line_of(error.pos), f"not JSON: {error.msg}")


def _json_list(scan: _Scanner) -> Iterator[tuple[int, Any] | BadLine]:
    while True:
        char = scan.peek()
        if char == "]":
            return
        if char is None:
            yield BadLine(scan.line, "the list of records is not closed")
            return
        if char == ",":
            scan.advance(scan.pos + 1)
            continue
        line = scan.line
        try:
            yield line, scan.value()
        except json.JSONDecodeError as error:
            yield BadLine(scan.line_of(error.pos), f"not JSON: {error.msg}")
            return


def _json_lines(scan: _Scanner) -> Iterator[tuple[int, Any] | BadLine]:
    while True:
        line = scan.line
        text = scan.rest_of_line()
        if text is None:
            return
        if not text.strip():
            continue
        try:
            yield line, json.loads(text)
        except json.JSONDecodeError as error:
            yield BadLine(line, f"not JSON: {error.msg}")


def _records(
    stream: TextIO, container: str, convert: Callable[[int, dict[str, Any]], Iterator[Item]]
) -> Iterator[Item]:
    for record in _json_records(stream, container):
        if isinstance(record, BadLine):
            yield record
        elif not isinstance(record[1], dict):
            yield BadLine(record[0], "a record must be a JSON object")
        else:
            yield from convert(*record)


# ThreatExchange JSON (the Graph API's threat_updates and threat_descriptors) ----------------


def read_te_json(stream: TextIO) -> Iterator[Item]:
    """ThreatExchange's Graph API answers (`{"data": [...], "paging": ...}`) or JSON Lines of
    their records: threat_updates records (`indicator` a string, `type`, `should_delete`) or
    threat_descriptors records (`indicator` an object with `indicator` and `type`)."""
    return _records(stream, "data", _te_record)


def _te_record(line: int, record: dict[str, Any]) -> Iterator[Item]:
    indicator = record.get("indicator")
    kind = record.get("type")
    if isinstance(indicator, dict):  # threat_descriptors: the indicator is an object
        kind = indicator.get("type", kind)
        indicator = indicator.get("indicator")
    if not isinstance(indicator, str) or not isinstance(kind, str):
        yield BadLine(line, "a record needs an indicator and its type")
        return
    signal_type = FROM_TE.get(kind.lower())
    if signal_type is None:
        yield BadLine(line, f"indicator type {kind[:40]!r} is not one hotline keeps", skip=True)
        return
    yield Row(
        line,
        signal_type,
        indicator.strip().lower(),
        delete=record.get("should_delete") is True,
        external_id=str(record.get("id", "")),
    )


# HMA: banked content with its signals --------------------------------------------------------


def read_hma(stream: TextIO) -> Iterator[Item]:
    """HMA's banked content (`{"id": ..., "signals": {"pdq": HEX, "video_md5": HEX}}`), as
    JSON Lines or a list; `"deleted": true` makes the record a deletion."""
    return _records(stream, "content", _hma_record)


def _hma_record(line: int, record: dict[str, Any]) -> Iterator[Item]:
    signals = record.get("signals") or {}
    deleted = record.get("deleted") is True
    external_id = str(record.get("id", ""))
    if not isinstance(signals, dict) or (not signals and not deleted):
        yield BadLine(line, "a record needs a signals object of signal type: hash")
        return
    if deleted and not signals:
        yield Row(line, "", "", delete=True, external_id=external_id)
        return
    for name, value in signals.items():
        signal_type = FROM_TX.get(str(name).lower())
        if signal_type is None:
            yield BadLine(
                line, f"signal type {str(name)[:40]!r} is not one hotline keeps", skip=True
            )
        elif not isinstance(value, str):
            yield BadLine(line, f"the {name} signal must be a string")
        else:
            yield Row(
                line, signal_type, value.strip().lower(), delete=deleted, external_id=external_id
            )


# StopNCII: the FetchHashes answer ------------------------------------------------------------


def read_stopncii(stream: TextIO) -> Iterator[Item]:
    """StopNCII's FetchHashes answer (`{"hashRecords": [...], "nextSetTimestamp": ...}`) or
    JSON Lines of hash records (`signalType`, `hashValue`, `hashStatus`); a Withdrawn or
    Deleted status is a deletion."""
    return _records(stream, "hashRecords", _stopncii_record)


def _stopncii_record(line: int, record: dict[str, Any]) -> Iterator[Item]:
    kind, value = record.get("signalType"), record.get("hashValue")
    if not isinstance(kind, str) or not isinstance(value, str):
        yield BadLine(line, "a hash record needs signalType and hashValue")
        return
    signal_type = FROM_STOPNCII.get(kind)
    if signal_type is None:
        yield BadLine(line, f"signal type {kind[:40]!r} is not one hotline keeps", skip=True)
        return
    status = record.get("hashStatus", "Active")
    yield Row(line, signal_type, value.strip().lower(), delete=status in {"Withdrawn", "Deleted"})


# NCMEC hash sharing: the entries query result (XML) ------------------------------------------


_ENTRY_TAGS = {"image", "video", "deletedImage", "deletedVideo"}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def read_ncmec(stream: TextIO) -> Iterator[Item]:
    """NCMEC hash sharing's `<queryResult>` (`GET /v2/entries`): `<image>` and `<video>`
    entries with their `<fingerprints>`, and `<deletedImage>`/`<deletedVideo>` tombstones.
    A document with a DOCTYPE or entity declaration is refused (no entity is ever expanded)."""
    parser = ET.XMLPullParser(events=("start", "end"))
    starts: dict[int, int] = {}  # element id -> line it starts on
    for number, text in enumerate(stream, start=1):
        if "<!DOCTYPE" in text or "<!ENTITY" in text:
            yield BadLine(number, "a DOCTYPE or entity declaration is not accepted")
            return
        try:
            parser.feed(text)
            events: list[Any] = list(parser.read_events())
        except ET.ParseError as error:
            yield BadLine(error.position[0], f"not XML: {error}")
            return
        for event, element in events:
            assert isinstance(element, ET.Element)
            tag = _local(element.tag)
            if tag not in _ENTRY_TAGS:
                continue
            if event == "start":
                starts[id(element)] = number
                continue
            yield from _ncmec_entry(starts.pop(id(element), number), tag, element)
            element.clear()
    try:
        parser.close()
    except ET.ParseError as error:
        yield BadLine(error.position[0], f"not XML: {error}")


def _ncmec_entry(line: int, tag: str, element: ET.Element) -> Iterator[Item]:
    children = {_local(child.tag): child for child in element}
    entry_id = (children["id"].text or "").strip() if "id" in children else ""
    if tag.startswith("deleted"):
        if not entry_id:
            yield BadLine(line, f"a {tag} needs an id")
        else:
            yield Row(line, "", "", delete=True, external_id=entry_id)
        return
    fingerprints = children.get("fingerprints")
    found = [
        (FROM_NCMEC[_local(f.tag)], (f.text or "").strip().lower())
        for f in (fingerprints if fingerprints is not None else [])
        if _local(f.tag) in FROM_NCMEC and (f.text or "").strip()
    ]
    if not found:
        yield BadLine(line, f"{tag} {entry_id or '?'} has no md5 or pdq fingerprint", skip=True)
        return
    for signal_type, value in found:
        yield Row(line, signal_type, value, external_id=entry_id)
