"""Background delivery: send one outbox row, rescheduling itself with backoff on failure."""

from django_tasks import task

from hotline.core import clock
from hotline.delivery.backoff import retry_delay
from hotline.delivery.models import DeliveryStatus
from hotline.delivery.services import delivery_attempt


@task()
def deliver(delivery_id: int) -> str:
    delivery, result = delivery_attempt(delivery_id=delivery_id)
    if result is not None and not result.ok and delivery.status == DeliveryStatus.PENDING:
        deliver.using(run_after=clock.now() + retry_delay(delivery.attempts)).enqueue(
            delivery_id=delivery_id
        )
    return str(delivery.status)
