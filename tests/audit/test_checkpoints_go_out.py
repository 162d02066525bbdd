"""Signed checkpoints leave hotline with every receipt and over the audit API."""

from hotline.audit.checkpoints import checkpoint_from_dict, checkpoint_signature_problem
from hotline.audit.keys import trusted_public_keys
from hotline.audit.models import Event
from tests.conftest import ApiCaller, request_body


def test_a_receipt_carries_a_checkpoint_that_covers_the_request_it_acknowledges(
    call_api: ApiCaller,
) -> None:
    status, receipt = call_api("analyst", "post", "/requests", request_body("https://t.me/c/1"))
    assert status == 201
    checkpoint = checkpoint_from_dict(receipt["checkpoint"])
    assert checkpoint_signature_problem(checkpoint, trusted_public_keys()) is None
    filed = Event.objects.get(tag="request:submit")
    assert checkpoint.seq >= filed.seq
    assert checkpoint.head_hash == Event.objects.get(seq=checkpoint.seq).hash


def test_an_auditor_verifies_the_record_against_a_checkpoint_over_the_api(
    call_api: ApiCaller,
) -> None:
    call_api("analyst", "post", "/requests", request_body("https://t.me/c/1"))
    status, checkpoint = call_api("analyst", "get", "/audit/checkpoint")
    assert status == 200
    call_api("analyst", "post", "/requests", request_body("https://t.me/c/2"))
    status, report = call_api("auditor", "post", "/audit/verify", {"checkpoint": checkpoint})
    assert status == 200 and report["intact"], report
    assert [c["name"] for c in report["checks"]] == ["events", "head", "checkpoint"]
    checkpoint["seq"] += 1
    status, report = call_api("auditor", "post", "/audit/verify", {"checkpoint": checkpoint})
    assert status == 200 and not report["intact"]
    assert "altered" in report["problem"]
    status, error = call_api("auditor", "post", "/audit/verify", {"checkpoint": {"seq": 1}})
    assert status == 422 and "format" in error["message"]
