"""Her own pages, with no account: hash on her device (/self/), follow and withdraw her case.

Only hashes and her URLs reach the server: the page's script (static/web/self.js) computes
them and posts JSON; there is no file field to post. The case she opened with her PIN is
remembered in her session, so the PIN is never put in a URL or a hidden field.
"""

import json
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from hotline.cases.categories import Category
from hotline.core.errors import DomainError
from hotline.selfservice.models import SelfCase
from hotline.selfservice.selectors import self_case_status
from hotline.selfservice.services import (
    Issued,
    PinMail,
    PinRefused,
    PinThrottled,
    pin_address,
    self_case_email,
    self_case_file,
    self_case_issue_for,
    self_case_open,
    self_case_withdraw,
    self_case_withdraw_for,
    self_service_actor,
)
from hotline.selfservice.throttle import OPEN, SUBMIT, TooManyAttempts, attempt_allow
from hotline.web.access import actor_required, web_actor
from hotline.web.client import client_address

SESSION_KEY = "self_case"
MAX_BODY = 512 * 1024  # hashes and URLs only: 50 items are a few kilobytes
SELF_CATEGORIES = (Category.NON_CONSENSUAL_INTIMATE_IMAGE, Category.SEXUAL_DEEPFAKE)


def self_hash_view(request: HttpRequest) -> HttpResponse:
    return render(request, "web/self/hash.html", {"categories": SELF_CATEGORIES})


@require_POST
def self_submit_view(request: HttpRequest) -> JsonResponse:
    """JSON in ({"category", "items": [{"signals", "url"}]}), the case number and PIN out."""
    if len(request.body) > MAX_BODY:
        return _json_error(413, "too_large", "send hashes and URLs only, not files")
    refused = _throttled(request, SUBMIT)
    if refused is not None:
        response = _json_error(429, "throttled", _too_many(refused))
        response["Retry-After"] = str(refused.retry_after)
        return response
    try:
        body: Any = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return _json_error(400, "bad_json", "the body is not JSON")
    if not isinstance(body, dict) or not isinstance(body.get("items"), list):
        return _json_error(400, "bad_json", "the body needs a list of items")
    items = [i for i in body["items"] if isinstance(i, dict)]
    if len(items) != len(body["items"]):
        return _json_error(400, "bad_json", "each item is an object")
    email = body.get("email") or ""
    if not isinstance(email, str):
        return _json_error(400, "bad_json", "email is a string")
    try:
        address = pin_address(email) if email.strip() else ""
        issued = self_case_file(items=items, category=str(body.get("category", "")))
    except DomainError as error:
        return _json_error(error.status_code, error.code, error.message, error.details)
    answer: dict[str, Any] = {"case_id": issued.case_id, "pin": issued.pin}
    if address:
        answer["emailed"] = self_case_email(issued=issued, mail=_pin_mail(request, issued, address))
    return JsonResponse(answer, status=201)


def _pin_mail(request: HttpRequest, issued: Issued, address: str) -> PinMail:
    """Her case number and PIN, in the page's language; the address is used for this only."""
    status_url = request.build_absolute_uri(reverse("web:self_status"))
    lines = [
        _("Your case number and PIN for hotline. Keep this email, or write them down."),
        "",
        _("Case number: %(case_id)s") % {"case_id": issued.case_id},
        _("PIN: %(pin)s") % {"pin": issued.pin},
        "",
        _("Follow your case or withdraw your consent at %(url)s") % {"url": status_url},
        _("hotline did not keep your email address: it was used to send this email only."),
        _("Nobody can send you the PIN again."),
    ]
    return PinMail(
        address=address,
        subject=f"[hotline {issued.case_id}] " + _("Your case number and PIN"),
        body="\n".join(lines),
        language=translation.get_language() or "en",
    )


