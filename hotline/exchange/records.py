"""What a line of an exchange file says, and what a bank change says to an exchange file."""

from dataclasses import dataclass
from datetime import datetime

# The formats `hotline bank import|export` and the bank feed speak (docs/exchange.md).
FORMATS = ("csv", "te-csv", "te-json", "hma", "stopncii", "ncmec")


@dataclass(frozen=True)
class Row:
    """One hash (or one deletion) read from a file, with the line it starts on.

    `signal_type` is hotline's name (pdq, md5, sha256); the value is as written (the bank's
    service checks it). A deletion may name only the exporter's id (`external_id`) when the
    format says no more (NCMEC's deletedImage, HMA's deleted content)."""

    line: int
    signal_type: str
    value: str
    quality: int | None = None
    delete: bool = False
    external_id: str = ""


@dataclass(frozen=True)
class Block:
    """Consecutive lines `first_line`, `first_line + 1`, … each holding one well-formed hash
    of one signal type, as columns: what a reader's fast path yields instead of a `Row` per
    line. The values are lowercase hex of the type's length, already checked; a quality is
    0-100 or None."""

    first_line: int
    signal_type: str
    values: list[str]
    qualities: list[int | None]

    @property
    def last_line(self) -> int:
        return self.first_line + len(self.values) - 1


@dataclass(frozen=True)
class BadLine:
    """A line that could not be read, and why (a reader yields these and goes on).

    `skip` marks a well-formed record hotline has no use for (a signal type it does not keep,
    such as StopNCII's VideoTMK or NCMEC's PhotoDNA): counted, not an error."""

    line: int
    message: str
    skip: bool = False


@dataclass(frozen=True)
class Change:
    """One entry of a bank's feed: a hash added, or an entry deleted.

    A deletion carries the hash when hotline still knows it (an entry marked removed) and
    only the entry id when it does not (a purged entry's tombstone)."""

    cursor: str
    entry_id: int
    delete: bool
    signal_type: str | None
    value: str | None
    quality: int | None
    at: datetime | None
