"""Benchmark: the pages and API lists with 10,000 items, against the same pages before paging.

Run: source keys; .venv/bin/python bench/bench_pages.py [--items 10000] [--peer DIR]
     [--import-lines N]

Builds a throw-away SQLite database (or uses DATABASE_URL) by importing --items URLs through
the bulk intake (`import_lines`, chunks of 1,000: ten open 1,000-item notices to one
platform), timing the import. Then each page is requested in-process with Django's test client
(middleware, templates and all; no network), 5 times, as the reporter and the moderator, and
the median time and the size of the answer are printed. With --peer DIR (a checkout of the code
before this change, e.g. `git archive 9285acd | tar -x -C DIR`), the same URLs are measured by
that code on the same database, in a separate process, and the ratios printed.
--import-lines N afterwards times a bulk import of N more lines (the 100,000-line figure).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = [
    ("dashboard", "caseworker", "/requests/"),
    ("dashboard, filtered", "caseworker", "/requests/?state=notified&q=t.me"),
    ("queue", "moderator", "/queue/"),
    ("review, 1,000-item notice", "moderator", "/notices/{notice}/"),
    ("API requests", "caseworker", "/api/requests"),
    ("API notices", "moderator", "/api/notices"),
    ("API notice items", "moderator", "/api/notices/{notice}/items"),
]
REPEATS = 5


def setup_django() -> None:
    sys.path.insert(0, os.environ.get("BENCH_CODE", str(ROOT)))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotline.settings")
    import django

    django.setup()


def build(items: int) -> float:
    from django.core.management import call_command

    from hotline.accounts.models import OrganisationKind, Role
    from hotline.accounts.selectors import membership_get, organisation_get
    from hotline.accounts.services import actor_for_membership, organisation_create, user_create
    from hotline.cases.categories import Category
    from hotline.cases.legal import LegalElements
    from hotline.cases.services.bulk import import_lines
    from hotline.cases.services.intake import RequestInput
    from hotline.platforms.services import DeadlineRule, platform_create

    call_command("migrate", verbosity=0)
    organisation_create(
        name="Centre", kind=OrganisationKind.SUPPORT_ORG, jurisdiction="KR", actor="b"
    )
    platform_create(
        name="Telegram", hosts=["t.me"], deadlines=[DeadlineRule("KR", 24, 6)], actor="b"
    )
    for username, org, role in (("caseworker", "Centre", Role.REPORTER),
                                ("moderator", "Telegram", Role.MODERATOR)):  # fmt: skip
        user_create(
            username=username, organisation=organisation_get(name_or_slug=org), role=role,
            password="bench-password-1", actor="b",  # noqa: S106 (a throw-away database)
        )  # fmt: skip
    actor = actor_for_membership(membership_get(username="caseworker"))
    started = time.perf_counter()
    import_lines(
        actor=actor,
        template=_template(RequestInput, Category, LegalElements),
        reference="bench",
        lines=[f"https://t.me/room{n // 100}/{n}" for n in range(items)],
    )
    return time.perf_counter() - started


def _template(request_input: type, category: type, elements: type) -> object:
    return request_input(
        category=category("sexual_deepfake"),
        reasons="A sexual deepfake of an identifiable woman, shared without consent.",
        items=[],
        elements=elements(
            signature="/s/ J", good_faith_statement="in good faith", contact="j@example.org",
            notifier_name="J", notifier_email="j@example.org", bona_fide_statement=True,
        ),
    )  # fmt: skip


def time_import(lines: int) -> float:
    from hotline.accounts.selectors import membership_get
    from hotline.accounts.services import actor_for_membership
    from hotline.cases.categories import Category
    from hotline.cases.legal import LegalElements
    from hotline.cases.services.bulk import import_lines
    from hotline.cases.services.intake import RequestInput

    actor = actor_for_membership(membership_get(username="caseworker"))
    started = time.perf_counter()
    summary = import_lines(
        actor=actor,
        template=_template(RequestInput, Category, LegalElements),
        reference="bench-more",
        lines=[f"https://t.me/more{n // 100}/{n}" for n in range(lines)],
    )
    assert summary.filed == lines, summary.rejected[:3]
    return time.perf_counter() - started


def measure() -> dict[str, tuple[float, int, int]]:
    """{page: (median ms, bytes, status)} for this process's code."""
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django_otp.middleware import DEVICE_ID_SESSION_KEY  # type: ignore[attr-defined]

    from hotline.accounts.selectors import membership_get
    from hotline.accounts.services import token_create
    from hotline.accounts.two_factor import totp_enrol_directly
    from hotline.cases.models import Notice

    notice = Notice.objects.order_by("pk").values_list("pk", flat=True).first()
    clients = {}
    for who in ("caseworker", "moderator"):
        user = get_user_model().objects.get(username=who)
        device = totp_enrol_directly(user=user, actor="bench")
        client = Client()
        client.force_login(user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        token = token_create(membership=membership_get(username=who), name="b", actor="b")[1]
        clients[who] = (client, {"HTTP_AUTHORIZATION": f"Bearer {token}"})
    results = {}
    for name, who, path in PAGES:
        client, headers = clients[who]
        url = path.format(notice=notice)
        extra = headers if url.startswith("/api/") else {}
        times, response = [], None
        for _ in range(REPEATS):
            started = time.perf_counter()
            response = client.get(url, **extra)
            times.append((time.perf_counter() - started) * 1000)
        assert response is not None
        results[name] = (statistics.median(times), len(response.content), response.status_code)
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--peer", default="", help="a checkout of the code before, to compare")
    parser.add_argument("--import-lines", type=int, default=0)
    parser.add_argument("--measure-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("HOTLINE_VAR_DIR", tempfile.mkdtemp(prefix="hotline-bench-pages-"))
    setup_django()
    if args.measure_only:
        print(json.dumps(measure()))
        return
    took = build(args.items)
    print(f"imported {args.items} lines in {took:.1f} s ({args.items / took:.0f} lines/s)")
    mine = measure()
    peer = _peer(args.peer) if args.peer else {}
    print("| page | ms | KB | status | before: ms | KB | status | time ratio |")
    print("|---|---|---|---|---|---|---|---|")
    for name, (ms, size, status) in mine.items():
        row = f"| {name} | {ms:.0f} | {size / 1024:.0f} | {status} |"
        if name in peer:
            p_ms, p_size, p_status = peer[name]
            row += f" {p_ms:.0f} | {p_size / 1024:.0f} | {p_status} | {p_ms / ms:.1f}x |"
        print(row)
    if args.import_lines:
        took = time_import(args.import_lines)
        print(f"imported {args.import_lines} more lines in {took:.1f} s "
              f"({args.import_lines / took:.0f} lines/s)")  # fmt: skip


def _peer(code: str) -> dict[str, tuple[float, int, int]]:
    env = {**os.environ, "BENCH_CODE": code, "PYTHONPATH": code}
    out = subprocess.run(
        [sys.executable, str(Path(code) / "bench" / "bench_pages.py"), "--measure-only"]
        if (Path(code) / "bench" / "bench_pages.py").exists()
        else [sys.executable, __file__, "--measure-only"],
        env=env, check=True, capture_output=True, text=True, cwd=code,
    )  # fmt: skip
    return {k: tuple(v) for k, v in json.loads(out.stdout.splitlines()[-1]).items()}  # type: ignore[misc]


if __name__ == "__main__":
    main()
