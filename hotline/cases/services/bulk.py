"""Bulk intake: a CSV or a pasted list of URLs, filed in chunks, with every bad line named.

A line is a URL, optionally followed by hashes: `url,sha256:…,pdq:…` or, under a header row
such as `url,sha256,pdq,md5`, one column per hash type. Good lines of a chunk (at most
MAX_ITEMS lines) are filed as one request through `request_submit`, so routing, duplicate
linking, audit and deadlines are the same as for any request. A bad line comes back with its
number and the reason; it never blocks the good ones. Each chunk's request carries the client
reference `<reference>:<first line>`, so a retried chunk answers with the first receipt
instead of filing twice (decision 17). A victim reference on the template files every chunk
for that victim (decision 21).
"""

import csv
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

from hotline.accounts.actors import Actor
from hotline.banks.services import HEX_LENGTH, Signal, signal_problem
from hotline.cases.models import Item, TakedownRequest
from hotline.cases.services.intake import MAX_ITEMS, ItemInput, RequestInput, request_submit
from hotline.cases.victims import BadVictimReference, victim_reference_clean
from hotline.core.errors import InvalidInput
from hotline.platforms.urls import InvalidUrl, normalise_url

MAX_LINES = 100_000  # one import; the CLI and the page read no more than this
MAX_REFERENCE = 80  # leaves room for ":<line>" in the 100-character client reference
SIGNAL_TYPES = tuple(str(t) for t in HEX_LENGTH)


@dataclass(frozen=True)
class LineProblem:
    line: int
    reason: str


@dataclass(frozen=True)
class FiledLine:
    line: int
    position: int
    item_id: int
    state: str


@dataclass(frozen=True)
class ChunkResult:
    request: TakedownRequest | None  # None when no line of the chunk was good
    created: bool
    filed: list[FiledLine]
    rejected: list[LineProblem]


def header_columns(line: str) -> list[str] | None:
    """The columns a header row names (`url,sha256`), or None when the line is data."""
    cells = [c.strip().lower() for c in next(csv.reader([line]), [])]
    if not cells or cells[0] != "url":
        return None
    unknown = [c for c in cells[1:] if c not in SIGNAL_TYPES]
    if unknown:
        raise InvalidInput(
            f"header names unknown columns {', '.join(unknown)}; use url, "
            + ", ".join(SIGNAL_TYPES),
            details=[{"element": "line 1"}],
        )
    return cells


def chunks(lines: Iterable[str], *, size: int = MAX_ITEMS) -> Iterator[tuple[int, list[str]]]:
    """(number of the first line, lines) for consecutive chunks, header line included."""
    chunk: list[str] = []
    first = 1
    for number, line in enumerate(lines, start=1):
        if number > MAX_LINES:
            raise InvalidInput(f"an import holds at most {MAX_LINES} lines; split the file")
        chunk.append(line)
        if len(chunk) == size:
            yield first, chunk
            first, chunk = number + 1, []
    if chunk:
        yield first, chunk


def import_chunk(
    *,
    actor: Actor,
    template: RequestInput,
    reference: str,
    lines: Sequence[str],
    first_line: int = 1,
    columns: list[str] | None = None,
) -> ChunkResult:
    """File the good lines of one chunk as one request; name the bad ones.

    `template` carries what every request of the import shares (category, reasons, legal
    elements); its items are ignored. `columns` comes from the file's header row; a chunk that
    starts the file may hold the header itself.
    """
    _check_chunk(reference, lines, first_line)
    try:  # before any line: a chunk of bad lines alone would never reach request_submit
        victim_reference_clean(template.victim_reference)
    except BadVictimReference as error:
        raise InvalidInput(
            str(error), details=[{"element": "victim_reference", "message": str(error)}]
        ) from None
    if columns is not None:
        columns = header_columns(",".join(columns))
        if columns is None:
            raise InvalidInput("columns must start with url", details=[{"element": "columns"}])
    good: list[tuple[int, ItemInput]] = []
    rejected: list[LineProblem] = []
    for number, line in enumerate(lines, start=first_line):
        if number == 1 and (named := header_columns(line)):
            columns = columns or named
            continue
        parsed = _line_item(line, columns)
        if isinstance(parsed, str):
            rejected.append(LineProblem(number, parsed))
        elif parsed is not None:
            good.append((number, parsed))
    if not good:
        return ChunkResult(request=None, created=False, filed=[], rejected=rejected)
    data = replace(
        template, items=[item for _, item in good], client_reference=f"{reference}:{first_line}"
    )
    result = request_submit(actor=actor, data=data)
    by_position = {
        i.position: i for i in Item.objects.filter(request=result.request).only("position", "state")
    }
    filed = [
        FiledLine(number, position, by_position[position].pk, by_position[position].state)
        for position, (number, _) in enumerate(good, start=1)
        if position in by_position
    ]
    return ChunkResult(
        request=result.request, created=result.created, filed=filed, rejected=rejected
    )


