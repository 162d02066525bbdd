"""Template filters that turn workflow codes into words in the reader's language."""

from django import template
from django.utils.translation import gettext_lazy as _

from hotline.web import labels

register = template.Library()

EVENTS = {
    "request:submit": _("Request filed"),
    "item:create": _("Item routed"),
    "item:reroute": _("Routed once its platform was known"),
    "item:room_link": _("Linked to its room, reported later"),
    "notice:create": _("Notice sent to the platform"),
    "notice:acknowledge": _("Platform acknowledged the notice"),
    "notice:escalate": _("Deadline passed: escalated to the platform's official"),
    "notice:close": _("Notice closed"),
    "item:removed": _("Platform reported removal"),
    "item:restricted": _("Platform restricted the item"),
    "item:rejected": _("Platform rejected the item"),
    "item:needs_info": _("Platform asked for information"),
    "item:answered": _("Reporter answered"),
    "item:verified_gone": _("hotline confirmed the item is gone"),
    "item:verified_present": _("hotline found the item still online"),
    "item:check": _("hotline checked the URL"),
    "item:observed_gone": _("hotline saw the item gone"),
    "item:seen_before": _("Same content seen before"),
    "item:reupload": _("Re-upload of content confirmed removed"),
    "item:copy_found": _("A copy of this content was found again"),
    "item:bank_quarantined": _("Its hash left matching after false-match reports"),
    "item:bank_restored": _("Its hash was restored to matching"),
    "item:bank_removed": _("Its hash was removed from the bank"),
    "message:question": _("Question posted"),
    "message:answer": _("Answer posted"),
    "message:system": _("System message"),
}


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
def event_label(tag: str) -> str:
    return str(EVENTS.get(tag, tag))


@register.filter
def percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


@register.filter
def hours(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f} h"


@register.filter
def dict_get(mapping: dict[object, object], key: object) -> object:
    return mapping.get(key, [])
