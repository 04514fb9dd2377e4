"""The event documents: in step with the contracts, and every example valid against its schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft7Validator, Draft202012Validator

from lotse_shared.cli import main
from lotse_shared.contracts import EVENT_TYPES
from lotse_shared.eventdocs import asyncapi_document, event_schema, example_message
from tests.support import PUBLISHED_SCHEMAS, unavailable

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "events"


def test_the_checked_in_documents_are_what_the_contracts_generate(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["events", "check", "--dir", str(DOCS)]) == 0, capsys.readouterr().err


def test_check_names_a_stale_a_missing_and_a_stray_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["events", "write", "--dir", str(tmp_path)]) == 0
    assert main(["events", "check", "--dir", str(tmp_path)]) == 0
    schema = tmp_path / "schemas" / "lotse.offer.published.v1.schema.json"
    schema.write_text(schema.read_text().replace('"title"', '"titel"', 1))
    (tmp_path / "examples" / "lotse.need.closed.v1.json").unlink()
    (tmp_path / "schemas" / "lotse.offer.exploded.v1.schema.json").write_text("{}")
    capsys.readouterr()
    assert main(["events", "check", "--dir", str(tmp_path)]) == 2
    error = capsys.readouterr().err
    assert "3 file(s)" in error
    assert "lotse.offer.published.v1.schema.json" in error
    assert "lotse.need.closed.v1.json" in error
    assert "make docs" in error


@pytest.mark.parametrize("event_type", sorted(EVENT_TYPES))
def test_each_example_is_valid_against_its_schema_and_a_broken_one_is_not(
    event_type: str,
) -> None:
    schema = event_schema(event_type)
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema)
    example = example_message(event_type)
    assert example["headers"]["ce_type"] == event_type
    assert example["key"] == example["headers"]["ce_subject"]
    errors = [e.message for e in validator.iter_errors(example["value"])]
    assert errors == []
    required = schema["required"][0]
    broken = {k: v for k, v in example["value"].items() if k != required}
    assert not validator.is_valid(broken), f"{required} is required"


def test_the_asyncapi_document_covers_every_topic_and_event_type() -> None:
    document = asyncapi_document()
    assert document["asyncapi"] == "3.0.0"
    named = {m["name"] for m in document["components"]["messages"].values()}
    assert named == set(EVENT_TYPES) | {"tombstone"}
    addresses = {c["address"] for c in document["channels"].values()}
    assert addresses == {t.topic.name for t in EVENT_TYPES.values()}
    text = json.dumps(document)
    for ref in {part.split('"')[0] for part in text.split('"$ref": "')[1:]}:
        node: object = document
        for step in ref.removeprefix("#/").split("/"):
            assert isinstance(node, dict) and step in node, f"dangling $ref {ref}"
            node = node[step]


def test_the_asyncapi_document_is_valid_against_the_published_asyncapi_3_schema() -> None:
    path = PUBLISHED_SCHEMAS / "asyncapi-3.0.0.json"
    if not path.exists():
        unavailable(f"no {path}: make published-schemas fetches it")
    validator = Draft7Validator(json.loads(path.read_text()))
    document = asyncapi_document()
    assert [e.message for e in validator.iter_errors(document)] == []
    broken = json.loads(json.dumps(document))
    broken["operations"]["publish_offers"]["action"] = "publish"  # AsyncAPI 2's word
    del broken["info"]["version"]
    assert len(list(validator.iter_errors(broken))) >= 2
