"""The wheel is a complete hotline: installed alone, it runs the demo and serves pages, assets
and Korean, and keeps its data in the working directory, not in site-packages."""

import re
import time
import zipfile
from pathlib import Path

import httpx
import polib

from tests.packaging.conftest import REPO, Demo, Installed, Server, run

SOURCE = REPO / "hotline"


def _package_files() -> set[str]:
    """Every file of the source package the installed one needs (all but bytecode)."""
    return {
        p.relative_to(REPO).as_posix()
        for p in SOURCE.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    }


def test_the_wheel_carries_templates_static_files_and_catalogues(wheel: Path) -> None:
    carried = set(zipfile.ZipFile(wheel).namelist())
    missing = sorted(_package_files() - carried)
    assert not missing, f"the wheel leaves out: {missing}"
    for needed in (
        "hotline/web/static/web/review.js",
        "hotline/web/static/web/app.css",
        "hotline/locale/ko/LC_MESSAGES/django.mo",
        "hotline/web/templates/web/platform/review.html",
        "hotline/banks/migrations/0002_create_built_in_banks.py",
    ):
        assert needed in carried


def test_the_installed_package_is_the_wheel_not_the_source_tree(installed: Installed) -> None:
    where = run(
        [str(installed.bin / "python"), "-c", "import hotline; print(hotline.__file__)"],
        cwd=installed.venv,
        env={"PATH": "/usr/bin:/bin"},
    ).strip()
    assert Path(where).is_relative_to(installed.venv), where
    assert not Path(where).is_relative_to(REPO)


def test_the_demo_runs_from_the_wheel_and_keeps_its_data_in_the_working_directory(
    demo: Demo,
) -> None:
    assert "receipt HL-" in demo.output and "Compliance report" in demo.output
    assert set(demo.tokens) >= {"analyst", "moderator"}
    if "DATABASE_URL" not in demo.env:
        assert (demo.home / "var" / "hotline.sqlite3").is_file()
    assert (demo.home / "var" / "demo-secret-key").is_file()
    assert not list(demo.installed.venv.rglob("*.sqlite3")), "a database inside the venv"


def test_the_installed_server_serves_the_review_page_with_its_script_and_styles(
    demo: Demo, demo_server: Server
) -> None:
    with httpx.Client(base_url=demo_server.base, timeout=30) as client:
        page = client.get(demo.action_link)  # the notice's review page, via its signed link
        assert page.status_code == 200, page.text[:2000]
        assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', page.text)
        assert "/static/web/review.js" in assets and "/static/web/app.css" in assets
        for asset in assets:
            served = client.get(asset)
            assert served.status_code == 200, asset
            source = SOURCE / "web" / "static" / asset.removeprefix("/static/")
            if source.is_file():
                assert served.content == source.read_bytes(), asset
        assert (
            client.get("/static/web/review.js")
            .headers["content-type"]
            .startswith("text/javascript")
        )


def test_the_installed_server_speaks_korean(demo_server: Server) -> None:
    catalogue = polib.pofile(str(SOURCE / "locale" / "ko" / "LC_MESSAGES" / "django.po"))
    sign_in = catalogue.find("Sign in").msgstr
    assert sign_in and sign_in != "Sign in"
    with httpx.Client(base_url=demo_server.base, timeout=30) as client:
        korean = client.get("/login/", headers={"Accept-Language": "ko"})
        english = client.get("/login/", headers={"Accept-Language": "en"})
    assert korean.status_code == english.status_code == 200
    assert sign_in in korean.text and 'lang="ko"' in korean.text
    assert sign_in not in english.text and "Sign in" in english.text


def test_the_access_log_goes_to_stdout(demo_server: Server) -> None:
    httpx.get(f"{demo_server.base}/login/", headers={"User-Agent": "access-log-test"}, timeout=30)
    # gunicorn writes the line once the response is sent, so it may land a moment later.
    line = '"GET /login/ HTTP/1.1" 200 '
    for _ in range(100):
        logged = [x for x in demo_server.access_log.read_text().splitlines() if line in x]
        if any(x.endswith('"access-log-test"') for x in logged):
            return
        time.sleep(0.1)
    raise AssertionError(demo_server.access_log.read_text())
