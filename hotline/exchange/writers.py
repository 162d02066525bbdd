"""Writers: bank changes out in each exchange format, one change at a time.

Every writer takes the changes in feed order and returns what it could not say: a format
without SHA-256 (StopNCII, NCMEC) skips those hashes, a format without deletions (te-csv) skips
deletions, and a format keyed by the hash (StopNCII, te-json) cannot delete an entry whose hash
hotline no longer holds (a purged entry's tombstone). The caller reports the counts.
"""

import csv
import json
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol
from xml.sax.saxutils import escape, quoteattr

from hotline.exchange.names import NCMEC_FINGERPRINT, STOPNCII_TYPE, TE_TYPE, TX_NAME
from hotline.exchange.records import FORMATS, Change

NCMEC_NAMESPACE = "https://hashsharing.ncmec.org/hashsharing/v2"
MEDIA_TYPE = {
    "csv": "text/csv; charset=utf-8",
    "te-csv": "text/csv; charset=utf-8",
    "te-json": "application/json",
    "hma": "application/x-ndjson",
    "stopncii": "application/json",
    "ncmec": "application/xml",
}


class Out(Protocol):
    def write(self, text: str, /) -> object: ...


@dataclass
class Written:
    """How many changes went out, and why the others did not."""

    adds: int = 0
    deletes: int = 0
    skipped: dict[str, int] = field(default_factory=dict)

    def skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1


@dataclass
class Page:
    """What the writer says about the changes besides the changes themselves. Writers read
    `next_cursor` and `has_more` only after the last change, so an export of many feed pages
    can set them as it goes."""

    bank: str
    next_cursor: str
    has_more: bool
    now: datetime


def write(fmt: str, changes: Iterable[Change], out: Out, page: Page) -> Written:
    writers: dict[str, Callable[[Iterable[Change], Out, Page], Written]] = {
        "csv": write_csv,
        "te-csv": write_te_csv,
        "te-json": write_te_json,
        "hma": write_hma,
        "stopncii": write_stopncii,
        "ncmec": write_ncmec,
    }
    if fmt not in writers:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    return writers[fmt](changes, out, page)


def _epoch(moment: datetime | None, page: Page) -> int:
    return int((moment or page.now).timestamp())


def _iso(moment: datetime | None, page: Page) -> str:
    return (moment or page.now).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _count(written: Written, change: Change) -> None:
    if change.delete:
        written.deletes += 1
    else:
        written.adds += 1


def write_csv(changes: Iterable[Change], out: Out, page: Page) -> Written:
    """`signal_type,value,quality,entry_id,op`: reads back with `hotline bank import`."""
    written = Written()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["signal_type", "value", "quality", "entry_id", "op"])
    for c in changes:
        quality = "" if c.quality is None else str(c.quality)
        op = "delete" if c.delete else "add"
        writer.writerow([c.signal_type or "", c.value or "", quality, c.entry_id, op])
        _count(written, c)
    return written


def write_te_csv(changes: Iterable[Change], out: Out, page: Page) -> Written:
    """The columns of `tx dataset --print-signals --csv`. A snapshot format: no deletions."""
    written = Written()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["signal_type", "signal_str", "collab", "category", "tags"])
    for c in changes:
        if c.delete:
            written.skip("te-csv has no deletions")
            continue
        assert c.signal_type is not None and c.value is not None
        writer.writerow([TX_NAME[c.signal_type], c.value, page.bank, "POSITIVE_CLASS", "hotline"])
        _count(written, c)
    return written


def write_te_json(changes: Iterable[Change], out: Out, page: Page) -> Written:
    """A ThreatExchange threat_updates page: `{"data": [...], "paging": ...}`."""
    written = Written()
    out.write('{"data": [')
    first = True
    for c in changes:
        if c.value is None or c.signal_type is None:
            written.skip("the hash of a purged entry is gone")
            continue
        record = {
            "id": str(c.entry_id),
            "indicator": c.value,
            "type": TE_TYPE[c.signal_type],
            "should_delete": c.delete,
            "last_updated": _epoch(c.at, page),
        }
        out.write(("" if first else ",") + "\n" + json.dumps(record))
        first = False
        _count(written, c)
    paging = {"cursors": {"after": page.next_cursor}, "has_more": page.has_more}
    out.write(f'\n], "paging": {json.dumps(paging)}}}\n')
    return written


