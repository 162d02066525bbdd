"""The README's shell examples run as pasted, against the installed package serving the demo.

Each example is taken from README.md as written and run by bash. The only changes are the ones
a reader makes: the server's port (the test's server listens on an ephemeral one), the tokens
($TOKEN, $MODERATOR_TOKEN, from the demo's output), the files an example names (made here from
generated media), and DATABASE_URL (a fresh SQLite file, never the shared PostgreSQL). Every
example must be either run here or listed in NOT_RUN with the reason, so a new one cannot slip
by untested.
"""

import csv
import json
import os
import re
import shlex
import subprocess
from pathlib import Path

import pytest

from tests.hashing.media_factory import jpeg_bytes, video_bytes
from tests.packaging.conftest import DEMO_KEY_FILES, REPO, Demo, Server

README = REPO / "README.md"
EXAMPLE_PORT = "http://127.0.0.1:8000"
HTTP_STATUS = re.compile(r"\nHTTP (\d{3})$")

NOT_RUN = {
    "make demo": "installs a second virtualenv and serves forever; the demo itself runs above",
    "make test": "is the whole suite, this test included",
    "hotline worker": "runs until stopped; tests/cases and tests/delivery run it",
    "hotline serve": "serves until stopped; test_serve_command and the server here run it",
}


def shell_examples(markdown: str) -> list[str]:
    """Every command in the ```sh blocks, continuation lines and open quotes joined."""
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", markdown, re.DOTALL):
        pending = ""
        for line in block.splitlines():
            if not pending and (not line.strip() or line.lstrip().startswith("#")):
                continue
            pending = f"{pending}\n{line}" if pending else line
            if pending.endswith("\\"):
                continue
            try:
                shlex.split(pending, comments=True)
            except ValueError:  # a quote still open: the command goes on
                continue
            commands.append(pending)
            pending = ""
        assert not pending, f"unfinished example: {pending}"
    return commands


EXAMPLES = shell_examples(README.read_text(encoding="utf-8"))


def _find(start: str) -> list[str]:
    found = [c for c in EXAMPLES if c.startswith(start)]
    assert found, f"README has no example starting {start!r}"
    return found


