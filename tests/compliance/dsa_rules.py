"""The DSA Transparency Database's submission rules, written independently of hotline's builder.

Transcribed from digital-services-act/transparency-database at commit 69e80a0b (2026-06-24):

- app/Services/GroupedSubmissionsService.php, `multi_rules()`: the per-statement rules of the
  bulk endpoint `POST /api/v1/statements` (the same as app/Http/Requests/StatementStoreRequest
  `rules()` for a single statement, except that the bulk path keeps `source_identity` for
  SOURCE_VOLUNTARY and blanks it afterwards);
- app/Http/Controllers/Api/v1/StatementMultipleAPIController.php: `statements` is
  `required|array|between:1,100`;
- app/Services/PlatformUniqueIdService.php: a puid twice in one call, or one the platform
  already used, makes the whole call fail with 422 and nothing is stored;
- app/Models/Statement.php: the enum keys; app/Services/EuropeanCountriesService.php and
  EuropeanLanguagesService.php: the country and language codes.

Laravel's semantics are followed: `required` fails on a missing key, null, "" or []; a
`nullable` null passes; other rules skip an absent key; `in` on an array checks every element;
`exclude_unless` drops the key. Two things are stricter than Laravel, on purpose: a key the
rules do not know, or one they would exclude, is an error (the database would silently drop
it, so hotline would believe it said something it did not), and text must be a JSON string.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

# fmt: off
DECISION_VISIBILITIES = (
    "DECISION_VISIBILITY_CONTENT_REMOVED", "DECISION_VISIBILITY_CONTENT_DISABLED",
    "DECISION_VISIBILITY_CONTENT_DEMOTED", "DECISION_VISIBILITY_CONTENT_AGE_RESTRICTED",
    "DECISION_VISIBILITY_CONTENT_INTERACTION_RESTRICTED", "DECISION_VISIBILITY_CONTENT_LABELLED",
    "DECISION_VISIBILITY_OTHER",
)
DECISION_MONETARIES = (
    "DECISION_MONETARY_SUSPENSION", "DECISION_MONETARY_TERMINATION", "DECISION_MONETARY_OTHER",
)
DECISION_PROVISIONS = (
    "DECISION_PROVISION_PARTIAL_SUSPENSION", "DECISION_PROVISION_TOTAL_SUSPENSION",
    "DECISION_PROVISION_PARTIAL_TERMINATION", "DECISION_PROVISION_TOTAL_TERMINATION",
)
DECISION_ACCOUNTS = ("DECISION_ACCOUNT_SUSPENDED", "DECISION_ACCOUNT_TERMINATED")
ACCOUNT_TYPES = ("ACCOUNT_TYPE_BUSINESS", "ACCOUNT_TYPE_PRIVATE")
KEYWORDS = (
    "KEYWORD_ADULT_SEXUAL_MATERIAL", "KEYWORD_AGE_SPECIFIC_RESTRICTIONS",
    "KEYWORD_AGE_SPECIFIC_RESTRICTIONS_MINORS", "KEYWORD_ANIMAL_HARM",
    "KEYWORD_BIOMETRIC_DATA_BREACH", "KEYWORD_BULLYING_AGAINST_GIRLS",
    "KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL", "KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL_DEEPFAKE",
    "KEYWORD_CONTENT_PROMOTING_EATING_DISORDERS", "KEYWORD_COORDINATED_HARM",
    "KEYWORD_COPYRIGHT_INFRINGEMENT", "KEYWORD_CYBER_BULLYING_INTIMIDATION",
    "KEYWORD_CYBER_HARASSMENT", "KEYWORD_CYBER_HARASSMENT_AGAINST_WOMEN",
    "KEYWORD_CYBER_INCITEMENT", "KEYWORD_CYBER_STALKING", "KEYWORD_CYBER_STALKING_AGAINST_WOMEN",
    "KEYWORD_DATA_FALSIFICATION", "KEYWORD_DEFAMATION", "KEYWORD_DESIGN_INFRINGEMENT",
    "KEYWORD_DISCRIMINATION", "KEYWORD_FEMALE_GENDERED_DISINFORMATION",
    "KEYWORD_GEOGRAPHIC_INDICATIONS_INFRINGEMENT", "KEYWORD_GEOGRAPHICAL_REQUIREMENTS",
    "KEYWORD_GOODS_SERVICES_NOT_PERMITTED", "KEYWORD_GROOMING_SEXUAL_ENTICEMENT_MINORS",
    "KEYWORD_HATE_SPEECH", "KEYWORD_HIDDEN_ADVERTISEMENT", "KEYWORD_HUMAN_EXPLOITATION",
    "KEYWORD_HUMAN_TRAFFICKING", "KEYWORD_ILLEGAL_ORGANIZATIONS",
    "KEYWORD_IMPERSONATION_ACCOUNT_HIJACKING", "KEYWORD_INAUTHENTIC_ACCOUNTS",
    "KEYWORD_INAUTHENTIC_LISTINGS", "KEYWORD_INAUTHENTIC_USER_REVIEWS",
    "KEYWORD_INCITEMENT_AGAINST_WOMEN", "KEYWORD_INCITEMENT_VIOLENCE_HATRED",
    "KEYWORD_INSUFFICIENT_INFORMATION_ON_TRADERS", "KEYWORD_LANGUAGE_REQUIREMENTS",
    "KEYWORD_MISINFORMATION_DISINFORMATION", "KEYWORD_MISLEADING_INFO_CONSUMER_RIGHTS",
    "KEYWORD_MISLEADING_INFO_GOODS_SERVICES", "KEYWORD_MISSING_PROCESSING_GROUND",
    "KEYWORD_NON_CONSENSUAL_IMAGE_SHARING", "KEYWORD_NON_CONSENSUAL_IMAGE_SHARING_AGAINST_WOMEN",
    "KEYWORD_NON_CONSENSUAL_MATERIAL_DEEPFAKE",
    "KEYWORD_NON_CONSENSUAL_MATERIAL_DEEPFAKE_AGAINST_WOMEN", "KEYWORD_NONCOMPLIANCE_PRICING",
    "KEYWORD_NUDITY", "KEYWORD_PATENT_INFRINGEMENT", "KEYWORD_PHISHING",
    "KEYWORD_PROHIBITED_PRODUCTS", "KEYWORD_PYRAMID_SCHEMES", "KEYWORD_RIGHT_TO_BE_FORGOTTEN",
    "KEYWORD_RISK_ENVIRONMENTAL_DAMAGE", "KEYWORD_RISK_PUBLIC_HEALTH", "KEYWORD_SELF_MUTILATION",
    "KEYWORD_STALKING", "KEYWORD_SUICIDE", "KEYWORD_TERRORIST_CONTENT",
    "KEYWORD_TRADE_SECRET_INFRINGEMENT", "KEYWORD_TRADEMARK_INFRINGEMENT",
    "KEYWORD_TRAFFICKING_WOMEN_GIRLS", "KEYWORD_UNLAWFUL_SALE_ANIMALS", "KEYWORD_UNSAFE_CHALLENGES",
    "KEYWORD_UNSAFE_PRODUCTS", "KEYWORD_VIOLATION_EU_LAW", "KEYWORD_VIOLATION_NATIONAL_LAW",
    "KEYWORD_OTHER",
)
DECISION_GROUNDS = ("DECISION_GROUND_ILLEGAL_CONTENT", "DECISION_GROUND_INCOMPATIBLE_CONTENT")
YES_NO = ("Yes", "No")  # INCOMPATIBLE_CONTENT_ILLEGALS and AUTOMATED_DETECTIONS
CONTENT_TYPES = (
    "CONTENT_TYPE_APP", "CONTENT_TYPE_AUDIO", "CONTENT_TYPE_IMAGE", "CONTENT_TYPE_PRODUCT",
    "CONTENT_TYPE_SYNTHETIC_MEDIA", "CONTENT_TYPE_TEXT", "CONTENT_TYPE_VIDEO",
    "CONTENT_TYPE_OTHER",
)
STATEMENT_CATEGORIES = (
    "STATEMENT_CATEGORY_ANIMAL_WELFARE", "STATEMENT_CATEGORY_CONSUMER_INFORMATION",
    "STATEMENT_CATEGORY_CYBER_VIOLENCE", "STATEMENT_CATEGORY_CYBER_VIOLENCE_AGAINST_WOMEN",
    "STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS",
    "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH",
    "STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS",
    "STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS",
    "STATEMENT_CATEGORY_NOT_SPECIFIED_NOTICE", "STATEMENT_CATEGORY_OTHER_VIOLATION_TC",
    "STATEMENT_CATEGORY_PROTECTION_OF_MINORS", "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY",
    "STATEMENT_CATEGORY_SCAMS_AND_FRAUD", "STATEMENT_CATEGORY_SELF_HARM",
    "STATEMENT_CATEGORY_UNSAFE_AND_PROHIBITED_PRODUCTS", "STATEMENT_CATEGORY_VIOLENCE",
)
SOURCE_TYPES = (
    "SOURCE_ARTICLE_16", "SOURCE_TRUSTED_FLAGGER", "SOURCE_TYPE_OTHER_NOTIFICATION",
    "SOURCE_VOLUNTARY",
)
AUTOMATED_DECISIONS = (
    "AUTOMATED_DECISION_FULLY", "AUTOMATED_DECISION_PARTIALLY", "AUTOMATED_DECISION_NOT_AUTOMATED",
)
EUROPEAN_COUNTRY_CODES = (
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE",
    "IS", "IT", "LI", "LT", "LU", "LV", "MT", "NL", "NO", "PL", "PT", "RO", "SE", "SI", "SK",
)
_LANGUAGES = (
    "AB AA AF AK SQ AM AR AN HY AS AV AE AY AZ BM BA EU BE BN BH BI BS BR BG MY CA KM CH CE NY ZH "
    "CU CV KW CO CR HR CS DA DV NL DZ EN EO ET EE FO FJ FI FR FF GD GL LG KA DE KI EL KL GN GU HT "
    "HA HE HZ HI HO HU IS IO IG ID IA IE IU IK GA IT JA JV KN KR KS KK RW KV KG KO KJ KU KY LO LA "
    "LV LB LI LN LT LU MK MG MS ML MT GV MI MR MH RO MN NA NV ND NG NE SE NO NB NN II OC OJ OR OM "
    "OS PI PA PS FA PL PT QU RM RN RU SM SG SA SC SR SN SD SI SK SL SO ST NR ES SU SW SS SV TL TY "
    "TG TA TT TE TH BO TI TO TS TN TR TK TW UG UK UR UZ VE VI VO WA CY FY WO XH YI YO ZA ZU"
)
# fmt: on
ALL_LANGUAGES = tuple(_LANGUAGES.split())

MAX_STATEMENTS_PER_CALL = 100
PUID = re.compile(r"[a-zA-Z0-9\-_]+")  # /^[a-zA-Z0-9-_]+$/D
DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # date_format:Y-m-d
EAN13 = re.compile(r"[0-9]{13}")
URL = re.compile(r"https?://[^\s/?#]+\.[^\s/?#]+[^\s]*", re.IGNORECASE)

Statement = dict[str, Any]
Check = Callable[[Statement, str], str | None]


def _absent(value: Any) -> bool:
    """What Laravel's `required` refuses: null, a blank string, an empty array."""
    return value is None or (isinstance(value, str) and not value.strip()) or value == []


