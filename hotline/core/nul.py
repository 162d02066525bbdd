"""Finding NUL characters in request input, before they reach a database that cannot store them.

PostgreSQL refuses NUL in text, so a NUL that slipped through to a query was a 500. No text
hotline handles may contain one, so the edge of the API refuses it with a 422 naming where it
was. File contents are binary and may hold NUL bytes; only their names are text.
"""

import json
from collections.abc import Iterator
from typing import Any

from django.http import HttpRequest

NUL = "\x00"
JSON_NUL_ESCAPE = "\\u0000"


def nul_locations_in_json(value: Any, where: str) -> Iterator[str]:
    """Each place in a parsed JSON value (keys included) whose text holds a NUL."""
    if isinstance(value, str):
        if NUL in value:
            yield where
    elif isinstance(value, dict):
        for key, inner in value.items():
            if NUL in key:
                yield f"{where}.{key!r}"
            yield from nul_locations_in_json(inner, f"{where}.{key}")
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from nul_locations_in_json(inner, f"{where}.{index}")


def nul_locations_in_text(text: str, where: str) -> Iterator[str]:
    """A form field or raw body: a NUL itself, or an escaped one inside JSON it carries."""
    if NUL in text:
        yield where
    elif JSON_NUL_ESCAPE in text:
        try:
            parsed = json.loads(text)
        except ValueError:
            return  # not JSON: the escape is six harmless characters
        yield from nul_locations_in_json(parsed, where)


def nul_locations(request: HttpRequest, *, read_body: bool) -> list[str]:
    """Where the request's path, query string and (if read_body) body hold a NUL."""
    found: list[str] = []
    if NUL in request.path:
        found.append("path")
    for key, values in request.GET.lists():
        if NUL in key:
            found.append("query")
        found.extend(loc for v in values for loc in nul_locations_in_text(v, f"query.{key}"))
    if not read_body or request.method in ("GET", "HEAD", "OPTIONS"):
        return found
    if request.content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        for key, values in request.POST.lists():
            if NUL in key:
                found.append("form")
            found.extend(loc for v in values for loc in nul_locations_in_text(v, f"form.{key}"))
        for key, files in request.FILES.lists():
            found.extend(f"files.{key}" for f in files if NUL in (f.name or ""))
    else:
        body = request.body.decode("utf-8", errors="replace")
        found.extend(nul_locations_in_text(body, "body"))
    return found
