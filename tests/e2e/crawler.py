"""A crawler for the no-5xx test: every page and API read, for one visitor, following links.

Path parameters are filled from the database's real ids (and one id that exists nowhere),
so every page is seen with the data the scenario left, not an empty shell.
"""

import io
import itertools
import re
import zipfile
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

from django.test import Client
from django.urls import URLPattern, reverse

from hotline.api import api
from hotline.banks.models import Bank, BankEntry
from hotline.cases.models import Item, Notice, TakedownRequest, Victim
from hotline.cases.tokens import notice_action_token
from hotline.exchange.records import FORMATS
from hotline.platforms.models import Platform
from hotline.selfservice.models import HeldUrl
from hotline.web.urls import urlpatterns as web_patterns

MISSING_ID = 987654321
# A page reached only by following links is visited at most this often per shape of its
# path (digits replaced), so admin lists of hundreds of rows stay a sample, not a census.
FOLLOW_PER_SHAPE = 4
NEVER_FOLLOW = ("/logout/", "/admin/logout/")


@dataclass(frozen=True)
class Ids:
    """The real ids of everything the pages take in their paths."""

    case_ids: list[str]
    platform_ids: list[int]
    items_by_notice: dict[int, list[int]]
    tokens: dict[int, str]
    bank_entry_ids: list[int] = field(default_factory=list)
    held_ids: list[int] = field(default_factory=list)  # self-filed URLs (selfservice.HeldUrl)
    victim_refs: list[str] = field(default_factory=list)  # centres' own victim references

    @classmethod
    def from_database(cls) -> "Ids":
        notices = list(Notice.objects.order_by("pk").values_list("pk", flat=True))
        items: dict[int, list[int]] = {n: [] for n in notices}
        for item_id, notice_id in Item.objects.exclude(notice=None).values_list("pk", "notice"):
            items[notice_id].append(item_id)
        return cls(
            case_ids=list(TakedownRequest.objects.values_list("case_id", flat=True)),
            platform_ids=list(Platform.objects.values_list("pk", flat=True)),
            items_by_notice=items,
            tokens={n.pk: notice_action_token(n) for n in Notice.objects.order_by("pk")},
            bank_entry_ids=list(BankEntry.objects.order_by("pk").values_list("pk", flat=True)[:5]),
            held_ids=list(HeldUrl.objects.order_by("pk").values_list("pk", flat=True)[:3]),
            victim_refs=list(Victim.objects.order_by("pk").values_list("reference", flat=True)),
        )

    def foreign_item(self, notice_id: int) -> int:
        """An item that exists but is not on this notice (or a missing id when none is)."""
        others = [i for n, ids in self.items_by_notice.items() if n != notice_id for i in ids]
        return others[0] if others else MISSING_ID


def _kwargs_for(names: set[str], ids: Ids) -> Iterator[dict[str, Any]]:
    """Every real combination of a pattern's path parameters, plus missing and foreign ones."""
    if "notice_id" not in names:
        if names == {"case_id"}:
            yield from ({"case_id": c} for c in [*ids.case_ids, "HL-1999-000000"])
        elif names == {"platform_id"}:
            yield from ({"platform_id": p} for p in [*ids.platform_ids, MISSING_ID])
        elif names == {"entry_id"}:
            yield from ({"entry_id": e} for e in [*ids.bank_entry_ids, MISSING_ID])
        elif names == {"held_id"}:
            yield from ({"held_id": h} for h in [*ids.held_ids, MISSING_ID])
        elif names == {"reference"}:
            yield from ({"reference": r} for r in [*ids.victim_refs, *NO_SUCH_VICTIMS])
        elif not names:
            yield {}
        else:
            raise AssertionError(f"the crawler cannot fill {names}: teach it")
        return
    for notice_id, items in [*ids.items_by_notice.items(), (MISSING_ID, [])]:
        tokens = [ids.tokens.get(notice_id, "no-token"), "bogus-token"] if "token" in names else []
        item_ids = [*items, ids.foreign_item(notice_id)] if "item_id" in names else [None]
        for item_id, token in itertools.product(item_ids, tokens or [None]):
            kwargs: dict[str, Any] = {"notice_id": notice_id}
            if item_id is not None:
                kwargs["item_id"] = item_id
            if token is not None:
                kwargs["token"] = token
            yield kwargs