# --- one rule each; a check returns a message, or None when the value passes -----------------


def required(s: Statement, key: str) -> str | None:
    return "is required" if _absent(s.get(key)) else None


def required_without_all(*others: str) -> Check:
    def check(s: Statement, key: str) -> str | None:
        if _absent(s.get(key)) and all(_absent(s.get(o)) for o in others):
            return f"is required when none of {', '.join(others)} is present"
        return None

    return check


def required_if(other: str, value: str) -> Check:
    def check(s: Statement, key: str) -> str | None:
        if s.get(other) == value and _absent(s.get(key)):
            return f"is required when {other} is {value}"
        return None

    return check


def required_when_listed(other: str, value: str) -> Check:
    """Rule::requiredIf(in_array(value, other)) for the *_other companions of arrays."""

    def check(s: Statement, key: str) -> str | None:
        listed = s.get(other)
        if isinstance(listed, list) and value in listed and _absent(s.get(key)):
            return f"is required when {other} contains {value}"
        return None

    return check


def is_list(s: Statement, key: str) -> str | None:
    return None if isinstance(s[key], list) else "must be an array"


def one_of(allowed: tuple[str, ...]) -> Check:
    def check(s: Statement, key: str) -> str | None:
        value = s[key]
        values = value if isinstance(value, list) else [value]
        wrong = [v for v in values if not isinstance(v, str) or v not in allowed]
        return f"has values outside its list: {wrong!r}" if wrong else None

    return check


