"""Cursor (keyset) pagination of an ordered queryset, with the total of the whole filtered list.

A cursor names the last row of a page by its sort key, so the next page starts right after it
with an indexed range condition, however deep it is, and a row filed meanwhile neither repeats
nor hides another (decision 17). Every list is actor-scoped before it gets here, so a cursor
made up by hand can only move within rows the caller may already read.
"""

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from django.db.models import Model, Q, QuerySet

from hotline.core.errors import InvalidInput

T = TypeVar("T", bound=Model)

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


@dataclass(frozen=True)
class Page(Generic[T]):
    rows: list[T]
    total: int
    next_cursor: str | None
    limit: int


def page_limit(raw: int | str | None, default: int = DEFAULT_LIMIT) -> int:
    """A page size between 1 and MAX_LIMIT; anything else is a 422, never a silent cut."""
    if raw in (None, ""):
        return default
    try:
        limit = int(raw)  # type: ignore[arg-type]
    except ValueError:
        limit = 0
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(
            f"limit must be between 1 and {MAX_LIMIT}", details=[{"element": "limit"}]
        )
    return limit


def paginate(rows: QuerySet[T], *, keys: Sequence[str], cursor: str | None, limit: int) -> Page[T]:
    """One page of `rows` ordered by `keys` (`-name` descending; the last key must be unique).

    Key values must never be NULL: annotate a rank for a nullable column instead.
    """
    ordered = rows.order_by(*keys)
    total = ordered.count()
    if cursor:
        ordered = ordered.filter(_after(keys, _decode(cursor, len(keys))))
    page = list(ordered[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    next_cursor = _encode([_value(page[-1], k) for k in keys]) if more else None
    return Page(rows=page, total=total, next_cursor=next_cursor, limit=limit)


def _after(keys: Sequence[str], values: list[Any]) -> Q:
    """Rows strictly after `values` in the order of `keys` (a lexicographic keyset)."""
    condition = Q(pk__in=[])
    for i, key in enumerate(keys):
        name = key.lstrip("-")
        step = Q(**{f"{name}__{'lt' if key.startswith('-') else 'gt'}": values[i]})
        for earlier, value in zip(keys[:i], values[:i], strict=True):
            step &= Q(**{earlier.lstrip("-"): value})
        condition |= step
    return condition


def _value(row: Model, key: str) -> Any:
    value: Any = row
    for part in key.lstrip("-").split("__"):
        value = getattr(value, "pk" if part == "pk" else part)
    return value


def _encode(values: list[Any]) -> str:
    plain = [{"t": v.isoformat()} if isinstance(v, datetime) else v for v in values]
    return base64.urlsafe_b64encode(json.dumps(plain).encode()).decode().rstrip("=")


def _decode(cursor: str, width: int) -> list[Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
        if not isinstance(values, list) or len(values) != width:
            raise ValueError("wrong width")
        return [
            datetime.fromisoformat(v["t"]) if isinstance(v, dict) else _scalar(v) for v in values
        ]
    except (binascii.Error, ValueError, TypeError, KeyError, UnicodeDecodeError) as error:
        raise InvalidInput(
            "cursor is not one this list gave out", details=[{"element": "cursor"}]
        ) from error


def _scalar(value: Any) -> Any:
    if isinstance(value, (int, str, bool)):
        return value
    raise ValueError("not a key value")
