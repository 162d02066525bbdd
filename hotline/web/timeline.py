"""The audit record told as sentences with names: "Telegram's moderator kim marked item 3
removed", never `item:33`, `kim@4` or an event's tag.

`timeline_entries` reads the names it needs (people, organisations, items, platforms) in a
constant number of queries, whatever the number of events.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from hotline.accounts.models import Membership, Organisation
from hotline.audit.models import Event
from hotline.cases.models import Item, Notice
from hotline.web import labels

# One sentence per event tag; %(who)s is the actor in words, %(item)s "item 3" (or "the
# notice", "the request"), %(reason)s a rejection reason, %(platform)s a notice's platform.
SENTENCES: dict[str, Promise] = {
    "request:submit": _("%(who)s filed the request"),
    "request:consent_withdrawn": _("%(who)s withdrew consent: the request's hashes were deleted"),
    "item:create": _("%(who)s added %(item)s to the request"),
    "item:route": _("%(who)s routed %(item)s to its platform"),
    "item:reroute": _("%(who)s routed %(item)s once its platform was known"),
    "item:room_link": _("%(who)s linked %(item)s to the item of its room"),
    "notice:create": _("%(who)s sent the notice to %(platform)s"),
    "notice:acknowledge": _("%(who)s acknowledged the notice"),
    "notice:escalate": _(
        "The deadline passed: hotline escalated the notice to %(platform)s's designated official"
    ),
    "notice:close": _("The notice was closed: every item has an outcome"),
    "item:removed": _("%(who)s marked %(item)s removed"),
    "item:restricted": _("%(who)s marked %(item)s restricted"),
    "item:rejected": _("%(who)s rejected %(item)s: %(reason)s"),
    "item:needs_info": _("%(who)s asked a question about %(item)s"),
    "item:answered": _("%(who)s answered the question about %(item)s"),
    "item:verified_gone": _("hotline confirmed that %(item)s is gone"),
    "item:verified_present": _("hotline found %(item)s still online and reopened it"),
    "item:check": _("hotline checked the URL of %(item)s"),
    "item:observed_gone": _("hotline saw that %(item)s is gone"),
    "item:seen_before": _("hotline found that %(item)s was reported before"),
    "item:reupload": _("hotline found that %(item)s is a re-upload of content confirmed removed"),
    "item:copy_found": _("A copy of %(item)s was found again"),
    "item:bank_quarantined": _("The hash of %(item)s left matching after false-match reports"),
    "item:bank_restored": _("%(who)s restored the hash of %(item)s to matching"),
    "item:bank_removed": _("%(who)s removed the hash of %(item)s from the bank"),
    "item:review_sent": _("%(who)s sent the self-filed %(item)s to its platform"),
    "item:review_declined": _("%(who)s declined the self-filed %(item)s"),
    "notice:signals_withdrawn": _("%(who)s told %(platform)s to delete the withdrawn hashes"),
    "message:question": _("%(who)s asked a question"),
    "message:answer": _("%(who)s answered a question"),
    "message:system": _("hotline posted a message on the thread"),
    "message:reminder": _("hotline reminded %(platform)s of an unanswered question"),
    "delivery:sent": _("hotline delivered a message about %(item)s"),
    "delivery:failed_attempt": _(
        "hotline could not deliver a message about %(item)s yet and will try again"
    ),
    "delivery:failed": _("hotline gave up delivering a message about %(item)s"),
    "delivery:retry": _("%(who)s asked hotline to deliver a message again"),
    "inbound:answer_posted": _("%(who)s answered by email"),
    "inbound:reply_applied": _("%(who)s acted on the notice by email reply"),
    "self_case:pin_issued": _("%(who)s gave the person a new PIN for her case"),
}
UNKNOWN_EVENT = _("%(who)s recorded a change to %(item)s")

ROLES: dict[str, Promise] = {
    "reporter": _("reporter"),
    "moderator": _("moderator"),
    "auditor": _("auditor"),
    "admin": _("administrator"),
}


@dataclass(frozen=True)
class Entry:
    """One event of the record as a person reads it."""

    created_at: datetime
    sentence: str


@dataclass(frozen=True)
class _Names:
    organisations: dict[int, str]
    people: dict[str, str]  # username → the name to show
    roles: dict[tuple[str, int], str]  # (username, organisation) → role
    items: dict[int, tuple[int, int | None]]  # item id → (its number, its notice)
    platforms: dict[int, str]  # notice id → its platform's name


def _split_actor(label: str) -> tuple[str, int | None]:
    """`kim@4` → ("kim", 4); labels of the system (`hotline`, `cli`) have no organisation."""
    name, at, organisation = label.rpartition("@")
    if at and organisation.isdecimal():
        return name, int(organisation)
    return label, None


def _subject_id(subject: str, kind: str) -> int | None:
    prefix, _colon, value = subject.partition(":")
    return int(value) if prefix == kind and value.isdecimal() else None


def _names(events: Sequence[Event]) -> _Names:
    actors = [_split_actor(e.actor) for e in events]
    organisation_ids = {o for _n, o in actors if o is not None}
    usernames = {n for n, o in actors if o is not None and ":" not in n}
    item_ids = {i for e in events if (i := _subject_id(e.subject, "item")) is not None}
    notice_ids = {n for e in events if (n := _subject_id(e.subject, "notice")) is not None}
    items: dict[int, tuple[int, int | None]] = {
        pk: (position, notice_id)
        for pk, position, notice_id in Item.objects.filter(pk__in=item_ids).values_list(
            "pk", "position", "notice_id"
        )
    }
    notice_ids |= {notice_id for _p, notice_id in items.values() if notice_id is not None}
    people = {
        user.get_username(): (user.get_full_name() or user.get_username())
        for user in get_user_model().objects.filter(username__in=usernames)
    }
    roles = {
        (username, organisation): role
        for username, organisation, role in Membership.objects.filter(
            user__username__in=usernames, organisation_id__in=organisation_ids
        ).values_list("user__username", "organisation_id", "role")
    }
    return _Names(
        organisations=dict(
            Organisation.objects.filter(pk__in=organisation_ids).values_list("pk", "name")
        ),
        people=people,
        roles=roles,
        items=items,
        platforms=dict(
            Notice.objects.filter(pk__in=notice_ids).values_list("pk", "platform__name")
        ),
    )


def _who(label: str, names: _Names) -> str:
    username, organisation_id = _split_actor(label)
    if organisation_id is None:
        return "hotline"  # the system, a command line or the demo acting for it
    organisation = names.organisations.get(organisation_id, str(_("another organisation")))
    if username.startswith("link:"):
        return _("%(organisation)s (through the notice's signed link)") % {
            "organisation": organisation
        }
    if username.startswith("email:"):
        return _("%(organisation)s (by email)") % {"organisation": organisation}
    if username == "self":
        return str(_("the person herself (self-service)"))
    role = names.roles.get((username, organisation_id))
    person = names.people.get(username, username)
    if role is None:
        return _("%(person)s of %(organisation)s") % {
            "person": person,
            "organisation": organisation,
        }
    return _("%(organisation)s's %(role)s %(person)s") % {
        "organisation": organisation,
        "role": ROLES.get(role, role),
        "person": person,
    }


def _what(subject: str, names: _Names) -> str:
    if (item_id := _subject_id(subject, "item")) is not None:
        position, _notice = names.items.get(item_id, (None, None))
        return _("item %(n)s") % {"n": position} if position else str(_("an item"))
    if _subject_id(subject, "notice") is not None:
        return str(_("the notice"))
    return str(_("the request"))


def _platform(event: Event, names: _Names) -> str:
    notice_id = _subject_id(event.subject, "notice")
    if notice_id is None and (item_id := _subject_id(event.subject, "item")) is not None:
        _position, notice_id = names.items.get(item_id, (None, None))
    return names.platforms.get(notice_id or 0, str(_("the platform")))


def sentence(event: Event, names: _Names) -> str:
    payload: dict[str, Any] = event.payload if isinstance(event.payload, dict) else {}
    reason = str(payload.get("reason") or "")
    words = {
        "who": _who(event.actor, names),
        "item": _what(event.subject, names),
        "reason": str(labels.REASONS.get(reason, _("no reason given"))),
        "platform": "",
    }
    template = str(SENTENCES.get(event.tag, UNKNOWN_EVENT))
    if "%(platform)s" in template:
        words["platform"] = _platform(event, names)
    text = template % words
    return text if text.startswith("hotline") else text[:1].upper() + text[1:]


def timeline_entries(events: Iterable[Event]) -> list[Entry]:
    """Each event as a sentence in the active language, oldest first as given."""
    rows = list(events)
    names = _names(rows)
    return [Entry(created_at=e.created_at, sentence=sentence(e, names)) for e in rows]
