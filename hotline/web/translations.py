"""Keeping the Korean catalogue complete without GNU gettext: extract, update, compile (polib).

The extractor understands the forms this app uses: the underscore call in Python and templates,
`{% translate "…" %}`, and one-line `{% blocktranslate %}…{{ var }}…{% endblocktranslate %}`.
"""

import re
from pathlib import Path

import polib

WEB_DIR = Path(__file__).resolve().parent
PO_PATH = WEB_DIR.parent / "locale" / "ko" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")
# Pages outside the web app that people see: the 503 page shown while the database is down.
CORE_TEMPLATES_DIR = WEB_DIR.parent / "core" / "templates"

_STRING = r'"((?:[^"\\]|\\.)*)"|\'((?:[^\'\\]|\\.)*)\''
_CALL = re.compile(r"\b_\(\s*(?:" + _STRING + r")\s*\)")
_TRANSLATE = re.compile(r"{%\s*(?:translate|trans)\s+(?:" + _STRING + r")\s*(?:as \w+\s*)?%}")
_BLOCK = re.compile(r"{%\s*blocktranslate\b[^%]*%}(.*?){%\s*endblocktranslate\s*%}", re.S)
_VARIABLE = re.compile(r"{{\s*(\w+)\s*}}")


def _unescape(text: str) -> str:
    return text.replace('\\"', '"').replace("\\'", "'")


def msgids_in(text: str, *, template: bool) -> set[str]:
    found = {_unescape(a or b) for a, b in _CALL.findall(text)}
    if template:
        found |= {_unescape(a or b) for a, b in _TRANSLATE.findall(text)}
        found |= {_VARIABLE.sub(r"%(\1)s", body) for body in _BLOCK.findall(text)}
    return found


def source_msgids() -> set[str]:
    """Every string the web app (and the core pages people see) marks for translation."""
    ids: set[str] = set()
    for path in [*WEB_DIR.rglob("*.html"), *CORE_TEMPLATES_DIR.rglob("*.html")]:
        ids |= msgids_in(path.read_text(encoding="utf-8"), template=True)
    for path in WEB_DIR.rglob("*.py"):
        ids |= msgids_in(path.read_text(encoding="utf-8"), template=False)
    return {i for i in ids if i.strip()}


def catalogue() -> polib.POFile:
    return polib.pofile(str(PO_PATH)) if PO_PATH.exists() else _new_catalogue()


def _new_catalogue() -> polib.POFile:
    po = polib.POFile()
    po.metadata = {
        "Project-Id-Version": "hotline",
        "Language": "ko",
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "Plural-Forms": "nplurals=1; plural=0;",
    }
    return po


def untranslated() -> list[str]:
    """Marked strings the Korean catalogue lacks or leaves empty."""
    translated = {e.msgid for e in catalogue() if e.msgstr.strip() and not e.obsolete}
    return sorted(source_msgids() - translated)


def update() -> int:
    """Add every missing msgid (empty msgstr) so a translator can fill it; returns how many."""
    po = catalogue()
    known = {e.msgid for e in po}
    missing = sorted(source_msgids() - known)
    for msgid in missing:
        po.append(polib.POEntry(msgid=msgid, msgstr=""))
    PO_PATH.parent.mkdir(parents=True, exist_ok=True)
    po.save(str(PO_PATH))
    return len(missing)


def compile_catalogue() -> None:
    catalogue().save_as_mofile(str(MO_PATH))


def mo_matches_po() -> bool:
    """The committed .mo holds exactly the .po's translations."""
    po = {e.msgid: e.msgstr for e in catalogue() if e.msgstr and not e.obsolete}
    mo = {e.msgid: e.msgstr for e in polib.mofile(str(MO_PATH)) if e.msgid}
    return po == mo
