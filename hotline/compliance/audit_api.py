"""Audit-chain verification over the API, for auditors (the read side owns it)."""

from django.http import HttpRequest
from ninja import Router, Schema

from hotline.accounts.auth import request_actor
from hotline.audit.services import audit_verify_chain
from hotline.core.errors import PermissionDenied

router = Router(tags=["audit"])


class ChainReportOut(Schema):
    intact: bool
    checked: int
    first_broken_seq: int | None
    problem: str | None


@router.get("/audit/verify", response=ChainReportOut)
def verify(request: HttpRequest) -> ChainReportOut:
    if not request_actor(request).is_auditor:
        raise PermissionDenied("only auditors verify the audit chain")
    report = audit_verify_chain()
    return ChainReportOut(
        intact=report.intact,
        checked=report.checked,
        first_broken_seq=report.first_broken_seq,
        problem=report.problem,
    )
