"""The two steps of signing in: the password makes a pending sign-in, the one-time code ends it.

Until the code is right the session is not authenticated at all, so a stolen password alone
opens nothing, not even pages that only ask for a signed-in user.
"""

import base64
from datetime import datetime

from django.contrib.auth import authenticate, get_user_model, login
from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest
from django_otp import login as otp_login

from hotline.accounts.lockout import login_attempt_record, login_locked_until
from hotline.accounts.models import Authenticator
from hotline.accounts.two_factor import totp_check, totp_enrolment_confirm
from hotline.web.client import client_address

PENDING_USER = "hotline_pending_user"
PENDING_BACKEND = "hotline_pending_backend"


def password_step(
    request: HttpRequest, *, username: str, password: str
) -> tuple[AbstractBaseUser | None, datetime | None]:
    """(the user, None) when the password is right; (None, lock end or None) otherwise."""
    address = client_address(request)
    locked = login_locked_until(username=username, remote_addr=address)
    if locked is not None:
        return None, locked
    user = authenticate(request, username=username, password=password)
    if user is None:
        return None, login_attempt_record(
            username=username, stage="password", succeeded=False, remote_addr=address
        )
    request.session.cycle_key()
    request.session[PENDING_USER] = user.pk
    request.session[PENDING_BACKEND] = getattr(user, "backend", "")
    return user, None


def pending_user(request: HttpRequest) -> AbstractBaseUser | None:
    """Whoever passed the password step (or is signed in without a second factor yet)."""
    if request.user.is_authenticated:
        return request.user
    user_id = request.session.get(PENDING_USER)
    return get_user_model().objects.filter(pk=user_id, is_active=True).first() if user_id else None


def code_step(
    request: HttpRequest, user: AbstractBaseUser, *, code: str, enrolling: bool
) -> tuple[bool, datetime | None]:
    """(signed in, lock end): checks the code, counts failures toward the lockout."""
    username, address = user.get_username(), client_address(request)
    locked = login_locked_until(username=username, remote_addr=address)
    if locked is not None:
        return False, locked
    device: Authenticator | None = (
        totp_enrolment_confirm(user=user, code=code)
        if enrolling
        else totp_check(user_id=user.pk, code=code)
    )
    locked = login_attempt_record(
        username=username, stage="totp", succeeded=device is not None, remote_addr=address
    )
    if device is None:
        return False, locked
    backend = request.session.get(PENDING_BACKEND) or None
    if not request.user.is_authenticated:
        login(request, user, backend=backend)  # type: ignore[arg-type]
    otp_login(request, device)
    request.session.pop(PENDING_USER, None)
    return True, None


def base32_secret(device: Authenticator) -> str:
    """The secret as authenticator apps take it when typed instead of scanned."""
    return base64.b32encode(device.bin_key).decode().rstrip("=")
