"""Template filters that turn workflow codes into words in the reader's language."""

from django import template

from hotline.web import labels

register = template.Library()


@register.filter
def state_label(code: str) -> str:
    return str(labels.STATES.get(code, code))


@register.filter
def reason_label(code: str) -> str:
    return str(labels.REASONS.get(code, code))


@register.filter
def category_label(code: str) -> str:
    return str(labels.CATEGORIES.get(code, code))


@register.filter
def kind_label(code: str) -> str:
    return str(labels.LOCATION_KINDS.get(code, code))


@register.filter
def verdict_label(code: str) -> str:
    return str(labels.VERDICTS.get(code, code))


@register.filter
def percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


@register.filter
def hours(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f} h"


@register.filter
def dict_get(mapping: dict[object, object], key: object) -> object:
    return mapping.get(key, [])
