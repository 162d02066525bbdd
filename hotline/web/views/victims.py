"""A centre's victims: the list, searched by reference, and one victim's items across cases."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from hotline.web import selectors
from hotline.web.access import actor_required, web_actor
from hotline.web.listing import filter_choices, list_query, pager


@actor_required("reporter")
def victims_view(request: HttpRequest) -> HttpResponse:
    """The organisation's victims; `q` is part of a reference (the other filters are items')."""
    query = list_query(request)
    search = query.filters.search
    page = selectors.victims_page(
        actor=web_actor(request), search=search, cursor=query.cursor, limit=query.limit
    )
    context = {"page": page, "pager": pager(query, page, request.path), "search": search}
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
