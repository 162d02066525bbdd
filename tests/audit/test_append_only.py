"""On PostgreSQL the audit table refuses UPDATE and DELETE; `flush` (TRUNCATE) still works."""

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from hotline.audit.models import Event
from hotline.audit.services import audit_record

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the append-only trigger exists on PostgreSQL only"
)


def record() -> None:
    with transaction.atomic():
        audit_record(tag="test:thing", actor="tester", subject="thing:1")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change",
    [
        lambda: Event.objects.filter(seq=1).update(actor="forger"),
        lambda: Event.objects.filter(seq=1).delete(),
        lambda: Event.objects.all().delete(),
    ],
    ids=["update", "delete-one", "delete-all"],
)
def test_the_database_refuses_to_change_or_delete_an_event(change) -> None:
    record()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        change()
    assert Event.objects.get(seq=1).actor == "tester"


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_record_with_truncate() -> None:
    record()
    call_command("flush", interactive=False, verbosity=0)
    assert not Event.objects.exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgname = 'audit_event_append_only'")
        assert cursor.fetchone() == (1,)  # the trigger survives the flush
