"""Second factor: TOTP authenticators (django-otp), enrolled once and checked at every sign-in.

The device is `accounts.Authenticator`, django-otp's TOTP device with its seed encrypted.
"""

from typing import cast

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django_otp.oath import totp

from hotline.accounts.models import Authenticator, Membership
from hotline.audit.services import audit_record

DEVICE_NAME = "authenticator"


def totp_device_confirmed(*, user_id: int) -> Authenticator | None:
    devices = Authenticator.objects.filter(user_id=user_id, confirmed=True)
    return cast(Authenticator | None, devices.order_by("pk").first())


def totp_enrolment_pending(*, user_id: int) -> Authenticator | None:
    devices = Authenticator.objects.filter(user_id=user_id, confirmed=False)
    return cast(Authenticator | None, devices.order_by("pk").first())


def totp_enrolment_start(*, user: AbstractBaseUser) -> Authenticator:
    """The unconfirmed device being enrolled; the same one until it is confirmed."""
    device = totp_enrolment_pending(user_id=user.pk)
    return cast(
        Authenticator,
        device or Authenticator.objects.create(user=user, name=DEVICE_NAME, confirmed=False),
    )


@transaction.atomic
def totp_enrolment_confirm(*, user: AbstractBaseUser, code: str) -> Authenticator | None:
    """Confirm the device being enrolled when the code it shows is right; None otherwise."""
    device = totp_enrolment_pending(user_id=user.pk)
    if device is None or not device.verify_token(code.strip()):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    _audit_enrolment(user, how="web enrolment")
    return device


def totp_check(*, user_id: int, code: str) -> Authenticator | None:
    """The confirmed device when the code is right (django-otp also throttles guessing)."""
    device = totp_device_confirmed(user_id=user_id)
    if device is None or not device.verify_token(code.strip()):
        return None
    return device


@transaction.atomic
def totp_enrol_directly(*, user: AbstractBaseUser, actor: str) -> Authenticator:
    """An administrator (or the demo) gives a person a confirmed authenticator secret."""
    Authenticator.objects.filter(user_id=user.pk).delete()
    device = Authenticator.objects.create(user=user, name=DEVICE_NAME, confirmed=True)
    _audit_enrolment(user, how=f"issued by {actor}")
    return cast(Authenticator, device)


def totp_code_now(*, device: Authenticator) -> str:
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
