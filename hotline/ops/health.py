"""PURE: whether hotline is ready to serve, and if not, why, from facts read elsewhere."""

from dataclasses import dataclass, field
from datetime import timedelta


@dataclass(frozen=True)
class Readiness:
    ready: bool
    reasons: list[str] = field(default_factory=list)
    checks: dict[str, str] = field(default_factory=dict)  # check → "ok" or what is wrong


def readiness(
    *,
    database_error: str | None,
    unapplied: list[str],
    heartbeat_age: timedelta | None,
    worker_max_age: timedelta,
) -> Readiness:
    """Ready when the database answers, every migration is applied and a worker is alive."""
    checks: dict[str, str] = {}
    checks["database"] = f"unreachable: {database_error}" if database_error else "ok"
    if database_error:
        checks["migrations"] = checks["worker"] = "unknown: the database is unreachable"
    else:
        checks["migrations"] = (
            f"{len(unapplied)} unapplied, first {unapplied[0]}; run `hotline migrate`"
            if unapplied
            else "ok"
        )
        if unapplied:  # the heartbeat table itself may not exist yet
            checks["worker"] = "unknown until the migrations are applied"
        elif heartbeat_age is None:
            checks["worker"] = "no worker has ever reported; start `hotline worker`"
        elif heartbeat_age > worker_max_age:
            checks["worker"] = (
                f"last worker round {heartbeat_age.total_seconds():.0f} s ago, more than the "
                f"{worker_max_age.total_seconds():.0f} s allowed"
            )
        else:
            checks["worker"] = "ok"
    reasons = [f"{name}: {state}" for name, state in checks.items() if state != "ok"]
    return Readiness(ready=not reasons, reasons=reasons, checks=checks)
