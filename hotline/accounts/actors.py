"""The acting party: who is doing something, for which organisation, in which role."""

from dataclasses import dataclass

from hotline.accounts.models import OrganisationKind, Role


@dataclass(frozen=True)
class Actor:
    """Everything a service needs to know about the caller, resolved once at the edge."""

    user_id: int | None
    username: str
    organisation_id: int
    organisation_kind: str
    role: str

    @property
    def is_reporter(self) -> bool:
        return self.role == Role.REPORTER and self.organisation_kind in {
            OrganisationKind.REGULATOR,
            OrganisationKind.SUPPORT_ORG,
        }

    @property
    def is_moderator(self) -> bool:
        return self.role == Role.MODERATOR and self.organisation_kind == OrganisationKind.PLATFORM

    @property
    def is_auditor(self) -> bool:
        return self.role == Role.AUDITOR

    @property
    def label(self) -> str:
        return f"{self.username}@{self.organisation_id}"


SYSTEM = Actor(user_id=None, username="hotline", organisation_id=0, organisation_kind="", role="")
