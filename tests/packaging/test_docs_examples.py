"""The shell examples in docs/*.md run as pasted, against the installed package serving the demo.

Like test_readme_examples (and with its helpers): each example is taken from the docs as
written and run by bash, changing only what a reader changes (the server's address, tokens,
ids that name the reader's own case or notice, paths under /etc). Every example is either run
here or listed in NOT_RUN with the reason, so a new one cannot slip by untested.
"""

import json
import os
import re
import sys
import threading
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import dkim
import pytest

from hotline.delivery.dkim import dkim_sign
from tests.packaging.conftest import REPO, Demo, Server
from tests.packaging.examples import bash, curl, shell_env, shell_examples
from tests.packaging.test_readme_examples import EXAMPLES as README_EXAMPLES
from tests.test_settings_documented import settings_read_from_the_environment

DOCS = REPO / "docs"
EXAMPLES = {
    path.name: shell_examples(path.read_text(encoding="utf-8")) for path in DOCS.glob("*.md")
}

NOT_RUN = {
    ("self-service.md", "hotline selfcase issue"): "needs a case the reader's centre filed; "
    "tests/selfservice/test_centre_commands.py runs the command and checks what it prints",
    ("self-service.md", "hotline selfcase withdraw"): "needs a case the reader's centre filed; "
    "tests/selfservice/test_centre_commands.py runs the command and checks what it prints",
    ("benchmarks.md", ".venv/bin/python bench/bench_serve.py"): "minutes of load on the "
    "machine; a benchmark, not a check (bench/ runs it on demand)",
    ("benchmarks.md", ".venv/bin/python -m bench.bench_match_http"): "minutes of a 1M bank "
    "and of load on the machine; a benchmark, not a check (tests/banks check the answers)",
    ("benchmarks.md", ".venv/bin/python bench/bench_pages.py"): "a minute of import and "
    "minutes of the old review page; a benchmark, not a check (tests/web checks sizes)",
    ("delivery.md", "hotline delivery retry --delivery 41"): "needs a failed delivery; "
    "tests/delivery/test_retry_command.py fails one for real and retries it",
    ("delivery.md", "hotline delivery retry --notice 12"): "needs a failed delivery; "
    "tests/delivery/test_retry_command.py covers it",
    ("delivery.md", "hotline worker                    #"): "runs until stopped; "
    "tests/cases and tests/delivery run it",
    ("delivery.md", "hotline worker --check-threads"): "runs until stopped",
    ("deploy.md", "sudo "): "needs root, a system account and systemd; the wheel fixture "
    "builds and installs the same wheel",
    ("deploy.md", "pip wheel --no-deps -w dist ."): "the wheel fixture runs it (offline, so "
    "with --no-build-isolation)",
    ("deploy.md", "python3 -c 'import secrets; print(secrets.token_urlsafe(50))' | sudo"): "needs "
    "root (writes /etc/hotline)",
    ("deploy.md", "journalctl"): "needs systemd",
    ("deploy.md", "systemctl"): "needs systemd",
    ("deploy.md", "hotline serve                                   #"): "serves until "
    "stopped; test_serve_command and the demo server run it",
    ("deploy.md", "hotline serve --bind 0.0.0.0:8000"): "serves until stopped, on every "
    "interface; test_serve_command covers --bind and --workers",
    ("deploy.md", "hotline serve --bind unix:"): "serves until stopped; needs /run/hotline",
    ("exchange.md", "pip install 'hotline[exchange]'"): "installs from PyPI; the dev extra "
    "installs the same threatexchange, whose tx the exchange examples run",
    ("exchange.md", "TX_HOTLINE_TOKEN=hl_… flask"): "needs an HMA deployment; "
    "tests/exchange drive the same SignalExchangeAPI class HMA calls",
    ("exchange.md", "curl -X POST http://hma.example"): "needs an HMA deployment",
    ("workflow.md", "hotline triage reroute"): "needs items waiting in triage and a platform "
    "added after them; tests/cases/test_reroute.py moves them and runs the command",
}
RUN_HERE = {
    "compliance.md": ["hotline report", "curl", "hotline platform"],
    "delivery.md": [
        "openssl genpkey",
        "openssl pkey",
        "TOKEN=",
        "curl",
        "cursor=",
        "while :",
        "hotline delivery list",
        "hotline delivery retry --all-failed",
        "hotline worker --once",
    ],
    "deploy.md": ["hotline serve --print-command"],
    "exchange.md": ["hotline bank", "curl -s", "tx ", "TX_HOTLINE_TOKEN=$MODERATOR_TOKEN"],
    "dsa-export.md": ["hotline export dsa-sor", "curl", "for f in sor/*.json"],
    "evidence.md": [
        "hotline evidence",
        "curl",
        "hotline audit public-key",
        "hotline audit checkpoint",
        "hotline audit verify",
        "hotline audit keygen",
        "export HOTLINE_AUDIT_SIGNING_KEY_FILE",
    ],
    "notifications.md": ["curl", "hotline notify", "hotline platform deadline"],
    "operations.md": ["curl"],
    "web.md": ["hotline user", "hotline token", "hotline platform update"],
}


