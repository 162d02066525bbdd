"""Pure rule deciding, from one fetch, whether reported content is gone.

Rule (also in docs/verification.md):

* No response (network error, timeout, refused address, DNS failure) -> INCONCLUSIVE.
* HTTP 404 or 410 -> GONE, even when the body was cut short.
* HTTP 429, 5xx, other 4xx (401, 403, 451, ...) and unfollowed 3xx -> INCONCLUSIVE: none of
  them proves removal, so none counts as removal.
* HTTP 2xx on a host other than t.me -> PRESENT. A redirect to another site's generic home page
  (a soft 404) is not recognised here and reads as PRESENT.
* HTTP 2xx on t.me (after URL normalisation) is decided from the page, and only from a
  complete page (a fetch error such as "too large" -> INCONCLUSIVE):

  - An unavailability notice in the page description or post error ("... can't be displayed
    because ...", "... doesn't seem to exist", "This channel is private", "Post not found")
    -> GONE.
  - Message ``t.me/<channel>/<id>``: the web preview (``t.me/s/<channel>/<id>``, see
    :func:`verification_url`) or embed page renders posts as ``data-post="<channel>/<id>"``.
    That post present -> PRESENT; other posts of the same channel shown but not this one ->
    GONE; the channel is a not-found placeholder -> GONE; anything else -> INCONCLUSIVE.
  - Channel, group or user ``t.me/<name>``: a not-found placeholder (``og:title`` or
    ``<title>`` "Telegram: Contact @<name>" with no ``tgme_page_title``, no ``tgme_page_extra``
    and no posts) -> GONE; a title, subscriber line or posts -> PRESENT; else INCONCLUSIVE.
  - Invite links, private ``t.me/c/...`` links and other paths: a title -> PRESENT, else
    INCONCLUSIVE (an expired invite cannot be told from a page-layout change).

PRESENT and GONE both need positive evidence; an unrecognised page is INCONCLUSIVE.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from html.parser import HTMLParser

from hotline.platforms.urls import InvalidUrl, NormalisedUrl, normalise_url
from hotline.verification.fetchers import FetchResult

__all__ = ["Judgement", "Verdict", "judge", "verification_url"]

_USERNAME = re.compile(r"^[a-z][a-z0-9_]{3,31}$")
# First path segments of t.me that are features, not usernames.
_RESERVED = frozenset(
    {"c", "s", "joinchat", "addstickers", "addemoji", "addtheme", "addlist", "proxy", "socks",
     "share", "iv", "login", "setlanguage", "confirmphone", "bg", "invoice", "boost", "m"}
)  # fmt: skip
_UNAVAILABLE = re.compile(
    r"can't be displayed|doesn't seem to exist|this (?:channel|group) is private|post not found",
    re.IGNORECASE,
)
_CONTACT_TITLE = re.compile(r"^Telegram: Contact @", re.IGNORECASE)
# Text inside elements with these classes is captured; a post's own text never is.
_CAPTURED = ("tgme_page_description", "tgme_widget_message_error", "tgme_channel_info_description")


class Verdict(enum.Enum):
    GONE = "gone"
    PRESENT = "present"
    INCONCLUSIVE = "inconclusive"


@dataclass(frozen=True)
class Judgement:
    verdict: Verdict
    reason: str


def judge(url: str, result: FetchResult) -> Judgement:
    """Decide whether the content reported at ``url`` is gone, from ``result`` alone."""
    status = result.status
    if status is None:
        return _inconclusive(f"no response: {result.error or 'unknown error'}")
    if status in (404, 410):
        return Judgement(Verdict.GONE, f"HTTP {status}")
    if status == 429 or status >= 500:
        return _inconclusive(f"HTTP {status}: temporary failure, not proof of removal")
    if not 200 <= status < 300:
        detail = f" ({result.error})" if result.error else ""
        return _inconclusive(f"HTTP {status}{detail} is neither success nor not-found")
    target = _normalise(url)
    if target is None or target.host != "t.me":
        return Judgement(Verdict.PRESENT, f"HTTP {status}")
    if result.error:
        return _inconclusive(f"Telegram page incomplete ({result.error})")
    return _judge_telegram(target, _TelegramPage.parse(result.text))


def verification_url(url: str) -> str:
    """The URL to fetch to verify ``url``: the web preview for Telegram messages, else ``url``."""
    target = _normalise(url)
    if target is None or target.host != "t.me":
        return url
    message = _message_key(target.path)
    return f"https://t.me/s/{message}" if message else target.url


def _inconclusive(reason: str) -> Judgement:
    return Judgement(Verdict.INCONCLUSIVE, reason)


def _normalise(url: str) -> NormalisedUrl | None:
    try:
        return normalise_url(url)
    except InvalidUrl:
        return None


def _segments(path: str) -> list[str]:
    return [segment for segment in path.split("/") if segment]


def _message_key(path: str) -> str | None:
    """``channel/id`` for a public message path (``/channel/id`` or ``/group/topic/id``)."""
    segments = _segments(path)
    if len(segments) not in (2, 3) or not _is_username(segments[0]):
        return None
    if not all(segment.isdigit() for segment in segments[1:]):
        return None
    return f"{segments[0]}/{segments[-1]}"


def _is_username(segment: str) -> bool:
    return _USERNAME.match(segment) is not None and segment not in _RESERVED


class _TelegramPage(HTMLParser):
    """The few facts about a t.me page that the rule needs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.titles: list[str] = []
        self.classes: set[str] = set()
        self.posts: set[str] = set()
        self.captured: dict[str, list[str]] = {}
        self._capture: str | None = None
        self._capture_tag = ""
        self._depth = 0
        self._in_title = False

    @classmethod
    def parse(cls, text: str) -> _TelegramPage:
        page = cls()
        page.feed(text)
        page.close()
        return page

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "meta" and values.get("property") == "og:title":
            self.titles.append(values.get("content", ""))
        self._in_title = tag == "title"
        if "data-post" in values:
            self.posts.add(values["data-post"].lower())
        classes = values.get("class", "").split()
        self.classes.update(classes)
        if self._capture is not None:
            if tag == self._capture_tag:
                self._depth += 1
            return
        wanted = next((name for name in _CAPTURED if name in classes), None)
        if wanted is not None:
            self._capture, self._capture_tag, self._depth = wanted, tag, 1

    def handle_endtag(self, tag: str) -> None:
        self._in_title = False
        if self._capture is not None and tag == self._capture_tag:
            self._depth -= 1
            if self._depth == 0:
                self._capture = None

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.titles.append(data.strip())
        if self._capture is not None:
            self.captured.setdefault(self._capture, []).append(data)

    def notice(self) -> str | None:
        """Telegram's own unavailability notice, if the page shows one."""
        for texts in self.captured.values():
            text = " ".join(" ".join(texts).split()).replace("\u2019", "'")
            if _UNAVAILABLE.search(text):
                return text
        return None

    def is_not_found_placeholder(self) -> bool:
        """The page Telegram serves for a username that does not exist (any more)."""
        contact = any(_CONTACT_TITLE.match(title) for title in self.titles)
        shows_entity = bool({"tgme_page_title", "tgme_page_extra"} & self.classes)
        return contact and not shows_entity and not self.posts


