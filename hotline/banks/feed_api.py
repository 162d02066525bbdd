"""`GET /api/banks/{name}/feed`: a bank's additions and deletions after a cursor, for platforms.

The JSON answer is hotline's own; `format=` gives the same page in an exchange format (the
cursor then travels in the `X-Next-Cursor` and `X-Has-More` headers). See docs/exchange.md.
"""

import io
from datetime import datetime
from typing import Literal

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema
from pydantic import Field

from hotline.accounts.auth import request_actor
from hotline.banks.feed import MAX_LIMIT, bank_feed_for_actor
from hotline.core import clock
from hotline.exchange.writers import MEDIA_TYPE, Page, write

router = Router(tags=["bank feed"])

FeedFormat = Literal["json", "csv", "te-csv", "te-json", "hma", "stopncii", "ncmec"]


class BankFeedQuery(Schema):
    after: str | None = Field(None, description="next_cursor of the previous page; none: start")
    limit: int = Field(500, ge=1, le=MAX_LIMIT)
    format: FeedFormat = Field("json", description="json, or an exchange format")


class ChangeOut(Schema):
    cursor: str
    op: Literal["add", "delete"]
    entry_id: int
    signal_type: str | None = Field(description="pdq, md5 or sha256; null for a purged entry")
    value: str | None = Field(description="The hash; null when hotline no longer holds it")
    quality: int | None
    created_at: datetime | None


class BankFeedOut(Schema):
    bank: str
    changes: list[ChangeOut]
    next_cursor: str = Field(description="Pass as `after`; the bank's version when up to date")
    has_more: bool


@router.get("/banks/{name}/feed", response=BankFeedOut)
def bank_feed(request: HttpRequest, name: str, query: Query[BankFeedQuery]) -> object:
    """The bank's changes after the cursor, oldest first: additions, and deletions of entries
    sent before. Only banks shared with platforms; only for a platform's token."""
    page = bank_feed_for_actor(
        actor=request_actor(request), name=name, after=query.after, limit=query.limit
    )
    if query.format == "json":
        return BankFeedOut(
            bank=page.bank,
            changes=[
                ChangeOut(
                    cursor=c.cursor,
                    op="delete" if c.delete else "add",
                    entry_id=c.entry_id,
                    signal_type=c.signal_type,
                    value=c.value,
                    quality=c.quality,
                    created_at=c.at,
                )
                for c in page.changes
            ],
            next_cursor=page.next_cursor,
            has_more=page.has_more,
        )
    out = io.StringIO()
    header = Page(
        bank=page.bank, next_cursor=page.next_cursor, has_more=page.has_more, now=clock.now()
    )
    write(query.format, page.changes, out, header)
    response = HttpResponse(out.getvalue(), content_type=MEDIA_TYPE[query.format])
    response["X-Next-Cursor"] = page.next_cursor
    response["X-Has-More"] = "true" if page.has_more else "false"
    return response