def _bash(script: str, *, cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, f"{script}\nexited {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _shell_env(demo: Demo) -> dict[str, str]:
    return dict(
        demo.env,
        PATH=f"{demo.installed.bin}{os.pathsep}{os.environ['PATH']}",
        TOKEN=demo.tokens["analyst"],
        MODERATOR_TOKEN=demo.tokens["moderator"],
    )


def _curl(example: str, demo: Demo, server: Server) -> tuple[int, str]:
    """Run a curl example against the server; (HTTP status, body)."""
    assert EXAMPLE_PORT in example
    script = example.replace(EXAMPLE_PORT, server.base) + " -w '\\nHTTP %{http_code}'"
    out = _bash(script, cwd=demo.home, env=_shell_env(demo))
    found = HTTP_STATUS.search(out)
    assert found, out
    return int(found.group(1)), out[: found.start()]


def test_every_example_is_run_here_or_says_why_not() -> None:
    covered = [
        "curl",
        "export",
        "hotline migrate",
        "hotline org",
        "hotline platform",
        "hotline user",
        "hotline token",
        "hotline report",
        "hotline audit",
        "hotline export dsa-sor",
        "hotline evidence",
        "hotline hash",
        "hotline bank",
        "hotline match",
        *NOT_RUN,
    ]
    unaccounted = [c for c in EXAMPLES if not c.startswith(tuple(covered))]
    assert not unaccounted, f"README examples neither tested nor listed in NOT_RUN: {unaccounted}"


def test_the_request_example_files_a_request(demo: Demo, demo_server: Server) -> None:
    (example,) = [c for c in _find("curl") if "/api/requests \\" in c.splitlines()[0] + " \\"]
    status, body = _curl(example, demo, demo_server)
    assert status == 201, body
    receipt = json.loads(body)
    assert receipt["case_id"].startswith("HL-") and len(receipt["items"]) == 2


def test_the_upload_and_match_examples(demo: Demo, demo_server: Server) -> None:
    (upload,) = [c for c in _find("curl") if "/api/requests/upload" in c]
    (match,) = [c for c in _find("curl") if "/api/match" in c]
    (demo.home / "fake.jpg").write_bytes(jpeg_bytes(320, 240, seed=7))  # generated, not a photo
    status, body = _curl(upload, demo, demo_server)
    assert status == 201, body
    (item,) = json.loads(body)["items"]
    assert "seen_before" in item
    status, body = _curl(match, demo, demo_server)
    assert status == 200, body  # a fresh install has the known-content bank
    (answer,) = json.loads(body)
    assert answer["query"] == 0 and isinstance(answer["matches"], list)


def test_the_report_and_audit_examples(demo: Demo) -> None:
    env = _shell_env(demo)
    table, csv_example = _find("hotline report")
    assert "received" in _bash(table, cwd=demo.home, env=env)
    _bash(csv_example, cwd=demo.home, env=env)
    with (demo.home / "september.csv").open(newline="", encoding="utf-8") as rows:
        header = next(csv.reader(rows))
    assert "platform" in header
    (audit,) = _find("hotline audit verify")
    assert re.search(
        r"audit chain intact: \d+ events verified", _bash(audit, cwd=demo.home, env=env)
    )
    (checkpoint,) = _find("hotline audit checkpoint")
    assert "checkpoint: the chain still holds" in _bash(checkpoint, cwd=demo.home, env=env)


def test_the_dsa_and_evidence_examples(demo: Demo) -> None:
    env = _shell_env(demo)
    (dsa,) = _find("hotline export dsa-sor")
    assert "statements of reasons" in _bash(dsa, cwd=demo.home, env=env)
    assert list((demo.home / "sor").glob("*.json"))
    (public_key,) = _find("hotline audit public-key")
    _bash(public_key, cwd=demo.home, env=env)
    (export,) = _find("hotline evidence export")
    assert "wrote case.zip" in _bash(export, cwd=demo.home, env=env)
    (verify,) = _find("hotline evidence verify")
    assert "case.zip: the package verifies" in _bash(verify, cwd=demo.home, env=env)


def test_the_hashing_and_bank_examples(demo: Demo) -> None:
    home, env = demo.home, _shell_env(demo)
    (home / "photos").mkdir(exist_ok=True)
    for seed in (1, 2):
        (home / "photos" / f"p{seed}.jpg").write_bytes(jpeg_bytes(256, 256, seed=seed))
    (home / "clip.mp4").write_bytes(video_bytes())
    (hash_example,) = _find("hotline hash")
    lines = [json.loads(line) for line in _bash(hash_example, cwd=home, env=env).splitlines()]
    assert len(lines) == 3 and all("pdq" in line or "frames" in line for line in lines)
    pdq = next(line["pdq"] for line in lines if "pdq" in line)
    (home / "hashes.csv").write_text(f"pdq,{pdq},90\n", encoding="utf-8")
    (home / "queries.txt").write_text(f"{pdq}\n", encoding="utf-8")
    (home / "bank.txt").write_text(f"{pdq},41\n", encoding="utf-8")
    create, load = _find("hotline bank")
    _bash(create, cwd=home, env=env)
    _bash(load, cwd=home, env=env)
    against_db, against_file = _find("hotline match")
    (answer,) = _bash(against_db, cwd=home, env=env).splitlines()  # every database bank
    assert {m["bank"] for m in json.loads(answer)["matches"]} == {"imported"}
    (answer,) = _bash(against_file, cwd=home, env=env).splitlines()
    assert "41" in json.dumps(json.loads(answer)["matches"])


def test_the_deployment_example_sets_up_a_fresh_install(demo: Demo, tmp_path: Path) -> None:
    start = EXAMPLES.index(_find("export DATABASE_URL")[0])
    end = EXAMPLES.index(_find("hotline worker")[0])
    steps = EXAMPLES[start:end]
    assert steps[0].startswith("export DATABASE_URL=postgres://")
    steps[0] = f"export DATABASE_URL=sqlite:///{tmp_path / 'fresh.sqlite3'}"
    env = dict(_shell_env(demo), KIM_PASSWORD="a long password for kim")
    for made_by_the_example in DEMO_KEY_FILES:
        del env[made_by_the_example]
    etc = tmp_path / "etc"
    etc.mkdir()
    steps = [step.replace("/etc/hotline", str(etc)) for step in steps]
    out = _bash("\n".join(steps), cwd=tmp_path, env=env)
    assert re.search(r"hl_\S+", out), out  # the token, printed once
    assert "Telegram" in out and "KCSC" in out  # platform list; org list


@pytest.mark.parametrize("name", list(NOT_RUN))
def test_examples_not_run_here_are_still_in_the_readme(name: str) -> None:
    assert _find(name)
