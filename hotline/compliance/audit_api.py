"""Audit-record verification and checkpoints over the API (the read side owns it)."""

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from hotline.accounts.auth import request_actor
from hotline.audit.chain import ChainReport
from hotline.audit.checkpoints import CheckpointError, checkpoint_from_dict
from hotline.audit.schemas import CheckpointOut
from hotline.audit.selectors import current_checkpoint
from hotline.audit.services import audit_verify_chain
from hotline.core.errors import InvalidInput, PermissionDenied

router = Router(tags=["audit"])


class CheckOut(Schema):
    name: str = Field(description="events, head or checkpoint")
    ok: bool
    detail: str


class ChainReportOut(Schema):
    intact: bool
    checked: int
    first_broken_seq: int | None
    problem: str | None
    last_seq: int = Field(description="The last event found in the chain")
    last_hash: str
    signed_by: dict[str, int] = Field(description="Events verified per signing key id")
    checks: list[CheckOut]


class CheckpointIn(Schema):
    checkpoint: dict[str, Any] = Field(description="A checkpoint as `audit checkpoint` prints it")


def _require_auditor(request: HttpRequest) -> None:
    if not request_actor(request).is_auditor:
        raise PermissionDenied("only auditors verify the audit chain")


def _out(report: ChainReport) -> ChainReportOut:
    return ChainReportOut(
        intact=report.intact,
        checked=report.checked,
        first_broken_seq=report.first_broken_seq,
        problem=report.problem,
        last_seq=report.last_seq,
        last_hash=report.last_hash,
        signed_by=report.signed_by,
        checks=[CheckOut(name=c.name, ok=c.ok, detail=c.detail) for c in report.checks],
    )


@router.get("/audit/verify", response=ChainReportOut)
def verify(request: HttpRequest) -> ChainReportOut:
    """Every event's hash, link and signature, and the signed chain head."""
    _require_auditor(request)
    return _out(audit_verify_chain())


@router.post("/audit/verify", response=ChainReportOut)
def verify_against_checkpoint(request: HttpRequest, body: CheckpointIn) -> ChainReportOut:
    """The same checks, and that the chain still holds exactly what the checkpoint covered."""
    _require_auditor(request)
    try:
        checkpoint = checkpoint_from_dict(body.checkpoint)
    except CheckpointError as error:
        raise InvalidInput(f"checkpoint: {error}", details=[{"element": "checkpoint"}]) from error
    return _out(audit_verify_chain(checkpoint=checkpoint))


@router.get("/audit/checkpoint", response=CheckpointOut)
def checkpoint(request: HttpRequest) -> CheckpointOut:
    """A signed checkpoint of the record now; anyone signed in may keep one."""
    request_actor(request)
    return CheckpointOut.of(current_checkpoint())
