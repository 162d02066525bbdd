"""Putting a service's validation errors next to the form fields they concern, and telling
any refusal in a sentence of the reader's language: a page never shows an exception's class,
an error code (`conflict`, `not_illegal`) or a workflow state by its code."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from hotline.core.errors import Conflict, DomainError, InvalidInput, NotFound, PermissionDenied
from hotline.web import labels
from hotline.web.labels import element_label

# A refusal whose element is known, in words (the services' messages are for API callers).
ELEMENT_SENTENCES = {
    "reason": _("Choose a reason for a rejection; other actions take no reason."),
    "question": _("Type the question to ask."),
    "items": _("Choose at least one item."),
    "upload_ref": _("Give the upload's reference."),
    "case": _("Give a case number (HL-…)."),
    "platform": _("Choose a platform."),
    "since": _("The start of the period must not be after its end."),
    "urls": _("Paste URLs or choose a file."),
}
_REFERENCE_REUSED = re.compile(r"was already used for case (HL-[\w-]+) with other content")
_ILLEGAL_MOVE = re.compile(r"item (\d+): cannot apply '(\w+)' to an item in state '(\w+)'")
CLASS_SENTENCES = {
    Conflict: _("That does not fit the current state; reload the page to see it."),
    NotFound: _("There is nothing here, or it is not yours to see."),
    PermissionDenied: _("Your role cannot do this."),
    InvalidInput: _("Something in what you sent could not be used."),
}


def error_sentence(error: DomainError) -> str:
    """What a person reads for a refusal: a specific sentence when hotline knows the case,
    else one per kind of refusal — never the class name or the code."""
    if reused := _REFERENCE_REUSED.search(error.message):
        return _(
            "This form was filed before as case %(case)s with other content: nothing new was filed."
        ) % {"case": reused.group(1)}
    if moved := _ILLEGAL_MOVE.search(error.message):
        number, _action, state = moved.groups()
        return _("Item %(n)s is already “%(state)s”: it takes no such action now.") % {
            "n": number,
            "state": labels.STATES.get(state, str(_("decided"))),
        }
    for detail in error.details:
        element = str(detail.get("element", ""))
        if element in ELEMENT_SENTENCES:
            return str(ELEMENT_SENTENCES[element])
    for kind, text in CLASS_SENTENCES.items():
        if isinstance(error, kind):
            return str(text)
    return str(_("That could not be done."))


def form_errors_from(form: forms.Form, error: InvalidInput) -> list[dict[str, object]]:
    """One entry per missing or invalid element, also attached to its field for the reader."""
    problems: list[dict[str, object]] = []
    for detail in error.details or [{"element": "__all__", "message": error.message}]:
        element = str(detail.get("element", "__all__"))
        label, field, item = element_label(element)
        if label == element:  # an element hotline has no words for: say it plainly
            label = error_sentence(InvalidInput(error.message, details=[detail]))
        # An item's own problem names its file or URL ("b.jpg: file has 30,112 bytes, over
        # the upload limit…"), as does a refused victim reference (why it looks like personal
        # data): worth reading; a legal element's label says all there is.
        worth_reading = element.startswith(("items.", "items[")) or element == "victim_reference"
        said = detail.get("message") if worth_reading else None
        problems.append({"element": element, "label": label, "item": item, "message": said})
        text = _("%(label)s (item %(item)s)") % {"label": label, "item": item} if item else label
        form.add_error(None if field not in form.fields else field, text)
    return problems
