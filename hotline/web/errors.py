"""Putting a service's validation errors next to the form fields they concern."""

from django import forms
from django.utils.translation import gettext as _

from hotline.core.errors import InvalidInput
from hotline.web.labels import element_label


def form_errors_from(form: forms.Form, error: InvalidInput) -> list[dict[str, object]]:
    """One entry per missing or invalid element, also attached to its field for the reader."""
    problems: list[dict[str, object]] = []
    for detail in error.details or [{"element": "__all__", "message": error.message}]:
        element = str(detail.get("element", "__all__"))
        label, field, item = element_label(element)
        problems.append(
            {"element": element, "label": label, "item": item, "message": detail.get("message")}
        )
        text = _("%(label)s (item %(item)s)") % {"label": label, "item": item} if item else label
        form.add_error(None if field not in form.fields else field, text)
    return problems
