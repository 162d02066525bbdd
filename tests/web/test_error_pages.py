"""Pages answer bad input with a clear 4xx or a form error, never a 500."""

from django.test import Client

from hotline.cases.models import Message
from tests.api.conftest import World
from tests.web.conftest import SignIn


def quiet(client: Client) -> Client:
    client.raise_request_exception = False
    return client


def test_a_nul_in_a_page_path_or_query_is_a_422(sign_in: SignIn) -> None:
    analyst = quiet(sign_in("analyst"))
    for url in ("/requests/HL-2026-%00/", "/compliance/?since=%00", "/notices/?x%00=1"):
        response = analyst.get(url)
        assert response.status_code == 422, url
        assert b"NUL" in response.content


def test_an_absurd_date_on_the_compliance_page_is_a_form_error(sign_in: SignIn) -> None:
    response = quiet(sign_in("analyst")).get("/compliance/?until=9999-12-31")
    assert response.status_code == 200
    assert response.context["form"].errors["until"]


def test_a_period_that_ends_before_it_starts_is_not_a_crash(sign_in: SignIn) -> None:
    response = quiet(sign_in("analyst")).get("/compliance/?since=2024-09-30&until=2024-09-01")
    assert response.status_code < 500


def test_a_nul_in_a_web_form_field_is_a_form_error_and_nothing_is_posted(
    sign_in: SignIn, world: World
) -> None:
    response = quiet(sign_in("telegram_mod")).post(
        f"/notices/{world.telegram_notice}/messages/", {"kind": "question", "body": "hi\x00"}
    )
    assert response.status_code < 500
    assert Message.objects.count() == 0


def test_a_superscript_digit_as_an_item_id_is_not_a_crash(sign_in: SignIn, world: World) -> None:
    # "²".isdigit() is true but int("²") raises: ids are read with isdecimal().
    response = quiet(sign_in("telegram_mod")).post(
        f"/notices/{world.telegram_notice}/bulk/", {"items": ["²"], "action": "removed"}
    )
    assert response.status_code < 500
