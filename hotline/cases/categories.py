"""Request categories and their EU DSA transparency-database mapping."""

from dataclasses import dataclass
from enum import StrEnum


class Category(StrEnum):
    SEXUAL_DEEPFAKE = "sexual_deepfake"
    NON_CONSENSUAL_INTIMATE_IMAGE = "non_consensual_intimate_image"
    MINOR_SEXUAL_DEEPFAKE = "minor_sexual_deepfake"
    CHILD_SEXUAL_ABUSE_MATERIAL = "child_sexual_abuse_material"


@dataclass(frozen=True)
class DsaClassification:
    category: str
    keyword: str
    content_type: str


DSA_CLASSIFICATION: dict[Category, DsaClassification] = {
    Category.SEXUAL_DEEPFAKE: DsaClassification(
        "STATEMENT_CATEGORY_CYBER_VIOLENCE_AGAINST_WOMEN",
        "KEYWORD_NON_CONSENSUAL_MATERIAL_DEEPFAKE",
        "CONTENT_TYPE_SYNTHETIC_MEDIA",
    ),
    Category.NON_CONSENSUAL_INTIMATE_IMAGE: DsaClassification(
        "STATEMENT_CATEGORY_CYBER_VIOLENCE_AGAINST_WOMEN",
        "KEYWORD_NON_CONSENSUAL_IMAGE_SHARING",
        "CONTENT_TYPE_IMAGE",
    ),
    Category.MINOR_SEXUAL_DEEPFAKE: DsaClassification(
        "STATEMENT_CATEGORY_PROTECTION_OF_MINORS",
        "KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL_DEEPFAKE",
        "CONTENT_TYPE_SYNTHETIC_MEDIA",
    ),
    Category.CHILD_SEXUAL_ABUSE_MATERIAL: DsaClassification(
        "STATEMENT_CATEGORY_PROTECTION_OF_MINORS",
        "KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL",
        "CONTENT_TYPE_IMAGE",
    ),
}

# Categories where a minor is involved by definition: always urgent, and DSA Art. 16(2)(c)
# does not require the notifier's name and email.
MINOR_CATEGORIES = frozenset({Category.MINOR_SEXUAL_DEEPFAKE, Category.CHILD_SEXUAL_ABUSE_MATERIAL})
