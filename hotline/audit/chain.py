"""Pure hash-chain arithmetic: how an event is hashed, and how a whole record is verified.

Verification holds the chain to four things: each event's hash and link to the one before,
each event's Ed25519 signature by a trusted key, the signed chain head, and (when given) a
checkpoint that someone outside kept. See docs/decisions/0007-audit-signing-threat-model.md.
"""

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from hotline.audit.checkpoints import Checkpoint, checkpoint_signature_problem
from hotline.audit.signing import EVENT_DOMAIN, HEAD_DOMAIN, head_message, signature_valid

GENESIS_HASH = "0" * 64


@dataclass(frozen=True)
class ChainLink:
    seq: int
    created_at: datetime
    tag: str
    actor: str
    organisation_id: int | None
    subject: str
    payload: dict[str, Any]
    prev_hash: str
    hash: str
    key_id: str = ""
    signature: str = ""


@dataclass(frozen=True)
class HeadState:
    """The chain head row: the last event's number and hash, signed when it was written."""

    seq: int
    hash: str
    key_id: str
    signature: str


def link_hash(
    *,
    seq: int,
    created_at: datetime,
    tag: str,
    actor: str,
    organisation_id: int | None,
    subject: str,
    payload: dict[str, Any],
    prev_hash: str,
) -> str:
    """SHA-256 over a canonical JSON form, so any later edit of any field changes it."""
    canonical = json.dumps(
        {
            "seq": seq,
            "created_at": created_at.astimezone(UTC).isoformat(),
            "tag": tag,
            "actor": actor,
            "organisation_id": organisation_id,
            "subject": subject,
            "payload": payload,
            "prev_hash": prev_hash,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def recomputed_hash(link: ChainLink) -> str:
    return link_hash(
        seq=link.seq,
        created_at=link.created_at,
        tag=link.tag,
        actor=link.actor,
        organisation_id=link.organisation_id,
        subject=link.subject,
        payload=link.payload,
        prev_hash=link.prev_hash,
    )


@dataclass(frozen=True)
class Check:
    name: str  # "events", "head", "checkpoint"
    ok: bool
    detail: str


@dataclass(frozen=True)
class ChainReport:
    checked: int
    first_broken_seq: int | None
    problem: str | None
    last_seq: int = 0
    last_hash: str = GENESIS_HASH
    signed_by: dict[str, int] = field(default_factory=dict)
    checks: tuple[Check, ...] = ()

    @property
    def intact(self) -> bool:
        return self.problem is None


@dataclass
class _Walk:
    """What a pass over the events found; it goes on to the end to learn the real last event."""

    expected_prev: str = GENESIS_HASH
    expected_seq: int = 1
    checked: int = 0
    first_broken_seq: int | None = None
    problem: str | None = None
    last_seq: int = 0
    last_hash: str = GENESIS_HASH
    current_key: str = ""
    retired_keys: dict[str, int] = field(default_factory=dict)
    signed_by: dict[str, int] = field(default_factory=dict)
    watched: dict[int, str] = field(default_factory=dict)


def verify_links(
    links: Iterable[ChainLink],
    public_keys: Mapping[str, Ed25519PublicKey] | None = None,
    *,
    head: HeadState | None = None,
    checkpoint: Checkpoint | None = None,
    require_head: bool = False,
) -> ChainReport:
    """Walk the chain in order and name the first thing that does not hold.

    Without `public_keys` only hashes and links are checked (the old, key-less check);
    with them every event must carry a valid signature by one of those keys.
    """
    walk = _Walk()
    watch = checkpoint.seq if checkpoint else None
    for link in links:
        if walk.problem is None:
            problem = _link_problem(link, walk, public_keys)
            if problem:
                walk.first_broken_seq, walk.problem = link.seq, problem
            else:
                walk.checked += 1
                walk.signed_by[link.key_id] = walk.signed_by.get(link.key_id, 0) + 1
        if link.seq == watch:
            walk.watched[link.seq] = link.hash
        walk.expected_prev, walk.expected_seq = link.hash, link.seq + 1
        walk.last_seq, walk.last_hash = link.seq, link.hash
    events = Check("events", walk.problem is None, walk.problem or f"{walk.checked} events hold")
    checks = [events]
    if public_keys is not None and (require_head or head is not None):
        checks.append(_head_check(walk, head, public_keys))
    if checkpoint is not None:
        checks.append(_checkpoint_check(walk, checkpoint, public_keys or {}))
    return _report(walk, checks)


def _report(walk: _Walk, checks: list[Check]) -> ChainReport:
    failed = next((c for c in checks if not c.ok), None)
    first_broken = walk.first_broken_seq
    if failed is not None and first_broken is None:
        first_broken = walk.last_seq + 1  # the first event that is missing
    return ChainReport(
        checked=walk.checked,
        first_broken_seq=first_broken if failed else None,
        problem=failed.detail if failed else None,
        last_seq=walk.last_seq,
        last_hash=walk.last_hash,
        signed_by=dict(walk.signed_by),
        checks=tuple(checks),
    )


def _link_problem(
    link: ChainLink, walk: _Walk, public_keys: Mapping[str, Ed25519PublicKey] | None
) -> str | None:
    if link.seq != walk.expected_seq:
        return f"sequence gap: expected event #{walk.expected_seq}, found #{link.seq}"
    if link.prev_hash != walk.expected_prev:
        return "prev_hash does not match the hash of the event before it"
    if recomputed_hash(link) != link.hash:
        return "content does not match its stored hash (the event was altered)"
    if public_keys is None:
        return None
    return _signature_problem(link, walk, public_keys)


def _signature_problem(
    link: ChainLink, walk: _Walk, public_keys: Mapping[str, Ed25519PublicKey]
) -> str | None:
    if not link.signature:
        return "the event is not signed"
    public_key = public_keys.get(link.key_id)
    if public_key is None:
        return f"signed by key {link.key_id or '(none)'}, which is not a trusted key"
    if not signature_valid(public_key, EVENT_DOMAIN, link.hash.encode(), link.signature):
        return "its signature does not verify (the event was altered or forged)"
    if link.key_id != walk.current_key:
        if link.key_id in walk.retired_keys:
            # Keys are used one after another; a retired key coming back is a stolen key.
            return (
                f"signed by key {link.key_id}, which was replaced at event "
                f"#{walk.retired_keys[link.key_id]}"
            )
        if walk.current_key:
            walk.retired_keys[walk.current_key] = link.seq
        walk.current_key = link.key_id
    return None


def _head_check(
    walk: _Walk, head: HeadState | None, public_keys: Mapping[str, Ed25519PublicKey]
) -> Check:
    if head is None or head.seq == 0:
        if walk.last_seq == 0:
            return Check("head", True, "the record is empty")
        return Check("head", False, f"the chain head is missing but #{walk.last_seq} exists")
    public_key = public_keys.get(head.key_id)
    message = head_message(head.seq, head.hash)
    if public_key is None or not signature_valid(public_key, HEAD_DOMAIN, message, head.signature):
        return Check("head", False, "the chain head's signature does not verify (head moved)")
    if (head.seq, head.hash) != (walk.last_seq, walk.last_hash):
        return Check(
            "head",
            False,
            f"the signed chain head is event #{head.seq}, but the chain ends at "
            f"#{walk.last_seq}: the chain was cut short or extended without the key",
        )
    return Check("head", True, f"the signed head is event #{head.seq}")


def _checkpoint_check(
    walk: _Walk, checkpoint: Checkpoint, public_keys: Mapping[str, Ed25519PublicKey]
) -> Check:
    problem = checkpoint_signature_problem(checkpoint, public_keys)
    if problem:
        return Check("checkpoint", False, problem)
    covered = checkpoint.seq
    if walk.first_broken_seq is not None and walk.first_broken_seq <= covered:
        return Check(
            "checkpoint",
            False,
            f"the chain no longer holds what the checkpoint covered: event "
            f"#{walk.first_broken_seq} differs",
        )
    if covered > walk.last_seq:
        return Check(
            "checkpoint",
            False,
            f"the chain was cut short: the checkpoint covers events up to #{covered}, "
            f"the chain ends at #{walk.last_seq}",
        )
    if covered and walk.watched.get(covered) != checkpoint.head_hash:
        return Check(
            "checkpoint", False, f"event #{covered} differs from the checkpoint's head hash"
        )
    return Check(
        "checkpoint",
        True,
        f"the chain still holds the {covered} events the checkpoint of "
        f"{checkpoint.created_at} covered",
    )
