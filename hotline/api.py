"""The NinjaAPI: one router per app, token auth everywhere, DomainError → HTTP in one place."""

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI

from hotline.accounts.api import router as accounts_router
from hotline.accounts.auth import TokenAuth
from hotline.cases.api import router as cases_router
from hotline.compliance.api import router as compliance_router
from hotline.compliance.audit_api import router as audit_router
from hotline.compliance.dsa_sor_api import router as dsa_sor_router
from hotline.core.errors import DomainError
from hotline.evidence.api import router as evidence_router

api = NinjaAPI(
    title="hotline API",
    version="1",
    description="File takedown requests, receive and act on notices, read compliance figures.",
    auth=TokenAuth(),
    docs_url="/docs",
)
api.add_router("/", accounts_router)
api.add_router("/", cases_router)
api.add_router("/", compliance_router)
api.add_router("/", audit_router)
api.add_router("/", dsa_sor_router)  # GET /api/export/dsa-sor
api.add_router("/", evidence_router)
api.add_router("/", "hotline.cases.feed_api.router")  # GET /api/feed, the pull channel


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, error: DomainError) -> HttpResponse:
    return api.create_response(
        request,
        {"error": error.code, "message": error.message, "details": error.details},
        status=error.status_code,
    )