def _throttled(request: HttpRequest, kind: str) -> TooManyAttempts | None:
    """Count this anonymous attempt against its address's hourly limit (throttle)."""
    try:
        attempt_allow(
            kind=kind,
            remote_addr=client_address(request),
            organisation_id=self_service_actor().organisation_id,
        )
    except TooManyAttempts as refused:
        return refused
    return None


def _too_many(refused: TooManyAttempts) -> str:
    minutes = max(1, -(-refused.retry_after // 60))
    limit = _("Too many requests from your connection: at most %(limit)s an hour.")
    later = _("Try again in %(minutes)s minutes.")
    return f"{limit % {'limit': refused.limit}} {later % {'minutes': minutes}}"


def _json_error(
    status: int, code: str, message: str, details: list[dict[str, Any]] | None = None
) -> JsonResponse:
    return JsonResponse(
        {"error": code, "message": message, "details": details or []}, status=status
    )


@require_http_methods(["GET", "POST"])
def self_status_view(request: HttpRequest) -> HttpResponse:
    problem, status = "", 200
    refused = _throttled(request, OPEN) if request.method == "POST" else None
    if refused is not None:
        problem, status = _too_many(refused), 429
    elif request.method == "POST":
        try:
            opened = self_case_open(
                case_id=request.POST.get("case_id", ""),
                pin=request.POST.get("pin", ""),
                remote_addr=client_address(request),
            )
        except PinThrottled as error:
            until = timezone.localtime(error.until).strftime("%Y-%m-%d %H:%M %Z")
            problem = _("Too many wrong attempts. Try again after %(time)s.") % {"time": until}
            status = 429
        except PinRefused:
            problem, status = _("That case number and PIN do not match."), 403
        else:
            request.session.cycle_key()  # a fresh session for the opened case
            request.session[SESSION_KEY] = opened.request.case_id
            return redirect("web:self_status")
    case = _opened(request)
    if case is None:
        response = render(request, "web/self/open.html", {"problem": problem}, status=status)
        if refused is not None:
            response["Retry-After"] = str(refused.retry_after)
        return response
    return render(request, "web/self/status.html", {"page": self_case_status(case=case)})


def _opened(request: HttpRequest) -> SelfCase | None:
    case_id = request.session.get(SESSION_KEY)
    if not isinstance(case_id, str):
        return None
    return SelfCase.objects.select_related("request").filter(request__case_id=case_id).first()


@require_POST
def self_withdraw_view(request: HttpRequest) -> HttpResponse:
    case = _opened(request)
    if case is None:
        return redirect("web:self_status")
    if request.POST.get("confirm") == "yes" and case.withdrawn_at is None:
        self_case_withdraw(case=case, actor=f"self:{case.request.case_id}")
    return redirect("web:self_status")


@require_POST
def self_close_view(request: HttpRequest) -> HttpResponse:
    request.session.pop(SESSION_KEY, None)
    return redirect("web:self_status")


@require_POST
@actor_required("reporter")
def case_self_pin_view(request: HttpRequest, case_id: str) -> HttpResponse:
    """A support centre hands her the number of a case it filed, with a new PIN (shown once,
    rendered here rather than flashed, so it is never stored in the session)."""
    issued = self_case_issue_for(case_id=case_id, actor=web_actor(request))
    status_url = request.build_absolute_uri(reverse("web:self_status"))
    context = {"issued": issued, "status_url": status_url}
    return render(request, "web/self/centre_pin.html", context)


@require_POST
@actor_required("reporter")
def case_withdraw_view(request: HttpRequest, case_id: str) -> HttpResponse:
    """Her consent withdrawn on her instruction: every hash value of the case is deleted."""
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Tick the box to confirm she asked for it."))
        return redirect("web:case", case_id=case_id)
    result = self_case_withdraw_for(case_id=case_id, actor=web_actor(request))
    messages.success(
        request,
        _("Consent withdrawn: %(count)s hash values deleted.") % {"count": result.signals},
    )
    return redirect("web:case", case_id=case_id)
