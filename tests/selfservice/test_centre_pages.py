"""The centre's case page: hand her a number and PIN, or withdraw her consent on her word."""

import re

from hotline.cases.models import Item
from hotline.selfservice.services import self_case_open
from tests.conftest import Directory
from tests.selfservice.test_centre_commands import _centre_case
from tests.selfservice.test_withdrawal import database_dump
from tests.web.conftest import signed_in_client


def test_the_case_page_issues_a_pin_shown_once(directory: Directory) -> None:
    case_id, _ = _centre_case(directory)
    centre = signed_in_client("caseworker_a")
    assert "Give her a case number and PIN" in centre.get(f"/requests/{case_id}/").content.decode()
    page = centre.post(f"/requests/{case_id}/self-pin").content.decode()
    pin = re.search(r'id="self-pin">([\d-]+)<', page)
    assert pin and self_case_open(case_id=case_id, pin=pin[1], remote_addr="192.0.2.9")
    assert pin[1] not in str(dict(centre.session))


def test_the_case_page_withdraws_only_when_confirmed_and_only_for_its_centre(
    directory: Directory,
) -> None:
    case_id, values = _centre_case(directory)
    other = signed_in_client("analyst")
    assert other.post(f"/requests/{case_id}/withdraw", {"confirm": "yes"}).status_code == 404
    centre = signed_in_client("caseworker_a")
    centre.post(f"/requests/{case_id}/withdraw")  # not confirmed: nothing happens
    assert values[0] in database_dump()
    answer = centre.post(f"/requests/{case_id}/withdraw", {"confirm": "yes"}, follow=True)
    assert "Consent withdrawn: 3 hash values deleted." in answer.content.decode()
    dump = database_dump()
    assert [v for v in values if v in dump] == []
    assert Item.objects.get(request__case_id=case_id).signals == []
