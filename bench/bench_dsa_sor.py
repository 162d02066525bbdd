"""Benchmark: exporting DSA statements of reasons from a large audit record.

Run: HOTLINE_SECRET_KEY=... .venv/bin/python bench/bench_dsa_sor.py [--decisions N] [--noise M]
Builds a throw-away SQLite database (or uses DATABASE_URL) with N removal decisions on one
platform and M on another, written through audit_record, then times a full export page by page.
"""

import argparse
import os
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HOTLINE_VAR_DIR", tempfile.mkdtemp(prefix="hotline-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotline.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402

from hotline.accounts.models import OrganisationKind  # noqa: E402
from hotline.accounts.services import organisation_create  # noqa: E402
from hotline.audit.services import audit_record  # noqa: E402
from hotline.cases.models import Item, Notice, TakedownRequest  # noqa: E402
from hotline.compliance.dsa_sor_selectors import dsa_sor_batches, dsa_sor_page  # noqa: E402
from hotline.core import clock  # noqa: E402
from hotline.platforms.models import Platform  # noqa: E402
from hotline.platforms.services import DeadlineRule, platform_create  # noqa: E402


def build(decisions: int, noise: int) -> Platform:
    call_command("migrate", verbosity=0)
    kcsc = organisation_create(name="KCSC", kind=OrganisationKind.REGULATOR, actor="bench")
    platforms = [
        platform_create(name=n, hosts=[h], deadlines=[DeadlineRule("KR", 24, 6)], actor="bench")
        for n, h in (("Telegram", "t.me"), ("X", "x.com"))
    ]
    now = clock.now()
    for platform, count in zip(platforms, (decisions, noise), strict=True):
        request = TakedownRequest.objects.create(
            organisation=kcsc, filed_by="bench", jurisdiction="KR", category="sexual_deepfake",
            reasons="r", created_at=now,
        )  # fmt: skip
        notice = Notice.objects.create(
            request=request, platform=platform, created_at=now, deadline_at=now + timedelta(1)
        )
        items = Item.objects.bulk_create(
            Item(request=request, position=n, platform=platform, notice=notice, state="removed")
            for n in range(count)
        )
        with transaction.atomic():
            for item in items:
                audit_record(
                    tag="item:removed", actor="bench", subject=f"item:{item.pk}",
                    organisation_id=kcsc.pk, payload={"to": "removed"},
                )  # fmt: skip
    return platforms[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--decisions", type=int, default=10_000)
    parser.add_argument("--noise", type=int, default=10_000)
    parser.add_argument("--reuse", action="store_true", help="HOTLINE_VAR_DIR already built")
    args = parser.parse_args()
    started = time.perf_counter()
    if args.reuse:
        platform = Platform.objects.get(name="Telegram")
    else:
        platform = build(args.decisions, args.noise)
        took = time.perf_counter() - started
        print(f"built {args.decisions} + {args.noise} decisions in {took:.1f} s")
    started, after, pages, statements = time.perf_counter(), 0, 0, 0
    while True:
        page = dsa_sor_page(platform=platform, start=None, end=None, after_seq=after)
        pages, statements = pages + 1, statements + len(page.statements)
        if page.next_cursor is None:
            break
        after = page.next_cursor
    took = time.perf_counter() - started
    print(f"API, page by page: {statements} statements in {pages} pages: {took:.2f} s, "
          f"{1000 * took / pages:.0f} ms per page of 100")  # fmt: skip
    started = time.perf_counter()
    batches = list(dsa_sor_batches(platform=platform, start=None, end=None))
    took = time.perf_counter() - started
    print(f"command, one pass: {sum(map(len, batches))} statements in {len(batches)} batches: "
          f"{took:.2f} s")  # fmt: skip


if __name__ == "__main__":
    main()
