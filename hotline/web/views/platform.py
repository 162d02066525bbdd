"""The platform's side: the prioritised queue, a notice's review, actions and the URL warning."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hotline.cases.services.moderation import item_act
from hotline.core.errors import Conflict, InvalidInput
from hotline.web import selectors
from hotline.web.access import actor_required, web_actor
from hotline.web.forms import ActionForm, BulkActionForm, MessageForm
from hotline.web.services import items_act_bulk


@actor_required("moderator")
def queue_view(request: HttpRequest) -> HttpResponse:
    items = selectors.queue_page(actor=web_actor(request))[:500]
    return render(request, "web/platform/queue.html", {"items": items})


@actor_required("moderator")
def review_view(request: HttpRequest, notice_id: int) -> HttpResponse:
    page = selectors.review_page(actor=web_actor(request), notice_id=notice_id)
    return render(request, "web/platform/review.html", review_context(page, base=None))


def review_context(page: selectors.ReviewPage, *, base: str | None) -> dict[str, object]:
    """The review page's context; `base` is the signed link's path when acting through it."""
    return {
        "page": page,
        "link_base": base,
        "action_form": ActionForm(),
        "message_form": MessageForm(),
    }


@require_POST
@actor_required("moderator")
def act_view(request: HttpRequest, notice_id: int, item_id: int) -> HttpResponse:
    form = ActionForm(request.POST)
    if form.is_valid():
        try_act(request, notice_id, [item_id], form, bulk=False)
    else:
        messages.error(request, _("Choose an action."))
    return redirect("web:review", notice_id=notice_id)


@require_POST
@actor_required("moderator")
def bulk_view(request: HttpRequest, notice_id: int) -> HttpResponse:
    form = BulkActionForm(request.POST, item_ids=_posted_ids(request))
    if form.is_valid():
        try_act(request, notice_id, form.cleaned_data["items"], form, bulk=True)
    else:
        messages.error(request, _("Choose items and an action."))
    return redirect("web:review", notice_id=notice_id)


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
        messages.error(request, error.message)
    else:
        messages.success(request, _("Saved: %(n)s item(s).") % {"n": len(item_ids)})


@actor_required("moderator")
def open_url_view(request: HttpRequest, notice_id: int, item_id: int) -> HttpResponse:
    """A warning before a reported URL opens: it may show intimate imagery."""
    item = selectors.review_item(actor=web_actor(request), notice_id=notice_id, item_id=item_id)
    back = reverse("web:review", args=[notice_id]) + f"#item-{item.pk}"
    return render(request, "web/platform/open_url.html", {"item": item, "back": back})
