"""Table-driven tests for the URL normaliser."""

import dataclasses

import pytest

from hotline.platforms.urls import InvalidUrl, LocationKind, NormalisedUrl, normalise_url

CANONICAL = [
    # (raw, canonical url)
    ("https://example.com/a", "https://example.com/a"),
    ("http://example.com/a", "https://example.com/a"),
    ("HTTP://EXAMPLE.COM/a", "https://example.com/a"),
    ("HTTPS://Example.COM/Path", "https://example.com/Path"),
    ("https://www.example.com/a", "https://example.com/a"),
    ("https://www.com/a", "https://www.com/a"),
    ("https://example.com:443/a", "https://example.com/a"),
    ("http://example.com:80/a", "https://example.com/a"),
    ("https://example.com:8443/a", "https://example.com:8443/a"),
    ("https://example.com/a/", "https://example.com/a"),
    ("https://example.com", "https://example.com/"),
    ("https://example.com/", "https://example.com/"),
    ("https://example.com./a", "https://example.com/a"),
    ("https://example.com/a#frag", "https://example.com/a"),
    ("https://example.com/a?", "https://example.com/a"),
    ("https://example.com/a?b=2&a=1", "https://example.com/a?b=2&a=1"),
    ("  https://example.com/a  ", "https://example.com/a"),
    ("example.com/a", "https://example.com/a"),
    ("//example.com/a", "https://example.com/a"),
    ("example.com:8080/a", "https://example.com:8080/a"),
    ("https://example.com/%7euser/%41", "https://example.com/~user/A"),
    ("https://example.com/a%2fb%3a", "https://example.com/a%2Fb%3A"),
    ("https://example.com/100%", "https://example.com/100%25"),
    ("https://example.com/a/./b/../c", "https://example.com/a/c"),
    ("https://example.com/q?x=a b", "https://example.com/q?x=a%20b"),
    ("http://한국.kr/a b", "https://xn--3e0b707e.kr/a%20b"),
    ("https://例え.JP/", "https://xn--r8jz45g.jp/"),
    ("https://straße.de/", "https://xn--strae-oqa.de/"),
    ("https://xn--3e0b707e.kr/", "https://xn--3e0b707e.kr/"),
    ("https://example.com/가나", "https://example.com/%EA%B0%80%EB%82%98"),
    ("https://example.com/%ea%b0%80%eb%82%98", "https://example.com/%EA%B0%80%EB%82%98"),
    ("http://[::1]:8080/a", "https://[::1]:8080/a"),
    ("http://[0:0::1]/", "https://[::1]/"),
    # Telegram
    ("t.me/foo", "https://t.me/foo"),
    ("HTTPS://WWW.T.ME/S/Foo/12/", "https://t.me/foo/12"),
    ("https://telegram.me/Foo/12", "https://t.me/foo/12"),
    ("https://www.telegram.dog/foo", "https://t.me/foo"),
    ("https://t.me/s/foo", "https://t.me/foo"),
    ("https://t.me/foo/12?single", "https://t.me/foo/12"),
    ("https://t.me/foo/12?embed=1&mode=tme", "https://t.me/foo/12"),
    ("https://t.me/foo/12?utm_source=x&comment=3", "https://t.me/foo/12?comment=3"),
    ("https://t.me/+AbCdEf", "https://t.me/+AbCdEf"),
    ("https://t.me/joinchat/AbCdEf", "https://t.me/+AbCdEf"),
    ("https://t.me/%2BAbCdEf", "https://t.me/+AbCdEf"),
    ("https://t.me/c/1234567/89", "https://t.me/c/1234567/89"),
    ("https://Durov.t.me", "https://t.me/durov"),
    ("tg://resolve?domain=Foo&post=5", "https://t.me/foo/5"),
    ("tg://resolve?domain=foo", "https://t.me/foo"),
    ("tg://join?invite=AbCd", "https://t.me/+AbCd"),
    ("tg://privatepost?channel=123&post=5", "https://t.me/c/123/5"),
]


@pytest.mark.parametrize(("raw", "expected"), CANONICAL)
def test_canonical_form(raw: str, expected: str) -> None:
    assert normalise_url(raw).url == expected


SAME = [
    ("http://한국.kr/가", "https://xn--3e0b707e.kr/%EA%B0%80"),
    ("https://example.com/가", "https://example.com/%ea%b0%80"),
    ("HTTPS://WWW.T.ME/S/Foo/12/", "t.me/foo/12"),
    ("https://telegram.dog/s/FOO/12?single", "http://www.telegram.me/foo/12#x"),
    ("https://t.me/joinchat/AbCd", "t.me/+AbCd"),
    ("https://example.com:443/", "http://www.example.com"),
]


@pytest.mark.parametrize(("left", "right"), SAME)
def test_spellings_of_same_location_are_equal(left: str, right: str) -> None:
    assert normalise_url(left) == normalise_url(right)


DIFFERENT = [
    ("https://t.me/+AbCd", "https://t.me/+abcd"),
    ("https://t.me/foo/12", "https://t.me/foo/13"),
    ("https://t.me/foo/12?comment=1", "https://t.me/foo/12"),
    ("https://example.com/Path", "https://example.com/path"),
    ("https://example.com/a?x=1", "https://example.com/a?x=2"),
    ("https://example.com:8443/", "https://example.com/"),
    ("https://example.com/a%2Fb", "https://example.com/a/b"),
]


@pytest.mark.parametrize(("left", "right"), DIFFERENT)
def test_different_locations_stay_different(left: str, right: str) -> None:
    assert normalise_url(left) != normalise_url(right)


def test_fields() -> None:
    result = normalise_url("HTTPS://WWW.T.ME/S/Foo/12/?single#x")
    assert result == NormalisedUrl(
        url="https://t.me/foo/12",
        host="t.me",
        path="/foo/12",
        kind=LocationKind.MESSAGE,
        room="https://t.me/foo",
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.host = "x"  # type: ignore[misc]


def test_host_of_idn_is_punycode_without_www() -> None:
    result = normalise_url("http://www.한국.kr/a b")
    assert (result.host, result.path) == ("xn--3e0b707e.kr", "/a%20b")


INVALID = [
    ("", "empty"),
    ("   ", "empty"),
    ("https://", "no host"),
    ("http:///path", "no host"),
    ("ftp://example.com/a", "unsupported scheme 'ftp'"),
    ("javascript:alert(1)", "unsupported scheme 'javascript'"),
    ("mailto:someone@example.com", "unsupported scheme 'mailto'"),
    ("file:///etc/passwd", "unsupported scheme 'file'"),
    ("https://exa mple.com/", "whitespace"),
    ("https://example.com/a\nb", "control character"),
    ("https://user:pw@example.com/", "credentials"),
    ("https://t.me@evil.example/", "credentials"),
    ("https://example.com:99999/", "malformed"),
    ("https://example.com:0/", "port 0"),
    ("https://exa!mple.com/", "not allowed"),
    ("tg://settings", "unsupported Telegram app link"),
]


@pytest.mark.parametrize(("raw", "message"), INVALID)
def test_invalid(raw: str, message: str) -> None:
    with pytest.raises(InvalidUrl, match=message):
        normalise_url(raw)


def test_invalid_url_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="empty"):
        normalise_url("")
