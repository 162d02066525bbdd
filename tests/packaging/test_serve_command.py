"""`hotline serve`: the gunicorn command line it builds, and the signals an operator sends."""

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from hotline.core.serving import (
    MAX_DEFAULT_WORKERS,
    ServeOptions,
    bind_problem,
    default_workers,
    gunicorn_argv,
)
from tests.packaging.conftest import LISTENING, REPO, clean_env, run

HOTLINE = str(Path(sys.executable).with_name("hotline"))
BOOTED = re.compile(r"Booting worker with pid: (\d+)")
READY = re.compile(r"Worker ready \(pid: (\d+)\)")


def test_workers_default_to_twice_the_cores_plus_one_capped() -> None:
    assert [default_workers(c) for c in (0, 1, 2, 4)] == [3, 3, 5, 9]
    assert default_workers(64) == MAX_DEFAULT_WORKERS


def test_the_command_line_names_every_choice() -> None:
    options = ServeOptions(
        bind="0.0.0.0:9000", workers=0, threads=2, timeout=60, graceful_timeout=20
    )
    argv = gunicorn_argv(options, cores=2)
    pairs = dict(zip(argv[:-1:2], argv[1:-1:2], strict=True))
    assert pairs == {
        "--config": "python:hotline.core.gunicorn_conf",
        "--bind": "0.0.0.0:9000",
        "--workers": "5",
        "--threads": "2",
        "--worker-class": "gthread",
        "--keep-alive": "5",
        "--timeout": "60",
        "--graceful-timeout": "20",
        "--access-logfile": "-",
        "--error-logfile": "-",
    }
    assert argv[-1] == "hotline.wsgi:application"
    assert gunicorn_argv(ServeOptions("unix:/run/h.sock", 7, 1, 60, 30), cores=2)[5] == "7"


@pytest.mark.parametrize(
    ("bind", "problem"),
    [
        ("127.0.0.1:8000", None),
        ("[::1]:8000", None),
        ("unix:/run/hotline.sock", None),
        ("8000", "HOST:PORT"),
        ("localhost:http", "port must be 0-65535"),
        ("localhost:70000", "port must be 0-65535"),
        ("unix:", "socket path"),
    ],
)
def test_bind_addresses_are_checked(bind: str, problem: str | None) -> None:
    found = bind_problem(bind)
    assert found is None if problem is None else problem in (found or "")


def _tree_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return clean_env(
        PYTHONPATH=str(REPO),
        HOTLINE_VAR_DIR=str(tmp_path / "var"),
        HOTLINE_SECRET_KEY=os.environ["HOTLINE_SECRET_KEY"],
        HOTLINE_ENCRYPTION_KEY=os.environ["HOTLINE_ENCRYPTION_KEY"],
        HOTLINE_AUDIT_SIGNING_KEY_FILE=os.environ["HOTLINE_AUDIT_SIGNING_KEY_FILE"],
        **extra,
    )


def test_settings_choose_the_defaults_and_flags_win(tmp_path: Path) -> None:
    env = _tree_env(tmp_path, HOTLINE_SERVE_WORKERS="3", HOTLINE_SERVE_BIND="127.0.0.1:18650")
    printed = run([HOTLINE, "serve", "--print-command"], cwd=tmp_path, env=env)
    assert "--workers 3 " in printed and "--bind 127.0.0.1:18650 " in printed
    printed = run([HOTLINE, "serve", "--print-command", "--workers", "4"], cwd=tmp_path, env=env)
    assert "--workers 4 " in printed


