"""`hotline serve` preloads its libraries in gunicorn's master (hotline/core/preload.py)."""

import re
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from hotline.core import preload
from tests.packaging.conftest import LISTENING, REPO, run
from tests.packaging.test_serve_command import HOTLINE, READY, _serve, _tree_env, _wait_for

MASTER = re.compile(r"Listening at: http://127\.0\.0\.1:\d+ \((\d+)\)")
RESTARTING = re.compile(r"Restarting in place: (.*) upgraded since this server started")


def test_upgraded_names_each_library_whose_installed_version_changed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(preload, "_loaded", {"numpy": "2.0.0", "gone": "1.0", "same": "3.1"})
    monkeypatch.setattr(preload, "_versions", lambda names: {"numpy": "2.1.0", "same": "3.1"})
    assert preload.upgraded() == ["gone 1.0 -> removed", "numpy 2.0.0 -> 2.1.0"]


def test_the_master_records_the_libraries_a_worker_uses_but_not_hotline() -> None:
    loaded = subprocess.run(
        [sys.executable, "-c", "from hotline.core import preload; preload.preload();"
         "print(sorted(preload._loaded))"],
        capture_output=True, text=True, check=True, cwd=REPO,
    ).stdout  # fmt: skip
    for library in ("numpy", "numba", "llvmlite", "Django", "pydantic_core", "cryptography"):
        assert f"'{library}'" in loaded
    assert "hotline" not in loaded


def test_sighup_after_a_library_upgrade_restarts_the_master_in_place(tmp_path: Path) -> None:
    """Workers forked from a master holding the old library would mix versions, so the reload
    becomes a restart of the same process, which loads the new one."""
    shadow = tmp_path / "site"  # first on sys.path: a dist-info here is what is installed
    shadow.mkdir()
    env = {**_tree_env(tmp_path), "PYTHONPATH": f"{shadow}:{REPO}"}
    run([HOTLINE, "migrate", "-v0"], cwd=tmp_path, env=env)
    process, log = _serve(tmp_path, env, workers=1)
    try:
        _wait_for(log, READY, 1, process)
        process.send_signal(signal.SIGHUP)  # nothing upgraded: an ordinary reload
        _wait_for(log, READY, 2, process)
        assert not RESTARTING.search(log.read_text())
        upgraded = shadow / "sqlparse-99.0.dist-info"
        upgraded.mkdir()
        (upgraded / "METADATA").write_text("Metadata-Version: 2.1\nName: sqlparse\nVersion: 99.0\n")
        process.send_signal(signal.SIGHUP)
        (change,) = _wait_for(log, RESTARTING, 1, process)
        assert re.fullmatch(r"sqlparse [\d.]+ -> 99\.0", change)
        masters = _wait_for(log, MASTER, 2, process)
        assert masters == [str(process.pid)] * 2  # the same process, started again
        _wait_for(log, READY, 3, process)
        port = _wait_for(log, LISTENING, 2, process)[-1]
        assert httpx.get(f"http://127.0.0.1:{port}/login/", timeout=120).status_code == 200
        process.send_signal(signal.SIGHUP)  # the new master loaded 99.0: a plain reload again
        _wait_for(log, READY, 4, process)
        assert len(RESTARTING.findall(log.read_text())) == 1
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0
    finally:
        if process.poll() is None:
            process.kill()
