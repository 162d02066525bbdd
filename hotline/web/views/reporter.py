"""The reporter's side: dashboard, filing a request, and a case with its thread and timeline."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from hotline.accounts.actors import Actor
from hotline.accounts.preferences import news_seen_mark
from hotline.cases.models import MessageKind
from hotline.cases.services.matching import quarantine_review
from hotline.cases.services.media import upload_bytes
from hotline.cases.services.moderation import message_post
from hotline.core import clock
from hotline.core.errors import Conflict, InvalidInput, NotFound
from hotline.web import selectors
from hotline.web.access import actor_required, safe_next, web_actor
from hotline.web.errors import form_errors_from
from hotline.web.forms import ImportForm, MessageForm, RequestForm
from hotline.web.listing import filter_choices, list_query, pager
from hotline.web.news import news_panel
from hotline.web.services import request_file_from_form, request_import_from_form

MAX_SHOWN = 1000  # bad lines listed on the page; the count says how many in all


@actor_required("reporter")
def dashboard_view(request: HttpRequest) -> HttpResponse:
    actor = web_actor(request)
    query = list_query(request)
    page = selectors.dashboard_page(
        actor=actor, filters=query.filters, cursor=query.cursor, limit=query.limit
    )
    context = {
        "page": page,
        "pager": pager(query, page.requests, request.path),
        "news": news_panel(actor=actor),
        **filter_choices(query, victim_search=True),
    }
    return render(request, "web/reporter/dashboard.html", context)


@require_POST
@actor_required("reporter")
def news_seen_view(request: HttpRequest) -> HttpResponse:
    """News up to the newest one shown is seen; news that came after stays new."""
    actor = web_actor(request)
    try:
        through = parse_datetime(request.POST.get("through", ""))
    except ValueError:
        through = None  # a malformed time: mark everything up to now
    if through is not None and through.tzinfo is None:
        through = None
    if actor.user_id is not None:
        news_seen_mark(user_id=actor.user_id, at=through or clock.now())
    return redirect("web:dashboard")


@require_http_methods(["GET", "POST"])
@actor_required("reporter")
def request_new_view(request: HttpRequest) -> HttpResponse:
    form = RequestForm(request.POST or None, request.FILES or None)
    problems: list[dict[str, object]] = []
    if request.method == "POST" and form.is_valid():
        try:
            media = [
                (f.name or "", upload_bytes(f, label="items.media"))
                for f in request.FILES.getlist("media")
            ]
            result = request_file_from_form(actor=web_actor(request), form=form, media=media)
        except InvalidInput as error:
            problems = form_errors_from(form, error)
        except Conflict as error:  # this form was filed before, with other content
            messages.error(request, error.message)
        else:
            messages.success(
                request, _("Request %(case)s filed.") % {"case": result.request.case_id}
            )
            return redirect("web:case", case_id=result.request.case_id)
    return render(request, "web/reporter/new_request.html", {"form": form, "problems": problems})


@require_http_methods(["GET", "POST"])
@actor_required("reporter")
def request_import_view(request: HttpRequest) -> HttpResponse:
    """Many URLs at once: good lines filed in requests of up to 1,000, bad lines listed."""
    form = ImportForm(request.POST or None, request.FILES or None)
    problems: list[dict[str, object]] = []
    summary = None
    if request.method == "POST" and form.is_valid():
        try:
            summary = request_import_from_form(actor=web_actor(request), form=form)
        except InvalidInput as error:
            problems = form_errors_from(form, error)
        except Conflict as error:
            messages.error(request, error.message)
    context = {"form": form, "problems": problems, "summary": summary, "shown": MAX_SHOWN}
    return render(request, "web/reporter/import.html", context)


@require_POST
@actor_required("reporter")
def quarantine_review_view(request: HttpRequest, entry_id: int) -> HttpResponse:
    """Restore a quarantined bank entry to matching, or remove it from the bank."""
    decision = request.POST.get("decision", "")
    if decision not in ("restore", "remove"):
        messages.error(request, _("Choose restore or remove."))
        return redirect("web:dashboard")
    try:
        quarantine_review(
            actor=web_actor(request), entry_id=entry_id, restore=decision == "restore"
        )
    except NotFound as error:
        messages.error(request, error.message)
    else:
        done = (
            _("Bank entry %(entry)s is matched again.")
            if decision == "restore"
            else _("Bank entry %(entry)s was removed from the bank.")
        )
        messages.success(request, done % {"entry": entry_id})
    return redirect("web:dashboard")


@actor_required("reporter")
def case_view(request: HttpRequest, case_id: str) -> HttpResponse:
    page = selectors.case_page(actor=web_actor(request), case_id=case_id)
    return render(request, "web/reporter/case.html", {"page": page, "message_form": MessageForm()})


@require_POST
@actor_required()
def message_view(request: HttpRequest, notice_id: int) -> HttpResponse:
    """Either side posts a question or an answer on a notice's thread."""
    form = MessageForm(request.POST)
    back = safe_next(request, request.POST.get("back", ""))
    if not form.is_valid():
        messages.error(request, _("Write a message first."))
        return redirect(back or "web:home")
    try_post_message(request, web_actor(request), notice_id, form)
    return redirect(back or "web:home")


def try_post_message(request: HttpRequest, actor: Actor, notice_id: int, form: MessageForm) -> None:
    """Post a valid message form; a refusal becomes a message, a foreign notice stays a 404."""
    try:
        message_post(
            actor=actor,
            notice_id=notice_id,
            kind=MessageKind(form.cleaned_data["kind"]),
            body=form.cleaned_data["body"],
            item_id=form.cleaned_data["item"],
            reply_to_id=form.cleaned_data["reply_to"],
        )
    except (InvalidInput, Conflict) as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Message sent."))
