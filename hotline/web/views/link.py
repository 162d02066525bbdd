"""The signed action link from a notice email: review and act on that one notice, no login."""

import zoneinfo
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hotline.web import selectors
from hotline.web.access import domain_errors_as_http, safe_next, web_actor
from hotline.web.forms import ActionForm, BulkActionForm, MessageForm
from hotline.web.views.platform import acted, review_context, reviewed_page, try_act
from hotline.web.views.reporter import try_post_message


def expired_link_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A genuine but expired link: 410 and a page saying how to get a new one, not a 404."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except selectors.LinkExpired as expired:
            context = {
                "notice_id": expired.notice_id,
                "expired_at": expired.expired_at,
                "hotline_address": settings.HOTLINE_MAIL_FROM,
            }
            return render(request, "web/link_expired.html", context, status=410)

    return wrapped


def _base(notice_id: int, token: str) -> str:
    return f"/act/{notice_id}/{token}/"


def _acting_through_link(request: HttpRequest, notice_id: int, token: str) -> None:
    request.actor = selectors.link_actor(notice_id=notice_id, token=token)  # type: ignore[attr-defined]


@expired_link_page
@domain_errors_as_http
def link_review_view(request: HttpRequest, notice_id: int, token: str) -> HttpResponse:
    actor = selectors.link_actor(notice_id=notice_id, token=token)
    page = reviewed_page(request, actor, notice_id)
    context = review_context(request, page, base=_base(notice_id, token))
    # No person, so no preference: times in the platform's own zone, as in its notice email.
    with timezone.override(zoneinfo.ZoneInfo(page.notice.platform.time_zone)):
        return render(request, "web/platform/review.html", context)


@require_POST
@expired_link_page
@domain_errors_as_http
def link_act_view(request: HttpRequest, notice_id: int, token: str, item_id: int) -> HttpResponse:
    _acting_through_link(request, notice_id, token)
    form = ActionForm(request.POST)
    if form.is_valid():
        try_act(request, notice_id, [item_id], form, bulk=False)
    else:
        messages.error(request, _("Choose an action."))
    base = _base(notice_id, token)
    return acted(request, web_actor(request), notice_id, item_id, back=base, link_base=base)


@require_POST
@expired_link_page
@domain_errors_as_http
def link_bulk_view(request: HttpRequest, notice_id: int, token: str) -> HttpResponse:
    _acting_through_link(request, notice_id, token)
    ids = [int(v) for v in request.POST.getlist("items") if v.isdecimal()]
    form = BulkActionForm(request.POST, item_ids=ids)
    if form.is_valid():
        try_act(request, notice_id, form.cleaned_data["items"], form, bulk=True)
    else:
        messages.error(request, _("Choose items and an action."))
    return redirect(safe_next(request, request.POST.get("back", "")) or _base(notice_id, token))


@require_POST
@expired_link_page
@domain_errors_as_http
def link_message_view(request: HttpRequest, notice_id: int, token: str) -> HttpResponse:
    actor = selectors.link_actor(notice_id=notice_id, token=token)
    form = MessageForm(request.POST)
    if form.is_valid():
        try_post_message(request, actor, notice_id, form)
    return redirect(_base(notice_id, token))


@expired_link_page
@domain_errors_as_http
def link_open_url_view(
    request: HttpRequest, notice_id: int, token: str, item_id: int
) -> HttpResponse:
    actor = selectors.link_actor(notice_id=notice_id, token=token)
    item = selectors.review_item(actor=actor, notice_id=notice_id, item_id=item_id)
    back = f"{_base(notice_id, token)}#item-{item.pk}"
    return render(request, "web/platform/open_url.html", {"item": item, "back": back})