def test_a_bad_flag_is_a_clear_error(tmp_path: Path) -> None:
    done = subprocess.run(
        [HOTLINE, "serve", "--workers", "-1"],
        cwd=tmp_path,
        env=_tree_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode != 0 and "--workers must be at least 0" in done.stderr


def _wait_for(
    log: Path, pattern: re.Pattern[str], count: int, process: subprocess.Popen[bytes]
) -> list[str]:
    deadline = time.monotonic() + 300  # workers warm up slowly on a loaded machine
    while time.monotonic() < deadline:
        found = pattern.findall(log.read_text(errors="replace"))
        if len(found) >= count:
            return found
        assert process.poll() is None, log.read_text(errors="replace")
        time.sleep(0.2)
    raise AssertionError(f"never saw {count} x {pattern.pattern}:\n{log.read_text()}")


def _serve(
    home: Path, env: dict[str, str], *, workers: int
) -> tuple[subprocess.Popen[bytes], Path]:
    """`hotline serve` in `home` on a free loopback port; its stdout and stderr, in the order
    written, in the log file returned with it."""
    log = home / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [HOTLINE, "serve", "--bind", "127.0.0.1:0", "--workers", str(workers)],
            cwd=home,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    return process, log


@pytest.fixture(scope="module")
def fresh_install(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new, empty data directory after `hotline migrate`, as an operator's first step."""
    home = tmp_path_factory.mktemp("fresh-install")
    run([HOTLINE, "migrate", "-v0"], cwd=home, env=_tree_env(home))
    return home


def test_a_fresh_install_has_the_banks_the_docs_use(fresh_install: Path) -> None:
    listed = run([HOTLINE, "bank", "list"], cwd=fresh_install, env=_tree_env(fresh_install))
    assert "known-content" in listed and "reported-items" in listed
    queries = fresh_install / "queries.txt"
    queries.write_text("f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22\n")
    answer = run([HOTLINE, "match", str(queries)], cwd=fresh_install, env=_tree_env(fresh_install))
    assert '"matches": []' in answer  # before: "unknown bank(s): known-content"


def test_sighup_replaces_the_workers_and_sigterm_stops_cleanly(fresh_install: Path) -> None:
    tmp_path = fresh_install
    process, log = _serve(tmp_path, _tree_env(tmp_path), workers=2)
    try:
        (port,) = _wait_for(log, LISTENING, 1, process)
        first = _wait_for(log, BOOTED, 2, process)
        _wait_for(log, READY, 2, process)  # each warmed itself before its first request
        assert httpx.get(f"http://127.0.0.1:{port}/login/", timeout=120).status_code == 200
        process.send_signal(signal.SIGHUP)
        after = _wait_for(log, BOOTED, 4, process)
        assert set(after[2:]).isdisjoint(first)  # fresh workers, same master, same port
        # Requests meanwhile wait in the listen backlog until a new worker is warm.
        _wait_for(log, READY, 4, process)
        assert httpx.get(f"http://127.0.0.1:{port}/login/", timeout=120).status_code == 200
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0
    finally:
        if process.poll() is None:
            process.kill()
    assert "Shutting down: Master" in log.read_text()


MAKE_MODERATOR = """
from hotline.accounts.models import Role
from hotline.accounts.selectors import membership_get, organisation_get
from hotline.accounts.services import token_create, user_create
from hotline.platforms.services import platform_create
platform_create(name="P", hosts=["p.example"], hotline_email="h@p.example", actor="test")
user_create(username="mod", organisation=organisation_get(name_or_slug="P"), role=Role.MODERATOR,
            password="pw-mod-long-enough", actor="test")
print(token_create(membership=membership_get(username="mod"), name="t", actor="test")[1])
"""


def test_under_serve_a_lookup_is_answered_lean_and_an_error_by_django(tmp_path: Path) -> None:
    """gunicorn serves hotline.wsgi's LeanMatch: a read-only match is answered by it (its
    access line says so), on one kept-alive connection; a bad token still gets Django's 401."""
    env = _tree_env(tmp_path, HOTLINE_LOG_LEVEL="INFO", HOTLINE_LOG_FORMAT="json")
    run([HOTLINE, "migrate", "-v0"], cwd=tmp_path, env=env)
    token = run([HOTLINE, "shell", "-c", MAKE_MODERATOR], cwd=tmp_path, env=env).split()[-1]
    process, log = _serve(tmp_path, env, workers=1)
    try:
        (port,) = _wait_for(log, LISTENING, 1, process)
        _wait_for(log, READY, 1, process)
        body = {"signals": [{"type": "pdq", "value": "ab" * 32, "quality": 90}]}
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as client:
            for _ in range(2):
                answer = client.post(
                    "/api/match", json=body, headers={"Authorization": f"Bearer {token}"}
                )
                assert answer.status_code == 200 and answer.json()[0]["matches"] == []
                assert answer.headers["Connection"] == "keep-alive"
            refused = client.post(
                "/api/match", json=body, headers={"Authorization": "Bearer hl_wrong"}
            )
            assert refused.status_code == 401 and refused.headers["WWW-Authenticate"] == "Bearer"
        time.sleep(0.5)
        lines = [line for line in log.read_text().splitlines() if '"hotline.request"' in line]
        lean = [line for line in lines if '"lean": true' in line]
        assert len(lean) == 2 and all('"status": 200' in line for line in lean), lines
        assert any('"status": 401' in line and '"lean"' not in line for line in lines), lines
    finally:
        process.terminate()
        process.wait(timeout=60)
