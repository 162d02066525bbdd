"""What the platform directory tells the layers above it, without importing them.

`routing_changed` is sent inside the transaction of a change that can make an unroutable item
routable: a new platform, a new host or alias, a deadline policy set. The workflow (cases)
listens and queues a re-route of waiting triage items in that same transaction
(docs/decisions/0022), so the change and the work it causes commit together or not at all.
"""

from django.dispatch import Signal

# Sent with platform=<Platform>, change=<what changed, in words>, actor=<who changed it>.
routing_changed = Signal()
