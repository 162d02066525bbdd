"""A task orphaned by a killed worker is run again; a re-run never doubles the re-check chain."""

from datetime import timedelta

from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from hotline.cases.categories import Category
from hotline.cases.legal import LegalBasis, LegalElements
from hotline.cases.services.intake import ItemInput, RequestInput, request_submit
from hotline.cases.tasks import check_deadline, recheck_notice
from hotline.core import clock
from hotline.core.worker import drain_ready_tasks, requeue_stale_tasks
from tests.conftest import Directory


def file_notice(directory: Directory) -> int:
    result = request_submit(
        actor=directory.actors["analyst"],
        data=RequestInput(
            category=Category.SEXUAL_DEEPFAKE,
            reasons="r" * 20,
            elements=LegalElements(signature="s", good_faith_statement="g", contact="c"),
            legal_bases=[LegalBasis.TAKE_IT_DOWN],
            items=[ItemInput(url="https://t.me/room/1")],
        ),
    )
    return int(result.request.notices.get().pk)


def test_a_task_left_running_by_a_dead_worker_runs_again(directory: Directory) -> None:
    file_notice(directory)
    orphan = DBTaskResult.objects.get(task_path=check_deadline.module_path)
    DBTaskResult.objects.filter(pk=orphan.pk).update(
        status=TaskResultStatus.RUNNING,
        started_at=clock.now() - timedelta(hours=1),
        run_after=clock.now() - timedelta(hours=1),
    )
    fresh = DBTaskResult.objects.filter(task_path=recheck_notice.module_path)
    fresh.update(status=TaskResultStatus.RUNNING, started_at=clock.now())
    assert requeue_stale_tasks(older_than=timedelta(minutes=10)) == 1
    assert drain_ready_tasks() >= 1
    orphan.refresh_from_db()
    assert orphan.status == TaskResultStatus.SUCCESSFUL
    assert fresh.get().status == TaskResultStatus.RUNNING  # a live worker's task is left alone


def test_running_a_recheck_twice_plans_only_one_next_round(directory: Directory) -> None:
    notice_id = file_notice(directory)
    planned = DBTaskResult.objects.filter(
        task_path=recheck_notice.module_path, status=TaskResultStatus.READY
    )
    assert planned.count() == 1  # queued by the notice itself
    recheck_notice.call(notice_id=notice_id)
    recheck_notice.call(notice_id=notice_id)
    assert planned.count() == 1


def test_each_worker_round_beats_its_heartbeat(db: None) -> None:
    from datetime import timedelta

    from hotline.core import clock
    from hotline.core.heartbeat import heartbeat_beat, heartbeat_latest, worker_alive

    assert not worker_alive(within=timedelta(minutes=1))
    started = clock.now()
    heartbeat_beat(name="host:1", started_at=started)
    heartbeat_beat(name="host:1", started_at=started, database_outages=2)
    latest = heartbeat_latest()
    assert latest is not None and latest.rounds == 2 and latest.database_outages == 2
    assert worker_alive(within=timedelta(minutes=1))