def max_chars(limit: int) -> Check:
    def check(s: Statement, key: str) -> str | None:
        value = s[key]
        if not isinstance(value, str):
            return "must be a string"
        return f"is longer than {limit} characters" if len(value) > limit else None

    return check


def day_between(first: str, last: str | None) -> Check:
    def check(s: Statement, key: str) -> str | None:
        value = s[key]
        if not isinstance(value, str) or not DATE.fullmatch(value):
            return "does not match the format YYYY-MM-DD"
        try:
            day = date.fromisoformat(value)
        except ValueError:
            return "is not a date"
        if day < date.fromisoformat(first):
            return f"must be on or after {first}"
        if last is not None and day > date.fromisoformat(last):
            return f"must be on or before {last}"
        return None

    return check


def matches(pattern: re.Pattern[str], what: str) -> Check:
    def check(s: Statement, key: str) -> str | None:
        value = s[key]
        ok = isinstance(value, str) and pattern.fullmatch(value)
        return None if ok else f"is not {what}"

    return check


@dataclass(frozen=True)
class Rule:
    checks: tuple[Check, ...]
    nullable: bool = False
    # Laravel's implicit rules run even when the key is absent.
    implicit: tuple[Check, ...] = ()
    excluded_unless: Callable[[Statement], bool] | None = None


