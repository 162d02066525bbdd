"""Sign-in lockout: five failed attempts in fifteen minutes lock a username for fifteen minutes."""

from datetime import datetime, timedelta

from django.db import transaction

from hotline.accounts.models import LoginAttempt, Membership
from hotline.audit.services import audit_record
from hotline.core import clock

MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)


def login_locked_until(*, username: str, now: datetime | None = None) -> datetime | None:
    """When the lock on this username ends, or None when it may try to sign in."""
    now = now or clock.now()
    failures = _recent_failures(username, now)
    if len(failures) < MAX_FAILURES:
        return None
    # Locked for WINDOW after the failure that reached the limit.
    return failures[MAX_FAILURES - 1] + WINDOW


def _recent_failures(username: str, now: datetime) -> list[datetime]:
    attempts = LoginAttempt.objects.filter(username=username, created_at__gt=now - WINDOW)
    last_success = (
        attempts.filter(succeeded=True).order_by("-created_at").values_list("created_at", flat=True)
    ).first()
    failures = attempts.filter(succeeded=False)
    if last_success is not None:
        failures = failures.filter(created_at__gt=last_success)
    return list(failures.order_by("-created_at").values_list("created_at", flat=True))


@transaction.atomic
def login_attempt_record(
    *, username: str, stage: str, succeeded: bool, remote_addr: str = ""
) -> datetime | None:
    """Keep one attempt; audit a sign-in and the failure that locks. Returns the lock's end."""
    now = clock.now()
    LoginAttempt.objects.create(
        username=username[:150],
        stage=stage,
        succeeded=succeeded,
        remote_addr=remote_addr[:45],
        created_at=now,
    )
    locked_until = None if succeeded else login_locked_until(username=username, now=now)
    if succeeded and stage == "totp":
        _audit("session:login", username, {"remote_addr": remote_addr})
    elif locked_until is not None and len(_recent_failures(username, now)) == MAX_FAILURES:
        _audit(
            "session:locked",
            username,
            {"until": locked_until.isoformat(), "stage": stage, "remote_addr": remote_addr},
        )
    return locked_until


def _audit(tag: str, username: str, payload: dict[str, object]) -> None:
    membership = Membership.objects.filter(user__username=username).first()
    audit_record(
        tag=tag,
        actor=f"web:{username}",
        subject=f"user:{membership.user_id}" if membership else f"username:{username}",
        organisation_id=membership.organisation_id if membership else None,
        payload=payload,
    )