# Every list's filters and paging, sensible and not: a 4xx is fine, a 5xx never.
LIST_QUERIES = [
    "?limit=1",
    "?state=notified&platform=Telegram&urgent=true&deadline=overdue",
    "?filed_from=2000-01-01&filed_to=2999-12-31&deadline=closed&q=HL-",
    "?state=nonsense",
    "?cursor=bm90LWEtY3Vyc29y",
    "?limit=9999",
]
LIST_PAGES = ["/requests/", "/queue/"]
# A victim nowhere, and references a person should never type (refused, never a 5xx).
NO_SUCH_VICTIMS = ["V-NOWHERE-0", "jane@example.org", "010-1234-5678"]
VICTIM_QUERIES = ["?victim=V-NOWHERE-0", "?victim=", "?q=V-"]


def web_urls(ids: Ids) -> list[str]:
    """Every page of hotline.web, with its path parameters filled from real ids."""
    urls: list[str] = []
    for pattern in web_patterns:
        assert isinstance(pattern, URLPattern)
        names = set(pattern.pattern.converters)
        urls.extend(reverse(f"web:{pattern.name}", kwargs=k) for k in _kwargs_for(names, ids))
    pages = LIST_PAGES + [f"/notices/{n}/" for n in sorted(ids.items_by_notice)[:2]]
    urls.extend(page + query for page in pages for query in LIST_QUERIES)
    victims = ["/victims/", *(f"/victims/{r}/" for r in ids.victim_refs[:2])]
    urls.extend(page + query for page in victims for query in LIST_QUERIES)
    urls.extend(page + query for page in LIST_PAGES for query in VICTIM_QUERIES)
    urls.extend(f"/requests/?victim={r}" for r in ids.victim_refs[:2])
    return urls


def api_read_urls(ids: Ids, *, since: str, until: str) -> list[str]:
    """Every GET operation in the OpenAPI schema, with path parameters from real ids."""
    values = {
        "case_id": [*ids.case_ids, "HL-1999-000000"],
        "notice_id": [*ids.items_by_notice, MISSING_ID],
        "platform": [*Platform.objects.values_list("name", flat=True), "NoSuchPlatform"],
        "reference": [*ids.victim_refs, *NO_SUCH_VICTIMS],
        "name": [*Bank.objects.values_list("name", flat=True), "no-such-bank"],
    }
    period = f"since={since}&until={until}"
    queries = {
        "/api/export/dsa-sor": ["", "?platform=Telegram", f"?platform=X&{period}"],
        "/api/evidence/platforms/{platform}": ["", f"?{period}"],
        "/api/notices": ["", "?open=true", "?open=false", *LIST_QUERIES, *VICTIM_QUERIES],
        "/api/requests": ["", *LIST_QUERIES, *VICTIM_QUERIES],
        "/api/victims": ["", *LIST_QUERIES],
        "/api/victims/{reference}": ["", *LIST_QUERIES],
        "/api/triage": ["", *VICTIM_QUERIES],
        "/api/notices/{notice_id}/items": ["", "?state=notified&limit=1", "?q=t.me&cursor=xx"],
        "/api/compliance": ["", f"?since={since}&until={until}"],
        "/api/feed": ["", "?limit=3"],
        "/api/banks/{name}/feed": [
            "",
            "?limit=1",
            "?after=1.1",
            "?after=999999",
            # Just before the latest change of a bank: a deletion when the crawl seeded one.
            *(f"?after={max(0, v - 1)}" for v in Bank.objects.values_list("version", flat=True)),
            "?after=zz",
            *(f"?format={fmt}" for fmt in FORMATS),
        ],
    }
    urls: list[str] = []
    for path, operations in api.get_openapi_schema()["paths"].items():
        if "get" not in operations:
            continue
        names = re.findall(r"{(\w+)}", path)
        for combination in itertools.product(*(values[n] for n in names)):
            filled = path
            for name, value in zip(names, combination, strict=True):
                filled = filled.replace(f"{{{name}}}", str(value))
            urls.extend(filled + q for q in queries.get(path, [""]))
    return urls


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag in ("a", "link") and attributes.get("href"):
            self.found.append(attributes["href"] or "")
        elif tag in ("script", "img") and attributes.get("src"):
            self.found.append(attributes["src"] or "")
        elif tag == "form" and (attributes.get("method") or "get").lower() == "get":
            self.found.append(attributes.get("action") or "")


