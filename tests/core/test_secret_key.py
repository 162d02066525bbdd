"""No default secret key: hotline refuses to start without one (rotation: test_notice_tokens)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

HOTLINE = str(Path(sys.executable).with_name("hotline"))


def _without_key(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_SECRET_KEY")}
    env["HOTLINE_VAR_DIR"] = str(tmp_path)
    env.update(extra)
    return env


@pytest.mark.parametrize(
    "key",
    [None, "", "insecure-development-key-change-me", "short"],
    ids=["unset", "empty", "the-old-published-default", "too-short"],
)
def test_commands_refuse_to_run_without_a_real_key(tmp_path: Path, key: str | None) -> None:
    env = _without_key(tmp_path) if key is None else _without_key(tmp_path, HOTLINE_SECRET_KEY=key)
    done = subprocess.run(
        [HOTLINE, "migrate"], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 2
    assert "HOTLINE_SECRET_KEY" in done.stderr
    assert "secrets.token_urlsafe" in done.stderr  # it says how to make one
    assert not (tmp_path / "hotline.sqlite3").exists()  # nothing ran


def test_the_wsgi_application_refuses_to_load_without_a_key(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", "import hotline.wsgi"],
        env=_without_key(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode != 0
    assert "ImproperlyConfigured" in done.stderr and "HOTLINE_SECRET_KEY" in done.stderr


def test_a_key_file_is_read(tmp_path: Path) -> None:
    key_file = tmp_path / "key"
    key_file.write_text("k" * 40 + "\n")
    done = subprocess.run(
        [HOTLINE, "check"],
        env=_without_key(tmp_path, HOTLINE_SECRET_KEY_FILE=str(key_file)),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_help_needs_no_key(tmp_path: Path) -> None:
    done = subprocess.run(
        [HOTLINE, "help"], env=_without_key(tmp_path), capture_output=True, timeout=120, check=False
    )
    assert done.returncode == 0
