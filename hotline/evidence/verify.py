"""Pure: the whole offline check of an evidence package, with only public keys.

First the ZIP and the signed manifest (package.py), then what the files say: the checkpoint's
own signature, and every audit event's hash, link and signature, all covered by the checkpoint.
"""

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from hotline.audit.chain import ChainLink, recomputed_hash
from hotline.audit.checkpoints import (
    Checkpoint,
    CheckpointError,
    checkpoint_from_dict,
    checkpoint_signature_problem,
)
from hotline.audit.signing import EVENT_DOMAIN, signature_valid
from hotline.evidence.package import PackageCheck, check_manifest, read_package

CHECKPOINT_FILE = "checkpoint.json"
EVENTS_FILE = "audit-events.json"
ITEMS_FILE = "items.json"
SUMMARY_FILE = "summary.pdf"
README_FILE = "README.txt"
REQUIRED = (SUMMARY_FILE, ITEMS_FILE, EVENTS_FILE, CHECKPOINT_FILE, README_FILE)


def verify_package(data: bytes, public_keys: Mapping[str, Ed25519PublicKey]) -> PackageCheck:
    check = read_package(data)
    if check.problems:
        return check
    check_manifest(check, public_keys)
    if check.problems:
        return check
    for name in REQUIRED:
        if name not in check.manifest.get("files", {}):
            check.fail(name, "missing: every package has this file")
    if check.problems:
        return check
    checkpoint = _checkpoint(check, public_keys)
    if checkpoint is not None:
        _events(check, public_keys, checkpoint)
    return check


def _checkpoint(
    check: PackageCheck, public_keys: Mapping[str, Ed25519PublicKey]
) -> Checkpoint | None:
    try:
        checkpoint = checkpoint_from_dict(json.loads(check.files[CHECKPOINT_FILE]))
    except (ValueError, CheckpointError) as error:
        check.fail(CHECKPOINT_FILE, f"not a checkpoint: {error}")
        return None
    problem = checkpoint_signature_problem(checkpoint, public_keys)
    if problem:
        check.fail(CHECKPOINT_FILE, problem)
        return None
    check.good(
        CHECKPOINT_FILE,
        f"signed checkpoint of the audit record at event #{checkpoint.seq}, "
        f"{checkpoint.created_at}",
    )
    return checkpoint


def _link(event: dict[str, Any]) -> ChainLink:
    return ChainLink(
        seq=int(event["seq"]),
        created_at=datetime.fromisoformat(event["created_at"]),
        tag=str(event["tag"]),
        actor=str(event["actor"]),
        organisation_id=event["organisation_id"],
        subject=str(event["subject"]),
        payload=dict(event["payload"]),
        prev_hash=str(event["prev_hash"]),
        hash=str(event["hash"]),
        key_id=str(event["key_id"]),
        signature=str(event["signature"]),
    )


def _events(
    check: PackageCheck, public_keys: Mapping[str, Ed25519PublicKey], checkpoint: Checkpoint
) -> None:
    try:
        links = [_link(e) for e in json.loads(check.files[EVENTS_FILE])["events"]]
    except (ValueError, KeyError, TypeError) as error:
        check.fail(EVENTS_FILE, f"unreadable: {error}")
        return
    previous: ChainLink | None = None
    for link in links:
        problem = _event_problem(link, previous, public_keys, checkpoint)
        if problem:
            check.fail(EVENTS_FILE, f"event #{link.seq}: {problem}")
            return
        previous = link
    check.good(
        EVENTS_FILE,
        f"{len(links)} audit events: hashes, links and signatures hold, all within the "
        f"checkpoint (event #{checkpoint.seq})",
    )


def _event_problem(
    link: ChainLink,
    previous: ChainLink | None,
    public_keys: Mapping[str, Ed25519PublicKey],
    checkpoint: Checkpoint,
) -> str | None:
    if previous is not None and link.seq <= previous.seq:
        return f"out of order after event #{previous.seq}"
    if previous is not None and link.seq == previous.seq + 1 and link.prev_hash != previous.hash:
        return "prev_hash does not match the event before it"
    if recomputed_hash(link) != link.hash:
        return "content does not match its hash"
    public_key = public_keys.get(link.key_id)
    if public_key is None:
        return f"signed by key {link.key_id}, which is not a trusted key"
    if not signature_valid(public_key, EVENT_DOMAIN, link.hash.encode(), link.signature):
        return "its signature does not verify"
    if link.seq > checkpoint.seq:
        return f"after the checkpoint (event #{checkpoint.seq}) that should cover it"
    return None
