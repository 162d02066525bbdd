"""Reviewing self-filed URLs (hotline.selfservice.review): list, send on, decline with a reason.

Any reporter of a regulator or support centre sees the list; a platform's moderator never
does (actor_required("reporter")), and nothing waiting is on a notice.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hotline.core.errors import DomainError
from hotline.platforms.selectors import platform_for_host
from hotline.selfservice.review import held_url_approve, held_url_decline
from hotline.selfservice.selectors import held_urls_waiting
from hotline.web.access import actor_required, web_actor
from hotline.web.errors import error_sentence

SHOWN = 100  # the oldest first: a longer queue is worked from its head


@actor_required("reporter")
def self_review_view(request: HttpRequest) -> HttpResponse:
    waiting = held_urls_waiting(actor=web_actor(request))
    rows = []
    for held in waiting[:SHOWN]:
        platform = platform_for_host(host=held.item.host) if held.item.host else None
        rows.append({"held": held, "platform": platform.name if platform else ""})
    context = {"rows": rows, "total": waiting.count()}
    return render(request, "web/reporter/self_review.html", context)


@require_POST
@actor_required("reporter")
def self_review_decide_view(request: HttpRequest, held_id: int) -> HttpResponse:
    actor, decision = web_actor(request), request.POST.get("decision", "")
    try:
        if decision == "approve":
            result = held_url_approve(actor=actor, held_id=held_id)
            platform = result.held.item.platform
            messages.success(
                request,
                _("Sent to %(platform)s.") % {"platform": platform.name if platform else "—"},
            )
        elif decision == "decline":
            held_url_decline(actor=actor, held_id=held_id, reason=request.POST.get("reason", ""))
            messages.success(request, _("Declined; she sees your reason on her status page."))
        else:
            messages.error(request, _("Choose send or decline."))
    except DomainError as error:
        messages.error(request, error_sentence(error))
    return redirect("web:self_review")
