"""Rendering metrics as a text table or CSV."""

import csv
import io

from hotline.compliance.metrics import PlatformMetrics

COLUMNS = [
    ("platform", "platform"),
    ("items_received", "received"),
    ("items_acted_on", "acted"),
    ("items_reported_removed", "removed"),
    ("items_confirmed_removed", "confirmed"),
    ("items_rejected", "rejected"),
    ("items_restricted", "restricted"),
    ("items_reopened", "reopened"),
    ("median_hours_to_removal", "median h"),
    ("p90_hours_to_removal", "p90 h"),
    ("share_removed_within_deadline", "in time"),
    ("questions_unanswered", "unanswered q"),
    ("notices_escalated", "escalated"),
]


def _cell(value: object, key: str) -> str:
    if value is None:
        return "-"
    if key == "share_removed_within_deadline" and isinstance(value, float):
        return f"{value:.0%}"
    return str(value)


def as_table(rows: list[PlatformMetrics]) -> str:
    header = [title for _, title in COLUMNS]
    body = [[_cell(getattr(r, key), key) for key, _ in COLUMNS] for r in rows]
    widths = [max(len(str(c)) for c in column) for column in zip(header, *body, strict=False)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in body]
    return "\n".join(lines)


def as_csv(rows: list[PlatformMetrics]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([key for key, _ in COLUMNS])
    for row in rows:
        writer.writerow(["" if getattr(row, k) is None else getattr(row, k) for k, _ in COLUMNS])
    return out.getvalue()
