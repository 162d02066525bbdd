"""PURE: turning a mail's text bytes into text when its charset label may lie.

Korean mail is often mislabelled: CP949 (UHC) text labelled euc-kr or ks_c_5601-1987, UTF-8
labelled euc-kr and the reverse, raw 8-bit text labelled us-ascii or not labelled at all. The
rules, in order (docs/email-hotline.md, "Charsets"):

1. ISO-2022-KR's designator escape anywhere: ISO-2022-KR, whatever the label says (its bytes
   are 7-bit and would otherwise pass for ASCII, escapes and all).
2. Plain ASCII: ASCII.
3. Valid UTF-8 with multi-byte sequences: UTF-8, whatever the label says. CP949 text is
   almost never valid UTF-8, so this only ever corrects a label.
4. The label, read as its superset (every EUC-KR label as CP949, which is what Windows and
   most Korean webmail actually send), when it decodes strictly and is a multi-byte charset.
5. CP949 when it decodes strictly and reads as Korean (mostly Hangul syllables): the common
   case of Korean bytes under a Latin or missing label.
6. A single-byte label other than ASCII (Latin-1, KOI8-R): believed, since it reads any bytes.
7. No label, an unknown one, ASCII over 8-bit bytes, or a multi-byte label that does not fit:
   charset-normalizer's best guess, else UTF-8 with replacement characters; never an error.
"""

import codecs
import re
from functools import cache

from charset_normalizer import from_bytes

_ISO_2022_KR_DESIGNATOR = b"\x1b$)C"
# Labels of EUC-KR and its relatives, all read as CP949 (a superset of EUC-KR).
_KOREAN_LABELS = {"euc_kr", "cp949", "johab"}
_LABEL_ALIASES = {"x-windows-949": "cp949", "windows-949": "cp949", "ks_c_5601": "cp949"}
_HANGUL = re.compile("[\uac00-\ud7a3\u3131-\u318e]")
_NON_ASCII = re.compile("[^\x00-\x7f]")
# At least this share of a CP949 reading's non-ASCII characters must be Hangul to be believed.
_KOREAN_SHARE = 0.8


def codec_for(label: str | None) -> str | None:
    """The Python codec a charset label names (EUC-KR labels as CP949), or None if unknown."""
    if not label:
        return None
    name = label.strip().strip("\"'").lower()
    name = _LABEL_ALIASES.get(name, name)
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return None
    return "cp949" if codec in _KOREAN_LABELS else codec


def _strict(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


@cache
def _multibyte(codec: str) -> bool:
    """Whether a strict decode can fail: a single-byte charset (Latin-1) reads any bytes."""
    if codec.startswith("utf"):
        return True
    high = bytes(range(0x80, 0x100))
    try:
        return len(high.decode(codec, errors="replace")) != len(high)
    except LookupError:
        return False


def _reads_as_korean(text: str) -> bool:
    non_ascii = _NON_ASCII.findall(text)
    if not non_ascii:
        return False
    return sum(1 for c in non_ascii if _HANGUL.match(c)) >= _KOREAN_SHARE * len(non_ascii)


def decode_text(data: bytes, label: str | None = None) -> str:
    """Text from bytes, by the rules above; never raises."""
    if _ISO_2022_KR_DESIGNATOR in data:
        text = _strict(data, "iso2022_kr")
        if text is not None:
            return text
    if data.isascii():
        return data.decode("ascii")
    text = _strict(data, "utf-8")
    if text is not None:
        return text
    codec = codec_for(label)
    if codec is not None and _multibyte(codec):
        text = _strict(data, codec)
        if text is not None:
            return text
    text = _strict(data, "cp949")
    if text is not None and _reads_as_korean(text):
        return text
    if codec is not None and codec != "ascii" and not _multibyte(codec):
        # A Latin (single-byte) label, and the bytes are not Korean: believed.
        return data.decode(codec, errors="replace")
    guess = from_bytes(data).best()
    if guess is not None:
        return str(guess)
    return data.decode(codec or "utf-8", errors="replace")
