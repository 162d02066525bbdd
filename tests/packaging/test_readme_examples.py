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
import re
from pathlib import Path

import pytest

from tests.hashing.media_factory import jpeg_bytes, video_bytes
from tests.packaging.conftest import REPO, Demo, Server
from tests.packaging.examples import bash as _bash
from tests.packaging.examples import curl, shell_env, shell_examples

README = REPO / "README.md"
EXAMPLE_PORT = "http://127.0.0.1:8000"

NOT_RUN = {
    "make demo": "installs a second virtualenv and serves forever; the demo itself runs above",
    "make test": "is the whole suite, this test included",
    "hotline worker": "runs until stopped; tests/cases and tests/delivery run it",
    "hotline serve": "serves until stopped; test_serve_command and the server here run it",
}

EXAMPLES = shell_examples(README.read_text(encoding="utf-8"))


def _find(start: str) -> list[str]:
    found = [c for c in EXAMPLES if c.startswith(start)]
    assert found, f"README has no example starting {start!r}"
    return found


def _shell_env(demo: Demo) -> dict[str, str]:
    return shell_env(demo)


def _curl(example: str, demo: Demo, server: Server) -> tuple[int, str]:
    """Run a curl example against the server; (HTTP status, body)."""
    assert EXAMPLE_PORT in example
    return curl(example, demo, server)


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
        "hotline hash",
        "hotline bank",
        "hotline match",
        "hotline export dsa-sor",
        "hotline evidence",
        "hotline request import",
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


def test_the_victim_example_shows_her_items_across_cases(demo: Demo, demo_server: Server) -> None:
    (request,) = [c for c in _find("curl") if "/api/requests \\" in c.splitlines()[0] + " \\"]
    status, body = _curl(request, demo, demo_server)  # 200 when the request example ran first
    assert status in (200, 201), body
    (victim,) = [c for c in _find("curl") if "/api/victims/" in c]
    status, body = _curl(victim, demo, demo_server)
    assert status == 200, body
    answer = json.loads(body)
    assert answer["reference"] == "V-2024-0012" and answer["case_count"] == 1
    assert [i["position"] for i in answer["items"]] == [1, 2]
    assert answer["items"][0]["platform"] == "Telegram" and answer["items"][0]["still_up"]


def test_the_list_and_import_examples(demo: Demo, demo_server: Server) -> None:
    (listing,) = [c for c in _find("curl") if "curl -s -D -" in c]
    status, answer = _curl(listing, demo, demo_server)
    assert status == 200 and re.search(r"(?i)^x-total-count: \d+", answer, re.M), answer
    fields = {
        "category": "sexual_deepfake",
        "reasons": "Sexual deepfakes of one woman, shared without consent.",
        "legal_bases": ["take_it_down"],
        "legal": {"signature": "/s/ J", "good_faith_statement": "…", "contact": "j@example.org"},
    }
    (demo.home / "request.json").write_text(json.dumps(fields), encoding="utf-8")
    (demo.home / "urls.csv").write_text(
        "url,sha256\n" + "".join(f"https://t.me/readme{n}/1\n" for n in range(30)),
        encoding="utf-8",
    )
    (example,) = _find("hotline request import")
    first = _bash(example, cwd=demo.home, env=_shell_env(demo))
    again = _bash(example, cwd=demo.home, env=_shell_env(demo))
    assert "30 line(s) filed in 1 request(s)" in first
    assert first.split(": ")[1] == again.split(": ")[1]  # the same case, not a second one


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
    create, load, snapshot = _find("hotline bank")
    _bash(create, cwd=home, env=env)
    _bash(load, cwd=home, env=env)
    assert "imported: 1 PDQ entries at version" in _bash(snapshot, cwd=home, env=env)
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
    for made_by_the_example in ("SECRET", "ENCRYPTION", "AUDIT_SIGNING"):
        del env[f"HOTLINE_{made_by_the_example}_KEY_FILE"]
    # The reader's own key directory instead of /etc/hotline (root's).
    script = "\n".join(steps).replace("/etc/hotline", str(tmp_path))
    out = _bash(script, cwd=tmp_path, env=env)
    assert re.search(r"hl_\S+", out), out  # the token, printed once
    assert "Telegram" in out and "KCSC" in out  # platform list; org list


@pytest.mark.parametrize("name", list(NOT_RUN))
def test_examples_not_run_here_are_still_in_the_readme(name: str) -> None:
    assert _find(name)


def test_the_dsa_and_evidence_examples(demo: Demo) -> None:
    home, env = demo.home, _shell_env(demo)
    (dsa,) = _find("hotline export dsa-sor")
    assert "statements of reasons" in _bash(dsa, cwd=home, env=env)
    assert list((home / "sor").glob("*.json"))
    (export,) = _find("hotline evidence export")
    assert "HL-2026-000001" in _bash(export, cwd=home, env=env)
    (verify,) = _find("hotline evidence verify")
    # The operator's published key (docs/evidence.md shows this step).
    _bash("hotline audit public-key > hotline-audit.pub", cwd=home, env=env)
    assert "case.zip: the package verifies" in _bash(verify, cwd=home, env=env)