def write_hma(changes: Iterable[Change], out: Out, page: Page) -> Written:
    """JSON Lines of HMA banked content: `{"id", "bank", "signals": {name: hash}}`; a deletion
    is `{"id", "bank", "deleted": true}` (with its signals when hotline still holds them)."""
    written = Written()
    for c in changes:
        record: dict[str, Any] = {"id": c.entry_id, "bank": page.bank}
        if c.signal_type is not None and c.value is not None:
            record["signals"] = {TX_NAME[c.signal_type]: c.value}
        if c.delete:
            record["deleted"] = True
        elif c.quality is not None:
            record["quality"] = c.quality
        out.write(json.dumps(record) + "\n")
        _count(written, c)
    return written


def write_stopncii(changes: Iterable[Change], out: Out, page: Page) -> Written:
    """A StopNCII FetchHashes answer: `{"count", "nextSetTimestamp", "hasMoreRecords",
    "nextPageToken", "hashRecords": [...]}`; a deletion is hashStatus "Deleted"."""
    written = Written()
    out.write('{"hashRecords": [')
    first = True
    for c in changes:
        if c.value is None or c.signal_type is None:
            written.skip("the hash of a purged entry is gone")
            continue
        kind = STOPNCII_TYPE.get(c.signal_type)
        if kind is None:
            written.skip(f"stopncii has no {c.signal_type}")
            continue
        status = "Deleted" if c.delete else "Active"
        record = {
            "lastModtimestamp": _epoch(c.at, page),
            "signalType": kind,
            "hashValue": c.value,
            "hashStatus": status,
            "caseNumbers": {f"hotline-{c.entry_id}": status},
            "CSPFeedbacks": [],
        }
        out.write(("" if first else ",") + "\n" + json.dumps(record))
        first = False
        _count(written, c)
    tail = {
        "count": written.adds + written.deletes,
        "nextPageToken": page.next_cursor if page.has_more else None,
        "nextSetTimestamp": int(page.now.timestamp()),
        "hasMoreRecords": page.has_more,
    }
    out.write("\n], " + json.dumps(tail)[1:] + "\n")
    return written


def write_ncmec(changes: Iterable[Change], out: Out, page: Page) -> Written:
    """An NCMEC `<queryResult>`: one `<image>` per entry (hotline does not record whether a
    digest was of an image or a video), `<deletedImage>` for a deletion."""
    written = Written()
    member = '<member id="0">hotline</member>'
    with tempfile.TemporaryFile("w+", encoding="utf-8") as body:
        for c in changes:
            stamp = f"<timestamp>{_iso(c.at, page)}</timestamp><id>{c.entry_id}</id>"
            if c.delete:
                body.write(f"    <deletedImage>{member}{stamp}</deletedImage>\n")
                _count(written, c)
                continue
            assert c.signal_type is not None and c.value is not None
            tag = NCMEC_FINGERPRINT.get(c.signal_type)
            if tag is None:
                written.skip(f"ncmec has no {c.signal_type}")
                continue
            fingerprint = f"<fingerprints><{tag}>{escape(c.value)}</{tag}></fingerprints>"
            body.write(f"    <image>{member}{stamp}{fingerprint}</image>\n")
            _count(written, c)
        count = written.adds + written.deletes
        out.write('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n')
        out.write(f"<queryResult xmlns={quoteattr(NCMEC_NAMESPACE)}>\n")
        stamp = quoteattr(_iso(page.now, page))
        out.write(f'  <images count="{count}" maxTimestamp={stamp}>\n')
        body.seek(0)
        for line in body:
            out.write(line)
        out.write('  </images>\n  <videos count="0"/>\n')
        if page.has_more:
            query = f"/api/banks/{page.bank}/feed?format=ncmec&after={page.next_cursor}"
            out.write(f"  <paging><next>{escape(query)}</next></paging>\n")
        out.write("</queryResult>\n")
    return written
