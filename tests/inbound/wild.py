"""What each message of tests/inbound/corpus/wild must read as (built by build_wild_corpus.py)."""

from dataclasses import dataclass, field
from pathlib import Path

from django.db import connections

from tests.inbound.build_wild_corpus import MEDIA_MARKER

WILD = Path(__file__).parent / "corpus" / "wild"


@dataclass(frozen=True)
class Expect:
    subject: str
    body: tuple[str, ...] = ()  # phrases of the decoded text
    urls: tuple[str, ...] = ()  # exactly as extracted, in order
    filed: tuple[str, ...] = ()  # the request's normalised item URLs (a request is expected)
    bounce_notice: int | None = None  # a bounce, and the notice it names (None: not a bounce)
    removed: tuple[str, ...] = ()  # where each piece of media was cut from
    smtp: bool = True  # False: only IMAP and stored mail carry it
    auto: str | None = field(default=None)  # classify.automatic's kind, if any


KO_SUBJECT = "유출 영상 삭제 요청"
KO_BODY = "긴급 삭제 요청입니다. 아래 두 주소의 영상을 삭제해 주세요."
CP949_BODY = "똠방각하 사건입니다. 아래 두 주소의 영상을 삭제해 주세요."

EXPECTED: dict[str, Expect] = {
    "k01-euckr-label-cp949-base64.eml": Expect(
        "[긴급] 똠방각하 사건 삭제 요청",
        (CP949_BODY,),
        ("https://t.me/c/107", "t.me/c/207"),
        ("https://t.me/c/107", "https://t.me/c/207"),
    ),
    "k02-ks-c-5601-qp.eml": Expect(
        "햏 사건 삭제 요청",
        (CP949_BODY,),
        ("https://t.me/c/108", "https://t.me/c/208"),
        ("https://t.me/c/108", "https://t.me/c/208"),
    ),
    "k03-iso-2022-kr.eml": Expect(
        "삭제 요청 드립니다", (KO_BODY,), ("https://t.me/c/109",), ("https://t.me/c/109",)
    ),
    "k04-utf8-labelled-euckr.eml": Expect(
        KO_SUBJECT, (KO_BODY,), ("https://t.me/c/110",), ("https://t.me/c/110",)
    ),
    "k05-euckr-labelled-utf8.eml": Expect(
        KO_SUBJECT, (KO_BODY,), ("https://t.me/c/111",), ("https://t.me/c/111",)
    ),
    "k06-unlabelled-8bit.eml": Expect(
        "똠방각하 사건 삭제", (CP949_BODY,), ("https://t.me/c/112",), ("https://t.me/c/112",)
    ),
    "k07-long-html-line.eml": Expect(
        "긴 줄 HTML 요청",
        ("항목 59", "긴급 삭제 요청입니다."),
        ("https://t.me/c/113", "t.me/c/213"),
        ("https://t.me/c/113", "https://t.me/c/213"),
    ),
    "f01-reporter-forwards-a-bounce.eml": Expect(
        "삭제 요청 (반송 메일 첨부)",
        ("삭제를 요청합니다", "Your message could not be delivered"),
        ("https://t.me/room/41",),
        ("https://t.me/room/41",),
    ),
    "f02-forwarded-rfc822-with-image.eml": Expect(
        "Fwd: victim report",
        ("See the attached message.", "제 사진이 여기 있어요"),
        ("https://t.me/room/42",),
        ("https://t.me/room/42",),
        removed=("attachment",),
    ),
    "b01-dsn-rfc822-headers.eml": Expect(
        "Undelivered Mail Returned to Sender", bounce_notice=4242, auto="bounce"
    ),
    "b02-dsn-returned-message.eml": Expect(
        "Undelivered Mail Returned to Sender", bounce_notice=4343, auto="bounce"
    ),
    "b03-plain-text-bounce.eml": Expect("failure notice", bounce_notice=77, auto="bounce"),
    "m01-data-uri-html-base64.eml": Expect(
        "Screenshot in the mail",
        ("Please remove:",),
        ("https://t.me/room/51", "https://t.me/room/51"),  # the link and its text
        ("https://t.me/room/51",),
        removed=("data-uri",),
    ),
    "m02-inline-cid-image.eml": Expect(
        "Inline screenshot",
        ("please.",),
        ("https://t.me/room/52",),
        ("https://t.me/room/52",),
        removed=("attachment",),
    ),
    "m03-pasted-base64-in-text.eml": Expect(
        "Pasted picture",
        ("and this picture:", "Thanks"),
        ("https://t.me/room/53",),
        ("https://t.me/room/53",),
        removed=("base64-run",),
    ),
    "m04-uuencoded.eml": Expect(
        "Old mailer",
        ("Remove",),
        ("https://t.me/room/54",),
        ("https://t.me/room/54",),
        removed=("uuencoded",),
    ),
    # A reporter's subject that reads like an auto-reply, sent through a list: still filed.
    "a01-vacation-subject-bulk.eml": Expect(
        "Vacation photos leaked: please remove",
        ("Leaked at",),
        ("https://t.me/room/61",),
        ("https://t.me/room/61",),
        auto="auto_reply",
    ),
}


def wild(name: str) -> bytes:
    return (WILD / name).read_bytes()


def database_bytes() -> bytes:
    """Every value of every row of every table, as bytes: what a grep of the database sees.

    Read with SQL from the database's own table list, not through the models, so tables
    without a model (many-to-many links, Django's own) are searched too. PostgreSQL casts
    each whole row to text (binary columns come out as hex); SQLite's values are read as
    stored (binary as bytes)."""
    connection = connections["default"]
    chunks: list[bytes] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            name = connection.ops.quote_name(table)
            if connection.vendor == "postgresql":
                cursor.execute(f"SELECT t::text FROM {name} t")  # noqa: S608 (introspected)
            else:
                cursor.execute(f"SELECT * FROM {name}")  # noqa: S608 (introspected)
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, memoryview | bytes):
                        chunks.append(bytes(value))
                    elif value is not None:
                        chunks.append(str(value).encode("utf-8", errors="replace"))
    return b"\n".join(chunks)


def assert_no_media_stored() -> None:
    """Neither the marker every test image carries, nor any line of an image's base64."""
    dump = database_bytes()
    assert MEDIA_MARKER not in dump
    flat = dump.replace(b"\r", b"").replace(b"\n", b"")
    assert b"iVBORw0KGgo" not in flat  # the base64 of every PNG's signature
    assert b"/9j/" not in flat  # the base64 of every JPEG's signature
