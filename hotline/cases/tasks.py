"""Background work of the workflow; each task takes ids and calls a service.

Verification checks go to the `checks` queue: `hotline worker` runs them on their own threads
(HOTLINE_VERIFICATION_CONCURRENCY), so a thousand slow fetches never hold back a deadline.
Deadlines stay on `default`, at a higher priority. Deliveries are not tasks: the outbox relay
sends them on a thread of its own (decision 8).
"""

from django_tasks import task

from hotline.cases import schedule
from hotline.cases.models import Notice
from hotline.cases.services.checking import item_check
from hotline.cases.services.deadlines import notice_escalate_if_overdue
from hotline.cases.services.reroute import triage_reroute
from hotline.cases.workflow import WATCHED
from hotline.core import clock
from hotline.verification.backends import fetcher_from_settings

CHECKS_QUEUE = "checks"
DEADLINE_PRIORITY = 10


@task(queue_name=CHECKS_QUEUE)
def check_item(item_id: int) -> str:
    check = item_check(item_id=item_id, fetcher=fetcher_from_settings())
    return check.verdict if check else "skipped"


@task(queue_name=CHECKS_QUEUE)
def recheck_notice(notice_id: int) -> int:
    """Check every item still watched on the notice, then plan the next round."""
    notice = Notice.objects.get(pk=notice_id)
    fetcher = fetcher_from_settings()
    item_ids = list(
        notice.items.filter(state__in=[s.value for s in WATCHED]).values_list("pk", flat=True)
    )
    for item_id in item_ids:
        item_check(item_id=item_id, fetcher=fetcher)
    notice.refresh_from_db()
    schedule.notice_recheck_again(notice=notice, now=clock.now())
    return len(item_ids)


@task(priority=DEADLINE_PRIORITY)
def check_deadline(notice_id: int) -> bool:
    return notice_escalate_if_overdue(notice_id=notice_id)


@task()
def reroute_triage(trigger: str, actor: str) -> int:
    """Route the triage items a new platform, host or policy makes routable (decision 22)."""
    return len(triage_reroute(trigger=trigger, actor=actor).moved)
