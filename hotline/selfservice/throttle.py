"""The per-address hourly limit on anonymous submissions and case openings of /self/.

Without an account anyone could file case after case from one address; the limit is
HOTLINE_SELF_SUBMISSIONS_PER_HOUR per address and kind. The address is the one the sign-in
lockout uses (hotline.web.client, trusted proxies), kept here only as a keyed hash: the rows
serve counting, never finding out who she is, and are deleted once out of the window.
"""

import hashlib
import hmac
import math
from datetime import timedelta

from django.conf import settings
from django.db import transaction

from hotline.audit.services import audit_record
from hotline.core import clock
from hotline.core.errors import DomainError
from hotline.selfservice.models import Attempt

WINDOW = timedelta(hours=1)
SUBMIT, OPEN = "submit", "open"


class TooManyAttempts(DomainError):
    status_code = 429
    code = "throttled"

    def __init__(self, *, kind: str, limit: int, retry_after: int) -> None:
        super().__init__(f"at most {limit} per hour from one address; try again later")
        self.kind, self.limit, self.retry_after = kind, limit, retry_after


def hourly_limit() -> int:
    return max(1, int(settings.HOTLINE_SELF_SUBMISSIONS_PER_HOUR))


def address_key(remote_addr: str) -> str:
    secret = str(settings.SECRET_KEY).encode()
    return hmac.new(secret, remote_addr.encode(), hashlib.sha256).hexdigest()


def attempt_allow(*, kind: str, remote_addr: str, organisation_id: int) -> None:
    """Count one attempt of `kind` from this address, or raise TooManyAttempts. The first
    refusal in a window is audited; more from the same address are only counted as refused."""
    limit = hourly_limit()
    retry_after = _count(kind, remote_addr, organisation_id, limit)
    if retry_after is not None:  # raised outside the transaction, which must commit its rows
        raise TooManyAttempts(kind=kind, limit=limit, retry_after=retry_after)


@transaction.atomic
def _count(kind: str, remote_addr: str, organisation_id: int, limit: int) -> int | None:
    now, key = clock.now(), address_key(remote_addr)
    since = now - WINDOW
    Attempt.objects.filter(created_at__lte=since).delete()
    counted = Attempt.objects.filter(address_key=key, kind=kind, created_at__gt=since)
    oldest = list(counted.order_by("created_at").values_list("created_at", flat=True)[:1])
    if counted.count() < limit:
        Attempt.objects.create(address_key=key, kind=kind, created_at=now)
        return None
    retry_after = max(1, math.ceil((oldest[0] + WINDOW - now).total_seconds()))
    refused = f"{kind}:refused"
    if not Attempt.objects.filter(address_key=key, kind=refused, created_at__gt=since).exists():
        Attempt.objects.create(address_key=key, kind=refused, created_at=now)
        audit_record(
            tag="self_service:rate_limited",
            actor="self",
            subject=f"address:{key[:16]}",
            organisation_id=organisation_id,
            payload={"kind": kind, "limit": limit, "window_s": int(WINDOW.total_seconds())},
        )
    return retry_after