def _ground_is(ground: str) -> Callable[[Statement], bool]:
    return lambda s: s.get("decision_ground") == ground


def _listed(key: str, value: str) -> Callable[[Statement], bool]:
    return lambda s: isinstance(s.get(key), list) and value in s[key]


ILLEGAL = "DECISION_GROUND_ILLEGAL_CONTENT"
INCOMPATIBLE = "DECISION_GROUND_INCOMPATIBLE_CONTENT"
END_DATE = Rule((day_between("0001-01-01", "2038-01-01"),), nullable=True)

RULES: dict[str, Rule] = {
    "decision_visibility": Rule(
        (is_list, one_of(DECISION_VISIBILITIES)),
        nullable=True,
        implicit=(
            required_without_all("decision_monetary", "decision_provision", "decision_account"),
        ),
    ),
    "decision_visibility_other": Rule(
        (max_chars(500),),
        implicit=(required_when_listed("decision_visibility", "DECISION_VISIBILITY_OTHER"),),
        excluded_unless=_listed("decision_visibility", "DECISION_VISIBILITY_OTHER"),
    ),
    "decision_monetary": Rule(
        (one_of(DECISION_MONETARIES),),
        nullable=True,
        implicit=(
            required_without_all("decision_visibility", "decision_provision", "decision_account"),
        ),
    ),
    "decision_monetary_other": Rule(
        (max_chars(500),),
        implicit=(required_if("decision_monetary", "DECISION_MONETARY_OTHER"),),
        excluded_unless=lambda s: s.get("decision_monetary") == "DECISION_MONETARY_OTHER",
    ),
    "decision_provision": Rule(
        (one_of(DECISION_PROVISIONS),),
        nullable=True,
        implicit=(
            required_without_all("decision_visibility", "decision_monetary", "decision_account"),
        ),
    ),
    "decision_account": Rule(
        (one_of(DECISION_ACCOUNTS),),
        nullable=True,
        implicit=(
            required_without_all("decision_visibility", "decision_monetary", "decision_provision"),
        ),
    ),
    "account_type": Rule((one_of(ACCOUNT_TYPES),), nullable=True),
    "category_specification": Rule((is_list, one_of(KEYWORDS)), nullable=True),
    "category_specification_other": Rule((max_chars(500),)),
    "decision_ground": Rule((one_of(DECISION_GROUNDS),), implicit=(required,)),
    "decision_ground_reference_url": Rule((matches(URL, "a URL"), max_chars(500)), nullable=True),
    "illegal_content_legal_ground": Rule(
        (max_chars(500),),
        implicit=(required_if("decision_ground", ILLEGAL),),
        excluded_unless=_ground_is(ILLEGAL),
    ),
    "illegal_content_explanation": Rule(
        (max_chars(2000),),
        implicit=(required_if("decision_ground", ILLEGAL),),
        excluded_unless=_ground_is(ILLEGAL),
    ),
    "incompatible_content_ground": Rule(
        (max_chars(500),),
        implicit=(required_if("decision_ground", INCOMPATIBLE),),
        excluded_unless=_ground_is(INCOMPATIBLE),
    ),
    "incompatible_content_explanation": Rule(
        (max_chars(2000),),
        implicit=(required_if("decision_ground", INCOMPATIBLE),),
        excluded_unless=_ground_is(INCOMPATIBLE),
    ),
    "incompatible_content_illegal": Rule(
        (one_of(YES_NO),), excluded_unless=_ground_is(INCOMPATIBLE)
    ),
    "content_type": Rule((is_list, one_of(CONTENT_TYPES)), implicit=(required,)),
    "content_type_other": Rule(
        (max_chars(500),),
        implicit=(required_when_listed("content_type", "CONTENT_TYPE_OTHER"),),
        excluded_unless=_listed("content_type", "CONTENT_TYPE_OTHER"),
    ),
    "category": Rule((one_of(STATEMENT_CATEGORIES),), implicit=(required,)),
    "category_addition": Rule((is_list, one_of(STATEMENT_CATEGORIES))),
    "territorial_scope": Rule((is_list, one_of(EUROPEAN_COUNTRY_CODES)), nullable=True),
    "content_language": Rule((one_of(ALL_LANGUAGES),), nullable=True),
    "content_date": Rule((day_between("2000-01-01", "2038-01-01"),), implicit=(required,)),
    "application_date": Rule((day_between("2020-01-01", "2038-01-01"),), implicit=(required,)),
    "end_date_account_restriction": END_DATE,
    "end_date_monetary_restriction": END_DATE,
    "end_date_service_restriction": END_DATE,
    "end_date_visibility_restriction": END_DATE,
    "decision_facts": Rule((max_chars(5000),), implicit=(required,)),
    "source_type": Rule((one_of(SOURCE_TYPES),), implicit=(required,)),
    "source_identity": Rule((max_chars(500),), nullable=True),
    "automated_detection": Rule((one_of(YES_NO),), implicit=(required,)),
    "automated_decision": Rule((one_of(AUTOMATED_DECISIONS),), implicit=(required,)),
    "puid": Rule(
        (max_chars(500), matches(PUID, "made of a-z, A-Z, 0-9, - and _ only")),
        implicit=(required,),
    ),
    "content_id": Rule((lambda s, k: None if isinstance(s[k], dict) else "must be an object",)),
}

