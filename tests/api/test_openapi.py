"""The OpenAPI document served at /api/v1/openapi.json is a valid OpenAPI 3 document."""

from django.test import Client
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError


def test_openapi_document_validates(db):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    validate(document)  # raises with the first problem


def test_validator_does_refuse_a_broken_document(db):
    document = Client().get("/api/v1/openapi.json").json()
    first_path = next(iter(document["paths"].values()))
    next(iter(first_path.values()))["responses"] = "not a mapping"
    try:
        validate(document)
    except OpenAPIValidationError:
        return
    raise AssertionError("a broken document passed validation")
