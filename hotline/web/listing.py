"""The lists on the pages: filters and cursor read from the query string, and the pager."""

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import BadRequest
from django.http import HttpRequest, QueryDict

from hotline.cases.lists import ListFilters, list_filters
from hotline.core.errors import InvalidInput
from hotline.core.paging import Page, page_limit
from hotline.web import labels


@dataclass(frozen=True)
class ListQuery:
    filters: ListFilters
    cursor: str | None
    limit: int
    params: QueryDict  # the query string as given, for the filter form and the pager's links


def list_query(request: HttpRequest, *, default_limit: int = 50) -> ListQuery:
    """What the page's filter form asked for (a value that means nothing is a 422)."""
    get = request.GET
    try:
        return _list_query(get, default_limit)
    except InvalidInput as error:  # a hand-edited address: 400 naming it, never a 500
        raise BadRequest(error.message) from error


def _list_query(get: QueryDict, default_limit: int) -> ListQuery:
    filters = list_filters(
        state=get.get("state", ""),
        platform=get.get("platform", ""),
        urgent=get.get("urgent", ""),
        filed_from=get.get("filed_from", ""),
        filed_to=get.get("filed_to", ""),
        deadline=get.get("deadline", ""),
        search=get.get("q", ""),
        victim=get.get("victim", ""),
    )
    limit = page_limit(get.get("limit"), default=default_limit)
    return ListQuery(filters=filters, cursor=get.get("cursor") or None, limit=limit, params=get)


@dataclass(frozen=True)
class Pager:
    total: int
    shown: int
    next_url: str | None
    first_url: str | None  # None on the first page
    filtered: bool


def pager(query: ListQuery, page: Page[Any], path: str) -> Pager:
    """Links to the next page and back to the first, keeping the filters."""
    following = query.params.copy()
    first = query.params.copy()
    first.pop("cursor", None)
    next_url = None
    if page.next_cursor:
        following["cursor"] = page.next_cursor
        next_url = f"{path}?{following.urlencode()}"
    return Pager(
        total=page.total,
        shown=len(page.rows),
        next_url=next_url,
        first_url=f"{path}?{first.urlencode()}" if query.cursor else None,
        filtered=query.filters != ListFilters(),
    )


def filter_choices(
    query: ListQuery, *, platform: bool = True, victim_search: bool = False
) -> dict[str, Any]:
    """What the filter form offers, with the values now chosen."""
    return {
        "victim_search": victim_search,
        "params": query.params,
        "states": list(labels.STATES.items()),
        "deadlines": list(labels.DEADLINE_STATUSES.items()),
        "show_platform": platform,
    }
