"""Table-driven tests for the per-site URL rules: X, Telegram, Discord and the generic rule."""

import pytest

from hotline.platforms.url_rules import LocationKind
from hotline.platforms.urls import normalise_url

ONE_POST_ON_X = "https://x.com/i/status/1830000000000000001"

# Every spelling on the left is the same location as the canonical URL on the right.
SAME = [
    # X: hosts, mobile hosts, embed proxies, account names, media suffixes, share parameters.
    ("https://x.com/leaker/status/1830000000000000001", ONE_POST_ON_X),
    ("https://twitter.com/leaker/status/1830000000000000001", ONE_POST_ON_X),
    ("https://mobile.twitter.com/Leaker/status/1830000000000000001", ONE_POST_ON_X),
    ("https://m.twitter.com/leaker/status/1830000000000000001", ONE_POST_ON_X),
    ("https://mobile.x.com/leaker/status/1830000000000000001", ONE_POST_ON_X),
    ("https://www.twitter.com/leaker/status/1830000000000000001", ONE_POST_ON_X),
    ("https://x.com/leaker/status/1830000000000000001?s=20", ONE_POST_ON_X),
    ("https://x.com/leaker/status/1830000000000000001?s=46&t=AbCdEf", ONE_POST_ON_X),
    ("https://twitter.com/leaker/status/1830000000000000001?ref_src=twsrc%5Etfw", ONE_POST_ON_X),
    ("https://x.com/leaker/status/1830000000000000001/photo/1", ONE_POST_ON_X),
    ("https://x.com/leaker/status/1830000000000000001/video/1", ONE_POST_ON_X),
    ("https://x.com/someone_else/status/1830000000000000001", ONE_POST_ON_X),
    ("https://x.com/i/web/status/1830000000000000001", ONE_POST_ON_X),
    ("https://twitter.com/leaker/statuses/1830000000000000001", ONE_POST_ON_X),
    ("https://fxtwitter.com/leaker/status/1830000000000000001", ONE_POST_ON_X),
    ("https://vxtwitter.com/leaker/status/1830000000000000001", ONE_POST_ON_X),
    ("https://fixupx.com/leaker/status/1830000000000000001", ONE_POST_ON_X),
    ("x.com/leaker/status/1830000000000000001#m", ONE_POST_ON_X),
    ("https://twitter.com/Leaker", "https://x.com/leaker"),
    ("https://x.com/leaker/media", "https://x.com/leaker"),
    ("https://x.com/leaker?lang=ko", "https://x.com/leaker"),
    (
        "https://x.com/search?q=room&src=typed_query&utm_source=a",
        "https://x.com/search?q=room&src=typed_query",
    ),
    # Telegram keeps its rules, plus the generic tracking parameters.
    ("https://telegram.me/s/Room/5?fbclid=abc", "https://t.me/room/5"),
    ("https://t.me/room/5?single&utm_medium=x", "https://t.me/room/5"),
    ("https://telegram.dog/Room/5?embed=1&mode=tme", "https://t.me/room/5"),
    ("https://www.telegram.me/room/5/?single", "https://t.me/room/5"),
    ("https://room.t.me/5", "https://t.me/room/5"),
    ("https://t.me/c/1234/56?single", "https://t.me/c/1234/56"),
    ("https://telegram.me/c/1234/56#comments", "https://t.me/c/1234/56"),
    ("https://t.me/joinchat/AbCdEf", "https://t.me/+AbCdEf"),
    # web.telegram.org names the chat in its fragment: each client's form is the t.me link.
    ("https://web.telegram.org/k/#@Room", "https://t.me/room"),
    ("https://web.telegram.org/a/#@room", "https://t.me/room"),
    ("https://web.telegram.org/k/#%40room", "https://t.me/room"),
    ("https://web.telegram.org/#/im?p=@Room", "https://t.me/room"),
    ("https://web.telegram.org/a/#-1001234", "https://t.me/c/1234"),
    ("https://web.telegram.org/z/#-1001234_56", "https://t.me/c/1234/56"),
    (
        "https://web.telegram.org/a/#?tgaddr=tg%3A%2F%2Fresolve%3Fdomain%3Droom%26post%3D5",
        "https://t.me/room/5",
    ),
    ("tg://resolve?domain=Room&post=5", "https://t.me/room/5"),
    ("https://web.telegram.org/k/#777000", "https://web.telegram.org/k?peer=777000"),
    # Discord: app hosts, invites in every spelling, attachments without their signature.
    ("https://discordapp.com/channels/111/222/333", "https://discord.com/channels/111/222/333"),
    ("https://ptb.discord.com/channels/111/222/333", "https://discord.com/channels/111/222/333"),
    ("https://canary.discord.com/channels/111/222", "https://discord.com/channels/111/222"),
    ("https://discord.gg/AbC123", "https://discord.gg/AbC123"),
    ("https://discord.com/invite/AbC123", "https://discord.gg/AbC123"),
    ("https://discordapp.com/invite/AbC123?utm_source=x", "https://discord.gg/AbC123"),
    (
        "https://cdn.discordapp.com/attachments/222/444/image.png?ex=65&is=64&hm=ab12&",
        "https://cdn.discordapp.com/attachments/222/444/image.png",
    ),
    (
        "https://media.discordapp.net/attachments/222/444/image.png?width=400&height=300",
        "https://cdn.discordapp.com/attachments/222/444/image.png",
    ),
    (
        "https://discord.com/channels/111/222/333?utm_source=share",
        "https://discord.com/channels/111/222/333",
    ),
    ("https://canary.discordapp.com/channels/111/222/", "https://discord.com/channels/111/222"),
    ("https://discordapp.com/channels/111/222/333#m", "https://discord.com/channels/111/222/333"),
    ("https://discord.gg/AbC123?event=1", "https://discord.gg/AbC123"),
    (
        "https://cdn.discordapp.com/attachments/222/444/clip.mp4?ex=6&is=6&hm=f0&format=webp",
        "https://cdn.discordapp.com/attachments/222/444/clip.mp4",
    ),
    # Any other site: click-tracking parameters go, the rest stays in order.
    ("https://example.com/a?utm_source=x&id=3&fbclid=y", "https://example.com/a?id=3"),
    ("https://example.com/a?gclid=1&msclkid=2&igshid=3", "https://example.com/a"),
    ("https://example.com/a?b=2&a=1&mc_cid=9", "https://example.com/a?b=2&a=1"),
    # ... the host is lowercased, one www. goes, default ports and fragments go, http is https.
    ("HTTP://WWW.Example.COM:80/a/#frag", "https://example.com/a"),
    ("https://www.example.com:443/a?utm_campaign=z&UTM_Medium=y", "https://example.com/a"),
    ("https://example.com/a?_hsenc=1&mkt_tok=2&ttclid=3&keep=1", "https://example.com/a?keep=1"),
    ("example.com/a?gbraid=1&wbraid=2&twclid=3", "https://example.com/a"),
    ("https://m.example.com:8443/a", "https://m.example.com:8443/a"),
]

