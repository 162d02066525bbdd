"""Organisations, memberships (a user's role in one organisation) and API tokens."""

from django.conf import settings
from django.db import models
from django_otp.models import Device, ThrottlingMixin, TimestampMixin
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from hotline.core.encryption import EncryptedTextField


class OrganisationKind(models.TextChoices):
    REGULATOR = "regulator", "Regulator"
    SUPPORT_ORG = "support_org", "Victim-support organisation"
    PLATFORM = "platform", "Platform"
    AUDITOR = "auditor", "Auditor / police liaison"


class Role(models.TextChoices):
    REPORTER = "reporter", "Reporter (analyst or caseworker)"
    MODERATOR = "moderator", "Platform moderator"
    AUDITOR = "auditor", "Auditor"
    ADMIN = "admin", "Administrator"


# Which roles make sense in which kind of organisation; services enforce it.
ROLES_BY_KIND: dict[str, frozenset[str]] = {
    OrganisationKind.REGULATOR: frozenset({Role.REPORTER, Role.AUDITOR, Role.ADMIN}),
    OrganisationKind.SUPPORT_ORG: frozenset({Role.REPORTER, Role.ADMIN}),
    OrganisationKind.PLATFORM: frozenset({Role.MODERATOR, Role.ADMIN}),
    OrganisationKind.AUDITOR: frozenset({Role.AUDITOR}),
}


class Organisation(models.Model):
    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    kind = models.CharField(max_length=20, choices=OrganisationKind.choices)
    # ISO 3166 alpha-2; decides which deadline policy applies to this organisation's requests.
    jurisdiction = models.CharField(max_length=2, default="KR")
    contact_email = models.EmailField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.kind})"


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="one_role_per_org"),
        ]

    def __str__(self) -> str:
        return f"{self.user} as {self.role} of {self.organisation.name}"


class ApiToken(models.Model):
    """A bearer token; only its SHA-256 is stored, so a database leak does not leak tokens."""

    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"


class Preference(models.Model):
    """A person's language and time zone in the web interface; blank means the default."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preference"
    )
    language = models.CharField(max_length=8, blank=True)
    time_zone = models.CharField(max_length=64, blank=True)
    # When the person last marked their news as seen: the dashboard shows what came after.
    news_seen_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user}: {self.language or '-'} {self.time_zone or '-'}"


class LoginAttempt(models.Model):
    """One sign-in attempt (password or one-time code), kept for the lockout rule."""

    username = models.CharField(max_length=150, db_index=True)
    stage = models.CharField(max_length=10)  # "password" or "totp"
    succeeded = models.BooleanField()
    remote_addr = models.CharField(max_length=45, blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        # The lockout reads attempts per (username, address) and per address (accounts.lockout).
        indexes = [
            models.Index(fields=["username", "remote_addr", "created_at"], name="attempt_pair"),
            models.Index(fields=["remote_addr", "created_at"], name="attempt_address"),
        ]

    def __str__(self) -> str:
        outcome = "ok" if self.succeeded else "failed"
        return f"{self.username} {self.stage} {outcome} at {self.created_at:%Y-%m-%d %H:%M}"


def _new_seed() -> str:
    return str(random_hex(20))


class Authenticator(TimestampMixin, ThrottlingMixin, Device):  # type: ignore[misc]
    """django-otp is untyped, so mypy sees this model's base as Any (hence the ignores).

    A TOTP authenticator whose seed is encrypted at rest (docs/decisions/0006).

        django-otp's TOTPDevice keeps the seed as plain hex; this is the same device, field for
        field, with `key` an EncryptedTextField. Its behaviour is django-otp's own code, taken
        from TOTPDevice (verification with drift and replay protection, throttling, otpauth URI).
    """

    key = EncryptedTextField(default=_new_seed)  # hex, as in TOTPDevice
    step = models.PositiveSmallIntegerField(default=30)  # type: ignore[var-annotated]
    t0 = models.BigIntegerField(default=0)  # type: ignore[var-annotated]
    digits = models.PositiveSmallIntegerField(choices=[(6, 6), (8, 8)], default=6)  # type: ignore[var-annotated]
    tolerance = models.PositiveSmallIntegerField(default=1)  # type: ignore[var-annotated]
    drift = models.SmallIntegerField(default=0)  # type: ignore[var-annotated]
    last_t = models.BigIntegerField(default=-1)  # type: ignore[var-annotated]

    bin_key = TOTPDevice.bin_key
    verify_token = TOTPDevice.verify_token
    get_throttle_factor = TOTPDevice.get_throttle_factor
    config_url = TOTPDevice.config_url
    _read_str_from_settings = TOTPDevice._read_str_from_settings

    class Meta(Device.Meta):  # type: ignore[misc]
        verbose_name = "authenticator (TOTP, seed encrypted)"
