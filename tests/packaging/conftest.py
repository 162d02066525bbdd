"""An installed hotline: the wheel built from this tree, in a fresh virtualenv, serving the demo.

The virtualenv reuses the running interpreter's installed dependencies through a .pth line (a
plain path line, so the editable hotline installed there is never activated) and gets hotline
itself only from the wheel; `installed` checks that the wheel's copy is the one imported.
Everything runs in subprocesses with PYTHONPATH removed, from a working directory of its own.
"""

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# What a source distribution needs to build the wheel; everything else stays behind.
BUILD_INPUTS = ["pyproject.toml", "README.md", "hotline"]
LISTENING = re.compile(r"Listening at: http://127\.0\.0\.1:(\d+)")
TOKEN_LINE = re.compile(r"^\s+(\w+)\s+token: (hl_\S+)", re.MULTILINE)
KEY_FILES = re.compile(r"\b(HOTLINE_\w+_KEY_FILE)=(\S+?),? ")
ACTION_LINK = re.compile(r"signed action link \(no login\): http://127\.0\.0\.1:\d+(/act/\S+/)")


def clean_env(**extra: str) -> dict[str, str]:
    """The environment of an operator's shell: none of the test suite's paths or settings."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("HOTLINE_", "DJANGO_", "PYTHON")) and k != "DATABASE_URL"
    }
    env.update(extra)
    return env


def run(argv: list[str], *, cwd: Path, env: dict[str, str], timeout: int = 300) -> str:
    """Run a command to completion; a failure shows everything it printed."""
    done = subprocess.run(
        argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    if done.returncode != 0:
        raise AssertionError(
            f"{' '.join(argv)} exited {done.returncode}\n"
            f"stdout:\n{done.stdout[-4000:]}\nstderr:\n{done.stderr[-4000:]}"
        )
    return done.stdout


@dataclass
class Installed:
    venv: Path
    wheel: Path

    @property
    def bin(self) -> Path:
        return self.venv / "bin"

    def hotline(self, *args: str, cwd: Path, env: dict[str, str], timeout: int = 300) -> str:
        return run([str(self.bin / "hotline"), *args], cwd=cwd, env=env, timeout=timeout)


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`pip wheel` of a clean copy of this tree (an in-tree build/ could carry stale files)."""
    source = tmp_path_factory.mktemp("source")
    for name in BUILD_INPUTS:
        origin = REPO / name
        if origin.is_dir():
            shutil.copytree(origin, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(origin, source / name)
    out = tmp_path_factory.mktemp("wheelhouse")
    run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(source),
        ],
        cwd=out,
        env=clean_env(),
    )
    (built,) = out.glob("hotline-*.whl")
    return built


@pytest.fixture(scope="session")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Installed:
    venv = tmp_path_factory.mktemp("venv")
    run(
        [sys.executable, "-m", "venv", "--without-pip", "--clear", str(venv)],
        cwd=venv,
        env=clean_env(),
    )
    site = Path(
        run(
            [
                str(venv / "bin" / "python"),
                "-c",
                "import sysconfig; print(sysconfig.get_paths()['purelib'])",
            ],
            cwd=venv,
            env=clean_env(),
        ).strip()
    )
    # The dependencies come from the interpreter running the tests; hotline only from the wheel.
    (site / "_dependencies_from_the_test_interpreter.pth").write_text(
        sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8"
    )
    run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(venv / "bin" / "python"),
            "install",
            "--no-deps",
            "--no-index",
            "-q",
            str(wheel),
        ],
        cwd=venv,
        env=clean_env(),
    )
    return Installed(venv=venv, wheel=wheel)


@dataclass
class Server:
    base: str
    process: subprocess.Popen[bytes]
    log: Path
    access_log: Path

    def stop(self) -> int:
        self.process.terminate()
        return self.process.wait(timeout=60)


def start_server(
    installed: Installed, *args: str, cwd: Path, env: dict[str, str], logs: Path
) -> Server:
    """`hotline serve --bind 127.0.0.1:0` from the installed package; fails loudly if it won't."""
    log, access_log = logs / "serve.err", logs / "serve.out"
    with log.open("wb") as err, access_log.open("wb") as out:
        process = subprocess.Popen(
            [str(installed.bin / "hotline"), "serve", "--bind", "127.0.0.1:0", *args],
            cwd=cwd,
            env=env,
            stdout=out,
            stderr=err,
        )
    workers = int(args[args.index("--workers") + 1]) if "--workers" in args else 1
    deadline = time.monotonic() + 300  # a loaded machine: workers warm up before serving
    while time.monotonic() < deadline:
        text = log.read_text(errors="replace")
        found = LISTENING.search(text)
        if found and text.count("Worker ready") >= workers:
            return Server(f"http://127.0.0.1:{found.group(1)}", process, log, access_log)
        if process.poll() is not None:
            break
        time.sleep(0.2)
    process.kill()
    raise AssertionError(f"hotline serve did not start:\n{log.read_text(errors='replace')}")


def operator_database() -> dict[str, str]:
    """Where the installed package keeps its data: SQLite in its working directory, or, when
    the suite runs on PostgreSQL, the database DATABASE_URL names (the suite's own is
    test_<name>), dropped and created again so that it is a fresh install."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return {}
    import psycopg

    server, name = url.rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return {"DATABASE_URL": url}


@dataclass
class Demo:
    installed: Installed
    home: Path  # the working directory; its var/ is the data directory
    output: str
    tokens: dict[str, str]
    action_link: str
    env: dict[str, str] = field(default_factory=dict)  # to run more commands on its data


@pytest.fixture(scope="session")
def demo(installed: Installed, tmp_path_factory: pytest.TempPathFactory) -> Demo:
    """`hotline demo --no-serve` from the installed package, as the README says."""
    home = tmp_path_factory.mktemp("operator")
    database = operator_database()
    output = installed.hotline(
        "demo", "--no-serve", cwd=home, env=clean_env(**database), timeout=600
    )
    found = ACTION_LINK.search(output)
    assert found, output
    # The key files the demo tells the reader to export "in another terminal", as it says them.
    keys = dict(KEY_FILES.findall(output))
    assert set(keys) == {
        "HOTLINE_SECRET_KEY_FILE",
        "HOTLINE_ENCRYPTION_KEY_FILE",
        "HOTLINE_AUDIT_SIGNING_KEY_FILE",
    }, output
    return Demo(
        installed=installed,
        home=home,
        output=output,
        tokens=dict(TOKEN_LINE.findall(output)),
        action_link=found.group(1),
        env=clean_env(**keys, **database),
    )


# Behind a TLS proxy that forwards Host as the internal address, as docs/deploy.md shows.
PUBLIC_ORIGIN = "https://hotline.example"


@pytest.fixture(scope="session")
def demo_server(demo: Demo, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The demo's data served by `hotline serve`, configured as behind a TLS proxy."""
    env = dict(
        demo.env,
        HOTLINE_ALLOWED_HOSTS="127.0.0.1,localhost,hotline.example",
        HOTLINE_TRUSTED_PROXY="on",
        HOTLINE_CSRF_TRUSTED_ORIGINS=PUBLIC_ORIGIN,
        HOTLINE_HSTS_SECONDS="300",
    )
    server = start_server(
        demo.installed,
        "--workers",
        "2",
        cwd=demo.home,
        env=env,
        logs=tmp_path_factory.mktemp("serve-logs"),
    )
    yield server
    server.stop()
