"""The audit record is hash-chained: any edit, deletion or reordering is found and named."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from hotline.audit.models import Event
from hotline.audit.services import audit_record, audit_verify_chain
from tests.audit.tampering import unlock_audit_table


def append(count: int) -> None:
    for n in range(count):
        with transaction.atomic():
            audit_record(
                tag="test:thing",
                actor="tester",
                subject=f"thing:{n}",
                organisation_id=1,
                payload={"n": n, "텍스트": "한국어"},
            )


@pytest.mark.django_db
def test_an_untouched_chain_verifies() -> None:
    append(5)
    report = audit_verify_chain()
    assert report.intact and report.checked == 5
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    assert "intact: 5 events verified" in out.getvalue()


@pytest.mark.django_db
def test_each_event_stores_the_hash_of_the_one_before() -> None:
    append(3)
    events = list(Event.objects.order_by("seq"))
    assert events[0].prev_hash == "0" * 64
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]


@pytest.mark.django_db
def test_an_edited_payload_is_named_as_the_first_broken_link() -> None:
    append(5)
    unlock_audit_table()
    Event.objects.filter(seq=3).update(payload={"n": 999})
    report = audit_verify_chain()
    assert report.first_broken_seq == 3 and report.checked == 2
    assert "altered" in (report.problem or "")
    with pytest.raises(CommandError, match="BROKEN at event #3"):
        call_command("audit", "verify")


@pytest.mark.django_db
def test_a_deleted_event_is_found_as_a_gap() -> None:
    append(4)
    unlock_audit_table()
    Event.objects.filter(seq=2).delete()
    report = audit_verify_chain()
    assert report.first_broken_seq == 3
    assert "sequence gap" in (report.problem or "")


@pytest.mark.django_db
def test_a_rewritten_event_with_a_recomputed_hash_fails_its_signature() -> None:
    append(3)
    from hotline.audit.chain import link_hash

    event = Event.objects.get(seq=2)
    event.actor = "forger"
    fields = {
        f: getattr(event, f)
        for f in (
            "seq",
            "created_at",
            "tag",
            "actor",
            "organisation_id",
            "subject",
            "payload",
            "prev_hash",
        )
    }
    unlock_audit_table()
    Event.objects.filter(pk=event.pk).update(actor="forger", hash=link_hash(**fields))
    report = audit_verify_chain()
    assert report.first_broken_seq == 2  # its signature no longer matches the new hash
    assert "signature" in (report.problem or "")


@pytest.mark.django_db(transaction=True)
def test_recording_outside_a_transaction_is_refused() -> None:
    with pytest.raises(RuntimeError, match="inside the transaction"):
        audit_record(tag="x:y", actor="a", subject="s")


@pytest.mark.django_db
def test_an_event_rolled_back_with_its_change_leaves_no_trace() -> None:
    append(1)

    def doomed_change() -> None:
        with transaction.atomic():
            audit_record(tag="test:doomed", actor="a", subject="s")
            raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        doomed_change()
    append(1)
    assert audit_verify_chain().intact
    assert not Event.objects.filter(tag="test:doomed").exists()
