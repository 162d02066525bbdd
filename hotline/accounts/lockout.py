"""Sign-in lockout per (username, address), per address, and a slow-down per username.

The rules are in `lockout_rules` (pure); this module reads the recent attempts they need and
records each new one. A completed sign-in, a lock and a slow-down are audit events.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import QuerySet

from hotline.accounts import lockout_rules as rules
from hotline.accounts.models import LoginAttempt, Membership
from hotline.audit.services import audit_record
from hotline.core import clock

# An address this username completed a sign-in from within this long is not slowed down.
KNOWN_ADDRESS_FOR = timedelta(days=30)
SIGNED_IN = "totp"  # the stage whose success ends a sign-in and clears the pair's failures

AUDIT_TAGS = {
    "pair": "session:locked",
    "address": "session:address_locked",
    "slowed": "session:slowed",
}


def _recent(username: str, address: str, now: datetime) -> rules.Recent:
    since = now - rules.WINDOW
    pair = LoginAttempt.objects.filter(username=username, remote_addr=address)
    last_success = (
        pair.filter(succeeded=True, stage=SIGNED_IN)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    pair_failures = pair.filter(succeeded=False, created_at__gt=since)
    if last_success is not None:
        pair_failures = pair_failures.filter(created_at__gt=last_success)
    address_failures = LoginAttempt.objects.filter(
        remote_addr=address, succeeded=False, created_at__gt=since
    )
    return rules.Recent(
        pair_failures=_times(pair_failures, rules.PAIR_FAILURES),
        address_failures=_times(address_failures, rules.ADDRESS_FAILURES),
        account_failures=LoginAttempt.objects.filter(
            username=username, succeeded=False, created_at__gt=since
        ).count(),
        last_attempt_from_address=pair.order_by("-created_at")
        .values_list("created_at", flat=True)
        .first(),
        known_address=last_success is not None and last_success > now - KNOWN_ADDRESS_FOR,
    )


def _times(attempts: QuerySet[LoginAttempt], limit: int) -> list[datetime]:
    """The newest `limit` attempt times (all the rules need), newest first."""
    return list(attempts.order_by("-created_at").values_list("created_at", flat=True)[:limit])


def login_locked_until(
    *, username: str, remote_addr: str, now: datetime | None = None
) -> datetime | None:
    """When this username may next try from this address, or None when it may try now."""
    now = now or clock.now()
    refused = rules.refusal(_recent(username, remote_addr, now), now)
    return refused.until if refused else None


@transaction.atomic
def login_attempt_record(
    *, username: str, stage: str, succeeded: bool, remote_addr: str
) -> datetime | None:
    """Keep one attempt; audit a sign-in and the failure that locks. Returns the lock's end."""
    now = clock.now()
    username, remote_addr = username[:150], remote_addr[:45]
    LoginAttempt.objects.create(
        username=username,
        stage=stage,
        succeeded=succeeded,
        remote_addr=remote_addr,
        created_at=now,
    )
    if succeeded:
        if stage == SIGNED_IN:
            _audit("session:login", username, {"remote_addr": remote_addr})
        return None
    recent = _recent(username, remote_addr, now)
    reached = rules.newly_reached(recent)
    refused = rules.refusal(recent, now)
    if reached is not None:
        payload: dict[str, object] = {"stage": stage, "remote_addr": remote_addr}
        if refused is not None:
            payload["until"] = refused.until.isoformat()
        _audit(AUDIT_TAGS[reached], username, payload)
    return refused.until if refused else None


def _audit(tag: str, username: str, payload: dict[str, object]) -> None:
    membership = Membership.objects.filter(user__username=username).first()
    audit_record(
        tag=tag,
        actor=f"web:{username}",
        subject=f"user:{membership.user_id}" if membership else f"username:{username}",
        organisation_id=membership.organisation_id if membership else None,
        payload=payload,
    )
