"""Reads of the platform directory: routing a host, finding a deadline policy."""

from hotline.platforms.models import DeadlinePolicy, Platform, PlatformHost


def platform_for_host(*, host: str) -> Platform | None:
    """The platform for a canonical host, or for its nearest registered parent domain."""
    labels = host.split(".")
    candidates = [".".join(labels[i:]) for i in range(len(labels) - 1)]
    rows = PlatformHost.objects.select_related("platform").filter(host__in=candidates)
    by_host = {row.host: row.platform for row in rows}
    for candidate in candidates:  # most specific first
        if candidate in by_host:
            return by_host[candidate]
    return None


def deadline_policy_for(*, platform: Platform, jurisdiction: str) -> DeadlinePolicy | None:
    return DeadlinePolicy.objects.filter(platform=platform, jurisdiction=jurisdiction).first()