def _judge_telegram(target: NormalisedUrl, page: _TelegramPage) -> Judgement:
    notice = page.notice()
    if notice is not None:
        return Judgement(Verdict.GONE, f"Telegram notice: {notice[:200]}")
    message = _message_key(target.path)
    if message is not None:
        return _judge_message(message, page)
    segments = _segments(target.path)
    if len(segments) == 1 and _is_username(segments[0]):
        if page.is_not_found_placeholder():
            return Judgement(Verdict.GONE, f"t.me/{segments[0]} is Telegram's not-found page")
        if page.posts or {"tgme_page_title", "tgme_page_extra"} & page.classes:
            return Judgement(Verdict.PRESENT, f"t.me/{segments[0]} shows the channel")
        return _inconclusive("Telegram page not recognised")
    if "tgme_page_title" in page.classes:
        return Judgement(Verdict.PRESENT, "Telegram page shows a title")
    return _inconclusive("Telegram page not recognised (invite or private link)")


def _judge_message(message: str, page: _TelegramPage) -> Judgement:
    channel = message.split("/")[0]
    if message in page.posts:
        return Judgement(Verdict.PRESENT, f"post {message} is on the page")
    if any(post.split("/")[0] == channel for post in page.posts):
        return Judgement(Verdict.GONE, f"page shows other posts of {channel} but not {message}")
    if page.is_not_found_placeholder():
        return Judgement(Verdict.GONE, f"t.me/{channel} is Telegram's not-found page")
    return _inconclusive(f"page shows neither post {message} nor a removal notice")
