"""The outbox relay: leases, reclaiming a crashed worker's rows, backoff, permanent failure,
and which channel a platform's kind gets."""

import itertools
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.db import OperationalError, transaction

from hotline.audit.models import Event
from hotline.core import clock
from hotline.delivery import services
from hotline.delivery.channels import (
    FailingChannel,
    PullChannel,
    RecordingChannel,
    channel_for,
)
from hotline.delivery.email import EmailChannel
from hotline.delivery.models import Delivery
from hotline.delivery.services import (
    _claim_next,
    delivery_enqueue,
    delivery_relay_once,
    delivery_relay_until_idle,
)
from hotline.delivery.webhook import WebhookChannel


def enqueue(key: str = "notice-1", channel: str = "email") -> Delivery:
    with transaction.atomic():
        return delivery_enqueue(
            idempotency_key=key,
            kind="notice",
            channel=channel,
            recipient="hotline@platform.example",
            subject="s",
            body="b",
            about="notice:1",
            organisation_id=None,
        )


def test_enqueue_refuses_to_run_outside_the_callers_transaction(transactional_db: None) -> None:
    with pytest.raises(RuntimeError, match="inside the transaction"):
        delivery_enqueue(
            idempotency_key="k",
            kind="notice",
            channel="email",
            recipient="r",
            subject="s",
            body="b",
            about="notice:1",
            organisation_id=None,
        )


def test_enqueue_is_idempotent_by_key(db: None) -> None:
    assert enqueue().pk == enqueue().pk
    assert Delivery.objects.count() == 1


def test_a_claimed_row_is_left_alone_until_its_lease_expires(db: None, settings: Any) -> None:
    settings.HOTLINE_DELIVERY_LEASE_SECONDS = 60
    delivery = enqueue()
    now = clock.now()
    claimed = _claim_next(owner="crashed-worker", now=now)
    assert claimed is not None and claimed.pk == delivery.pk
    # The worker that claimed it dies without a word: nobody else takes it meanwhile.
    assert delivery_relay_once(now=now + timedelta(seconds=59)).attempted == 0
    assert RecordingChannel.sent == {}
    report = delivery_relay_once(now=now + timedelta(seconds=61))
    assert (report.attempted, report.sent) == (1, 1)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.claimed_by, delivery.claimed_until) == ("sent", "", None)


@pytest.fixture
def moving_clock() -> Iterator[None]:
    yield
    clock.back_to_real_time()


def test_failures_are_retried_for_72_hours_then_become_permanent(
    db: None, settings: Any, moving_clock: None
) -> None:
    settings.HOTLINE_CHANNEL_BACKEND = "failing"
    delivery = enqueue()
    queued_at, attempts_at = delivery.created_at, []
    while delivery.status == "pending":
        clock.travel_to(delivery.next_attempt_at)
        attempts_at.append(clock.now())
        assert delivery_relay_once().attempted == 1
        delivery.refresh_from_db()
        assert len(attempts_at) < 500, "never gave up"
    assert delivery.status == "failed" and delivery.last_error == "channel unavailable"
    span = attempts_at[-1] - queued_at
    assert timedelta(hours=72) <= span < timedelta(hours=73)
    gaps = [later - earlier for earlier, later in itertools.pairwise(attempts_at)]
    assert timedelta(seconds=15) <= gaps[0] <= timedelta(seconds=30)  # the first retry is quick
    assert max(gaps) <= timedelta(hours=1)  # and none waits more than the cap
    tags = list(Event.objects.filter(subject="notice:1").values_list("tag", flat=True))
    assert tags == ["delivery:failed_attempt"] * (len(attempts_at) - 1) + ["delivery:failed"]
    assert delivery.attempt_log.count() == delivery.attempts == len(attempts_at)