def _find(doc: str, start: str) -> list[str]:
    found = [c for c in EXAMPLES[doc] if c.startswith(start)]
    assert found, f"docs/{doc} has no example starting {start!r}"
    return found


def test_every_example_is_run_here_or_says_why_not() -> None:
    unaccounted = []
    for doc, commands in EXAMPLES.items():
        prefixes = (*RUN_HERE.get(doc, []), *(start for (d, start) in NOT_RUN if d == doc))
        unaccounted += [f"{doc}: {c}" for c in commands if not c.startswith(prefixes)]
    assert not unaccounted, f"docs examples neither tested nor in NOT_RUN: {unaccounted}"


@pytest.mark.parametrize(("doc", "start"), list(NOT_RUN))
def test_examples_not_run_here_are_still_in_the_docs(doc: str, start: str) -> None:
    assert _find(doc, start)


def test_env_file_examples_are_settings_systemd_reads_as_meant() -> None:
    """docs/deploy.md's hotline.env lines: systemd's EnvironmentFile is no shell, so a `#`
    after a value would become part of it; and every name must be a setting hotline reads."""
    text = (DOCS / "deploy.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```ini\n(.*?)```", text, re.DOTALL)
    assert blocks
    known = settings_read_from_the_environment()
    for line in "".join(blocks).splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, _, value = line.partition("=")
        assert name in known, line
        assert "#" not in value and value == value.strip(), line


def _run(doc: str, start: str, demo: Demo, **env: str) -> str:
    (example,) = _find(doc, start)
    return bash(example, cwd=demo.home, env=dict(shell_env(demo), **env))


def test_the_compliance_examples(demo: Demo, demo_server: Server) -> None:
    table, csv_example = _find("compliance.md", "hotline report")
    assert "received" in bash(table, cwd=demo.home, env=shell_env(demo))
    bash(csv_example, cwd=demo.home, env=shell_env(demo))
    assert "platform" in (demo.home / "september.csv").read_text(encoding="utf-8")
    (api,) = _find("compliance.md", "curl")
    status, body = curl(api, demo, demo_server)
    assert status == 200, body
    report = json.loads(body)
    assert (report["since"], report["until"], report["time_zone"]) == (
        "2024-09-01",
        "2024-09-30",
        "Asia/Seoul",
    )
    create, deadline, listing = _find("compliance.md", "hotline platform")
    bash(create, cwd=demo.home, env=shell_env(demo))
    bash(deadline, cwd=demo.home, env=shell_env(demo))
    platforms = bash(listing, cwd=demo.home, env=shell_env(demo))
    assert "Forum" in platforms and "KR:24h/6h(pauses for info)" in platforms