# Pairs that must stay apart: different posts, different invite codes, meaningful queries.
DIFFERENT = [
    ("https://x.com/a/status/1", "https://x.com/a/status/2"),
    ("https://x.com/leaker", "https://x.com/leaker2"),
    ("https://x.com/search?q=a", "https://x.com/search?q=b"),
    ("https://discord.gg/AbC123", "https://discord.gg/abc123"),  # codes are case-sensitive
    ("https://discord.com/channels/1/2/3", "https://discord.com/channels/1/2/4"),
    ("https://discord.com/channels/1/2", "https://discord.com/channels/1/3"),
    ("https://example.com/a?id=3", "https://example.com/a?id=4"),
    ("https://t.me/room/5?comment=1", "https://t.me/room/5"),
    ("https://t.me/c/1234/56", "https://t.me/c/1234/57"),
    ("https://t.me/+AbCdEf", "https://t.me/+abcdef"),  # invite hashes keep their case
    ("https://web.telegram.org/k/#777000", "https://web.telegram.org/k/#777001"),
    ("https://web.telegram.org/k/#@room1", "https://web.telegram.org/k/#@room2"),
    (
        "https://cdn.discordapp.com/attachments/2/4/a.png",
        "https://cdn.discordapp.com/attachments/2/5/a.png",
    ),
    ("https://example.com:8080/a", "https://example.com/a"),
    ("https://example.com/a", "https://example.com/A"),  # paths are case-sensitive
]

KINDS = [
    # (url, kind, room)
    ("https://twitter.com/Leaker/status/9?s=20", LocationKind.MESSAGE, "https://x.com/leaker"),
    ("https://x.com/i/web/status/9", LocationKind.MESSAGE, None),
    ("https://x.com/Leaker", LocationKind.ACCOUNT, None),
    ("https://t.me/s/Room/5", LocationKind.MESSAGE, "https://t.me/room"),
    ("https://t.me/c/1234/56", LocationKind.MESSAGE, "https://t.me/c/1234"),
    ("https://t.me/Room", LocationKind.ROOM, None),
    ("https://t.me/c/1234", LocationKind.ROOM, None),
    ("https://t.me/c/1234/10/56", LocationKind.MESSAGE, "https://t.me/c/1234"),
    ("https://t.me/room/10/56", LocationKind.MESSAGE, "https://t.me/room"),
    ("https://web.telegram.org/k/#@Room", LocationKind.ROOM, None),
    ("https://web.telegram.org/z/#-1001234_56", LocationKind.MESSAGE, "https://t.me/c/1234"),
    ("https://telegram.dog/+AbC", LocationKind.INVITE, None),
    ("https://discord.gg/AbC", LocationKind.INVITE, None),
    (
        "https://ptb.discord.com/channels/1/2/3",
        LocationKind.MESSAGE,
        "https://discord.com/channels/1/2",
    ),
    ("https://t.me/joinchat/AbC", LocationKind.INVITE, None),
    ("https://discord.com/invite/AbC", LocationKind.INVITE, None),
    (
        "https://discord.com/channels/1/2/3",
        LocationKind.MESSAGE,
        "https://discord.com/channels/1/2",
    ),
    ("https://discord.com/channels/1/2", LocationKind.ROOM, None),
    ("https://cdn.discordapp.com/attachments/2/4/a.png", LocationKind.FILE, None),
    ("https://example.com/a", LocationKind.OTHER, None),
]


@pytest.mark.parametrize(("raw", "canonical"), SAME)
def test_every_spelling_folds_to_one_location(raw: str, canonical: str) -> None:
    assert normalise_url(raw).url == canonical
    assert normalise_url(canonical).url == canonical  # idempotent


@pytest.mark.parametrize(("left", "right"), DIFFERENT)
def test_different_locations_stay_apart(left: str, right: str) -> None:
    assert normalise_url(left).url != normalise_url(right).url


@pytest.mark.parametrize(("url", "kind", "room"), KINDS)
def test_messages_rooms_accounts_invites_and_files_are_told_apart(
    url: str, kind: LocationKind, room: str | None
) -> None:
    result = normalise_url(url)
    assert (result.kind, result.room) == (kind, room)
    if room is not None:
        assert normalise_url(room).url == room  # a room is itself a canonical location
