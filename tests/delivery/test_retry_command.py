"""`hotline delivery retry` puts failed deliveries back, audited; `list` shows the outbox."""

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from hotline.audit.models import Event
from hotline.delivery.channels import RecordingChannel
from hotline.delivery.models import Delivery
from hotline.delivery.services import delivery_enqueue, delivery_relay_until_idle


def failed_delivery(key: str, about: str, settings: Any) -> Delivery:
    with transaction.atomic():
        delivery = delivery_enqueue(
            idempotency_key=key,
            kind="notice",
            channel="email",
            recipient="hotline@platform.example",
            subject="s",
            body="b",
            about=about,
            organisation_id=None,
        )
    Delivery.objects.filter(pk=delivery.pk).update(
        status="failed", attempts=40, last_error="SMTP 421 relay down"
    )
    return delivery


def run(*args: str) -> str:
    out = StringIO()
    call_command("delivery", *args, stdout=out)
    return out.getvalue()


def test_a_failed_delivery_is_retried_by_id_audited_and_then_sent(db: None, settings: Any) -> None:
    delivery = failed_delivery("notice-7", "notice:7", settings)
    printed = run("retry", "--delivery", str(delivery.pk))
    assert f"retrying delivery {delivery.pk}" in printed and "SMTP 421 relay down" in printed
    delivery.refresh_from_db()
    assert delivery.status == "pending" and delivery.next_attempt_at <= delivery.retrying_since
    event = Event.objects.get(tag="delivery:retry")
    assert event.actor == "cli" and event.subject == "notice:7"
    assert event.payload["detail"] == "SMTP 421 relay down"
    assert delivery_relay_until_idle() == 1
    delivery.refresh_from_db()
    assert delivery.status == "sent" and "notice-7" in RecordingChannel.sent


def test_retry_by_notice_and_all_failed_take_only_failed_rows(db: None, settings: Any) -> None:
    first = failed_delivery("notice-1", "notice:1", settings)
    reopen = failed_delivery("reopen-9-1", "notice:1", settings)
    other = failed_delivery("notice-2", "notice:2", settings)
    run("retry", "--notice", "1")
    statuses = dict(Delivery.objects.values_list("pk", "status"))
    assert (statuses[first.pk], statuses[reopen.pk], statuses[other.pk]) == (
        "pending",
        "pending",
        "failed",
    )
    run("retry", "--all-failed")
    assert set(Delivery.objects.values_list("status", flat=True)) == {"pending"}
    assert Event.objects.filter(tag="delivery:retry").count() == 3
    assert run("retry", "--all-failed") == "no failed deliveries to retry\n"


def test_retrying_what_is_missing_or_not_failed_is_a_clear_error_and_changes_nothing(
    db: None, settings: Any
) -> None:
    failed = failed_delivery("notice-1", "notice:1", settings)
    Delivery.objects.filter(pk=failed.pk).update(status="sent")
    with pytest.raises(
        CommandError, match=f"only failed deliveries are retried: {failed.pk} is sent"
    ):
        run("retry", "--delivery", str(failed.pk))
    with pytest.raises(CommandError, match="no delivery 999"):
        run("retry", "--delivery", "999")
    assert not Event.objects.filter(tag="delivery:retry").exists()
    with pytest.raises(CommandError):
        run("retry")  # one of --delivery, --notice, --all-failed is required


def test_list_shows_failed_deliveries_with_their_error(db: None, settings: Any) -> None:
    failed = failed_delivery("notice-1", "notice:1", settings)
    lines = run("list", "--failed").splitlines()
    assert lines == [
        f"{failed.pk}\tfailed\tnotice\tnotice:1\thotline@platform.example\tattempts=40\t"
        "SMTP 421 relay down"
    ]
    assert run("list", "--notice", "2") == ""
