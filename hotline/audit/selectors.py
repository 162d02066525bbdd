"""Reading the audit record, scoped to what the reader may see."""

from django.db.models import QuerySet

from hotline.audit.models import Event


def events_for_subjects(*, subjects: list[str]) -> QuerySet[Event]:
    """The timeline of the given subjects (e.g. a notice and its items), oldest first."""
    return Event.objects.filter(subject__in=subjects).order_by("seq")


def events_for_organisation(*, organisation_id: int) -> QuerySet[Event]:
    return Event.objects.filter(organisation_id=organisation_id).order_by("seq")
