"""What one evidence package covers: one case, or one platform's notices over a period."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from hotline.core import clock
from hotline.core.errors import InvalidInput

DEFAULT_DAYS = 30


@dataclass(frozen=True)
class EvidenceScope:
    case_id: str = ""
    platform: str = ""
    since: date | None = None
    until: date | None = None

    @property
    def kind(self) -> str:
        return "case" if self.case_id else "platform"

    @property
    def start(self) -> datetime:
        return datetime.combine(self.since or date.min, time.min, tzinfo=UTC)

    @property
    def end(self) -> datetime:
        """The end of the `until` day, exclusive."""
        until = self.until or date.max - timedelta(days=1)
        return datetime.combine(until + timedelta(days=1), time.min, tzinfo=UTC)

    def as_dict(self) -> dict[str, str]:
        if self.case_id:
            return {"kind": "case", "case_id": self.case_id}
        return {
            "kind": "platform",
            "platform": self.platform,
            "since": f"{self.since}",
            "until": f"{self.until}",
        }

    @property
    def label(self) -> str:
        if self.case_id:
            return f"case {self.case_id}"
        return f"platform {self.platform}, notices sent {self.since} to {self.until} (UTC)"

    @property
    def file_stem(self) -> str:
        if self.case_id:
            return f"hotline-evidence-{self.case_id}"
        name = "".join(c if c.isalnum() else "-" for c in self.platform)
        return f"hotline-evidence-{name}-{self.since}-{self.until}"


def case_scope(case_id: str) -> EvidenceScope:
    if not case_id.strip():
        raise InvalidInput("give a case id (HL-…)", details=[{"element": "case"}])
    return EvidenceScope(case_id=case_id.strip())


def platform_scope(platform: str, since: date | None, until: date | None) -> EvidenceScope:
    """Notices created from `since` to `until`, both inclusive UTC days (default: 30 days)."""
    if not platform.strip():
        raise InvalidInput("give a platform name", details=[{"element": "platform"}])
    until = until or clock.now().date()
    since = since or until - timedelta(days=DEFAULT_DAYS)
    if since > until:
        raise InvalidInput("since must not be after until", details=[{"element": "since"}])
    return EvidenceScope(platform=platform.strip(), since=since, until=until)
