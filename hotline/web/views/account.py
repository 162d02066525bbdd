"""Signing in (password, then a one-time code), enrolling an authenticator, preferences."""

from datetime import datetime

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from hotline.accounts.preferences import preference_get, preference_set
from hotline.accounts.two_factor import totp_device_confirmed, totp_enrolment_start
from hotline.web import signin
from hotline.web.access import actor_required, safe_next, user_id, web_actor
from hotline.web.forms import CodeForm, LanguageForm, LoginForm, PreferenceForm


def _locked(until: datetime) -> str:
    return _("Too many failed attempts. Try again after %(time)s.") % {
        "time": timezone.localtime(until).strftime("%H:%M")
    }


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user, locked = signin.password_step(request, **form.cleaned_data)
        if user is not None:
            request.session["next"] = safe_next(request, request.GET.get("next", ""))
            confirmed = totp_device_confirmed(user_id=user.pk)
            return redirect("web:verify" if confirmed else "web:enrol")
        form.add_error(None, _locked(locked) if locked else _("Wrong username or password."))
    return render(request, "web/account/login.html", {"form": form})


@require_http_methods(["GET", "POST"])
def verify_view(request: HttpRequest) -> HttpResponse:
    user = signin.pending_user(request)
    if user is None:
        return redirect("web:login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done, locked = signin.code_step(
            request, user, code=form.cleaned_data["code"], enrolling=False
        )
        if done:
            return _signed_in(request)
        form.add_error("code", _locked(locked) if locked else _("That code is not right."))
    return render(request, "web/account/verify.html", {"form": form})


@require_http_methods(["GET", "POST"])
def enrol_view(request: HttpRequest) -> HttpResponse:
    user = signin.pending_user(request)
    if user is None:
        return redirect("web:login")
    if totp_device_confirmed(user_id=user.pk) is not None:
        return redirect("web:verify")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done, locked = signin.code_step(
            request, user, code=form.cleaned_data["code"], enrolling=True
        )
        if done:
            messages.success(request, _("Your authenticator is set up."))
            return _signed_in(request)
        form.add_error("code", _locked(locked) if locked else _("That code is not right."))
    device = totp_enrolment_start(user=user)
    qr = segno.make(device.config_url, error="m").svg_inline(scale=4, title=_("QR code"))
    context = {
        "form": form,
        "qr_svg": mark_safe(qr),  # noqa: S308 - segno's own SVG of our own URI
        "secret": signin.base32_secret(device),
    }
    return render(request, "web/account/enrol.html", context)


def _signed_in(request: HttpRequest) -> HttpResponse:
    preference = preference_get(user_id=user_id(request))
    response = redirect(request.session.pop("next", "") or "web:home")
    if preference is not None and preference.language:
        _remember_language(response, preference.language)
    return response


def _remember_language(response: HttpResponse, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite="Lax",
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("web:login")


@require_POST
def language_view(request: HttpRequest) -> HttpResponse:
    """The switcher on every page; remembered in a cookie and, when signed in, the profile."""
    form = LanguageForm(request.POST)
    if not form.is_valid():
        return redirect("web:home")
    language = form.cleaned_data["language"]
    response = redirect(safe_next(request, form.cleaned_data["next"]) or "web:home")
    if request.user.is_authenticated:
        preference_set(user_id=user_id(request), language=language)
    _remember_language(response, language)
    return response


@require_http_methods(["GET", "POST"])
@actor_required()
def preferences_view(request: HttpRequest) -> HttpResponse:
    preference = preference_get(user_id=user_id(request))
    initial = {
        "language": (preference.language if preference else "") or request.LANGUAGE_CODE,
        "time_zone": preference.time_zone if preference else "",
    }
    form = PreferenceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        preference_set(user_id=user_id(request), **form.cleaned_data)
        messages.success(request, _("Preferences saved."))
        response = redirect("web:preferences")
        _remember_language(response, form.cleaned_data["language"])
        return response
    return render(request, "web/account/preferences.html", {"form": form})


@actor_required()
def home_view(request: HttpRequest) -> HttpResponse:
    actor = web_actor(request)
    if actor.is_reporter:
        return redirect("web:dashboard")
    if actor.is_moderator:
        return redirect("web:queue")
    return redirect("web:compliance")
