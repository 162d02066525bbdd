"""Fonts for PDF reports, embedded so every reader lays text out with the widths we measured.

A CID font that is not embedded (reportlab's HYSMyeongJo) leaves the reader to substitute a
font of its own, whose Latin glyphs are narrower or wider than the widths reportlab used, so
Latin text came out mis-spaced. Latin runs now use an embedded TrueType font and Korean
(Hangul and CJK) runs an embedded Korean TrueType font, each chosen per run of text.
"""

import re
from pathlib import Path
from xml.sax.saxutils import escape

import reportlab
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont

LATIN = "HotlineLatin"
KOREAN = "HotlineKorean"
# DejaVu Sans where Debian's fonts-dejavu-core is installed; reportlab's own Vera otherwise.
LATIN_CANDIDATES = [
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path(reportlab.__file__).parent / "fonts" / "Vera.ttf",
]
# Debian's fonts-nanum (scripts/ensure-chromium.sh installs it); TrueType, so reportlab embeds it.
KOREAN_CANDIDATES = [
    Path("/usr/share/fonts/truetype/nanum/NanumGothic.ttf"),
    Path("/usr/share/fonts/truetype/nanum/NanumBarunGothic.ttf"),
]
# Only when no Korean TrueType font is installed: readers supply it, so it is not embedded.
CID_FALLBACK = "HYSMyeongJo-Medium"

# Hangul syllables and jamo, CJK ideographs and punctuation, full-width forms.
_KOREAN_RUN = re.compile(
    "([\u1100-\u11ff\u3000-\u303f\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff"
    "\uac00-\ud7af\uff00-\uffef]+)"
)


def _first(paths: list[Path]) -> Path | None:
    return next((p for p in paths if p.is_file()), None)


def register() -> tuple[str, bool]:
    """Register both fonts once; returns the Korean font's name and whether it is embedded."""
    if LATIN not in pdfmetrics.getRegisteredFontNames():
        latin = _first(LATIN_CANDIDATES)
        if latin is None:  # reportlab always ships Vera.ttf; a broken install must be loud
            raise RuntimeError("no Latin TrueType font found for PDF reports")
        pdfmetrics.registerFont(TTFont(LATIN, str(latin)))
    korean = _first(KOREAN_CANDIDATES)
    if korean is None:
        if CID_FALLBACK not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(UnicodeCIDFont(CID_FALLBACK))
        return CID_FALLBACK, False
    if KOREAN not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(KOREAN, str(korean)))
    return KOREAN, True


def marked_up(text: str, korean_font: str) -> str:
    """Paragraph markup for plain text: escaped, with Korean runs set in the Korean font."""
    parts = _KOREAN_RUN.split(text)
    return "".join(
        f'<font name="{korean_font}">{escape(part)}</font>' if index % 2 else escape(part)
        for index, part in enumerate(parts)
        if part
    )
