"""Shared fixtures: a platform directory with people and tokens, and an API caller."""

import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from hotline.accounts.actors import Actor
from hotline.accounts.models import OrganisationKind, Role
from hotline.accounts.selectors import membership_get, organisation_get
from hotline.accounts.services import (
    actor_for_membership,
    organisation_create,
    token_create,
    tokens_forget,
    user_create,
)
from hotline.banks import index_cache
from hotline.delivery.channels import RecordingChannel
from hotline.platforms.services import DeadlineRule, platform_create
from hotline.verification import backends

# (username, organisation, role) of everyone in the test directory.
PEOPLE = [
    ("analyst", "KCSC", Role.REPORTER),
    ("caseworker_a", "Centre A", Role.REPORTER),
    ("caseworker_b", "Centre B", Role.REPORTER),
    ("telegram_mod", "Telegram", Role.MODERATOR),
    ("x_mod", "X", Role.MODERATOR),
    ("auditor", "Audit Office", Role.AUDITOR),
]


@dataclass
class Directory:
    tokens: dict[str, str]
    actors: dict[str, Actor]


TEST_SECRET_KEY = "tests-only-secret-key-never-used-outside-the-test-suite"
# A Fernet key (base64 of 32 bytes) for the secrets encrypted at rest (hotline.core.encryption).
TEST_ENCRYPTION_KEY = "dGVzdHMtb25seS1lbmNyeXB0aW9uLWtleS0zMmJ5dGU="


def pytest_configure(config: pytest.Config) -> None:
    """hotline has no default secret, encryption or audit signing key; the suite, and the
    commands it starts, use these test keys and a signing key made fresh for the run."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from django.conf import settings

    from hotline.audit.signing import private_key_pem

    os.environ["HOTLINE_SECRET_KEY"] = TEST_SECRET_KEY
    settings.SECRET_KEY = TEST_SECRET_KEY
    os.environ["HOTLINE_ENCRYPTION_KEY"] = TEST_ENCRYPTION_KEY
    settings.HOTLINE_ENCRYPTION_KEYS = [TEST_ENCRYPTION_KEY]
    key_file = os.path.join(tempfile.mkdtemp(prefix="hotline-tests-"), "audit-signing-key.pem")
    with open(os.open(key_file, os.O_WRONLY | os.O_CREAT, 0o600), "w", encoding="utf-8") as f:
        f.write(private_key_pem(Ed25519PrivateKey.generate()))
    os.environ["HOTLINE_AUDIT_SIGNING_KEY_FILE"] = key_file
    settings.HOTLINE_AUDIT_SIGNING_KEY_FILE = key_file
    # Index snapshots of the test databases never mix with a developer's own (var/).
    snapshots = tempfile.mkdtemp(prefix="hotline-test-snapshots-")
    os.environ["HOTLINE_INDEX_SNAPSHOT_DIR"] = snapshots
    settings.HOTLINE_INDEX_SNAPSHOT_DIR = snapshots


@pytest.fixture(autouse=True)
def _isolated_outside_world(settings: Any) -> Iterator[None]:
    """Every test starts with the recording channel empty and the fake fetcher configured."""
    # Real password hashing costs ~0.4 s per user; tests need no protection against cracking.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.HOTLINE_CHANNEL_BACKEND = "recording"
    settings.HOTLINE_FETCHER_BACKEND = "fake"
    settings.HOTLINE_FETCH_REWRITES = ""
    # No background index refresher in the test process (it would hold its own connection);
    # tests call index_cache.refresh() instead.
    settings.HOTLINE_BANK_INDEX_REFRESH_SECONDS = 0
    RecordingChannel.reset()
    backends.FAKE_RESPONSES.clear()
    index_cache.forget_all()  # the database is rolled back between tests; the cache is not
    tokens_forget()  # nor is the token cache
    yield
    RecordingChannel.reset()
    backends.FAKE_RESPONSES.clear()


def build_directory() -> Directory:
    organisation_create(
        name="KCSC",
        kind=OrganisationKind.REGULATOR,
        jurisdiction="KR",
        contact_email="kcsc@example.org",
        actor="test",
    )
    organisation_create(
        name="Centre A", kind=OrganisationKind.SUPPORT_ORG, jurisdiction="KR", actor="test"
    )
    organisation_create(
        name="Centre B", kind=OrganisationKind.SUPPORT_ORG, jurisdiction="US", actor="test"
    )
    organisation_create(name="Audit Office", kind=OrganisationKind.AUDITOR, actor="test")
    platform_create(
        name="Telegram",
        hosts=["t.me", "telegram.me", "telegram.dog"],
        hotline_email="hotline@telegram.example",
        official_name="Official",
        official_email="official@telegram.example",
        time_zone="Asia/Seoul",
        deadlines=[DeadlineRule("KR", 24, 6), DeadlineRule("US", 48, 48)],
        actor="test",
    )
    platform_create(
        name="X",
        hosts=["x.com", "twitter.com"],
        hotline_email="legal@x.example",
        deadlines=[DeadlineRule("KR", 24, 12)],
        actor="test",
    )
    tokens, actors = {}, {}
    for username, organisation, role in PEOPLE:
        user_create(
            username=username,
            organisation=organisation_get(name_or_slug=organisation),
            role=role,
            password="pw-" + username,
            actor="test",
        )
        membership = membership_get(username=username)
        tokens[username] = token_create(membership=membership, name="t", actor="test")[1]
        actors[username] = actor_for_membership(membership)
    return Directory(tokens=tokens, actors=actors)


@pytest.fixture
def directory(db: None) -> Directory:
    return build_directory()


class ApiCaller:
    """Calls the JSON API as a given person, returning (status, parsed body)."""

    def __init__(self, directory: Directory) -> None:
        self.client = Client()
        self.directory = directory

    def __call__(
        self, who: str | None, method: str, path: str, body: object = None, token: str | None = None
    ) -> tuple[int, Any]:
        headers: dict[str, Any] = {}
        bearer = token if token is not None else (self.directory.tokens[who] if who else None)
        if bearer is not None:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {bearer}"
        if body is not None:
            headers.update(data=json.dumps(body), content_type="application/json")
        response = getattr(self.client, method)(f"/api{path}", **headers)
        parsed = response.json() if response.content else None
        return response.status_code, parsed


@pytest.fixture
def call_api(directory: Directory) -> ApiCaller:
    return ApiCaller(directory)


def request_body(*urls: str, **overrides: Any) -> dict[str, Any]:
    """A complete, valid request under both legal bases for the given URLs."""
    body: dict[str, Any] = {
        "category": "sexual_deepfake",
        "reasons": "A sexual deepfake of an identifiable adult woman, shared without consent.",
        "items": [{"url": u} for u in urls],
        "legal": {
            "signature": "/s/ Jane Doe",
            "good_faith_statement": "I believe in good faith this is not consensual.",
            "contact": "jane@example.org",
            "notifier_name": "Jane Doe",
            "notifier_email": "jane@example.org",
            "bona_fide_statement": True,
        },
    }
    body.update(overrides)
    return body