def readable_texts(content: bytes, content_type: str) -> Iterator[tuple[str, str]]:
    """(where, text) of a response body, with each member of a ZIP (an evidence package)."""
    if content_type.startswith("application/zip") or content[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(content)) as package:
            for name in package.namelist():
                yield name, package.read(name).decode("utf-8", errors="replace")
        return
    yield "", content.decode("utf-8", errors="replace")


def same_origin_links(page_url: str, html: str) -> Iterator[str]:
    parser = _Links()
    parser.feed(html)
    for href in parser.found:
        absolute, _fragment = urldefrag(urljoin(f"http://testserver{page_url}", href))
        parts = urlsplit(absolute)
        if parts.scheme == "http" and parts.netloc == "testserver":
            yield parts.path + (f"?{parts.query}" if parts.query else "")


def _shape(url: str) -> str:
    return re.sub(r"\d+", "N", urlsplit(url).path)


@dataclass
class Crawl:
    """One visitor's crawl: what answered 5xx, and how much was seen."""

    who: str
    client: Client
    headers: dict[str, str] = field(default_factory=dict)
    seen: dict[str, int] = field(default_factory=dict)
    content_types: dict[str, str] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    shapes: Counter[str] = field(default_factory=Counter)
    # Text this visitor must never be shown (any case, also inside a ZIP), and where it was.
    never_shown: list[str] = field(default_factory=list)
    shown: list[str] = field(default_factory=list)

    def visit(self, urls: Iterable[str], *, follow: bool = True) -> None:
        queue = list(urls)
        listed = set(queue)
        while queue:
            url = queue.pop()
            if url in self.seen:
                continue
            response = self.client.get(url, **self.headers)
            self.seen[url] = response.status_code
            self.content_types[url] = response.get("Content-Type", "")
            if response.status_code >= 500:
                self.failures.append(f"{self.who}: GET {url} -> {response.status_code}")
            content_type = response.get("Content-Type", "")
            if self.never_shown:
                body = (
                    b"".join(response.streaming_content)  # type: ignore[arg-type]
                    if getattr(response, "streaming", False)
                    else response.content
                )
                self._look_for_never_shown(url, body, content_type)
            if not follow or not content_type.startswith("text/html"):
                continue
            for link in same_origin_links(url, response.content.decode(errors="replace")):
                if link in self.seen or link in listed or link.startswith(NEVER_FOLLOW):
                    continue
                if self.shapes[_shape(link)] >= FOLLOW_PER_SHAPE:
                    continue
                self.shapes[_shape(link)] += 1
                listed.add(link)
                queue.append(link)

    def _look_for_never_shown(self, url: str, content: bytes, content_type: str) -> None:
        for where, text in readable_texts(content, content_type):
            lowered = text.lower()
            for secret in self.never_shown:
                # A page echoing the address the visitor typed (a refusal naming the page)
                # tells nothing she did not know: only pages that do not ask for it count.
                if secret.lower() in lowered and secret.lower() not in url.lower():
                    self.shown.append(f"{self.who}: GET {url} {where} shows {secret!r}")

    def pages(self) -> list[str]:
        """The URLs that answered 200 with an HTML page: what a person can look at."""
        return [
            url
            for url, status in self.seen.items()
            if status == 200 and self.content_types.get(url, "").startswith("text/html")
        ]
