"""The victims a centre follows: found by its own reference, made on first use, audited."""

from datetime import datetime

from django.db import IntegrityError, transaction

from hotline.audit.services import audit_record
from hotline.cases.models import TakedownRequest, Victim


def victim_for_reference(
    *, organisation_id: int, reference: str, actor: str, now: datetime
) -> Victim:
    """The organisation's victim with this (cleaned) reference; the first use makes her row.

    Runs inside the filing transaction; a concurrent first use of the same reference loses the
    race on the unique constraint in a savepoint and reads the winner's row.
    """
    existing = Victim.objects.filter(organisation_id=organisation_id, reference=reference).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            victim = Victim.objects.create(
                organisation_id=organisation_id, reference=reference, created_at=now
            )
    except IntegrityError:
        return Victim.objects.get(organisation_id=organisation_id, reference=reference)
    audit_record(
        tag="victim:create",
        actor=actor,
        subject=f"victim:{victim.pk}",
        organisation_id=organisation_id,
        payload={"reference": reference},
    )
    return victim


def victim_link_record(*, victim: Victim, request: TakedownRequest, actor: str) -> None:
    """Audit that a request was filed for the victim. The request's own events never name her:
    they go into platforms' evidence packages, the victim's events never do."""
    audit_record(
        tag="victim:request",
        actor=actor,
        subject=f"victim:{victim.pk}",
        organisation_id=victim.organisation_id,
        payload={"case_id": request.case_id, "request": request.pk},
    )
