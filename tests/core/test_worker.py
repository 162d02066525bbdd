"""A task orphaned by a killed worker is run again; a re-run never doubles the re-check chain."""

import threading
from datetime import timedelta

import pytest
from django.db import OperationalError
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from hotline.cases import tasks
from hotline.cases.categories import Category
from hotline.cases.legal import LegalBasis, LegalElements
from hotline.cases.services.intake import ItemInput, RequestInput, request_submit
from hotline.cases.tasks import CHECKS_QUEUE, check_deadline, check_item, recheck_notice
from hotline.core import clock
from hotline.core.worker import (
    Lane,
    TaskLaneStep,
    WorkerTally,
    drain_ready_tasks,
    requeue_stale_tasks,
)
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


def test_a_task_that_keeps_killing_workers_is_failed_not_requeued_forever(
    directory: Directory,
) -> None:
    file_notice(directory)
    victim = DBTaskResult.objects.get(task_path=check_deadline.module_path)
    DBTaskResult.objects.filter(pk=victim.pk).update(
        status=TaskResultStatus.RUNNING,
        started_at=clock.now() - timedelta(hours=1),
        worker_ids=["w:1", "w:2", "w:3"],  # three workers claimed it and died
    )
    assert requeue_stale_tasks(older_than=timedelta(minutes=10), max_claims=3) == 0
    victim.refresh_from_db()
    assert victim.status == TaskResultStatus.FAILED
    assert "3 workers died" in victim.traceback


def test_a_database_outage_in_a_task_hands_it_back_instead_of_failing_it(
    directory: Directory, monkeypatch: pytest.MonkeyPatch
) -> None:
    notice_id = file_notice(directory)
    DBTaskResult.objects.filter(task_path=check_deadline.module_path).update(
        run_after=clock.now() - timedelta(seconds=1)
    )

    def database_gone(**kwargs: object) -> bool:
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(tasks, "notice_escalate_if_overdue", database_gone)
    step = TaskLaneStep(worker_id="w", queue_names=["default"], should_stop=lambda: False)
    with pytest.raises(OperationalError):
        step()
    assert step.to_release  # held until the database answers again
    monkeypatch.undo()
    assert step() is True  # released, claimed again and run
    row = DBTaskResult.objects.get(task_path=check_deadline.module_path)
    assert row.status == TaskResultStatus.SUCCESSFUL and len(row.worker_ids) == 2
    assert row.args_kwargs["kwargs"] == {"notice_id": notice_id}


def test_a_lane_rides_out_an_outage_counts_it_once_and_carries_on(db: None) -> None:
    stop, tally, calls = threading.Event(), WorkerTally(), []

    def step() -> bool:
        calls.append(len(calls))
        if len(calls) <= 3:
            raise OperationalError("connection refused")
        if len(calls) == 4:
            raise ValueError("a bug in one step")  # logged and backed off, never fatal
        if len(calls) >= 6:
            stop.set()
        return True

    lane = Lane("test", step, stop=stop, tally=tally, idle_seconds=0, backoff_cap=0.01)
    lane.run()
    assert len(calls) == 6 and lane.failures == 0
    assert tally.take() == (1, 0)  # three failed tries, one outage


def test_the_tally_keeps_counts_it_could_not_record() -> None:
    tally = WorkerTally()
    tally.database_failed()
    tally.database_failed()  # the same outage, seen by a second lane
    tally.database_answered()
    tally.database_failed()  # a new one
    tally.deliveries_failed(4)
    counts = tally.take()
    assert counts == (2, 4) and tally.take() == (0, 0)
    tally.give_back(counts)
    assert tally.take() == (2, 4)


def test_tasks_go_to_their_queues() -> None:
    assert check_item.queue_name == recheck_notice.queue_name == CHECKS_QUEUE
    assert check_deadline.queue_name == "default" and check_deadline.priority > 0


def test_a_task_whose_code_is_gone_is_failed_not_left_running(db: None) -> None:
    row = DBTaskResult.objects.create(
        task_path="hotline.cases.tasks.a_task_removed_long_ago",
        args_kwargs={"args": [], "kwargs": {}},
        backend_name="default",
        run_after=clock.now() - timedelta(seconds=1),
    )
    assert drain_ready_tasks() == 1
    row.refresh_from_db()
    assert row.status == TaskResultStatus.FAILED and "a_task_removed_long_ago" in row.traceback
