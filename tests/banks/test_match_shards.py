"""Matching past one machine: two shard matchers serving halves of a bank, and a router that
asks both, answer exactly as one process holding the whole bank (docs/scaling.md). One shard
starts from its own snapshot, the other from its rows.

Four real servers on loopback, each its own process with its own indexes, on one committed
database: SQLite in a file, or a PostgreSQL database of its own when DATABASE_URL names one.
"""

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from hotline.banks import shards
from tests.wsgi_server import ROOT, wsgi_server

SECRET = "shard-secret-for-tests-only"
CLUSTERS, VARIANTS = 30, 8

POPULATE = """
import json, random
import django
django.setup()
from django.utils import timezone
from hotline.banks.models import Bank, BankEntry
from hotline.banks.services import Signal, bank_add
from tests.conftest import build_directory

rng = random.Random(2026)
def flip(value, bits):
    raw = bytearray(bytes.fromhex(value))
    for bit in rng.sample(range(256), bits):
        raw[bit // 8] ^= 1 << (bit % 8)
    return raw.hex()

directory = build_directory()
bank = Bank.objects.get(name="known-content")
bases = [rng.randbytes(32).hex() for _ in range({clusters})]
for n, base in enumerate(bases):
    variants = [flip(base, rng.randint(1, 12)) for _ in range({variants})]
    bank_add(bank=Bank.objects.get(pk=bank.pk), source=f"video-{{n}}", actor="test",
             signals=[Signal("pdq", v, 90) for v in variants])
digests = [rng.randbytes(16).hex() for _ in range(10)]
bank_add(bank=Bank.objects.get(pk=bank.pk), source="digests", actor="test",
         signals=[Signal("md5", d) for d in digests])
# One entry a platform reported as a false match: indexed, never matched.
BankEntry.objects.filter(pk=BankEntry.objects.order_by("pk")[5].pk).update(
    quarantined_at=timezone.now())
print(json.dumps({{"token": directory.tokens["telegram_mod"],
                  "queries": [flip(b, 3) for b in bases], "bases": bases,
                  "digests": digests}}))
"""


