"""The platform's side: the prioritised queue, a notice's review, actions and the URL warning."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hotline.accounts.actors import Actor
from hotline.cases.services.moderation import item_act
from hotline.core.errors import Conflict, InvalidInput
from hotline.web import selectors
from hotline.web.access import actor_required, safe_next, web_actor
from hotline.web.errors import error_sentence
from hotline.web.forms import ActionForm, BulkActionForm, MessageForm
from hotline.web.listing import filter_choices, list_query, pager
from hotline.web.services import items_act_bulk

QUEUE_PAGE = 100  # rows of the queue per page


@actor_required("moderator")
def queue_view(request: HttpRequest) -> HttpResponse:
    query = list_query(request, default_limit=QUEUE_PAGE)
    page = selectors.queue_page(
        actor=web_actor(request), filters=query.filters, cursor=query.cursor, limit=query.limit
    )
    context = {
        "items": page.rows,
        "pager": pager(query, page, request.path),
        **filter_choices(query, platform=False),
    }
    return render(request, "web/platform/queue.html", context)


@actor_required("moderator")
def review_view(request: HttpRequest, notice_id: int) -> HttpResponse:
    page = reviewed_page(request, web_actor(request), notice_id)
    return render(request, "web/platform/review.html", review_context(request, page, base=None))


def reviewed_page(request: HttpRequest, actor: Actor, notice_id: int) -> selectors.ReviewPage:
    query = list_query(request, default_limit=selectors.REVIEW_PAGE_ITEMS)
    return selectors.review_page(
        actor=actor,
        notice_id=notice_id,
        filters=query.filters,
        cursor=query.cursor,
        limit=query.limit,
    )


def review_context(
    request: HttpRequest, page: selectors.ReviewPage, *, base: str | None
) -> dict[str, object]:
    """The review page's context; `base` is the signed link's path when acting through it."""
    query = list_query(request, default_limit=selectors.REVIEW_PAGE_ITEMS)
    return {
        "page": page,
        "link_base": base,
        "pager": pager(query, page.items, request.path),
        "back": request.get_full_path(),
        **filter_choices(query, platform=False),
        "action_form": ActionForm(),
        "message_form": MessageForm(),
    }


def acted(
    request: HttpRequest,
    actor: Actor,
    notice_id: int,
    item_id: int,
    *,
    back: str,
    link_base: str | None = None,
) -> HttpResponse:
    """After an action: for the page's script, the item's redrawn row and what happened, as
    JSON (no reload of the notice); for a plain form, back to the same page of items."""
    if "application/json" not in request.headers.get("Accept", ""):
        return redirect(safe_next(request, request.POST.get("back", "")) or back)
    notes = [{"level": m.level_tag, "text": str(m)} for m in messages.get_messages(request)]
    row = selectors.review_row(actor=actor, notice_id=notice_id, item_id=item_id)
    html = render_to_string(
        "web/platform/review_item.html",
        {
            "page": row,
            "item": row.item,
            "link_base": link_base,
            "back": request.POST.get("back", "").split("#")[0],
        },
        request=request,
    )
    ok = not any(n["level"] == "error" for n in notes)
    return JsonResponse({"ok": ok, "messages": notes, "html": html}, status=200 if ok else 409)


@require_POST
@actor_required("moderator")
def act_view(request: HttpRequest, notice_id: int, item_id: int) -> HttpResponse:
    form = ActionForm(request.POST)
    if form.is_valid():
        try_act(request, notice_id, [item_id], form, bulk=False)
    else:
        messages.error(request, _("Choose an action."))
    back = reverse("web:review", args=[notice_id])
    return acted(request, web_actor(request), notice_id, item_id, back=back)


@require_POST
@actor_required("moderator")
def bulk_view(request: HttpRequest, notice_id: int) -> HttpResponse:
    form = BulkActionForm(request.POST, item_ids=_posted_ids(request))
    if form.is_valid():
        try_act(request, notice_id, form.cleaned_data["items"], form, bulk=True)
    else:
        messages.error(request, _("Choose items and an action."))
    back = safe_next(request, request.POST.get("back", ""))
    return redirect(back or reverse("web:review", args=[notice_id]))


def _posted_ids(request: HttpRequest) -> list[int]:
    return [int(v) for v in request.POST.getlist("items") if v.isdecimal()]


def try_act(
    request: HttpRequest, notice_id: int, item_ids: list[int], form: ActionForm, *, bulk: bool
) -> None:
    """Call the service; a refusal (a missing reason, a settled item) becomes a message, while
    a notice or item that is not the actor's stays a 404."""
    actor = web_actor(request)
    try:
        if bulk:
            items_act_bulk(
                actor=actor, notice_id=notice_id, item_ids=item_ids, decision=form.decision()
            )
        else:
            item_act(
                actor=actor, notice_id=notice_id, item_id=item_ids[0], decision=form.decision()
            )
    except (InvalidInput, Conflict) as error:
        messages.error(request, error_sentence(error))
    else:
        messages.success(request, _("Saved: %(n)s item(s).") % {"n": len(item_ids)})


@actor_required("moderator")
def open_url_view(request: HttpRequest, notice_id: int, item_id: int) -> HttpResponse:
    """A warning before a reported URL opens: it may show intimate imagery."""
    item = selectors.review_item(actor=web_actor(request), notice_id=notice_id, item_id=item_id)
    back = reverse("web:review", args=[notice_id]) + f"#item-{item.pk}"
    return render(request, "web/platform/open_url.html", {"item": item, "back": back})
