"""Every kind of tampering by someone with database access but not the key is detected.

The attacker edits the tables directly (see tampering.py). Each row of the table says which
event verification must name first, and whether the record alone shows the tampering or only
a checkpoint taken before it does (truncating back to a head copied earlier).
"""

from collections.abc import Callable
from dataclasses import dataclass
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from hotline.audit.chain import link_hash
from hotline.audit.models import ChainHead, Event
from hotline.audit.selectors import current_checkpoint
from hotline.audit.services import audit_record, audit_verify_chain
from tests.audit.tampering import (
    fields_of,
    move_head_to_end,
    rehash_from,
    unlock_audit_table,
)

EVENTS = 6
HEAD_COPIED_AT = 4  # the attacker copied the head row when the record had 4 events


def append(count: int, start: int = 0) -> None:
    for n in range(start, start + count):
        with transaction.atomic():
            audit_record(
                tag="test:thing",
                actor="tester",
                subject=f"thing:{n}",
                organisation_id=1,
                payload={"n": n, "텍스트": "한국어"},
            )


def edit(_: dict[str, Any]) -> None:
    unlock_audit_table()
    Event.objects.filter(seq=3).update(payload={"n": 999})


def delete(_: dict[str, Any]) -> None:
    unlock_audit_table()
    Event.objects.filter(seq=3).delete()


def swap(_: dict[str, Any]) -> None:
    unlock_audit_table()
    Event.objects.filter(seq=3).update(seq=-3)
    Event.objects.filter(seq=4).update(seq=3)
    Event.objects.filter(seq=-3).update(seq=4)


def _forged_event(seq: int, prev: Event) -> None:
    """A well-formed event whose signature is copied from the one before it."""
    fields = {**fields_of(prev), "seq": seq, "tag": "item:removed", "prev_hash": prev.hash}
    fields["payload"] = {"forged": True}
    Event.objects.create(
        **fields, hash=link_hash(**fields), key_id=prev.key_id, signature=prev.signature
    )


def insert(_: dict[str, Any]) -> None:
    unlock_audit_table()
    for seq in range(EVENTS, 3, -1):
        Event.objects.filter(seq=seq).update(seq=seq + 1)
    _forged_event(4, Event.objects.get(seq=3))
    rehash_from(5)


def append_forged(_: dict[str, Any]) -> None:
    _forged_event(EVENTS + 1, Event.objects.get(seq=EVENTS))
    move_head_to_end()


def append_signed_by_attacker(_: dict[str, Any]) -> None:
    _forged_event(EVENTS + 1, Event.objects.get(seq=EVENTS))
    rehash_from(EVENTS + 1, resign=True)


def truncate(_: dict[str, Any]) -> None:
    unlock_audit_table()
    Event.objects.filter(seq__gt=4).delete()


def truncate_and_move_head(_: dict[str, Any]) -> None:
    truncate(_)
    move_head_to_end()


def truncate_and_resign_head(_: dict[str, Any]) -> None:
    truncate(_)
    move_head_to_end(resign=True)


def truncate_back_to_a_copied_head(saved: dict[str, Any]) -> None:
    truncate(saved)
    ChainHead.objects.filter(pk=1).update(**saved["head"])


def truncate_everything(_: dict[str, Any]) -> None:
    unlock_audit_table()
    Event.objects.all().delete()
    ChainHead.objects.all().delete()


def edit_and_recompute(_: dict[str, Any]) -> None:
    unlock_audit_table()
    Event.objects.filter(seq=3).update(actor="forger")
    rehash_from(3)


def edit_recompute_and_resign(_: dict[str, Any]) -> None:
    unlock_audit_table()
    Event.objects.filter(seq=3).update(actor="forger")
    rehash_from(3, resign=True)


def _delete_and_renumber() -> None:
    unlock_audit_table()
    Event.objects.filter(seq=3).delete()
    for seq in range(4, EVENTS + 1):
        Event.objects.filter(seq=seq).update(seq=seq - 1)


def delete_and_recompute(_: dict[str, Any]) -> None:
    _delete_and_renumber()
    rehash_from(3)


def delete_recompute_and_resign(_: dict[str, Any]) -> None:
    _delete_and_renumber()
    rehash_from(3, resign=True)


@dataclass(frozen=True)
class Tampering:
    tamper: Callable[[dict[str, Any]], None]
    first_broken_seq: int
    seen_without_checkpoint: bool = True
    # Appending after the checkpoint leaves what it covered intact; the events check fails.
    checkpoint_check_fails: bool = True


