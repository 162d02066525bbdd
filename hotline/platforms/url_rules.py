"""PURE: per-site rules that fold every spelling of one post, room, account or file into one
identity, and say what kind of location it is.

Each rule takes the already-normalised host, path and query (see `urls.normalise_url`) and
returns the site's canonical (host, path, query, kind, room). `room` is the canonical URL of the
chat room or account that a message belongs to, so a message item can be linked to its room.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum


class LocationKind(StrEnum):
    MESSAGE = "message"  # one post or message
    ROOM = "room"  # a channel, group, chat room or server channel
    ACCOUNT = "account"  # a profile or user page
    INVITE = "invite"  # a join link to a room
    FILE = "file"  # a hosted file (an attachment on a CDN)
    OTHER = "other"


@dataclass(frozen=True)
class SiteLocation:
    host: str
    path: str
    query: str
    kind: LocationKind = LocationKind.OTHER
    room: str | None = None


SiteRule = Callable[[str, str, str], SiteLocation]

# Query parameters that only track where a click came from, on any site.
TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "igshid", "igsh", "yclid",
        "mc_cid", "mc_eid", "_hsenc", "_hsmi", "mkt_tok", "twclid", "ttclid", "li_fat_id",
    }
)  # fmt: skip

TELEGRAM_HOSTS = frozenset({"t.me", "telegram.me", "telegram.dog"})
# Query parameters that only change how Telegram renders a post, never which post it is.
TELEGRAM_PRESENTATION_PARAMS = frozenset({"single", "embed", "mode", "userpic", "dark", "color"})

# X (Twitter), its mobile hosts and the embed proxies that show its posts.
X_HOSTS = frozenset(
    {
        "x.com", "twitter.com", "mobile.twitter.com", "mobile.x.com", "m.twitter.com",
        "fxtwitter.com", "vxtwitter.com", "fixupx.com", "fixvx.com",
    }
)  # fmt: skip
# First path segments on X that are pages of the site, not accounts.
X_RESERVED = frozenset({"i", "home", "search", "explore", "hashtag", "settings", "messages"})
# Views of one account that are still that account.
X_ACCOUNT_VIEWS = frozenset({"media", "with_replies", "likes", "highlights", "articles"})
_DIGITS = re.compile(r"^\d+$")

DISCORD_APP_HOSTS = frozenset(
    {
        "discord.com", "discordapp.com", "ptb.discord.com", "canary.discord.com",
        "ptb.discordapp.com", "canary.discordapp.com",
    }
)  # fmt: skip
DISCORD_INVITE_HOST = "discord.gg"
DISCORD_FILE_HOSTS = frozenset({"cdn.discordapp.com", "media.discordapp.net"})


def is_tracking_param(item: str) -> bool:
    key = item.partition("=")[0].lower()
    return key in TRACKING_PARAMS or key.startswith("utm_")


def without_tracking(query: str) -> str:
    return "&".join(item for item in query.split("&") if item and not is_tracking_param(item))


def site_rule_for(host: str) -> SiteRule | None:
    if host in TELEGRAM_HOSTS or (host.endswith(".t.me") and host.count(".") == 2):
        return telegram_location
    if host in X_HOSTS:
        return x_location
    if host in DISCORD_APP_HOSTS or host == DISCORD_INVITE_HOST:
        return discord_location
    if host in DISCORD_FILE_HOSTS:
        return discord_file_location
    return None


def _segments(path: str) -> list[str]:
    return [seg for seg in path.split("/") if seg]


def _path(segments: list[str]) -> str:
    return "/" + "/".join(segments)


def telegram_location(host: str, path: str, query: str) -> SiteLocation:
    """t.me, telegram.me, telegram.dog and <name>.t.me; the /s/ preview; invite links."""
    segments = _segments(path)
    if host.endswith(".t.me") and host.count(".") == 2:
        segments.insert(0, host.removesuffix(".t.me"))
    if len(segments) >= 2 and segments[0].lower() == "s":
        segments.pop(0)
    if len(segments) >= 2 and segments[0].lower() == "joinchat":
        segments = ["+" + segments[1], *segments[2:]]
    if segments and segments[0][:3].upper() == "%2B":
        segments[0] = "+" + segments[0][3:]
    if segments and not segments[0].startswith("+"):
        segments[0] = segments[0].lower()
    kept = "&".join(
        item
        for item in query.split("&")
        if item
        and not is_tracking_param(item)
        and item.partition("=")[0].lower() not in TELEGRAM_PRESENTATION_PARAMS
    )
    kind, room = LocationKind.OTHER, None
    if segments and segments[0].startswith("+"):
        kind = LocationKind.INVITE
    elif segments[:1] == ["c"] and len(segments) == 2 and _DIGITS.match(segments[1]):
        kind = LocationKind.ROOM  # a private channel by its id
    elif segments[:1] == ["c"] and len(segments) >= 3 and _DIGITS.match(segments[-1]):
        kind, room = LocationKind.MESSAGE, f"https://t.me/c/{segments[1]}"
    elif len(segments) == 1:
        kind = LocationKind.ROOM
    elif len(segments) >= 2 and _DIGITS.match(segments[1]):
        kind, room = LocationKind.MESSAGE, f"https://t.me/{segments[0]}"
    return SiteLocation("t.me", _path(segments), kept, kind, room)


def x_location(host: str, path: str, query: str) -> SiteLocation:
    """A post is its numeric id, whatever account name, host or share parameters surround it:
    x.com/Anyone/status/1?s=20 and mobile.twitter.com/i/web/status/1/photo/1 are one post."""
    segments = _segments(path)
    lowered = [seg.lower() for seg in segments]
    status_at = next(
        (i for i, seg in enumerate(lowered) if seg in {"status", "statuses"} and i < 3), None
    )
    if status_at is not None and status_at + 1 < len(segments):
        post_id = segments[status_at + 1]
        if _DIGITS.match(post_id):
            author = lowered[0] if status_at == 1 and lowered[0] not in X_RESERVED else None
            room = f"https://x.com/{author}" if author else None
            return SiteLocation("x.com", f"/i/status/{post_id}", "", LocationKind.MESSAGE, room)
    account_page = len(lowered) == 1 or (len(lowered) == 2 and lowered[1] in X_ACCOUNT_VIEWS)
    if lowered and lowered[0] not in X_RESERVED and account_page:
        return SiteLocation("x.com", f"/{lowered[0]}", "", LocationKind.ACCOUNT)
    keep_query = lowered[:1] in (["search"], ["hashtag"])
    return SiteLocation("x.com", path, without_tracking(query) if keep_query else "")


def discord_location(host: str, path: str, query: str) -> SiteLocation:
    """discord.com (and discordapp.com, ptb., canary.) channels and messages; invites in every
    spelling become discord.gg/<code> (codes are case-sensitive and keep their case)."""
    segments = _segments(path)
    if host == DISCORD_INVITE_HOST and segments:
        return SiteLocation(DISCORD_INVITE_HOST, f"/{segments[0]}", "", LocationKind.INVITE)
    if len(segments) >= 2 and segments[0].lower() == "invite":
        return SiteLocation(DISCORD_INVITE_HOST, f"/{segments[1]}", "", LocationKind.INVITE)
    if len(segments) >= 3 and segments[0].lower() == "channels":
        guild, channel = segments[1], segments[2]
        room = f"https://discord.com/channels/{guild}/{channel}"
        if len(segments) >= 4 and _DIGITS.match(segments[3]):
            path = f"/channels/{guild}/{channel}/{segments[3]}"
            return SiteLocation("discord.com", path, "", LocationKind.MESSAGE, room)
        return SiteLocation("discord.com", f"/channels/{guild}/{channel}", "", LocationKind.ROOM)
    return SiteLocation("discord.com", path, without_tracking(query))


def discord_file_location(host: str, path: str, query: str) -> SiteLocation:
    """An attachment is its channel, id and name; ex/is/hm are an expiring signature and
    width/height/format only resize it, so both CDN hosts and every query are one file."""
    segments = _segments(path)
    if len(segments) >= 4 and segments[0] == "attachments":
        return SiteLocation("cdn.discordapp.com", _path(segments[:4]), "", LocationKind.FILE)
    return SiteLocation("cdn.discordapp.com", path, "", LocationKind.FILE)
