"""Run in a subprocess by test_crash_safety.py against its own database.

`setup WEBHOOK_URL REQUESTS`: migrate, build the test directory (Telegram by email, X by
webhook), file the requests and print the webhook secret. `report`: print every delivery and
whether the audit chain is intact, as JSON.
"""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotline.settings")


def setup(webhook_url: str, requests: int) -> dict[str, object]:
    from django.core.management import call_command

    from hotline.cases.categories import Category
    from hotline.cases.legal import LegalBasis, LegalElements
    from hotline.cases.services.intake import ItemInput, RequestInput, request_submit
    from hotline.delivery.webhook_secrets import webhook_secret_rotate
    from hotline.platforms.models import Platform
    from tests.conftest import build_directory

    call_command("migrate", verbosity=0)
    directory = build_directory()
    Platform.objects.filter(name="X").update(channel="webhook", webhook_url=webhook_url)
    Platform.objects.filter(name="Telegram").update(language="ko")
    secret = webhook_secret_rotate(platform=Platform.objects.get(name="X"), actor="test").secret
    for n in range(requests):
        request_submit(
            actor=directory.actors["analyst"],
            data=RequestInput(
                category=Category.SEXUAL_DEEPFAKE,
                reasons="A synthetic test case; no real imagery is involved.",
                elements=LegalElements(signature="s", good_faith_statement="g", contact="c"),
                legal_bases=[LegalBasis.TAKE_IT_DOWN],
                items=[
                    ItemInput(url=f"https://t.me/crashroom{n}/1"),
                    ItemInput(url=f"https://t.me/crashroom{n}/2"),
                    ItemInput(url=f"https://x.com/crash{n}/status/{1000 + n}"),  # one post each
                ],
            ),
        )
    return {"secret": secret}


def report() -> dict[str, object]:
    from hotline.audit.services import audit_verify_chain
    from hotline.delivery.models import Delivery

    deliveries = [
        {"key": d.idempotency_key, "kind": d.kind, "channel": d.channel, "status": d.status}
        for d in Delivery.objects.order_by("pk")
    ]
    return {"deliveries": deliveries, "audit_intact": audit_verify_chain().intact}


if __name__ == "__main__":
    import django

    django.setup()
    result = setup(sys.argv[2], int(sys.argv[3])) if sys.argv[1] == "setup" else report()
    print(json.dumps(result))
