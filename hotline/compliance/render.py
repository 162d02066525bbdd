"""Rendering metrics as text tables, as CSV (one table per file) and as a ZIP of CSV files."""

import csv
import io
import zipfile
from collections.abc import Sequence

from hotline.compliance.metrics import PlatformMetrics

Columns = list[tuple[str, str]]

# Two tables side by side would not fit a terminal: what the platform did, then how it answered.
REMOVAL_COLUMNS: Columns = [
    ("platform", "platform"),
    ("jurisdiction", "from"),
    ("items_received", "received"),
    ("items_acted_on", "acted"),
    ("items_reported_removed", "claimed"),
    ("items_confirmed_removed", "confirmed"),
    ("items_rejected", "rejected"),
    ("items_restricted", "restricted"),
    ("items_reopened", "reopened"),
    ("share_of_claims_reopened", "false claims"),
    ("reuploads_caught", "re-uploads"),
    ("median_hours_to_removal", "median h"),
    ("p90_hours_to_removal", "p90 h"),
    ("items_due", "due"),
    ("share_removed_within_deadline", "in time"),
    ("items_clock_paused", "paused"),
    ("notices_escalated", "escalated"),
]
RESPONSE_COLUMNS: Columns = [
    ("platform", "platform"),
    ("jurisdiction", "from"),
    ("notices_received", "notices"),
    ("notices_acknowledged", "acked"),
    ("median_hours_to_acknowledgement", "ack median h"),
    ("p90_hours_to_acknowledgement", "ack p90 h"),
    ("share_acknowledged_within_1h", "acked in 1 h"),
    ("questions_unanswered_by_platform", "q owed by platform"),
    ("oldest_unanswered_by_platform_hours", "oldest h"),
    ("questions_unanswered_by_reporter", "q owed by reporter"),
    ("oldest_unanswered_by_reporter_hours", "oldest h"),
]
SHARES = frozenset(
    {
        "share_removed_within_deadline",
        "share_of_claims_reopened",
        "share_acknowledged_within_1h",
    }
)
ALL_JURISDICTIONS = "all"


def with_jurisdictions(rows: list[PlatformMetrics]) -> list[PlatformMetrics]:
    """Each platform's overall row followed by its rows per reporting jurisdiction."""
    return [row for platform in rows for row in (platform, *platform.by_jurisdiction)]


def _cell(value: object, key: str) -> str:
    if key == "jurisdiction":
        return ALL_JURISDICTIONS if value is None else str(value)
    if value is None:
        return "-"
    if key in SHARES and isinstance(value, float):
        return f"{value:.0%}"
    return str(value)


def _text_table(rows: list[PlatformMetrics], columns: Columns) -> str:
    header = [title for _, title in columns]
    body = [[_cell(getattr(r, key), key) for key, _ in columns] for r in rows]
    widths = [max(len(c) for c in column) for column in zip(header, *body, strict=False)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in body
    ]
    return "\n".join(lines)


def as_table(rows: list[PlatformMetrics]) -> str:
    """Removal figures, then acknowledgement and question figures; `from` is the reporter's
    jurisdiction (`all`: every jurisdiction together)."""
    every = with_jurisdictions(rows)
    return "\n".join(
        [
            "Removal",
            _text_table(every, REMOVAL_COLUMNS),
            "",
            "Acknowledgement and questions",
            _text_table(every, RESPONSE_COLUMNS),
        ]
    )


FIGURE_KEYS = [
    key
    for key in dict.fromkeys(k for k, _ in REMOVAL_COLUMNS + RESPONSE_COLUMNS)
    if key != "jurisdiction"
]


def as_csv(rows: list[PlatformMetrics]) -> str:
    """One table: a row per platform and per platform and reporting jurisdiction."""
    header = ["platform", "jurisdiction", *[k for k in FIGURE_KEYS if k != "platform"]]
    table = [
        [
            ALL_JURISDICTIONS if key == "jurisdiction" and value is None else value
            for key in header
            for value in [getattr(row, key)]
        ]
        for row in with_jurisdictions(rows)
    ]
    return csv_text(header, table)


def csv_text(header: list[str], rows: Sequence[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([["" if cell is None else cell for cell in row] for row in rows])
    return out.getvalue()


def zip_of(files: dict[str, str]) -> bytes:
    """A ZIP of text files (UTF-8), in the order given."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text.encode("utf-8"))
    return buffer.getvalue()