def test_the_pull_feed_examples(demo: Demo, demo_server: Server) -> None:
    (set_token,) = _find("delivery.md", "TOKEN=")
    assert set_token.startswith("TOKEN=hl_…")  # the reader's own moderator token
    env = dict(shell_env(demo), TOKEN=demo.tokens["moderator"])
    feed, notice = _find("delivery.md", "curl")
    status, body = curl(feed, demo, demo_server, env=env)
    assert status == 200, body
    events = json.loads(body)["events"]
    notice_id = next(e["notice_id"] for e in events if e["notice_id"])
    status, body = curl(
        notice.replace("/notices/12", f"/notices/{notice_id}"), demo, demo_server, env=env
    )
    assert status == 200, body
    assert json.loads(body)["id"] == notice_id
    # The polling loop, with the reader's `handle`, and `sleep` ending it once caught up.
    start = EXAMPLES["delivery.md"].index(_find("delivery.md", "cursor=")[0])
    loop = "\n".join(EXAMPLES["delivery.md"][start : start + 2])
    (demo.home / "cursor.txt").unlink(missing_ok=True)
    script = 'handle() { echo "$1" >> handled.jsonl; }\nsleep() { exit 0; }\n' + loop.replace(
        "https://hotline.example", demo_server.base
    )
    bash(script, cwd=demo.home, env=env)
    handled = [json.loads(line) for line in (demo.home / "handled.jsonl").read_text().splitlines()]
    assert len(handled) >= len(events) and handled[0] == events[0]
    assert (demo.home / "cursor.txt").read_text().strip() == handled[-1]["cursor"]


def test_the_exchange_examples(demo: Demo, demo_server: Server) -> None:
    """Import a StopNCII answer, read the bank's feed, fetch it with the real `tx`, then a
    withdrawal reaches both the delta export and `tx`."""
    doc = (DOCS / "exchange.md").read_text(encoding="utf-8")
    stopncii, withdrawn = re.findall(r"```json\n(.*?)```", doc, re.DOTALL)
    (demo.home / "stopncii.json").write_text(stopncii, encoding="utf-8")
    (demo.home / "withdrawn.json").write_text(withdrawn, encoding="utf-8")
    (demo.home / "tx-home").mkdir(exist_ok=True)
    env = shell_env(demo)
    # `hotline` from the installed wheel; `tx` from the interpreter running the tests.
    env["PATH"] = f"{demo.installed.bin}{os.pathsep}{Path(sys.executable).parent}"
    env["PATH"] += f"{os.pathsep}{os.environ['PATH']}"
    env["HOME"] = str(demo.home / "tx-home")

    def run(example: str) -> str:
        return bash(
            example.replace("http://127.0.0.1:8000", demo_server.base), cwd=demo.home, env=env
        )

    def tx_rows(example: str) -> set[tuple[str, str]]:
        lines = run(example).splitlines()
        assert lines[0] == "signal_type,signal_str,collab,category,tags"
        return {(row.split(",")[0], row.split(",")[1]) for row in lines[1:]}

    (create,) = _find("exchange.md", "hotline bank create")
    first_import, withdrawal = _find("exchange.md", "hotline bank import")
    run(create)
    assert run(first_import).strip() == "added 3 of 3 hashes to ncii"
    page_example, hma_example = _find("exchange.md", "curl -s")
    status, body = curl(page_example, demo, demo_server, env=env)
    assert status == 200, body
    page = json.loads(body)
    assert [c["op"] for c in page["changes"]] == ["add", "add"] and page["has_more"] is True
    status, body = curl(hma_example, demo, demo_server, env=env)
    assert status == 200 and "X-Next-Cursor: 1" in body and "X-Has-More: false" in body
    assert len([line for line in body.splitlines() if line.startswith('{"id"')]) == 3

    (add_extension,) = _find("exchange.md", "tx config extensions")
    (make_collab,) = _find("exchange.md", "tx config collab")
    (match,) = _find("exchange.md", "tx match")
    first_fetch, second_fetch = _find("exchange.md", "TX_HOTLINE_TOKEN=$MODERATOR_TOKEN")
    first_dataset, second_dataset = _find("exchange.md", "tx dataset")
    run(add_extension)
    run(make_collab)
    run(first_fetch)
    pdq_a = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"
    pdq_b = "358c86641a5269ab5b0db5f1b2315c1642cef9652c39b6ced9f646d91f071927"
    md5 = ("video_md5", "d41d8cd98f00b204e9800998ecf8427e")
    assert tx_rows(first_dataset) == {("pdq", pdq_a), ("pdq", pdq_b), md5}
    assert run(match).strip() == "pdq 0 (hotline-ncii) POSITIVE_CLASS hotline:ncii"

    assert "removed 1 (0 deletions not found)" in run(withdrawal)
    (delta,) = _find("exchange.md", "hotline bank export")
    (deletion,) = run(delta).splitlines()[1:]  # the entry id is this database's
    assert deletion.startswith(f"pdq,{pdq_b},,") and deletion.endswith(",delete")
    run(second_fetch)
    assert tx_rows(second_dataset) == {("pdq", pdq_a), md5}


