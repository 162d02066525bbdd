"""Second factor: TOTP authenticators (django-otp), enrolled once and checked at every sign-in."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from hotline.accounts.models import Membership
from hotline.audit.services import audit_record

DEVICE_NAME = "authenticator"


def totp_device_confirmed(*, user_id: int) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user_id=user_id, confirmed=True).order_by("pk").first()


def totp_enrolment_start(*, user: AbstractBaseUser) -> TOTPDevice:
    """The unconfirmed device being enrolled; the same one until it is confirmed."""
    device = TOTPDevice.objects.filter(user_id=user.pk, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


@transaction.atomic
def totp_enrolment_confirm(*, user: AbstractBaseUser, code: str) -> TOTPDevice | None:
    """Confirm the device being enrolled when the code it shows is right; None otherwise."""
    device = TOTPDevice.objects.filter(user_id=user.pk, confirmed=False).order_by("pk").first()
    if device is None or not device.verify_token(code.strip()):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    _audit_enrolment(user, how="web enrolment")
    return device


def totp_check(*, user_id: int, code: str) -> TOTPDevice | None:
    """The confirmed device when the code is right (django-otp also throttles guessing)."""
    device = totp_device_confirmed(user_id=user_id)
    if device is None or not device.verify_token(code.strip()):
        return None
    return device


@transaction.atomic
def totp_enrol_directly(*, user: AbstractBaseUser, actor: str) -> TOTPDevice:
    """An administrator (or the demo) gives a person a confirmed authenticator secret."""
    TOTPDevice.objects.filter(user_id=user.pk).delete()
    device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=True)
    _audit_enrolment(user, how=f"issued by {actor}")
    return device


def totp_code_now(*, device: TOTPDevice) -> str:
    """The code the authenticator shows right now (for the local demo and tests)."""
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return str(value).zfill(device.digits)


def _audit_enrolment(user: AbstractBaseUser, *, how: str) -> None:
    membership = Membership.objects.filter(user_id=user.pk).first()
    audit_record(
        tag="user:totp_enrol",
        actor=f"web:{user.get_username()}",
        subject=f"user:{user.pk}",
        organisation_id=membership.organisation_id if membership else None,
        payload={"how": how},
    )
