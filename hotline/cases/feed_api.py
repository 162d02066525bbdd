"""`GET /api/feed`: the pull channel for platforms that poll instead of receiving pushes."""

from datetime import datetime

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from hotline.accounts.auth import request_actor
from hotline.cases.feed import MAX_LIMIT, feed_for_actor

router = Router(tags=["platform feed"])


class FeedQuery(Schema):
    after: str | None = Field(None, description="next_cursor of the previous page; none: start")
    limit: int = Field(100, ge=1, le=MAX_LIMIT)


class FeedEventOut(Schema):
    cursor: str
    event: str = Field(description="e.g. notice:create, item:removed, message:question")
    at: datetime
    notice_id: int
    item_id: int | None
    message_id: int | None
    state: str | None = Field(description="The item's state after the change, for item events")
    item_ids: list[int] = Field(
        default_factory=list,
        description="notice:signals_withdrawn: the items whose hashes you must delete",
    )
    bank_entry_ids: list[int] = Field(
        default_factory=list,
        description="notice:signals_withdrawn: the bank entries of those hashes, to delete",
    )


class FeedOut(Schema):
    events: list[FeedEventOut]
    next_cursor: str = Field(description="Pass as `after`; unchanged when nothing is new")


@router.get("/feed", response=FeedOut)
def feed(request: HttpRequest, query: Query[FeedQuery]) -> FeedOut:
    """Changes to the notices addressed to your platform, oldest first, after a cursor."""
    page = feed_for_actor(actor=request_actor(request), after=query.after, limit=query.limit)
    return FeedOut(
        events=[FeedEventOut(**event.__dict__) for event in page.events],
        next_cursor=page.next_cursor,
    )
