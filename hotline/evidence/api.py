"""Evidence packages over the API: the same ZIP as `hotline evidence export`."""

from django.http import HttpRequest, HttpResponse
from ninja import Router

from hotline.accounts.auth import request_actor
from hotline.core.dates import InputDay
from hotline.evidence.scope import case_scope, platform_scope
from hotline.evidence.services import EvidencePackage, evidence_export

router = Router(tags=["evidence"])

ZIP_RESPONSE = {200: {"content": {"application/zip": {}}, "description": "The signed ZIP"}}


def zip_response(package: EvidencePackage) -> HttpResponse:
    response = HttpResponse(package.data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{package.filename}"'
    return response


@router.get("/evidence/cases/{case_id}", openapi_extra={"responses": ZIP_RESPONSE})
def case_evidence(request: HttpRequest, case_id: str) -> HttpResponse:
    """One case's evidence package: its reporters and auditors; 404 for anyone else's case."""
    package = evidence_export(actor=request_actor(request), scope=case_scope(case_id))
    return zip_response(package)


@router.get("/evidence/platforms/{platform}", openapi_extra={"responses": ZIP_RESPONSE})
def platform_evidence(
    request: HttpRequest,
    platform: str,
    since: InputDay | None = None,
    until: InputDay | None = None,
) -> HttpResponse:
    """A platform's notices sent from `since` to `until` (inclusive UTC days, default 30 days).

    Auditors and regulators get every item; a support organisation only its own; a platform
    only itself.
    """
    scope = platform_scope(platform, since, until)
    return zip_response(evidence_export(actor=request_actor(request), scope=scope))
