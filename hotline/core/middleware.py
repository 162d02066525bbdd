"""The HTTP edge every request crosses: its request id and log line, and the API's own rules.

The API's rules: responses are never cached (they hold case data), text input holding NUL is
refused with a 422 before any query, and an error that something other than hotline's own
handlers produced (ninja's 405, a proxy-facing 400) is rewritten into the documented JSON shape.
"""

import json
import logging
import re
import time
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

from hotline.core.errors import error_body
from hotline.core.logs import request_id_var
from hotline.core.nul import nul_locations

Handler = Callable[[HttpRequest], HttpResponse]

API_PREFIX = "/api/"
REQUEST_ID_HEADER = "X-Request-ID"
_REQUEST_ID_META = "HTTP_" + REQUEST_ID_HEADER.upper().replace("-", "_")
# An incoming id is kept only if it is short and plain, so it cannot forge log lines.
WELL_FORMED_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")

access_log = logging.getLogger("hotline.request")


def is_api_request(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def request_id_for(request: HttpRequest) -> str:
    # From META, not request.headers: that builds a dict of every header, once per request.
    offered = str(request.META.get(_REQUEST_ID_META, ""))
    if WELL_FORMED_REQUEST_ID.fullmatch(offered):
        return offered
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Outermost: every log line of the request carries its id, and the response echoes it."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_for(request)
        request.request_id = request_id  # type: ignore[attr-defined]
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            match = request.resolver_match
            access_log.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "route": match.view_name if match else None,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                },
            )
            return response
        finally:
            request_id_var.reset(token)


class ApiEdgeMiddleware:
    """No caching, no NUL, and only the documented error shape under /api/."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_api_request(request):
            if nul_locations(request, read_body=False):  # a page's path or query string
                return nul_page_response()
            return self.get_response(request)
        where = nul_locations(request, read_body=True)
        if where:
            response: HttpResponse = JsonResponse(nul_error(where), status=422)
        else:
            response = as_documented_error(self.get_response(request))
        response["Cache-Control"] = "no-store"
        return response


def nul_error(where: list[str]) -> dict[str, object]:
    details = [{"element": w, "message": "must not contain a NUL character"} for w in where]
    return error_body(422, "text must not contain NUL characters", details)


def nul_page_response() -> HttpResponse:
    return HttpResponse(
        "<!doctype html><title>Invalid address</title><h1>Invalid address</h1>"
        "<p>The address contains a NUL character, which no page of hotline has.</p>",
        status=422,
    )


def as_documented_error(response: HttpResponse) -> HttpResponse:
    """An error response that is not already hotline's JSON becomes it, keeping its headers."""
    if response.status_code < 400 or response.get("Content-Type", "").startswith(
        "application/json"
    ):
        return response
    message = {405: "method not allowed"}.get(response.status_code, response.reason_phrase)
    if response.status_code == 405 and response.has_header("Allow"):
        message = f"method not allowed; allowed: {response['Allow']}"
    rewritten = HttpResponse(
        json.dumps(error_body(response.status_code, message)),
        status=response.status_code,
        content_type="application/json",
    )
    for header in ("Allow", "Retry-After", "WWW-Authenticate"):
        if response.has_header(header):
            rewritten[header] = response[header]
    return rewritten
