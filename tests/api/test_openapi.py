"""The API describes itself: an OpenAPI document listing every route, and browsable docs."""

import re

import pytest
from django.test import Client

# Every operation of the API, as (method, path) in the OpenAPI document.
OPERATIONS = {
    ("get", "/api/me"),
    ("post", "/api/requests"),
    ("get", "/api/requests"),
    ("get", "/api/requests/{case_id}"),
    ("get", "/api/triage"),
    ("get", "/api/notices"),
    ("get", "/api/notices/{notice_id}"),
    ("post", "/api/notices/{notice_id}/acknowledge"),
    ("post", "/api/notices/{notice_id}/items/{item_id}/action"),
    ("get", "/api/notices/{notice_id}/messages"),
    ("post", "/api/notices/{notice_id}/messages"),
    ("get", "/api/compliance"),
    ("get", "/api/audit/verify"),
    ("post", "/api/audit/verify"),
    ("get", "/api/audit/checkpoint"),
    ("get", "/api/evidence/cases/{case_id}"),
    ("get", "/api/evidence/platforms/{platform}"),
}


@pytest.fixture
def schema(db: None) -> dict:
    response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def test_the_openapi_document_is_served_without_a_token(schema: dict) -> None:
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "hotline API"


def test_the_openapi_document_lists_every_workflow_operation(schema: dict) -> None:
    listed = {(method, path) for path, ops in schema["paths"].items() for method in ops}
    assert sorted(OPERATIONS - listed) == []


def test_every_operation_is_documented_as_needing_the_bearer_token(schema: dict) -> None:
    assert schema["components"]["securitySchemes"] == {
        "TokenAuth": {"type": "http", "scheme": "bearer"}
    }
    for path, ops in schema["paths"].items():
        for method, operation in ops.items():
            assert operation["security"] == [{"TokenAuth": []}], (method, path)


def test_filing_is_documented_with_both_of_its_answers(schema: dict) -> None:
    filing = schema["paths"]["/api/requests"]["post"]
    assert set(filing["responses"]) == {"200", "201"}
    assert filing["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/RequestIn"
    }


def test_the_docs_page_is_html_that_loads_nothing_from_another_site(db: None) -> None:
    response = Client().get("/api/docs")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "/api/openapi.json" in page
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert assets
    assert [a for a in assets if not a.startswith("/")] == []


def test_the_docs_page_assets_are_served_by_hotline_itself(db: None) -> None:
    client = Client()
    page = client.get("/api/docs").content.decode()
    for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', page):
        response = client.get(asset)
        assert response.status_code == 200, asset
        response.close()


def test_evidence_packages_are_documented_as_zip_files(schema: dict) -> None:
    for path in ("/api/evidence/cases/{case_id}", "/api/evidence/platforms/{platform}"):
        answer = schema["paths"][path]["get"]["responses"]["200"]
        assert "application/zip" in answer["content"], path
