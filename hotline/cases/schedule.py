"""When the workflow's background work runs: checks until the deadline, then the deadline."""

from datetime import datetime, timedelta

from django.conf import settings
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from hotline.cases.models import Item, Notice


def notice_watch(*, notice: Notice, now: datetime) -> None:
    """Queue the first periodic re-check and the deadline check of a new notice."""
    from hotline.cases import tasks  # tasks import services, which import this module

    interval = timedelta(minutes=settings.HOTLINE_RECHECK_INTERVAL_MINUTES)
    tasks.recheck_notice.using(run_after=min(now + interval, notice.deadline_at)).enqueue(
        notice_id=notice.pk
    )
    tasks.check_deadline.using(run_after=notice.deadline_at + timedelta(seconds=1)).enqueue(
        notice_id=notice.pk
    )


def notice_recheck_again(*, notice: Notice, now: datetime) -> None:
    """Re-check again after the interval, and once more at the deadline, but not after it."""
    from hotline.cases import tasks

    if now >= notice.deadline_at or notice.closed_at is not None:
        return
    already_planned = DBTaskResult.objects.filter(
        status=TaskResultStatus.READY,
        task_path=tasks.recheck_notice.module_path,
        args_kwargs__kwargs__notice_id=notice.pk,
    ).exists()
    if already_planned:
        return  # a re-run after a crash must not start a second chain of re-checks
    interval = timedelta(minutes=settings.HOTLINE_RECHECK_INTERVAL_MINUTES)
    tasks.recheck_notice.using(run_after=min(now + interval, notice.deadline_at)).enqueue(
        notice_id=notice.pk
    )


def item_check_soon(*, item: Item, delay: timedelta = timedelta(0)) -> None:
    from hotline.cases import tasks
    from hotline.core import clock

    tasks.check_item.using(run_after=clock.now() + delay).enqueue(item_id=item.pk)
