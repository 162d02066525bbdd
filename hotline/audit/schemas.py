"""API shape of a signed audit checkpoint, shared by receipts and the audit endpoints."""

from ninja import Schema
from pydantic import Field

from hotline.audit.checkpoints import Checkpoint


class CheckpointOut(Schema):
    """The audit record's state, signed: keep it, and `hotline audit verify --checkpoint` later
    proves the record still holds exactly what it covered."""

    format: str
    seq: int = Field(description="The last event's number")
    head_hash: str = Field(description="The last event's SHA-256 chain hash")
    created_at: str
    key_id: str = Field(description="The Ed25519 key that signed it")
    signature: str = Field(description="Base64 Ed25519 signature")

    @classmethod
    def of(cls, checkpoint: Checkpoint) -> "CheckpointOut":
        return cls(**checkpoint.as_dict())