def test_a_delivery_that_kills_its_workers_is_given_up_after_n_claims(
    db: None, settings: Any
) -> None:
    settings.HOTLINE_WORKER_MAX_CLAIMS = 3
    settings.HOTLINE_DELIVERY_LEASE_SECONDS = 60
    delivery = enqueue()
    moment = clock.now()
    for _ in range(3):  # three workers claim it and die mid-send (kill -9)
        assert _claim_next(owner="doomed", now=moment) is not None
        moment += timedelta(seconds=61)
    assert delivery_relay_once(now=moment).attempted == 0
    delivery.refresh_from_db()
    assert delivery.status == "failed" and "3 workers died" in delivery.last_error
    assert (delivery.claimed_by, delivery.claimed_until) == ("", None)
    assert RecordingChannel.sent == {}
    event = Event.objects.get(tag="delivery:failed", subject="notice:1")
    assert "workers died" in event.payload["detail"]


def test_a_send_that_finishes_resets_the_crash_count(db: None, settings: Any) -> None:
    settings.HOTLINE_WORKER_MAX_CLAIMS = 2
    settings.HOTLINE_CHANNEL_BACKEND = "failing"
    delivery = enqueue()
    moment = clock.now()
    assert _claim_next(owner="doomed", now=moment) is not None  # one crash
    moment += timedelta(seconds=settings.HOTLINE_DELIVERY_LEASE_SECONDS + 1)
    assert delivery_relay_once(now=moment, limit=1).attempted == 1  # failed, but it returned
    delivery.refresh_from_db()
    assert (delivery.status, delivery.unfinished_claims) == ("pending", 0)


def test_a_stopping_relay_hands_its_claim_back_unsent(db: None) -> None:
    delivery = enqueue()
    stops = iter([False, True])  # the signal arrives between the claim and the send
    report = delivery_relay_once(should_stop=lambda: next(stops))
    assert report.attempted == 0 and RecordingChannel.sent == {}
    delivery.refresh_from_db()
    assert (delivery.status, delivery.claimed_by, delivery.unfinished_claims) == ("pending", "", 0)
    assert delivery_relay_until_idle() == 1  # any worker can send it at once


def test_an_outcome_cut_off_by_an_outage_is_recorded_when_the_database_is_back(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    delivery = enqueue()
    record = services._record_outcome

    def database_gone(**kwargs: Any) -> str:
        raise OperationalError("terminating connection due to administrator command")

    monkeypatch.setattr(services, "_record_outcome", database_gone)
    unrecorded: list[services.UnrecordedOutcome] = []
    with pytest.raises(OperationalError):
        delivery_relay_once(unrecorded=unrecorded)
    assert len(unrecorded) == 1 and "notice-1" in RecordingChannel.sent
    monkeypatch.setattr(services, "_record_outcome", record)
    RecordingChannel.reset()
    assert delivery_relay_once(unrecorded=unrecorded).attempted == 0  # nothing sent again
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.unfinished_claims) == ("sent", 1, 0)
    assert unrecorded == [] and RecordingChannel.sent == {}


def test_a_channel_that_raises_is_retried_and_the_relay_goes_on(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(self: Any, message: Any) -> Any:
        raise ValueError("boom")

    monkeypatch.setattr(RecordingChannel, "send", explode)
    enqueue("a")
    enqueue("b")
    assert delivery_relay_until_idle() == 2
    assert set(Delivery.objects.values_list("status", flat=True)) == {"pending"}
    assert "ValueError: boom" in Delivery.objects.get(idempotency_key="a").last_error


def test_the_real_backend_picks_the_platforms_channel(settings: Any) -> None:
    settings.HOTLINE_CHANNEL_BACKEND = "real"
    assert isinstance(channel_for("email"), EmailChannel)
    assert isinstance(channel_for("webhook"), WebhookChannel)
    assert isinstance(channel_for("pull"), PullChannel)
    settings.HOTLINE_CHANNEL_BACKEND = "failing"
    assert isinstance(channel_for("email"), FailingChannel)
    settings.HOTLINE_CHANNEL_BACKEND = "carrier-pigeon"
    with pytest.raises(ValueError, match="HOTLINE_CHANNEL_BACKEND"):
        channel_for("email")


def test_a_pull_platform_is_pushed_nothing_and_its_notice_counts_as_available(
    db: None, settings: Any
) -> None:
    settings.HOTLINE_CHANNEL_BACKEND = "real"
    delivery = enqueue(channel="pull")
    delivery_relay_until_idle()
    delivery.refresh_from_db()
    assert delivery.status == "sent"
    assert delivery.attempt_log.get().detail == "available by pull"