def database_url(tmp_path: Path) -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return f"sqlite:///{tmp_path / 'shards.sqlite3'}"
    import psycopg

    server, name = url.rsplit("/", 1)
    name = f"{name}_shards"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    return f"{server}/{name}"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The database, filled; four servers: whole, shard 0/2, shard 1/2, and the router."""
    tmp_path = tmp_path_factory.mktemp("shards")
    env = {
        "DATABASE_URL": database_url(tmp_path),
        "HOTLINE_VAR_DIR": str(tmp_path),
        "HOTLINE_INDEX_SNAPSHOT_DIR": str(tmp_path / "snapshots"),
    }
    child = {**os.environ, **env, "PYTHONPATH": str(ROOT)}
    child["DJANGO_SETTINGS_MODULE"] = "hotline.settings"
    hotline = [sys.executable, "-m", "hotline.cli"]
    subprocess.run([*hotline, "migrate", "-v0"], env=child, check=True, timeout=600)
    script = POPULATE.format(clusters=CLUSTERS, variants=VARIANTS)
    filled = subprocess.run(
        [sys.executable, "-c", script], env=child, check=True, capture_output=True, text=True,
        timeout=600,
    )  # fmt: skip
    data = json.loads(filled.stdout.strip().splitlines()[-1])
    shard_env = {**env, "HOTLINE_MATCH_SHARD_SECRET": SECRET}
    # Shard 0 starts from its own snapshot, shard 1 and the whole-bank server from the rows:
    # the answers below must not tell them apart.
    written = subprocess.run(
        [*hotline, "bank", "snapshot", "known-content"],
        env={**child, **shard_env, "HOTLINE_MATCH_SHARD": "0/2"},
        check=True, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert written.stdout.startswith("known-content (shard 0/2): ")
    with ExitStack() as stack:
        whole = stack.enter_context(wsgi_server(**env))
        shard0 = stack.enter_context(wsgi_server(**shard_env, HOTLINE_MATCH_SHARD="0/2"))
        shard1 = stack.enter_context(wsgi_server(**shard_env, HOTLINE_MATCH_SHARD="1/2"))
        router = stack.enter_context(
            wsgi_server(**shard_env, HOTLINE_MATCH_SHARD_URLS=f"{shard0},{shard1}")
        )
        # A router gives a shard SHARD_TIMEOUT_SECONDS (10 s) to answer. A shard's first match
        # loads its index and numba's kernels (compiling them if no cache has them), which on
        # a loaded machine can take longer: each shard answers the tests' questions once
        # here, unhurried, so the routed calls below time only warm shards.
        for shard in (shard0, shard1):
            for signals in (batch(data)["signals"], [pdq(data["queries"][0])]):
                # As a router asks: every bank (the tests name none), each signal's quality.
                question = {"banks": [], "signals": [{"quality": None, **s} for s in signals]}
                status, answer = post(shard, shards.SHARD_PATH, question, SECRET, timeout=600)
                assert status == 200, answer
        yield {**data, "whole": whole, "shards": [shard0, shard1], "router": router}


def post(base: str, path: str, body: object, token: str, *, timeout: float = 60) -> tuple[int, Any]:
    request = urllib.request.Request(
        base + path,
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def match(base: str, world: dict[str, Any], body: object) -> Any:
    status, answer = post(base, "/api/match", body, world["token"])
    assert status == 200, answer
    return answer


def pdq(value: str) -> dict[str, Any]:
    return {"type": "pdq", "value": value, "quality": 90}


def entry_ids(answer: list[dict[str, Any]]) -> set[int]:
    return {m["entry_id"] for result in answer for m in result["matches"]}


def batch(data: dict[str, Any]) -> dict[str, Any]:
    """A near copy of every cluster, some digests and a hash that matches nothing."""
    return {
        "signals": [pdq(q) for q in data["queries"]]
        + [{"type": "md5", "value": d} for d in data["digests"][:4]]
        + [pdq("00" * 32)]
    }


def test_the_router_answers_a_batch_exactly_as_one_process_with_the_whole_bank(
    world: dict[str, Any],
) -> None:
    body = batch(world)
    whole = match(world["whole"], world, body)
    routed = match(world["router"], world, body)
    assert routed == whole
    # Real matches, spread over both shards: each query's cluster is split between them.
    assert sum(len(r["matches"]) for r in whole) >= CLUSTERS * VARIANTS // 2
    halves = [entry_ids(match(s, world, body)) for s in world["shards"]]
    assert halves[0] and halves[1] and not halves[0] & halves[1]
    assert halves[0] | halves[1] == entry_ids(whole)
    assert all(e % 2 == 0 for e in halves[0]) and all(e % 2 == 1 for e in halves[1])


def test_the_router_answers_single_signals_and_videos_as_one_process(
    world: dict[str, Any],
) -> None:
    for query in world["queries"][:5]:
        body = {"signals": [pdq(query)]}
        assert match(world["router"], world, body) == match(world["whole"], world, body)
    video = {"videos": [{"frames": [pdq(world["bases"][0]), pdq(world["queries"][0])]}]}
    whole = match(world["whole"], world, video)
    assert whole[0]["matches"]  # the stored videos of those clusters match
    assert match(world["router"], world, video) == whole


def test_the_router_keeps_the_apis_refusals(world: dict[str, Any]) -> None:
    body = {"signals": [pdq(world["queries"][0])], "banks": ["no-such-bank"]}
    whole = post(world["whole"], "/api/match", body, world["token"])
    assert whole[0] == 422
    assert post(world["router"], "/api/match", body, world["token"]) == whole
    bad = {"signals": [pdq("zz" * 32)]}
    assert post(world["router"], "/api/match", bad, world["token"]) == post(
        world["whole"], "/api/match", bad, world["token"]
    )


def test_a_shard_refuses_a_question_without_the_shared_secret(world: dict[str, Any]) -> None:
    body = {"banks": ["known-content"], "signals": [pdq(world["queries"][0])]}
    status, answer = post(world["shards"][0], "/internal/match-shard", body, "wrong")
    assert (status, answer["error"]) == (401, "unauthorized")
    status, answer = post(world["whole"], "/internal/match-shard", body, SECRET)
    assert (status, answer["error"]) == (404, "not_found")  # not a shard matcher
    status, answer = post(world["shards"][0], "/internal/match-shard", body, SECRET)
    assert status == 200 and len(answer["hits"]) == 1


@pytest.mark.django_db
def test_a_router_whose_shard_is_down_answers_503_not_half_an_answer(
    settings: Any, directory: Any
) -> None:
    settings.HOTLINE_MATCH_SHARD_URLS = ["http://127.0.0.1:9"]  # nothing listens there
    settings.HOTLINE_MATCH_SHARD_SECRET = SECRET
    response = Client().post(
        "/api/match",
        {"signals": [pdq("00" * 32)]},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {directory.tokens['telegram_mod']}",
    )
    # In-process, a test runs inside a transaction, where a router matches locally.
    assert response.status_code == 200
    with pytest.raises(shards.ShardUnavailable):
        shards.remote_hits([pdq("00" * 32)], ["known-content"])


@pytest.mark.parametrize("value", ["1", "2/2", "-1/2", "a/b", "0/0", "1/"])
def test_a_shard_setting_that_names_no_shard_is_refused_at_startup(value: str) -> None:
    from django.core.exceptions import ImproperlyConfigured

    from hotline.settings import _match_shard

    with pytest.raises(ImproperlyConfigured, match="HOTLINE_MATCH_SHARD"):
        _match_shard(value)
    assert _match_shard(" 1/3 ") == (1, 3)
    assert _match_shard("") is None
