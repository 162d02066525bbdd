"""Run in a subprocess by the reliability tests, against the worker's own database.

`migrate`: only that (a template for the tests' databases).
`setup N [CHECKS]`: migrate, build the test directory and file N requests (email notices to
Telegram); with CHECKS, `slow-checks CHECKS` as well.
`file [--urgent] REFERENCE...`: file one request per reference; prints their delivery keys.
`slow-checks N`: file requests holding N items and queue a verification check of each.
`report`: every delivery, the audit chain, the heartbeats and the task counts, as JSON.
"""

import json
import os
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotline.settings")


def _file(directory: Any, reference: str, urls: list[str], urgent: bool = False) -> int:
    from hotline.cases.categories import Category
    from hotline.cases.legal import LegalBasis, LegalElements
    from hotline.cases.services.intake import ItemInput, RequestInput, request_submit

    actor = directory.actors["analyst"] if directory else _analyst()
    result = request_submit(
        actor=actor,
        data=RequestInput(
            category=Category.SEXUAL_DEEPFAKE,
            reasons="A synthetic test case; no real imagery is involved.",
            elements=LegalElements(signature="s", good_faith_statement="g", contact="c"),
            legal_bases=[LegalBasis.TAKE_IT_DOWN],
            items=[ItemInput(url=url) for url in urls],
            client_reference=reference,
            urgent=urgent,
        ),
    )
    return int(result.request.notices.get().pk)


def _analyst() -> Any:
    from hotline.accounts.selectors import membership_get
    from hotline.accounts.services import actor_for_membership

    return actor_for_membership(membership_get(username="analyst"))


def setup(requests: int) -> dict[str, object]:
    from django.core.management import call_command

    from tests.conftest import build_directory

    call_command("migrate", verbosity=0)
    directory = build_directory()
    for n in range(requests):
        _file(directory, f"setup-{n}", [f"https://t.me/outage{n}/1", f"https://t.me/outage{n}/2"])
    return {}


def file(references: list[str], urgent: bool) -> dict[str, object]:
    notices = [_file(None, ref, [f"https://t.me/{ref}/1"], urgent=urgent) for ref in references]
    return {"keys": [f"notice-{notice_id}" for notice_id in notices]}


def slow_checks(count: int) -> dict[str, object]:
    from django.db import transaction

    from hotline.cases.models import Item
    from hotline.cases.tasks import check_item

    per_request = 100
    for start in range(0, count, per_request):
        urls = [
            f"https://t.me/slowroom{n}/1" for n in range(start, min(start + per_request, count))
        ]
        _file(None, f"slow-{start}", urls)
    items = list(Item.objects.filter(url__contains="slowroom").values_list("pk", flat=True))
    with transaction.atomic():  # one commit for the lot
        for item_id in items:
            check_item.enqueue(item_id=item_id)
    return {"checks": len(items)}


def report() -> dict[str, object]:
    from django.db.models import Count
    from django_tasks_db.models import DBTaskResult

    from hotline.audit.services import audit_verify_chain
    from hotline.core.models import WorkerHeartbeat
    from hotline.delivery.models import Delivery

    deliveries = [
        {
            "id": d.pk,
            "key": d.idempotency_key,
            "status": d.status,
            "claimed_by": d.claimed_by,
            "last_error": d.last_error,
            "attempts": d.attempts,
        }
        for d in Delivery.objects.order_by("pk")
    ]
    heartbeats = [
        {"name": h.name, "rounds": h.rounds, "database_outages": h.database_outages}
        for h in WorkerHeartbeat.objects.order_by("pk")
    ]
    tasks = {
        f"{row['queue_name']}:{row['status']}": row["n"]
        for row in DBTaskResult.objects.values("queue_name", "status").annotate(n=Count("pk"))
    }
    return {
        "deliveries": deliveries,
        "audit_intact": audit_verify_chain().intact,
        "heartbeats": heartbeats,
        "tasks": tasks,
    }


if __name__ == "__main__":
    import django

    django.setup()
    from django.conf import settings

    # The test directory's passwords need no protection against cracking (as in conftest).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    command, args = sys.argv[1], sys.argv[2:]
    if command == "migrate":
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        result = {}
    elif command == "setup":
        result = setup(int(args[0]))
        if len(args) > 1:
            result = slow_checks(int(args[1]))
    elif command == "file":
        result = file([a for a in args if a != "--urgent"], urgent="--urgent" in args)
    elif command == "slow-checks":
        result = slow_checks(int(args[0]))
    else:
        result = report()
    print(json.dumps(result))
