"""PURE: what a victim reference may be. A pseudonym the centre chooses, never personal data.

A reference is 1-64 characters of A-Z, 0-9, `.`, `_` and `-`, stored in capitals (`v-12` and
`V-12` are the same victim). Anything that looks like an email address, a phone number or a
Korean resident registration number is refused with a message saying so (decision 21).
"""

import re

MAX_VICTIM_REFERENCE = 64
EXAMPLE = "V-2024-0012"
_ALLOWED = re.compile(r"[A-Z0-9][A-Z0-9._-]*")
# A Korean mobile number anywhere in the reference: 010-1234-5678, 01012345678, 011.123.4567.
_MOBILE = re.compile(r"(?<!\d)01[016789][-.]?\d{3,4}[-.]?\d{4}(?!\d)")
# A resident registration number: YYMMDD-SNNNNNN (the hyphen optional).
_RRN = re.compile(r"(?<!\d)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])-?[1-8]\d{6}(?!\d)")
# Only digits and separators, 9 or more digits, an optional leading +: a phone number.
_PHONE = re.compile(r"\+?[\d ().-]+")
_NEVER = f"use the centre's pseudonymous reference (such as {EXAMPLE}), never personal data"


class BadVictimReference(ValueError):
    """Why a reference cannot be used; the message names the rule, for a 422."""


def victim_reference_clean(raw: str | None) -> str | None:
    """The reference as stored (stripped, in capitals), None for none, or BadVictimReference."""
    if raw is None or not raw.strip():
        return None
    text = raw.strip()
    if len(text) > MAX_VICTIM_REFERENCE:
        raise BadVictimReference(
            f"victim_reference is at most {MAX_VICTIM_REFERENCE} characters; {_NEVER}"
        )
    if "@" in text:
        raise BadVictimReference(f"victim_reference looks like an email address; {_NEVER}")
    if _RRN.search(text):
        raise BadVictimReference(
            f"victim_reference looks like a resident registration number; {_NEVER}"
        )
    digits = sum(c.isdigit() for c in text)
    if _MOBILE.search(text) or (_PHONE.fullmatch(text) and digits >= 9):
        raise BadVictimReference(f"victim_reference looks like a phone number; {_NEVER}")
    upper = text.upper()
    if not _ALLOWED.fullmatch(upper) or not upper.isascii():
        raise BadVictimReference(
            "victim_reference may hold only letters A-Z, digits and . _ - and must start with "
            f"a letter or digit (no spaces, no names); {_NEVER}"
        )
    return upper
