"""`GET /api/export/dsa-sor`: one bulk-API batch of a platform's statements of reasons."""

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from hotline.accounts.auth import request_actor
from hotline.compliance.dsa_sor import MAX_BATCH, RULES_VERSION
from hotline.compliance.dsa_sor_selectors import dsa_sor_page, platform_for_dsa_export
from hotline.core.dates import InputDay
from hotline.core.errors import InvalidInput

router = Router(tags=["compliance"])


class DsaSorBatchOut(Schema):
    # Exactly the body of POST /api/v1/statements; the database reads only this key.
    statements: list[dict[str, Any]]
    next_cursor: str | None
    platform: str
    since: date | None
    until: date | None
    rejections_not_exported: int
    rules: str


def day_bounds(since: date | None, until: date | None) -> tuple[datetime | None, datetime | None]:
    """[start, end) of UTC days `since` to `until` inclusive; an open side stays open."""
    if since and until and since > until:
        raise InvalidInput("since must not be after until", details=[{"element": "since"}])
    start = datetime.combine(since, time.min, tzinfo=UTC) if since else None
    end = datetime.combine(until + timedelta(days=1), time.min, tzinfo=UTC) if until else None
    return start, end


def parse_cursor(cursor: str | None) -> int:
    if cursor is None or cursor == "":
        return 0
    if not cursor.isascii() or not cursor.isdigit():
        raise InvalidInput(
            "cursor must be the next_cursor of an earlier page", details=[{"element": "cursor"}]
        )
    return int(cursor)


@router.get("/export/dsa-sor", response=DsaSorBatchOut)
def export_dsa_sor(
    request: HttpRequest,
    platform: str,
    since: InputDay | None = None,
    until: InputDay | None = None,
    cursor: str | None = None,
) -> DsaSorBatchOut:
    """Up to 100 statements of reasons for the platform's removals and restrictions decided
    from `since` to `until` (UTC days, inclusive; open when left out), oldest first.

    Post `{"statements": ...}` to the transparency database as it is; fetch the next batch
    with `cursor=next_cursor` until it is null. Rejections restrict nothing and have no
    statement; they are counted. The platform's moderators export their own platform;
    regulators and auditors any platform.
    """
    actor = request_actor(request)
    start, end = day_bounds(since, until)
    after = parse_cursor(cursor)
    found = platform_for_dsa_export(actor=actor, name=platform)
    page = dsa_sor_page(platform=found, start=start, end=end, after_seq=after, limit=MAX_BATCH)
    return DsaSorBatchOut(
        statements=page.statements,
        next_cursor=None if page.next_cursor is None else str(page.next_cursor),
        platform=found.name,
        since=since,
        until=until,
        rejections_not_exported=page.rejections_not_exported,
        rules=RULES_VERSION,
    )