def test_the_outbox_and_worker_examples(demo: Demo) -> None:
    _run("delivery.md", "hotline delivery list --failed", demo)
    assert "retry" in _run("delivery.md", "hotline delivery retry --all-failed", demo)
    _run("delivery.md", "hotline worker --once", demo)


def test_the_print_command_example(demo: Demo) -> None:
    assert "gunicorn" in _run("deploy.md", "hotline serve --print-command", demo)


class _TransparencyDatabase(BaseHTTPRequestHandler):
    received: list[tuple[str, bytes]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((self.headers["Authorization"], body))
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def transparency_database() -> Iterator[str]:
    """A loopback stand-in for the Commission's endpoint, taking what the loop posts."""
    _TransparencyDatabase.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _TransparencyDatabase)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_the_dsa_export_examples(
    demo: Demo, demo_server: Server, transparency_database: str
) -> None:
    _run("dsa-export.md", "hotline export dsa-sor", demo)
    batches = sorted((demo.home / "sor").glob("*.json"))
    assert batches and all(json.loads(b.read_text())["statements"] for b in batches)
    (api,) = _find("dsa-export.md", "curl")
    status, body = curl(api, demo, demo_server)
    assert status == 200, body
    assert "statements" in json.loads(body)
    (upload,) = _find("dsa-export.md", "for f in sor/*.json")
    upload = upload.replace("https://transparency.dsa.ec.europa.eu", transparency_database)
    bash(upload, cwd=demo.home, env=dict(shell_env(demo), TDB_TOKEN="tdb-token"))
    received = _TransparencyDatabase.received
    assert [auth for auth, _ in received] == ["Bearer tdb-token"] * len(batches)
    assert sorted(body.strip() for _, body in received) == sorted(
        b.read_bytes().strip() for b in batches
    )


def test_the_evidence_examples(demo: Demo, demo_server: Server, tmp_path: Path) -> None:
    case_export, platform_export = _find("evidence.md", "hotline evidence export")
    assert "HL-2026-000001" in bash(case_export, cwd=demo.home, env=shell_env(demo))
    assert "platform Telegram" in bash(platform_export, cwd=demo.home, env=shell_env(demo))
    for example in _find("evidence.md", "curl"):
        status, _ = curl(example, demo, demo_server)
        assert status == 200
    for name in ("case.zip", "telegram.zip"):
        assert zipfile.is_zipfile(demo.home / name)
    _run("evidence.md", "hotline audit public-key", demo)
    assert "telegram.zip: the package verifies" in _run(
        "evidence.md", "hotline evidence verify", demo
    )
    _run("evidence.md", "hotline audit checkpoint", demo)
    assert "intact" in _run("evidence.md", "hotline audit verify --checkpoint", demo)
    (keygen,) = _find("evidence.md", "hotline audit keygen")
    (use_it,) = _find("evidence.md", "export HOTLINE_AUDIT_SIGNING_KEY_FILE")
    script = f"{keygen}\n{use_it}\nhotline audit public-key".replace("/etc/hotline", str(tmp_path))
    out = bash(script, cwd=demo.home, env=shell_env(demo))
    assert "wrote a new audit signing key" in out and (tmp_path / "audit-signing-key.pem").exists()


