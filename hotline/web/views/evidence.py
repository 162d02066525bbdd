"""The evidence buttons: a case's package, and a platform's over the compliance period."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from hotline.core.errors import InvalidInput
from hotline.evidence.api import zip_response
from hotline.evidence.scope import case_scope, platform_scope
from hotline.evidence.selectors import platform_name
from hotline.evidence.services import evidence_export
from hotline.web.access import actor_required, web_actor
from hotline.web.errors import error_sentence
from hotline.web.forms import PeriodForm


@actor_required("reporter")
def case_evidence_view(request: HttpRequest, case_id: str) -> HttpResponse:
    package = evidence_export(actor=web_actor(request), scope=case_scope(case_id))
    return zip_response(package)


@actor_required()
def platform_evidence_view(request: HttpRequest, platform_id: int) -> HttpResponse:
    form = PeriodForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    try:
        scope = platform_scope(
            platform_name(platform_id=platform_id), data.get("since"), data.get("until")
        )
    except InvalidInput as error:
        messages.error(request, error_sentence(error))
        return redirect("web:compliance_platform", platform_id=platform_id)
    return zip_response(evidence_export(actor=web_actor(request), scope=scope))
