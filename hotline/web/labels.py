"""What people read for the workflow's codes (states, reasons, legal elements), translated."""

import re

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

STATES: dict[str, Promise] = {
    "triage": _("Triage: no platform known"),
    "duplicate": _("Duplicate of an open item"),
    "notified": _("Waiting for the platform"),
    "info_requested": _("Platform asked a question"),
    "removed": _("Reported removed, being verified"),
    "restricted": _("Restricted"),
    "rejected": _("Rejected"),
    "confirmed_removed": _("Removal confirmed"),
    "reopened": _("Reopened: still online"),
}

# What an item's URL points at (platforms.url_rules.LocationKind).
LOCATION_KINDS: dict[str, Promise] = {
    "message": _("Message or post"),
    "room": _("Chat room or channel"),
    "account": _("Account"),
    "invite": _("Invite link"),
    "file": _("File"),
    "other": _("Other page"),
}

DEADLINE_STATUSES: dict[str, Promise] = {
    "overdue": _("Overdue"),
    "due": _("Deadline ahead"),
    "closed": _("Closed"),
}

ACTIONS: dict[str, Promise] = {
    "removed": _("Remove"),
    "restricted": _("Restrict"),
    "rejected": _("Reject"),
    "needs_info": _("Needs information"),
}

REASONS: dict[str, Promise] = {
    "not_found": _("Not found"),
    "not_illegal": _("Not illegal"),
    "not_intimate": _("Not intimate imagery"),
    "consent_shown": _("Consent shown"),
    "insufficient_information": _("Insufficient information"),
    "not_our_service": _("Not our service"),
    "legal_process_required": _("Legal process required"),
    "not_same_content": _("Not the same content"),
    "other": _("Other"),
}

CATEGORIES: dict[str, Promise] = {
    "sexual_deepfake": _("Sexual deepfake"),
    "non_consensual_intimate_image": _("Non-consensual intimate image"),
    "minor_sexual_deepfake": _("Sexual deepfake of a minor"),
    "child_sexual_abuse_material": _("Child sexual abuse material"),
}

LEGAL_BASES: dict[str, Promise] = {
    "take_it_down": _("US TAKE IT DOWN Act"),
    "dsa_art16": _("EU Digital Services Act, Art. 16"),
}

VERDICTS: dict[str, Promise] = {
    "gone": _("Gone"),
    "present": _("Still online"),
    "inconclusive": _("Inconclusive"),
}

# Each legal element, and the form field where a person supplies it.
ELEMENTS: dict[str, tuple[Promise, str]] = {
    "take_it_down.signature": (
        _("Signature of the depicted person or her representative (TAKE IT DOWN Act)"),
        "signature",
    ),
    "take_it_down.identification": (
        _("Information to identify and locate the depiction (TAKE IT DOWN Act)"),
        "urls",
    ),
    "take_it_down.good_faith_statement": (
        _("Statement of good-faith belief that it is not consensual (TAKE IT DOWN Act)"),
        "good_faith_statement",
    ),
    "take_it_down.contact": (
        _("Contact information of the requester (TAKE IT DOWN Act)"),
        "contact",
    ),
    "dsa_art16.explanation": (
        _("Explanation of why the content is illegal, 10 characters or more (DSA Art. 16)"),
        "reasons",
    ),
    "dsa_art16.exact_location": (_("The exact URL of the content (DSA Art. 16)"), "urls"),
    "dsa_art16.notifier_name": (_("The notifier's name (DSA Art. 16)"), "notifier_name"),
    "dsa_art16.notifier_email": (_("The notifier's email (DSA Art. 16)"), "notifier_email"),
    "dsa_art16.bona_fide_statement": (
        _("Statement of bona fide belief that the notice is accurate (DSA Art. 16)"),
        "bona_fide_statement",
    ),
    "victim_reference": (_("A pseudonymous victim reference"), "victim_reference"),
    "items": (_("At least one item"), "urls"),
    "items.url": (_("A URL that can be read"), "urls"),
    "items.signals": (_("A valid hash"), "media"),
    "items.media": (_("A readable image or video"), "media"),
}

_ITEM_NUMBER = re.compile(r"\[(?:item )?(\d+)\]")


def element_label(element: str) -> tuple[str, str, int | None]:
    """(what is missing, which field, which item) for an element named by the services."""
    match = _ITEM_NUMBER.search(element)
    base = _ITEM_NUMBER.sub("", element)
    label, field = ELEMENTS.get(base, (element, "__all__"))
    return str(label), field, int(match.group(1)) if match else None
