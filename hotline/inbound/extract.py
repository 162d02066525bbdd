"""PURE: what a reporter's email asks for: URLs, urgency, a minor, a category, a language."""

import re
from dataclasses import dataclass
from html.parser import HTMLParser

from hotline.inbound.mime import TextPart, has_hangul, html_to_text

# ASCII URL characters only: Korean text often follows a URL with no space ("…/1에서").
_URL_CHARS = r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]"
_SCHEME_URL = re.compile(rf"(?i)\bhttps?://{_URL_CHARS}+")
# A bare host with a path (t.me/room/1, x.com/a/status/1) or a www. host; a dot-separated
# word without a path (a file name, "e.g.") is not taken for a URL.
_BARE_URL = re.compile(
    rf"(?i)(?<![\w@./:-])(?:www\.[a-z0-9.-]+\.[a-z]{{2,}}(?:/{_URL_CHARS}*)?"
    rf"|(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{{2,}}/{_URL_CHARS}*)"
)
_TRAILING = ".,;:!?'\"*"
_URGENT = re.compile(r"(?i)\burgent\b|긴급|\basap\b|즉시")
_MINOR = re.compile(r"(?i)\bminors?\b|\bchild\b|\bunder[- ]?18\b|미성년|아동|청소년")
_DEEPFAKE = re.compile(r"(?i)deep\s?fake|딥페이크|합성")


@dataclass(frozen=True)
class Markers:
    urgent: bool
    involves_minor: bool
    deepfake: bool
    korean: bool


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag.lower() == "a":
            href = dict(attrs).get("href") or ""
            if href.lower().startswith(("http://", "https://")):
                self.hrefs.append(href.strip())


def _trim(url: str) -> str:
    url = url.rstrip(_TRAILING)
    # A closing bracket belongs to the URL only when the URL opened one.
    for opening, closing in (("(", ")"), ("[", "]")):
        while url.endswith(closing) and url.count(closing) > url.count(opening):
            url = url[:-1].rstrip(_TRAILING)
    return url


def urls_in_text(text: str) -> list[str]:
    found: list[tuple[int, str]] = []
    covered: list[tuple[int, int]] = []
    for match in _SCHEME_URL.finditer(text):
        found.append((match.start(), _trim(match.group())))
        covered.append(match.span())
    for match in _BARE_URL.finditer(text):
        if not any(start <= match.start() < end for start, end in covered):
            found.append((match.start(), _trim(match.group())))
    return [url for _, url in sorted(found) if url]


def urls_in_parts(parts: list[TextPart]) -> list[str]:
    """Every URL in the order it appears: plain bodies, then HTML links and HTML text."""
    urls: list[str] = []
    for part in parts:
        if part.content_type == "text/html":
            links = _Links()
            links.feed(part.text)
            urls += links.hrefs + urls_in_text(html_to_text(part.text))
        else:
            urls += urls_in_text(part.text)
    return urls


def markers(subject: str, body: str) -> Markers:
    text = f"{subject}\n{body}"
    return Markers(
        urgent=bool(_URGENT.search(text)),
        involves_minor=bool(_MINOR.search(text)),
        deepfake=bool(_DEEPFAKE.search(text)),
        korean=has_hangul(text),
    )
