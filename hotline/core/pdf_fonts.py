"""A TrueType font with Korean and Latin glyphs, embedded (subset) in every PDF that uses it.

reportlab's built-in CID fonts are not embedded: a reader without them substitutes another
font and Latin text comes out mis-spaced. HOTLINE_PDF_FONT_FILE names the font; by default
Debian's fonts-nanum (NanumGothic), which scripts/ensure-chromium.sh installs.
"""

import functools
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

FONT_NAME = "HotlineSans"
DEFAULT_FONT_FILES = (
    "/usr/share/fonts/truetype/nanum/NanumGothic.ttf",
    "/usr/share/fonts/truetype/nanum/NanumBarunGothic.ttf",
)


def font_file() -> Path:
    configured = str(getattr(settings, "HOTLINE_PDF_FONT_FILE", "") or "")
    candidates = [configured] if configured else list(DEFAULT_FONT_FILES)
    for candidate in candidates:
        if Path(candidate).is_file():
            return Path(candidate)
    raise ImproperlyConfigured(
        f"no font for PDFs at {', '.join(candidates)}: install Debian's fonts-nanum "
        "(apt-get install fonts-nanum) or set HOTLINE_PDF_FONT_FILE to a TrueType font with "
        "Korean glyphs"
    )


@functools.cache
def _registered(path: str) -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont(FONT_NAME, path))
    return FONT_NAME


def embedded_font() -> str:
    """The font's reportlab name, registered once per process."""
    return _registered(str(font_file()))
