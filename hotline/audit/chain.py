"""Pure hash-chain arithmetic: how an event's hash is computed and how a chain is checked."""

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

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


@dataclass(frozen=True)
class ChainReport:
    checked: int
    first_broken_seq: int | None
    problem: str | None

    @property
    def intact(self) -> bool:
        return self.first_broken_seq is None


def verify_links(links: Iterable[ChainLink]) -> ChainReport:
    """Walk the chain in order and name the first link that does not hold."""
    expected_prev, expected_seq, checked = GENESIS_HASH, 1, 0
    for link in links:
        problem = _link_problem(link, expected_prev, expected_seq)
        if problem:
            return ChainReport(checked=checked, first_broken_seq=link.seq, problem=problem)
        expected_prev, expected_seq, checked = link.hash, link.seq + 1, checked + 1
    return ChainReport(checked=checked, first_broken_seq=None, problem=None)


def _link_problem(link: ChainLink, expected_prev: str, expected_seq: int) -> str | None:
    if link.seq != expected_seq:
        return f"sequence gap: expected event #{expected_seq}, found #{link.seq}"
    if link.prev_hash != expected_prev:
        return "prev_hash does not match the hash of the event before it"
    recomputed = link_hash(
        seq=link.seq,
        created_at=link.created_at,
        tag=link.tag,
        actor=link.actor,
        organisation_id=link.organisation_id,
        subject=link.subject,
        payload=link.payload,
        prev_hash=link.prev_hash,
    )
    if recomputed != link.hash:
        return "content does not match its stored hash (the event was altered)"
    return None
