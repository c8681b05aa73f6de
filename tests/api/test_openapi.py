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


def _unbounded_integers(schema: dict, components: dict, where: str, seen: set) -> list[str]:
    """Integer inputs without a maximum, anywhere in a request body or query (they 500 beyond 64 bits)."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        if name in seen:
            return []
        return _unbounded_integers(components[name], components, f"{where}<{name}>", seen | {name})
    found = []
    if schema.get("type") == "integer" and "maximum" not in schema and "exclusiveMaximum" not in schema:
        found.append(where)
    for key in ("anyOf", "oneOf", "allOf"):
        for part in schema.get(key, []):
            found += _unbounded_integers(part, components, where, seen)
    for name, part in schema.get("properties", {}).items():
        found += _unbounded_integers(part, components, f"{where}.{name}", seen)
    if "items" in schema:
        found += _unbounded_integers(schema["items"], components, f"{where}[]", seen)
    return found


def test_every_integer_input_has_a_maximum(db):
    """Ids and amounts sent to the API are bounded, so out-of-range input answers 422 rather than 500."""
    document = Client().get("/api/v1/openapi.json").json()
    components = document["components"]["schemas"]
    unbounded = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            where = f"{method.upper()} {path}"
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "query":
                    found = _unbounded_integers(
                        parameter["schema"], components, f"{where}?{parameter['name']}", set()
                    )
                    unbounded += found
            body = operation.get("requestBody", {}).get("content", {})
            for media in body.values():
                unbounded += _unbounded_integers(media.get("schema", {}), components, where, set())
    assert unbounded == []
