"""Who is calling: a signed-in, second-factor-verified member of an organisation, as an Actor."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import BadRequest
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp.middleware import is_verified

from hotline.accounts.actors import Actor
from hotline.accounts.selectors import membership_for_user
from hotline.accounts.services import actor_for_membership
from hotline.accounts.two_factor import totp_device_confirmed
from hotline.core.errors import InvalidInput, NotFound, PermissionDenied

View = Callable[..., HttpResponse]

# Which actors each part of the interface is for; None: any member (readers of reports too).
SIDES: dict[str | None, Callable[[Actor], bool]] = {
    "reporter": lambda actor: actor.is_reporter,
    "moderator": lambda actor: actor.is_moderator,
    None: lambda actor: True,
}


def actor_required(side: str | None = None) -> Callable[[View], View]:
    """Signed in with password and one-time code, a member, and on the right side; else no."""

    def decorate(view: View) -> View:
        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not is_verified(request.user):
                return _second_factor_step(request)
            membership = membership_for_user(user_id=user_id(request))
            if membership is None:
                raise DjangoPermissionDenied("no organisation")
            actor = actor_for_membership(membership)
            if not SIDES[side](actor):
                raise DjangoPermissionDenied("not for this role")
            request.actor = actor  # type: ignore[attr-defined]
            return domain_errors_as_http(view)(request, *args, **kwargs)

        return guarded

    return decorate


def _second_factor_step(request: HttpRequest) -> HttpResponse:
    if totp_device_confirmed(user_id=user_id(request)) is None:
        return redirect("web:enrol")
    return redirect("web:verify")


def domain_errors_as_http(view: View) -> View:
    """Not yours or absent: 404 (so nothing leaks); wrong role: 403; input that means
    nothing and that no form of the view caught: 400."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound as error:
            raise Http404(error.message) from error
        except PermissionDenied as error:
            raise DjangoPermissionDenied(error.message) from error
        except InvalidInput as error:  # a hand-edited address (a cursor, a filter): 400
            raise BadRequest(error.message) from error

    return wrapped


def web_actor(request: HttpRequest) -> Actor:
    actor: Any = getattr(request, "actor", None)
    assert isinstance(actor, Actor)
    return actor


def safe_next(request: HttpRequest, target: str) -> str:
    """A same-site path to go back to, or "" (never an open redirect)."""
    return target if url_has_allowed_host_and_scheme(target, {request.get_host()}) else ""


def user_id(request: HttpRequest) -> int:
    """The signed-in person's id (only called behind a sign-in check)."""
    assert request.user.pk is not None
    return int(request.user.pk)
