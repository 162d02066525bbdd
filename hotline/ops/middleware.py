"""Counting and timing every request by its route name, for /metrics."""

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from hotline.ops.metrics import LATENCY, REQUESTS

Handler = Callable[[HttpRequest], HttpResponse]


def route_name(request: HttpRequest) -> str:
    """The URL pattern's name, never the raw path: ids in paths would explode the series."""
    match = request.resolver_match
    if match is None:
        return "unmatched"
    return match.view_name or match.route or "unnamed"


class RequestMetricsMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        labels = (route_name(request), request.method or "", str(response.status_code))
        REQUESTS.labels(*labels).inc()
        LATENCY.labels(*labels).observe(time.perf_counter() - started)
        return response
