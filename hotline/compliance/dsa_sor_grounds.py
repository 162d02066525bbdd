"""PURE: the fixed texts of a statement of reasons: legal ground, explanation, category words.

Fixed sentences only, never text a person typed, so no statement can carry personal data.
The legal ground is the law the notice relied on, chosen by the requester's jurisdiction; the
platform reviews it before submitting (docs/dsa-export.md).
"""

# EuropeanCountriesService::EUROPEAN_COUNTRY_CODES (the EEA) and ::EUROPEAN_UNION_COUNTRY_CODES
# at the rules version in dsa_sor.RULES_VERSION. Greece is "GR", as in ISO 3166.
EEA_COUNTRY_CODES = (
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE",
    "IS", "IT", "LI", "LT", "LU", "LV", "MT", "NL", "NO", "PL", "PT", "RO", "SE", "SI", "SK",
)  # fmt: skip
EU_COUNTRY_CODES = tuple(c for c in EEA_COUNTRY_CODES if c not in {"IS", "LI", "NO"})

# hotline category → the words a statement uses for it.
CATEGORY_WORDS = {
    "sexual_deepfake": "a sexual deepfake of an adult",
    "non_consensual_intimate_image": "intimate imagery of an adult shared without consent",
    "minor_sexual_deepfake": "a sexual deepfake depicting a minor",
    "child_sexual_abuse_material": "child sexual abuse material",
}

_WHY = {
    "sexual_deepfake": (
        "The notice identified sexually explicit synthetic (deepfake) material showing a real, "
        "identifiable adult, made or shared without that person's consent."
    ),
    "non_consensual_intimate_image": (
        "The notice identified intimate images of a real, identifiable adult, shared without "
        "that person's consent."
    ),
    "minor_sexual_deepfake": (
        "The notice identified sexually explicit synthetic (deepfake) material depicting a minor."
    ),
    "child_sexual_abuse_material": "The notice identified child sexual abuse material.",
}
_NOT_REPEATED = (
    " The notifier's own explanation is not repeated here, because it may identify the person "
    "depicted."
)

_MINOR = frozenset({"minor_sexual_deepfake", "child_sexual_abuse_material"})
_DEEPFAKE = frozenset({"sexual_deepfake", "minor_sexual_deepfake"})

# (jurisdiction, concerns a minor, is a deepfake) → the law relied on; None matches either.
_GROUNDS: list[tuple[str, bool, bool | None, str]] = [
    (
        "KR", False, True,
        "Republic of Korea, Act on Special Cases Concerning the Punishment of Sexual Crimes, "
        "Article 14-2 (false video material)",
    ),
    (
        "KR", False, False,
        "Republic of Korea, Act on Special Cases Concerning the Punishment of Sexual Crimes, "
        "Article 14 (filming and distributing intimate images without consent)",
    ),
    (
        "KR", True, None,
        "Republic of Korea, Act on the Protection of Children and Youth against Sex Offenses, "
        "Article 11 (sexual exploitation material of children and youth)",
    ),
    (
        "US", False, None,
        "United States, 47 U.S.C. 223(h) and 223a (TAKE IT DOWN Act: non-consensual intimate "
        "visual depictions, including digital forgeries)",
    ),
    (
        "US", True, None,
        "United States, 18 U.S.C. 2252A (child sexual abuse material) and 47 U.S.C. 223a "
        "(TAKE IT DOWN Act)",
    ),
]  # fmt: skip


def legal_ground(jurisdiction: str, category: str) -> str:
    """illegal_content_legal_ground (at most 500 characters)."""
    minor, deepfake = category in _MINOR, category in _DEEPFAKE
    for where, for_minor, for_deepfake, text in _GROUNDS:
        if where == jurisdiction and for_minor == minor and for_deepfake in (None, deepfake):
            return text
    if jurisdiction in EU_COUNTRY_CODES:
        if minor:
            return (
                f"Directive 2011/93/EU, Article 5 (child sexual abuse material), as transposed "
                f"in the law of {jurisdiction}"
            )
        return (
            f"Directive (EU) 2024/1385, Article 5 (non-consensual sharing of intimate or "
            f"manipulated material), as transposed in the law of {jurisdiction}"
        )
    subject = "child sexual abuse material" if minor else "non-consensual intimate imagery"
    return f"The law of {jurisdiction} on {subject}, as relied on in the notice"


def why_illegal(category: str) -> str:
    """illegal_content_explanation (at most 2,000 characters)."""
    return _WHY[category] + _NOT_REPEATED
