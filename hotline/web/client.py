"""The client's address, for the sign-in lockout: REMOTE_ADDR unless trusted proxies say more.

Behind N trusted reverse proxies (HOTLINE_TRUSTED_PROXY_COUNT, default 0) the client is the
address the outermost of them saw: N entries from the right of X-Forwarded-For. Entries
further left are whatever the client chose to send, so they are never believed. With the
default of 0 the header is ignored altogether: a client cannot pick its own address.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def trusted_proxy_count() -> int:
    return max(0, int(settings.HOTLINE_TRUSTED_PROXY_COUNT))


def client_address(request: HttpRequest) -> str:
    remote = str(request.META.get("REMOTE_ADDR", ""))
    proxies = trusted_proxy_count()
    if proxies == 0:
        return remote
    forwarded = [
        part.strip()
        for part in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")
        if part.strip()
    ]
    # The last proxy is REMOTE_ADDR; each trusted proxy appended the address it saw.
    chain = [*forwarded, remote]
    candidate = chain[-(proxies + 1)] if len(chain) > proxies else chain[0]
    return candidate if _is_address(candidate) else remote


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
