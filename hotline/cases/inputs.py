"""What the API and the commands read, turned into the intake services' inputs."""

from hotline.cases.categories import Category
from hotline.cases.legal import LegalElements
from hotline.cases.schemas import ImportIn, RequestIn
from hotline.cases.services.intake import ItemInput, RequestInput


def request_input(body: RequestIn | ImportIn, items: list[ItemInput]) -> RequestInput:
    """The request a body asks for, with the given items (an import's template has none)."""
    return RequestInput(
        category=Category(body.category),
        reasons=body.reasons,
        items=items,
        urgent=body.urgent,
        involves_minor=body.involves_minor,
        jurisdiction=body.jurisdiction,
        legal_bases=list(body.legal_bases),
        elements=LegalElements(**body.legal.dict()) if body.legal else LegalElements(),
        client_reference=body.client_reference if isinstance(body, RequestIn) else None,
        victim_reference=body.victim_reference,
    )
