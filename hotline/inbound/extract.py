"""PURE: what a reporter's email asks for: URLs, urgency, a minor, a category, a language."""

import re
from dataclasses import dataclass
from html.parser import HTMLParser

from hotline.inbound.mime import TextPart, has_hangul, html_to_text

# ASCII URL characters only: Korean text often follows a URL with no space ("…/1에서").
_URL_CHARS = r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]"
_SCHEME_URL = re.compile(rf"(?i)\bhttps?://{_URL_CHARS}+")
# Where a second URL starts inside one run of URL characters (not a URL passed as a parameter).
_SCHEME_START = re.compile(r"(?i)(?<![=?&/%:])https?://")
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
            if href.strip().lower().startswith(("http://", "https://")):
                # Browsers drop line breaks inside an href; here each line is read on its own,
                # as two links a mailer ran together are two links, not one URL.
                self.hrefs += urls_in_text(href)


def _trim(url: str) -> str:
    url = url.rstrip(_TRAILING)
    # A closing bracket belongs to the URL only when the URL opened one.
    for opening, closing in (("(", ")"), ("[", "]")):
        while url.endswith(closing) and url.count(closing) > url.count(opening):
            url = url[:-1].rstrip(_TRAILING)
    return url


def _pieces(url: str) -> list[tuple[int, str]]:
    starts = [m.start() for m in _SCHEME_START.finditer(url)]
    return [(a, url[a:b]) for a, b in zip(starts, [*starts[1:], len(url)], strict=True)]


def urls_in_text(text: str) -> list[str]:
    """Every URL, line by line: a URL never runs over a line break (nor any other space)."""
    return [url for line in text.splitlines() for url in _urls_in_line(line)]


def _urls_in_line(line: str) -> list[str]:
    found: list[tuple[int, str]] = []
    covered: list[tuple[int, int]] = []
    for match in _SCHEME_URL.finditer(line):
        # "https://a/1https://b/2": two URLs that lost the space between them.
        for offset, piece in _pieces(match.group()):
            found.append((match.start() + offset, _trim(piece)))
        covered.append(match.span())
    for match in _BARE_URL.finditer(line):
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
