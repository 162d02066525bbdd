"""Django's error handlers (handler400/403/404/500): JSON under /api/, pages elsewhere.

A database that is down or refusing connections is not a bug in hotline: the caller gets a
503 with Retry-After (JSON for the API, a page for people) instead of a 500. The 503 page is
rendered without the request, so that nothing on it needs the database that just failed; it
says the same in every language hotline speaks, the visitor's first, chosen from the language
cookie or Accept-Language (never the session or the user, which live in the database).
"""

import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils import translation
from django.views import defaults

from hotline.core.errors import error_body
from hotline.core.middleware import is_api_request

RETRY_AFTER_SECONDS = 30
UNAVAILABLE_MESSAGE = "the database is unavailable; try again shortly"


def database_unavailable(error: BaseException | None) -> bool:
    """Connection refused, lost or busy: transient trouble with the database, not a bug."""
    return isinstance(error, OperationalError | InterfaceError)


def _api_error(status: int, message: str) -> JsonResponse:
    response = JsonResponse(error_body(status, message), status=status)
    response["Cache-Control"] = "no-store"
    return response


def _unavailable_page(request: HttpRequest) -> HttpResponse:
    # Cookie and Accept-Language only: Django 5 no longer reads the language from the session.
    first = translation.get_language_from_request(request)
    languages = [first, *(code for code, _ in settings.LANGUAGES if code != first)]
    page = loader.render_to_string("core/unavailable.html", {"languages": languages})
    response = HttpResponse(page, status=503)
    response["Cache-Control"] = "no-store"
    response["Content-Language"] = first
    return response


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api_request(request):
        return _api_error(400, "the request could not be read")
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api_request(request):
        return _api_error(403, "forbidden")
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api_request(request):
        return _api_error(404, f"no API endpoint at {request.path}")
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    # Django calls handler500 inside its `except` block, so the exception is still current.
    if database_unavailable(sys.exc_info()[1]):
        response: HttpResponse
        if is_api_request(request):
            response = _api_error(503, UNAVAILABLE_MESSAGE)
        else:
            response = _unavailable_page(request)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    if is_api_request(request):
        return _api_error(500, "internal error; it has been logged")
    return defaults.server_error(request)
