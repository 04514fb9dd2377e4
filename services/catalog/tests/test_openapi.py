"""The OpenAPI document is what integrators read: every field explained, every error documented."""

from __future__ import annotations

from typing import Any

import pytest

from lotse_catalog.bootstrap import bootstrap
from lotse_catalog.config import CatalogSettings
from lotse_catalog.entrypoints.api import create_app


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    settings = CatalogSettings(
        LOTSE_JWT_SECRET="x" * 40, CATALOG_DATABASE_URL="sqlite+aiosqlite://"
    )
    document: dict[str, Any] = create_app(bootstrap(settings)).openapi()
    return document


def test_every_field_has_a_description_and_an_example(spec: dict[str, Any]) -> None:
    lacking = [
        f"{name}.{field}: {key}"
        for name, schema in spec["components"]["schemas"].items()
        for field, prop in schema.get("properties", {}).items()
        for key in ("description", "examples")
        if key not in prop
    ]
    assert lacking == []


def test_every_operation_has_a_summary_and_documents_its_errors(spec: dict[str, Any]) -> None:
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            assert operation.get("summary"), f"{method.upper()} {path}"
            if path.startswith("/v1/public/"):  # unsigned, within a per-client budget
                assert {"422", "429"} <= set(operation["responses"]), f"{method.upper()} {path}"
                assert "security" not in operation, f"{method.upper()} {path}"
            elif path.startswith("/v1/"):
                assert {"401", "403", "422"} <= set(operation["responses"]), (
                    f"{method.upper()} {path}"
                )
                assert operation["security"] == [{"bearer": []}]


def test_bearer_tokens_are_the_documented_scheme(spec: dict[str, Any]) -> None:
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
