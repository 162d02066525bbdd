"""Reading the audit record, scoped to what the reader may see, and its signed checkpoint."""

from django.db.models import QuerySet

from hotline.audit.chain import GENESIS_HASH
from hotline.audit.checkpoints import Checkpoint, checkpoint_sign
from hotline.audit.keys import signing_key
from hotline.audit.models import ChainHead, Event
from hotline.core import clock


def events_for_subjects(*, subjects: list[str]) -> QuerySet[Event]:
    """The timeline of the given subjects (e.g. a notice and its items), oldest first."""
    return Event.objects.filter(subject__in=subjects).order_by("seq")


def events_for_organisation(*, organisation_id: int) -> QuerySet[Event]:
    return Event.objects.filter(organisation_id=organisation_id).order_by("seq")


def current_checkpoint() -> Checkpoint:
    """A checkpoint of the chain as this transaction sees it, signed now.

    Called inside a write's transaction (a notice being enqueued) it covers that write's own
    events too: if the transaction rolls back, the message carrying the checkpoint goes too.
    """
    head = ChainHead.objects.filter(pk=1).first()
    seq, head_hash = (head.last_seq, head.last_hash) if head else (0, GENESIS_HASH)
    return checkpoint_sign(
        seq=seq, head_hash=head_hash, at=clock.now(), private_key=signing_key().private_key
    )
