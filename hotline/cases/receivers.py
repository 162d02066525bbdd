"""The workflow's answers to signals from the layers below it (connected in apps.ready)."""

from typing import Any

from hotline.platforms.models import Platform


def reroute_when_routing_changed(
    sender: type, *, platform: Platform, change: str, actor: str, **kwargs: Any
) -> None:
    """A platform, host or policy was added: queue a re-route of waiting triage items, in the
    transaction of that change (so it runs after the change commits, or never). Nothing is
    queued when no item waits. Every change queues its own run: a run already queued may start
    before this change commits and miss it; a run with nothing left to move costs two reads."""
    from hotline.cases import tasks
    from hotline.cases.services.reroute import triage_waiting_exists

    if triage_waiting_exists():
        tasks.reroute_triage.enqueue(trigger=f"platform {platform.name}: {change}", actor=actor)
