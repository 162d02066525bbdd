"""Pure: the signed checkpoint, its JSON form, and the check of its signature.

A checkpoint says "the audit record had N events and the N-th had this hash, at this time",
signed by the audit key. Copies go out with notices, receipts and reports, so people outside
hold a statement the operator cannot recall; `audit verify --checkpoint` holds the chain to it.
"""

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from hotline.audit.signing import CHECKPOINT_DOMAIN, key_id, sign, signature_valid

FORMAT = "hotline-audit-checkpoint/1"


class CheckpointError(ValueError):
    """A checkpoint that cannot be read; the message says which field is wrong."""


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    head_hash: str
    created_at: str  # ISO 8601 in UTC, as signed
    key_id: str
    signature: str
    format: str = FORMAT

    def signed_bytes(self) -> bytes:
        return _canonical({k: v for k, v in asdict(self).items() if k != "signature"})

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), indent=2, sort_keys=True)


def _canonical(document: Mapping[str, Any]) -> bytes:
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def checkpoint_sign(
    *, seq: int, head_hash: str, at: datetime, private_key: Ed25519PrivateKey
) -> Checkpoint:
    unsigned = Checkpoint(
        seq=seq,
        head_hash=head_hash,
        created_at=at.isoformat(),
        key_id=key_id(private_key.public_key()),
        signature="",
    )
    signature = sign(private_key, CHECKPOINT_DOMAIN, unsigned.signed_bytes())
    return Checkpoint(**{**unsigned.as_dict(), "signature": signature})


def checkpoint_from_dict(document: object) -> Checkpoint:
    """Read a checkpoint, naming the first field that is missing or of the wrong type."""
    if not isinstance(document, dict):
        raise CheckpointError("a checkpoint is a JSON object")
    if document.get("format") != FORMAT:
        raise CheckpointError(f"format: expected {FORMAT!r}, found {document.get('format')!r}")
    kinds: dict[str, type] = {
        "seq": int,
        "head_hash": str,
        "created_at": str,
        "key_id": str,
        "signature": str,
    }
    for name, kind in kinds.items():
        value = document.get(name)
        if not isinstance(value, kind) or isinstance(value, bool):
            raise CheckpointError(f"{name}: expected {kind.__name__}, found {value!r}")
    if document["seq"] < 0:
        raise CheckpointError("seq: must not be negative")
    return Checkpoint(**{name: document[name] for name in [*kinds, "format"]})


def checkpoint_from_json(text: str) -> Checkpoint:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise CheckpointError(f"not JSON: {error}") from error
    return checkpoint_from_dict(document)


def checkpoint_signature_problem(
    checkpoint: Checkpoint, public_keys: Mapping[str, Ed25519PublicKey]
) -> str | None:
    """Why the checkpoint's signature cannot be trusted, or None when it can."""
    public_key = public_keys.get(checkpoint.key_id)
    if public_key is None:
        return f"the checkpoint is signed by key {checkpoint.key_id}, which is not a trusted key"
    if not signature_valid(
        public_key, CHECKPOINT_DOMAIN, checkpoint.signed_bytes(), checkpoint.signature
    ):
        return "the checkpoint's signature does not verify (the checkpoint was altered)"
    return None
