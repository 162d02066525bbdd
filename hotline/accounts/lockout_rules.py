"""PURE: when sign-in attempts are refused, so that guessing is stopped but nobody can lock a
real user out from elsewhere (docs/decisions/0006-secrets-at-rest-and-link-expiry.md).

Three rules, all over the last WINDOW:

- a username *from one address* locks after PAIR_FAILURES failures (since that pair's last
  success), for WINDOW after the failure that reached the limit;
- an *address* locks for every username after ADDRESS_FAILURES failures (password spraying);
- a *username* failing ACCOUNT_SLOWDOWN times from anywhere is slowed, never locked: each
  address it has not signed in from before may try it once per SLOW_INTERVAL.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

WINDOW = timedelta(minutes=15)
PAIR_FAILURES = 5
ADDRESS_FAILURES = 20
ACCOUNT_SLOWDOWN = 25
SLOW_INTERVAL = timedelta(minutes=1)


@dataclass(frozen=True)
class Recent:
    """What the database knows about recent attempts that bear on one (username, address)."""

    pair_failures: list[datetime]  # newest first, since the pair's last success
    address_failures: list[datetime]  # newest first, any username
    account_failures: int  # this username, any address
    last_attempt_from_address: datetime | None  # this username, this address
    known_address: bool  # this username signed in from this address before


@dataclass(frozen=True)
class Refusal:
    until: datetime
    rule: str  # "pair", "address" or "slowed"


def refusal(recent: Recent, now: datetime) -> Refusal | None:
    """Why and until when an attempt is refused now, or None when it may go ahead."""
    if len(recent.pair_failures) >= PAIR_FAILURES:
        until = recent.pair_failures[PAIR_FAILURES - 1] + WINDOW
        if until > now:
            return Refusal(until, "pair")
    if len(recent.address_failures) >= ADDRESS_FAILURES:
        until = recent.address_failures[ADDRESS_FAILURES - 1] + WINDOW
        if until > now:
            return Refusal(until, "address")
    if (
        recent.account_failures >= ACCOUNT_SLOWDOWN
        and not recent.known_address
        and recent.last_attempt_from_address is not None
        and recent.last_attempt_from_address + SLOW_INTERVAL > now
    ):
        return Refusal(recent.last_attempt_from_address + SLOW_INTERVAL, "slowed")
    return None


def newly_reached(recent: Recent) -> str | None:
    """The rule that the failure just recorded brought to its limit (audited once), or None."""
    if len(recent.pair_failures) == PAIR_FAILURES:
        return "pair"
    if len(recent.address_failures) == ADDRESS_FAILURES:
        return "address"
    if recent.account_failures == ACCOUNT_SLOWDOWN:
        return "slowed"
    return None
