"""Web-only response headers (Content-Security-Policy) and the person's time zone."""

import zoneinfo
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from hotline.accounts.preferences import preference_get, time_zone_for
from hotline.accounts.selectors import membership_for_user

# No inline script or style, no other origin: every asset is served by hotline itself.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        # /self/ plays the video she chose from an object URL to hash its frames on her device.
        "media-src 'self' blob:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)

Handler = Callable[[HttpRequest], HttpResponse]


class ContentSecurityPolicyMiddleware:
    """Only the web pages get the strict policy; the admin and API docs keep their own."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        match = request.resolver_match
        if match is not None and match.namespace == "web":
            response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
            response.setdefault("Cache-Control", "no-store")
        return response


class UserTimeZoneMiddleware:
    """Dates are shown in the person's chosen zone, else their organisation's country's."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            zone = time_zone_for(
                membership=membership_for_user(user_id=user.pk),
                preference=preference_get(user_id=user.pk),
            )
            timezone.activate(zoneinfo.ZoneInfo(zone))
        else:
            timezone.deactivate()
        return self.get_response(request)
