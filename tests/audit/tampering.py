"""What an attacker with database access but without the audit signing key can do to the record.

Every function here edits the tables directly, as someone with a SQL prompt would. On
PostgreSQL it first switches off the append-only trigger, as a table owner can; the test's
transaction rolls that back with everything else.
"""

import base64
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.db import connection

from hotline.audit.chain import link_hash
from hotline.audit.models import ChainHead, Event
from hotline.audit.signing import EVENT_DOMAIN, HEAD_DOMAIN, head_message, key_id, sign

HASHED = ("seq", "created_at", "tag", "actor", "organisation_id", "subject", "payload", "prev_hash")
# The attacker's own key: signatures it makes are well-formed but by a key nobody trusts.
ATTACKER_KEY = Ed25519PrivateKey.generate()


def unlock_audit_table() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only")


def fields_of(event: Event) -> dict[str, Any]:
    return {f: getattr(event, f) for f in HASHED}


def rehash_from(seq: int, *, resign: bool = False) -> None:
    """Recompute every hash and link from event #seq on, and point the head at the new end."""
    unlock_audit_table()
    events = list(Event.objects.filter(seq__gte=seq).order_by("seq"))
    before = Event.objects.filter(seq__lt=seq).order_by("-seq").first()
    prev = before.hash if before else "0" * 64
    for event in events:
        event.prev_hash = prev
        event.hash = link_hash(**fields_of(event))
        if resign:
            event.key_id = key_id(ATTACKER_KEY.public_key())
            event.signature = sign(ATTACKER_KEY, EVENT_DOMAIN, event.hash.encode())
        Event.objects.filter(pk=event.pk).update(
            prev_hash=event.prev_hash,
            hash=f"tmp-{event.pk}",  # hash is unique: clear the old values first
        )
        prev = event.hash
    for event in events:
        Event.objects.filter(pk=event.pk).update(
            hash=event.hash, key_id=event.key_id, signature=event.signature
        )
    move_head_to_end(resign=resign)


def move_head_to_end(*, resign: bool = False) -> None:
    """Point the chain head at the last event, keeping (or forging) its signature."""
    last = Event.objects.order_by("-seq").first()
    seq, digest = (last.seq, last.hash) if last else (0, "0" * 64)
    update: dict[str, Any] = {"last_seq": seq, "last_hash": digest}
    if resign:
        update["key_id"] = key_id(ATTACKER_KEY.public_key())
        update["signature"] = sign(ATTACKER_KEY, HEAD_DOMAIN, head_message(seq, digest))
    ChainHead.objects.filter(pk=1).update(**update)


def forged_signature() -> str:
    return base64.b64encode(b"\x00" * 64).decode()