def test_the_dkim_key_examples_make_a_key_hotline_signs_with(tmp_path: Path, settings: Any) -> None:
    """The key made as docs/delivery.md says signs hotline's mail, and the DNS record made
    from the printed public key verifies it (dkimpy, the DNS lookup answered here)."""
    (make,) = _find("delivery.md", "openssl genpkey")
    (public,) = _find("delivery.md", "openssl pkey")
    env = {"PATH": os.environ["PATH"]}
    bash(make.replace("/etc/hotline", str(tmp_path)), cwd=tmp_path, env=env)
    printed = bash(public.replace("/etc/hotline", str(tmp_path)), cwd=tmp_path, env=env)
    settings.HOTLINE_DKIM_SELECTOR = "hotline"
    settings.HOTLINE_DKIM_DOMAIN = "hotline.example"
    settings.HOTLINE_DKIM_PRIVATE_KEY_FILE = str(tmp_path / "dkim-private.pem")
    mail = b"From: hotline@hotline.example\r\nSubject: test\r\n\r\nbody\r\n"
    record = b"v=DKIM1; k=rsa; p=" + printed.strip().encode()
    assert dkim.verify(dkim_sign(mail), dnsfunc=lambda name, timeout=5: record)


def test_the_operations_examples(demo: Demo, demo_server: Server) -> None:
    invalid, not_allowed, ready = _find("operations.md", "curl")
    status, body = curl(invalid, demo, demo_server)
    assert status == 422 and '"error": "invalid"' in body, body
    status, body = curl(not_allowed, demo, demo_server)
    assert status == 405 and "Allow: GET" in body, body
    status, body = curl(ready, demo, demo_server)
    assert status in (200, 503) and json.loads(body)["checks"]["database"] == "ok", body


def test_the_account_examples_on_a_fresh_install(demo: Demo, tmp_path: Path) -> None:
    """web.md's user, token and platform commands, after README's deployment steps (which
    create kim and Telegram) on a fresh database."""
    start = README_EXAMPLES.index(
        next(c for c in README_EXAMPLES if c.startswith("export DATABASE_URL"))
    )
    end = README_EXAMPLES.index(next(c for c in README_EXAMPLES if c.startswith("hotline worker")))
    setup = [
        f"export DATABASE_URL=sqlite:///{tmp_path / 'fresh.sqlite3'}",
        *README_EXAMPLES[start + 1 : end],
    ]
    env = dict(shell_env(demo), KIM_PASSWORD="a long password for kim")
    for made_by_the_steps in ("SECRET", "ENCRYPTION", "AUDIT_SIGNING"):
        del env[f"HOTLINE_{made_by_the_steps}_KEY_FILE"]
    examples = [c for c in EXAMPLES["web.md"] if c.startswith(tuple(RUN_HERE["web.md"]))]
    assert len(examples) == len(EXAMPLES["web.md"])
    listing = next(i for i, c in enumerate(examples) if c.startswith("hotline token list"))
    script = "\n".join(
        [
            *setup,
            *examples[: listing + 1],
            # the reader revokes one of the ids just listed, kim's
            "export KIM_TOKEN_ID=$(hotline token list --user kim | awk 'NR==2 {print $1}')",
            *(c.replace("--id 7", "--id $KIM_TOKEN_ID") for c in examples[listing + 1 :]),
            "hotline user list; hotline token list --user kim; hotline platform list",
        ]
    )
    out = bash(script.replace("/etc/hotline", str(tmp_path)), cwd=tmp_path, env=env)
    assert re.search(r"kim\s.*auditor.*disabled", out), out
    assert "telegram.org" in out and "telegram.dog" not in out.split("revoke")[-1], out


def test_the_notification_examples(demo: Demo, demo_server: Server) -> None:
    env = dict(shell_env(demo), TOKEN=demo.tokens["analyst"])
    subscribe, news, questions = _find("notifications.md", "curl")
    status, body = curl(subscribe, demo, demo_server, env=env)
    assert status == 200, body
    assert json.loads(body) == {
        "scope": "organisation",
        "email": "caseworkers@centre.example",
        "language": "ko",
        "immediate": True,
        "digest": True,
        "webhook_url": "",
    }
    for example in (news, questions):
        status, body = curl(example, demo, demo_server, env=env)
        assert status == 200 and isinstance(json.loads(body), list), body
    set_email, webhook = _find("notifications.md", "hotline notify")
    assert "email=news@kcsc.example language=ko" in bash(set_email, cwd=demo.home, env=env)
    assert "webhook secret (shown once): whsec_" in bash(webhook, cwd=demo.home, env=env)
    listing = _run("notifications.md", "hotline platform deadline", demo)
    assert "Telegram: KR:24h/6h(question reminder 4h)" in listing
