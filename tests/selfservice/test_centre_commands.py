"""A support centre files for her, hands her the number and a PIN, and withdraws on her word."""

import io

import pytest
from django.core.management import CommandError, call_command

from hotline.cases.categories import Category
from hotline.cases.models import Item
from hotline.cases.services.intake import ItemInput, RequestInput, request_submit
from hotline.selfservice.models import SelfCase
from hotline.selfservice.services import self_case_open
from tests.conftest import Directory
from tests.selfservice.test_withdrawal import _signals, database_dump


def _centre_case(directory: Directory) -> tuple[str, list[str]]:
    signals = _signals()
    request = request_submit(
        actor=directory.actors["caseworker_a"],
        data=RequestInput(
            category=Category.SEXUAL_DEEPFAKE,
            reasons="A sexual deepfake of a student.",
            items=[ItemInput(signals=signals)],
            legal_bases=[],
        ),
    ).request
    assert request.case_id is not None
    return request.case_id, [s["value"] for s in signals]


def test_the_centre_hands_her_a_pin_that_opens_her_case(directory: Directory) -> None:
    case_id, _ = _centre_case(directory)
    out = io.StringIO()
    call_command("selfcase", "issue", case_id, "--as", "caseworker_a", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == f"case {case_id}" and lines[2].startswith("Give both to her now")
    pin = lines[1].removeprefix("PIN  ")
    case = self_case_open(case_id=case_id, pin=pin, remote_addr="192.0.2.1")
    assert case.request.case_id == case_id and case.issued_by.startswith("caseworker_a@")


def test_another_centre_can_neither_issue_nor_withdraw(directory: Directory) -> None:
    case_id, values = _centre_case(directory)
    for action in ("issue", "withdraw"):
        with pytest.raises(CommandError, match="no case"):
            call_command("selfcase", action, case_id, "--as", "analyst", stdout=io.StringIO())
    assert not SelfCase.objects.exists() and values[0] in database_dump()


def test_the_centre_withdraws_her_consent_and_the_hashes_are_gone(directory: Directory) -> None:
    case_id, values = _centre_case(directory)
    out = io.StringIO()
    call_command("selfcase", "withdraw", case_id, "--as", "caseworker_a", stdout=out)
    # As docs/self-service.md shows it: three signals, all in the reported-items bank.
    assert out.getvalue().strip() == (
        "withdrawn: 3 hash values deleted from 1 items and 3 bank entries from 1 banks; "
        "0 platforms told to delete them, 0 stored emails cleaned"
    )
    dump = database_dump()
    assert [v for v in values if v in dump] == []
    assert Item.objects.get(request__case_id=case_id).signals == []
