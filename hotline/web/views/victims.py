"""A centre's victims: the list, searched by reference, and one victim's items across cases."""

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from hotline.core.errors import InvalidInput
from hotline.core.paging import page_limit
from hotline.web import selectors
from hotline.web.access import actor_required, web_actor
from hotline.web.listing import Pager, filter_choices, list_query, pager


@actor_required("reporter")
def victims_view(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()
    try:
        limit = page_limit(request.GET.get("limit"))
    except InvalidInput as error:
        raise BadRequest(error.message) from error
    cursor = request.GET.get("cursor") or None
    page = selectors.victims_page(
        actor=web_actor(request), search=search, cursor=cursor, limit=limit
    )
    first = request.GET.copy()
    first.pop("cursor", None)
    following = request.GET.copy()
    if page.next_cursor:
        following["cursor"] = page.next_cursor
    listing = Pager(
        total=page.total,
        shown=len(page.rows),
        next_url=f"{request.path}?{following.urlencode()}" if page.next_cursor else None,
        first_url=f"{request.path}?{first.urlencode()}" if cursor else None,
        filtered=bool(search),
    )
    context = {"page": page, "pager": listing, "search": search}
    return render(request, "web/reporter/victims.html", context)


@actor_required("reporter")
def victim_view(request: HttpRequest, reference: str) -> HttpResponse:
    query = list_query(request)
    page = selectors.victim_page(
        actor=web_actor(request),
        reference=reference,
        filters=query.filters,
        cursor=query.cursor,
        limit=query.limit,
    )
    context = {
        "page": page,
        "pager": pager(query, page.items, request.path),
        **filter_choices(query, platform=False),
    }
    return render(request, "web/reporter/victim.html", context)