# The fields the database requires of every statement, whatever else it says.
ALWAYS_REQUIRED = tuple(k for k, r in RULES.items() if required in r.implicit)


def statement_errors(statement: Any) -> list[str]:
    """Every way the statement breaks the rules, as "field: message"; empty when valid."""
    if not isinstance(statement, dict):
        return ["statement: must be an object"]
    errors: list[str] = []
    for key in sorted(set(statement) - set(RULES)):
        errors.append(f"{key}: is not a field of the database (it would be dropped)")
    for key, rule in RULES.items():
        if rule.excluded_unless is not None and not rule.excluded_unless(statement):
            if key in statement:
                errors.append(f"{key}: is excluded by the rules here (it would be dropped)")
            continue
        implicit = [f"{key}: {m}" for c in rule.implicit if (m := c(statement, key))]
        errors += implicit
        if implicit or key not in statement or (statement[key] is None and rule.nullable):
            continue
        if statement[key] is None:
            errors.append(f"{key}: must not be null")
            continue
        for check in rule.checks:
            if message := check(statement, key):
                errors.append(f"{key}: {message}")
                break  # Laravel reports the first failing rule of a field
    ean = statement.get("content_id")
    if (
        isinstance(ean, dict)
        and "EAN-13" in ean
        and not (isinstance(ean["EAN-13"], str) and EAN13.fullmatch(ean["EAN-13"]))
    ):
        errors.append("content_id.EAN-13: must be 13 digits")
    return errors


@dataclass
class TransparencyDatabase:
    """The bulk endpoint's behaviour for one platform: all of a call is stored, or none."""

    puids: set[str] = field(default_factory=set)
    statements: list[Statement] = field(default_factory=list)

    def submit(self, body: Any) -> tuple[int, dict[str, Any]]:
        """(HTTP status, answer) as `POST /api/v1/statements` would give them."""
        batch = body.get("statements") if isinstance(body, dict) else None
        if not isinstance(batch, list) or not 1 <= len(batch) <= MAX_STATEMENTS_PER_CALL:
            return 422, {"errors": {"statements": ["must be an array of 1 to 100 statements"]}}
        errors = {
            f"statement_{n}": problems
            for n, s in enumerate(batch)
            if (problems := statement_errors(s))
        }
        if errors:
            return 422, {"errors": errors}
        puids = [s["puid"] for s in batch]
        repeated = sorted({p for p in puids if puids.count(p) > 1})
        if repeated:
            return 422, {
                "errors": {"puid": ["not unique within this call"]},
                "duplicates": repeated,
            }
        existing = sorted(self.puids.intersection(puids))
        if existing:
            return 422, {"errors": {"puid": ["already used"]}, "existing_puids": existing}
        self.puids.update(puids)
        self.statements += batch
        return 201, {"statements": batch}
