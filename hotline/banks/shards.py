"""Matching past one machine: matcher processes that each hold one shard of every bank, and a
router that asks them all (docs/scaling.md, decision 27).

A shard is a residue of the entry id: `HOTLINE_MATCH_SHARD=i/n` makes this process index only
the entries whose id is i modulo n, PDQ and exact digests alike. Ids are handed out in order
and never reused, so every shard gets an even share of any bank, old entries and new, whatever
the hashes look like; a near match can lie under any hash prefix, so sharding by prefix would
not spare asking every shard anyway.

`HOTLINE_MATCH_SHARD_URLS` (the shard matchers' base URLs) makes a server a router: its bank
matching asks every shard for its hits at once over HTTP (POST /internal/match-shard, with
HOTLINE_MATCH_SHARD_SECRET) and merges them; everything after the hits (which entries are
quarantined, case ids a caller may see, copies opened) runs in the router as before, on the
same database. The union of the shards' hits is the unsharded index's answer, so the answer
is the same.
"""

import hmac
import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import httpx
from django.conf import settings
from django.db.models import F, QuerySet
from django.db.models.functions import Mod
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from hotline.banks.models import BankEntry
from hotline.core.errors import DomainError, error_body

SHARD_PATH = "/internal/match-shard"
# A shard that does not answer within this fails the call (503), rather than a partial answer.
SHARD_TIMEOUT_SECONDS = 10.0

# (entry id, bank name, distance) for each signal.
Hits = list[list[tuple[int, str, int]]]


class ShardUnavailable(DomainError):
    """A shard matcher did not answer: a partial answer could miss known content."""

    status_code = 503
    code = "unavailable"


@dataclass(frozen=True)
class Shard:
    index: int
    count: int


def this_shard() -> Shard | None:
    """The shard this process serves (HOTLINE_MATCH_SHARD), or None: whole banks."""
    shard: tuple[int, int] | None = settings.HOTLINE_MATCH_SHARD
    return Shard(*shard) if shard is not None else None


def router_urls() -> list[str]:
    """The shard matchers this server asks (HOTLINE_MATCH_SHARD_URLS); none: it matches itself."""
    urls: list[str] = settings.HOTLINE_MATCH_SHARD_URLS
    return urls


def in_shard(entries: "QuerySet[BankEntry]") -> "QuerySet[BankEntry]":
    """These entries, less those of other shards when this process serves one."""
    shard = this_shard()
    if shard is None or shard.count == 1:
        return entries
    return entries.alias(shard_of=Mod(F("pk"), shard.count)).filter(shard_of=shard.index)


_client: httpx.Client | None = None
_pool: ThreadPoolExecutor | None = None


def _clients() -> tuple[httpx.Client, ThreadPoolExecutor]:
    """One kept-alive connection pool and one thread per shard, for the life of the process."""
    global _client, _pool
    if _client is None or _pool is None:
        _client = httpx.Client(timeout=SHARD_TIMEOUT_SECONDS)
        _pool = ThreadPoolExecutor(max_workers=max(len(router_urls()), 1))
    return _client, _pool


def remote_hits(signals: list[dict[str, Any]], bank_names: list[str]) -> Hits:
    """Every shard's hits for these (already validated) signals, merged."""
    client, pool = _clients()
    body = json.dumps({"banks": bank_names, "signals": signals})
    headers = {
        "Authorization": f"Bearer {settings.HOTLINE_MATCH_SHARD_SECRET}",
        "Content-Type": "application/json",
    }

    def ask(url: str) -> Hits:
        try:
            answer = client.post(url + SHARD_PATH, content=body, headers=headers)
        except httpx.HTTPError as error:
            raise ShardUnavailable(f"shard matcher {url} did not answer") from error
        if answer.status_code != 200:
            raise ShardUnavailable(f"shard matcher {url} answered {answer.status_code}")
        hits: Hits = [
            [(int(e), str(b), int(d)) for e, b, d in row] for row in answer.json()["hits"]
        ]
        return hits

    merged: Hits = [[] for _ in signals]
    for hits in pool.map(ask, router_urls()):
        if len(hits) != len(signals):
            raise ShardUnavailable("a shard matcher answered for a different number of signals")
        for row, more in zip(merged, hits, strict=True):
            row += more
    return merged


@csrf_exempt
@require_POST
def match_shard(request: HttpRequest) -> HttpResponse:
    """A router's question to this shard: the hits of its entries, before resolution."""
    from hotline.banks.selectors import bank_hits
    from hotline.banks.services import Signal

    secret = settings.HOTLINE_MATCH_SHARD_SECRET
    if this_shard() is None or not secret:
        return JsonResponse(error_body(404, "not a shard matcher"), status=404)
    given = request.headers.get("Authorization", "").removeprefix("Bearer ")
    if not hmac.compare_digest(given.encode(), secret.encode()):
        return JsonResponse(error_body(401, "wrong shard secret"), status=401)
    try:
        body = json.loads(request.body)
        signals = [
            Signal(type=s["type"], value=s["value"], quality=s["quality"]) for s in body["signals"]
        ]
        banks = [str(b) for b in body["banks"]]
    except (ValueError, KeyError, TypeError):
        return JsonResponse(error_body(400, "not a shard question"), status=400)
    try:
        hits = bank_hits(signals=signals, bank_names=banks)
    except DomainError as error:
        return JsonResponse(error_body(error.status_code, error.message), status=error.status_code)
    return JsonResponse({"hits": hits})
