"""Who may take which evidence package over the API, and what each one holds."""

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from hotline.audit.keys import signing_key
from hotline.audit.signing import public_key_text
from tests.api.conftest import World, world
from tests.conftest import ApiCaller

__all__ = ["world"]
HOTLINE = str(Path(sys.executable).with_name("hotline"))


def fetch(call_api: ApiCaller, who: str, path: str) -> tuple[int, Any]:
    token = call_api.directory.tokens[who]
    response = Client().get(f"/api{path}", HTTP_AUTHORIZATION=f"Bearer {token}")
    if response["Content-Type"] == "application/zip":
        with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
            return response.status_code, json.loads(archive.read("items.json"))
    return response.status_code, response.json()


def urls(document: dict[str, Any]) -> set[str]:
    return {i["url"] for i in document["items"]}


@pytest.mark.parametrize(
    ("who", "status"),
    [("caseworker_a", 200), ("auditor", 200), ("caseworker_b", 404), ("analyst", 404)],
)
def test_a_case_package_goes_to_its_own_reporters_and_to_auditors(
    call_api: ApiCaller, world: World, who: str, status: int
) -> None:
    got, body = fetch(call_api, who, f"/evidence/cases/{world.case_a}")
    assert got == status
    if status == 200:
        assert urls(body) == {"https://t.me/roomofa/7", "https://unknown-host.example/a"}
    else:
        assert body["error"] == "not_found"


def test_a_platform_moderator_takes_no_case_package(call_api: ApiCaller, world: World) -> None:
    got, body = fetch(call_api, "telegram_mod", f"/evidence/cases/{world.case_a}")
    assert (got, body["error"]) == (403, "forbidden")


@pytest.mark.parametrize(
    ("who", "platform", "expected"),
    [
        ("auditor", "Telegram", {"https://t.me/roomofa/7"}),
        ("analyst", "Telegram", {"https://t.me/roomofa/7"}),  # a regulator sees every item
        ("caseworker_a", "Telegram", {"https://t.me/roomofa/7"}),
        ("caseworker_b", "Telegram", set()),  # a support centre sees only its own items
        ("caseworker_a", "X", set()),
        ("analyst", "X", {"https://x.com/someone/status/42"}),
        ("telegram_mod", "Telegram", {"https://t.me/roomofa/7"}),
    ],
)
def test_a_platform_package_holds_what_the_reader_may_see(
    call_api: ApiCaller, world: World, who: str, platform: str, expected: set[str]
) -> None:
    got, body = fetch(call_api, who, f"/evidence/platforms/{platform}")
    assert got == 200, body
    assert urls(body) == expected


def test_a_platform_cannot_take_another_platforms_package(
    call_api: ApiCaller, world: World
) -> None:
    got, body = fetch(call_api, "x_mod", "/evidence/platforms/Telegram")
    assert (got, body["error"]) == (404, "not_found")


def test_a_bad_period_is_a_clear_422(call_api: ApiCaller, world: World) -> None:
    got, body = fetch(
        call_api, "auditor", "/evidence/platforms/Telegram?since=2026-02-01&until=2026-01-01"
    )
    assert (got, body["error"]) == (422, "invalid")
    assert "since must not be after until" in body["message"]


def test_a_police_officer_verifies_a_package_with_only_the_public_key(
    call_api: ApiCaller, world: World, tmp_path: Path
) -> None:
    token = call_api.directory.tokens["auditor"]
    response = Client().get(
        f"/api/evidence/cases/{world.case_a}", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="hotline-evidence-{world.case_a}.zip"'
    )
    package = tmp_path / "package.zip"
    package.write_bytes(response.content)
    public = tmp_path / "hotline-audit.pub"
    public.write_text(public_key_text(signing_key().public_key), encoding="utf-8")
    # No secret key, no signing key, no database: only the package and the public key.
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")}
    env["HOTLINE_VAR_DIR"] = str(tmp_path / "var")
    done = subprocess.run(
        [HOTLINE, "evidence", "verify", str(package), "--public-key", str(public)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "the package verifies" in done.stdout