@dataclass(frozen=True)
class ImportSummary:
    filed: int
    cases: list[str]
    rejected: list[LineProblem]


def import_lines(
    *,
    actor: Actor,
    template: RequestInput,
    reference: str,
    lines: Sequence[str],
    progress: Callable[[int], None] | None = None,
) -> ImportSummary:
    """A whole file, chunk after chunk; `progress` hears how many lines each chunk held.

    Each chunk commits on its own, so a failure part-way leaves the chunks before it filed
    and running the same import again files only the rest."""
    columns = header_columns(lines[0]) if lines else None
    filed, cases, rejected = 0, [], []
    for first, chunk in chunks(lines):
        result = import_chunk(
            actor=actor,
            template=template,
            reference=reference,
            lines=chunk,
            first_line=first,
            columns=columns,
        )
        filed += len(result.filed)
        rejected += result.rejected
        if result.request is not None and result.request.case_id:
            cases.append(result.request.case_id)
        if progress is not None:
            progress(len(chunk))
    return ImportSummary(filed=filed, cases=cases, rejected=rejected)


def _check_chunk(reference: str, lines: Sequence[str], first_line: int) -> None:
    if not reference.strip() or len(reference) > MAX_REFERENCE:
        raise InvalidInput(
            f"reference names the import: 1-{MAX_REFERENCE} characters",
            details=[{"element": "reference"}],
        )
    if len(lines) > MAX_ITEMS:
        raise InvalidInput(
            f"a chunk holds at most {MAX_ITEMS} lines", details=[{"element": "lines"}]
        )
    if not 1 <= first_line <= MAX_LINES:
        raise InvalidInput(f"first_line must be 1-{MAX_LINES}", details=[{"element": "first_line"}])


def _line_item(line: str, columns: list[str] | None) -> ItemInput | str | None:
    """The item a line asks for, the reason it cannot be one, or None for a blank line."""
    if not line.strip() or line.lstrip().startswith("#"):
        return None
    try:
        cells = [c.strip() for c in next(csv.reader([line]))]
    except csv.Error as error:
        return f"not a CSV line: {error}"
    url, rest = cells[0], cells[1:]
    if not url:
        return "no URL in the first column"
    try:
        normalise_url(url)
    except InvalidUrl as error:
        return f"not a usable URL: {error}"
    signals = _signals(rest, columns)
    if isinstance(signals, str):
        return signals
    for signal in signals:
        problem = signal_problem(Signal(type=signal["type"], value=signal["value"]))
        if problem:
            return problem
    return ItemInput(url=url, signals=signals)


def _signals(cells: list[str], columns: list[str] | None) -> list[dict[str, Any]] | str:
    if columns is not None:
        if len(cells) > len(columns) - 1:
            return f"{len(cells) + 1} columns; the header names {len(columns)}"
        return [
            {"type": kind, "value": value}
            for kind, value in zip(columns[1:], cells, strict=False)
            if value
        ]
    signals = []
    for cell in cells:
        if not cell:
            continue
        kind, colon, value = cell.partition(":")
        if not colon or kind.lower() not in SIGNAL_TYPES:
            return f"hash {cell[:80]!r} must read type:hex, type one of {', '.join(SIGNAL_TYPES)}"
        signals.append({"type": kind.lower(), "value": value})
    return signals
