"""The case page and the platform compliance page each offer the evidence package."""

import io
import json
import zipfile

from hotline.platforms.models import Platform
from tests.web.conftest import SignIn, World, sign_in, world

__all__ = ["sign_in", "world"]


def items_in(content: bytes) -> list[dict[str, object]]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return json.loads(archive.read("items.json"))["items"]


def test_the_case_page_has_a_button_that_downloads_the_cases_package(
    sign_in: SignIn, world: World
) -> None:
    client = sign_in("caseworker_a")
    page = client.get(f"/requests/{world.case_a}/")
    href = f'href="/requests/{world.case_a}/evidence.zip"'
    assert page.status_code == 200 and href in page.content.decode()
    download = client.get(f"/requests/{world.case_a}/evidence.zip")
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    assert len(items_in(download.content)) == 2
    assert sign_in("caseworker_b").get(f"/requests/{world.case_a}/evidence.zip").status_code == 404


def test_the_button_speaks_korean_to_a_korean_reader(sign_in: SignIn, world: World) -> None:
    client = sign_in("caseworker_a")
    page = client.get(f"/requests/{world.case_a}/", HTTP_ACCEPT_LANGUAGE="ko")
    assert "증거 자료 내보내기" in page.content.decode()


def test_the_compliance_page_has_a_button_for_the_platforms_package_over_its_period(
    sign_in: SignIn, world: World
) -> None:
    telegram = Platform.objects.get(name="Telegram").pk
    client = sign_in("auditor")
    page = client.get(f"/compliance/{telegram}/?since=2000-01-01")
    assert f"/compliance/{telegram}/evidence.zip?since=2000-01-01" in page.content.decode()
    download = client.get(f"/compliance/{telegram}/evidence.zip?since=2000-01-01")
    assert download.status_code == 200
    assert [i["url"] for i in items_in(download.content)] == ["https://t.me/roomofa/7"]
    backwards = client.get(f"/compliance/{telegram}/evidence.zip?since=2100-01-01&until=2000-01-01")
    assert (backwards.status_code, backwards["Location"]) == (302, f"/compliance/{telegram}/")
    shown = client.get(backwards["Location"]).content.decode()
    assert "The start of the period must not be after its end." in shown
