"""The September 2024 scenario: who exists, what is filed, and how the platform answers."""

import json
from dataclasses import dataclass
from typing import Any

from django.test import Client

from hotline.accounts.models import OrganisationKind, Role
from hotline.accounts.selectors import membership_get, organisation_get
from hotline.accounts.services import organisation_create, token_create, user_create
from hotline.platforms.models import ChannelKind
from hotline.platforms.services import DeadlineRule, platform_create

DEMO_PASSWORD = "hotline-demo"  # noqa: S105 - a published demo login, not a secret
CHANNELS = ["deepfake_room_a", "deepfake_room_b", "nudify_bot_feed", "school_leaks", "acq_share"]
REPORTED_POSTS = [101, 102, 103, 104, 105]
UNREPORTED_POSTS = [1, 2]


@dataclass(frozen=True)
class DemoTokens:
    analyst: str
    caseworker: str
    moderator: str
    auditor: str


def build_directory() -> DemoTokens:
    """Organisations, platforms, people and tokens, as an administrator would set them up."""
    organisation_create(
        name="KCSC",
        kind=OrganisationKind.REGULATOR,
        jurisdiction="KR",
        contact_email="takedown@kcsc.example",
        actor="demo",
    )
    organisation_create(
        name="Digital Sex Crime Victim Support Center",
        kind=OrganisationKind.SUPPORT_ORG,
        jurisdiction="KR",
        contact_email="support@d4u.example",
        actor="demo",
    )
    organisation_create(name="Audit Office", kind=OrganisationKind.AUDITOR, actor="demo")
    platform_create(
        name="Telegram",
        hosts=["t.me", "telegram.me", "telegram.dog"],
        channel=ChannelKind.EMAIL,
        hotline_email="hotline@telegram.example",
        official_name="Child-safety content official",
        official_email="official@telegram.example",
        language="ko",
        time_zone="Asia/Seoul",
        deadlines=[
            DeadlineRule("KR", 24, 6, "KR 2024 policy: 24 h"),
            DeadlineRule("US", 48, 48, "TAKE IT DOWN Act: 48 h"),
        ],
        actor="demo",
    )
    platform_create(
        name="X",
        hosts=["x.com", "twitter.com"],
        hotline_email="legal@x.example",
        official_email="safety@x.example",
        deadlines=[DeadlineRule("KR", 24, 12)],
        actor="demo",
    )
    user_create(
        username="admin",
        organisation=organisation_get(name_or_slug="KCSC"),
        role=Role.ADMIN,
        password=DEMO_PASSWORD,
        is_superuser=True,
        actor="demo",
    )
    return DemoTokens(
        analyst=_person("analyst", "KCSC", Role.REPORTER),
        caseworker=_person("caseworker", "Digital Sex Crime Victim Support Center", Role.REPORTER),
        moderator=_person("moderator", "Telegram", Role.MODERATOR),
        auditor=_person("auditor", "Audit Office", Role.AUDITOR),
    )


def _person(username: str, organisation: str, role: str) -> str:
    user_create(
        username=username,
        organisation=organisation_get(name_or_slug=organisation),
        role=role,
        password=DEMO_PASSWORD,
        is_staff=True,
        actor="demo",
    )
    _, raw = token_create(membership=membership_get(username=username), name="demo", actor="demo")
    return raw


def urgent_request_body() -> dict[str, Any]:
    """25 t.me items in their many written forms, plus a few on other hosts."""
    forms = [
        "https://t.me/{c}/{p}",
        "t.me/s/{c}/{p}",
        "HTTPS://WWW.TELEGRAM.ME/{c}/{p}/",
        "https://telegram.dog/{c}/{p}?single",
        "http://t.me/{c}/{p}",
    ]
    urls = [
        forms[i % 5].format(c=c, p=p)
        for i, (c, p) in enumerate((c, p) for c in CHANNELS for p in REPORTED_POSTS)
    ]
    urls += [
        "https://x.com/leaker/status/1830000000000000001",
        "https://twitter.com/leaker/status/1830000000000000002",
        "https://deepfake-forum.example/thread/8841",
        "https://t.me/s/deepfake_room_a/101",
    ]  # the first item again, in another form
    return {
        "category": "minor_sexual_deepfake",
        "reasons": "Sexual deepfakes of identifiable students, made by a bot and shared in "
        "Telegram rooms; deliberated by the KCSC and found illegal.",
        "urgent": True,
        "involves_minor": True,
        "jurisdiction": "KR",
        "items": [{"url": u} for u in urls],
        "legal": {
            "signature": "KCSC deliberation 2024-09-02, analyst Kim (e-signed)",
            "good_faith_statement": "We believe in good faith the depictions are "
            "non-consensual sexual deepfakes.",
            "contact": "takedown@kcsc.example, +82-2-0000-0000",
            "bona_fide_statement": True,
        },
        "client_reference": "KCSC-2024-09-URGENT-25",
    }


def api(client: Client, token: str, method: str, path: str, body: object = None) -> Any:
    call = getattr(client, method)
    kwargs: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    if body is not None:
        kwargs.update(data=json.dumps(body), content_type="application/json")
    response = call(f"/api{path}", **kwargs)
    if response.status_code >= 400:
        raise RuntimeError(
            f"{method.upper()} {path} -> {response.status_code}: {response.content!r}"
        )
    return response.json()