CASES = {
    "edit": Tampering(edit, 3),
    "delete": Tampering(delete, 4),
    "swap": Tampering(swap, 3),
    "insert": Tampering(insert, 4),
    "append": Tampering(append_forged, 7, checkpoint_check_fails=False),
    "append-signed-by-attackers-key": Tampering(
        append_signed_by_attacker, 7, checkpoint_check_fails=False
    ),
    "truncate": Tampering(truncate, 5),
    "truncate-head-moved": Tampering(truncate_and_move_head, 5),
    "truncate-head-resigned-by-attackers-key": Tampering(truncate_and_resign_head, 5),
    "truncate-to-a-copied-head": Tampering(
        truncate_back_to_a_copied_head, 5, seen_without_checkpoint=False
    ),
    "truncate-events-and-head": Tampering(truncate_everything, 1, seen_without_checkpoint=False),
    "edit-then-recompute": Tampering(edit_and_recompute, 3),
    "edit-recompute-resign": Tampering(edit_recompute_and_resign, 3),
    "delete-then-recompute": Tampering(delete_and_recompute, 3),
    "delete-recompute-resign": Tampering(delete_recompute_and_resign, 3),
}


@pytest.fixture
def record_with_checkpoint(db: None) -> dict[str, Any]:
    append(HEAD_COPIED_AT)
    head = ChainHead.objects.values("last_seq", "last_hash", "key_id", "signature").get()
    append(EVENTS - HEAD_COPIED_AT, start=HEAD_COPIED_AT)
    assert audit_verify_chain().intact
    return {"head": head, "checkpoint": current_checkpoint()}


@pytest.mark.parametrize("case", list(CASES.values()), ids=list(CASES))
def test_tampering_is_detected_given_a_checkpoint_taken_before(
    record_with_checkpoint: dict[str, Any], case: Tampering
) -> None:
    case.tamper(record_with_checkpoint)
    report = audit_verify_chain(checkpoint=record_with_checkpoint["checkpoint"])
    assert not report.intact
    assert report.first_broken_seq == case.first_broken_seq, report.problem
    by_name = {c.name: c for c in report.checks}
    assert by_name["checkpoint"].ok is not case.checkpoint_check_fails, by_name["checkpoint"]


@pytest.mark.parametrize("case", list(CASES.values()), ids=list(CASES))
def test_the_record_alone_shows_all_but_a_rollback_to_a_copied_head(
    record_with_checkpoint: dict[str, Any], case: Tampering
) -> None:
    case.tamper(record_with_checkpoint)
    report = audit_verify_chain()
    assert report.intact is not case.seen_without_checkpoint, report.problem
    if case.seen_without_checkpoint:
        assert report.first_broken_seq == case.first_broken_seq, report.problem


def test_the_command_names_the_first_event_that_differs_from_a_checkpoint(
    record_with_checkpoint: dict[str, Any], tmp_path: Path
) -> None:
    saved = tmp_path / "checkpoint.json"
    saved.write_text(record_with_checkpoint["checkpoint"].to_json(), encoding="utf-8")
    out = StringIO()
    call_command("audit", "verify", "--checkpoint", str(saved), stdout=out)
    assert "ok     checkpoint: the chain still holds the 6 events" in out.getvalue()
    edit_and_recompute(record_with_checkpoint)
    out = StringIO()
    with pytest.raises(CommandError, match="BROKEN at event #3"):
        call_command("audit", "verify", "--checkpoint", str(saved), stdout=out)
    assert "FAILED checkpoint: the chain no longer holds what the checkpoint covered: event #3" in (
        out.getvalue()
    )


def test_the_command_says_the_chain_was_cut_short(
    record_with_checkpoint: dict[str, Any], tmp_path: Path
) -> None:
    saved = tmp_path / "checkpoint.json"
    saved.write_text(record_with_checkpoint["checkpoint"].to_json(), encoding="utf-8")
    truncate_back_to_a_copied_head(record_with_checkpoint)
    call_command("audit", "verify")  # the record alone cannot tell
    out = StringIO()
    with pytest.raises(CommandError, match="BROKEN at event #5"):
        call_command("audit", "verify", "--checkpoint", str(saved), stdout=out)
    assert (
        "the chain was cut short: the checkpoint covers events up to #6, the chain ends at #4"
        in out.getvalue()
    )
