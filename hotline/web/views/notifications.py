"""A reporter chooses how they are told of their organisation's news (docs/notifications.md)."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from hotline.core.errors import InvalidInput
from hotline.delivery.subscriptions import (
    LANGUAGES,
    SubscriptionChoice,
    subscription_set,
    subscriptions_of,
)
from hotline.web.access import actor_required, web_actor
from hotline.web.errors import form_errors_from


class NotificationForm(forms.Form):
    email = forms.EmailField(label=_("Email news to"), required=False)
    language = forms.ChoiceField(
        label=_("Language of the emails"),
        choices=[(code, name) for code, name in settings.LANGUAGES if code in LANGUAGES],
    )
    immediate = forms.BooleanField(label=_("Each piece of news at once"), required=False)
    digest = forms.BooleanField(label=_("A daily digest"), required=False)


@require_http_methods(["GET", "POST"])
@actor_required("reporter")
def notifications_view(request: HttpRequest) -> HttpResponse:
    actor = web_actor(request)
    mine = next(
        (s for s in subscriptions_of(organisation_id=actor.organisation_id) if s.user_id),
        None,
    )
    initial = {
        "email": mine.email if mine else (request.user.email or ""),  # type: ignore[union-attr]
        "language": mine.language if mine else request.LANGUAGE_CODE[:2],
        "immediate": mine.immediate if mine else True,
        "digest": mine.digest if mine else False,
    }
    form = NotificationForm(request.POST or None, initial=initial)
    problems: list[dict[str, object]] = []
    if request.method == "POST" and form.is_valid() and actor.user_id is not None:
        try:
            subscription_set(
                organisation_id=actor.organisation_id,
                user_id=actor.user_id,
                choice=SubscriptionChoice(**form.cleaned_data),
                actor=actor.label,
            )
        except InvalidInput as error:
            problems = form_errors_from(form, error)
        else:
            messages.success(request, str(_("Notification choices saved.")))
            return redirect("web:notifications")
    return render(request, "web/reporter/notifications.html", {"form": form, "problems": problems})
