"""The NinjaAPI: one router per app, token auth everywhere, every error in the documented shape.

Errors are `{"error", "message", "details"}` whatever raised them: a DomainError from a
service, ninja's own validation, authentication and HTTP errors here; unknown routes, 405s,
503s and 500s in hotline.core.error_views and hotline.core.middleware.
"""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from hotline.accounts.api import router as accounts_router
from hotline.accounts.auth import TokenAuth
from hotline.cases.api import router as cases_router
from hotline.compliance.api import router as compliance_router
from hotline.compliance.audit_api import router as audit_router
from hotline.compliance.dsa_sor_api import router as dsa_sor_router
from hotline.core.errors import DomainError, error_body
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
api.add_router("/", "hotline.selfservice.api.router")  # review of self-filed URLs
api.add_router("/", "hotline.cases.feed_api.router")  # GET /api/feed, the pull channel
api.add_router("/", "hotline.cases.news_api.router")  # news, open questions, notifications
api.add_router("/", "hotline.banks.feed_api.router")  # GET /api/banks/{name}/feed

# Where ninja puts the failing value first in an error's `loc`; the element names the rest.
_SOURCES = {"body", "query", "path", "form", "file", "header", "cookie"}


def _error(
    request: HttpRequest, status: int, message: str, details: list[dict[str, Any]] | None = None
) -> HttpResponse:
    return api.create_response(request, error_body(status, message, details), status=status)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, error: DomainError) -> HttpResponse:
    return api.create_response(
        request,
        {"error": error.code, "message": error.message, "details": error.details},
        status=error.status_code,
    )


def validation_detail(error: dict[str, Any]) -> dict[str, Any]:
    """One of ninja's (pydantic's) errors as {"element", "message", "location"}."""
    loc = [str(part) for part in error.get("loc", ())]
    location = loc[0] if loc and loc[0] in _SOURCES else "body"
    path = loc[1:] if loc and loc[0] in _SOURCES else loc
    if location == "body" and len(path) > 1:
        path = path[1:]  # drop the schema parameter's own name ("payload"), never sent
    return {
        "element": ".".join(path) or location,
        "message": str(error.get("msg", "invalid")),
        "location": location,
    }


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, error: ValidationError) -> HttpResponse:
    details = [validation_detail(e) for e in error.errors]
    elements = ", ".join(d["element"] for d in details) or "the request"
    return _error(request, 422, f"invalid input: {elements}", details)


@api.exception_handler(AuthenticationError)
def authentication_error(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
    response = _error(request, 401, "a valid API token is required: Authorization: Bearer hl_...")
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
    return _error(request, error.status_code, error.message)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, error: Http404) -> HttpResponse:
    return _error(request, 404, "not found")
