"""Kept for task rows queued before the outbox relay existed: the relay sends them now."""

from django_tasks import task


@task()
def deliver(delivery_id: int) -> str:
    """Does nothing: `hotline worker` relays every pending delivery (decision 0004)."""
    return f"delivery {delivery_id} is sent by the outbox relay"
