"""The documents other systems build on, generated from the contracts: AsyncAPI, schemas, examples.

``lotse events write`` puts them in ``docs/events/``; ``lotse events check``
fails when the files there differ from what the code says, so they cannot go
stale. Everything here is computed from :mod:`lotse_shared.contracts`: the
topic registry, ``EVENT_TYPES`` and one example per type.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic.json_schema import models_json_schema

from lotse_shared.contracts import EVENT_TYPES, NEEDS, TOPICS, Event, Topic
from lotse_shared.contracts.examples import EXAMPLES
from lotse_shared.envelope import encode

__all__ = ["asyncapi_document", "documents", "event_schema", "example_message"]

JSON_SCHEMA = "https://json-schema.org/draft/2020-12/schema"
KAFKA_BINDING = "0.5.0"


def _name(event_type: str) -> str:
    """``lotse.offer.published.v1`` → ``OfferPublished`` (the model's name)."""
    return EVENT_TYPES[event_type].__name__


def _channel(topic: Topic) -> str:
    return topic.name.removeprefix("lotse.")


def event_schema(event_type: str) -> dict[str, Any]:
    """The JSON Schema (2020-12) of one event type's payload, self-contained."""
    model = EVENT_TYPES[event_type]
    schema = model.model_json_schema(mode="serialization")
    return {
        "$schema": JSON_SCHEMA,
        "$id": f"{event_type}.schema.json",
        **schema,
        "title": event_type,
        "description": (model.__doc__ or "").strip(),
    }


def example_message(event_type: str) -> dict[str, Any]:
    """The example of ``event_type`` as a Kafka record: key, headers and value."""
    event = EXAMPLES[event_type]
    record = encode(
        event,
        source=f"/lotse/{event.topic.producer}",
        event_id="1b4e28ba-2fa1-41d2-883f-0016d3cca427",
        time=_when(event),
    )
    return {
        "topic": record.topic,
        "key": record.key.decode(),
        "headers": {name: value.decode() for name, value in record.headers},
        "value": json.loads(record.value or b"null"),
    }


def _when(event: Event) -> Any:
    """The event's own time: its ``updated_at``, ``found_at``, ``sent_at`` …"""
    return next(v for k, v in event.model_dump(mode="python").items() if k.endswith("_at"))


def _headers(event_type: str) -> dict[str, Any]:
    text = {"type": "string"}
    return {
        "type": "object",
        "description": "CloudEvents 1.0 attributes, Kafka binary content mode; values are UTF-8.",
        "required": ["ce_specversion", "ce_id", "ce_source", "ce_type", "ce_time"],
        "properties": {
            "ce_specversion": {"const": "1.0"},
            "ce_id": {**text, "description": "Unique per event; deduplicate on it."},
            "ce_source": {**text, "description": "The service that published it: /lotse/<name>."},
            "ce_type": {"const": event_type},
            "ce_time": {**text, "format": "date-time"},
            "ce_subject": {**text, "description": "The aggregate id, as in the key."},
            "content-type": {"const": "application/json"},
        },
    }


def _message(event_type: str, topic: Topic) -> dict[str, Any]:
    model = EVENT_TYPES[event_type]
    example = example_message(event_type)
    return {
        "name": event_type,
        "title": model.__name__,
        "summary": (model.__doc__ or "").strip().splitlines()[0],
        "contentType": "application/json",
        "headers": _headers(event_type),
        "payload": {"$ref": f"#/components/schemas/{model.__name__}"},
        "bindings": {
            "kafka": {
                "key": {"type": "string", "description": topic.key},
                "bindingVersion": KAFKA_BINDING,
            }
        },
        "examples": [
            {"name": "example", "headers": example["headers"], "payload": example["value"]}
        ],
    }


_TOMBSTONE = {
    "name": "tombstone",
    "title": "NeedErased",
    "summary": "A record with the need id as key and no value: erase the need and all it led to.",
    "description": "Compaction then removes every earlier record under the key. Subscribers "
    "must delete what they keep of the need.",
    "payload": {"type": "null"},
    "bindings": {
        "kafka": {
            "key": {"type": "string", "description": NEEDS.key},
            "bindingVersion": KAFKA_BINDING,
        }
    },
}


def asyncapi_document() -> dict[str, Any]:
    """Everything Lotse publishes, as one AsyncAPI 3.0 document."""
    by_topic: dict[str, list[str]] = {t.name: [] for t in TOPICS}
    for event_type, model in EVENT_TYPES.items():
        by_topic[model.topic.name].append(event_type)
    _, definitions = models_json_schema(
        [(model, "serialization") for model in EVENT_TYPES.values()],
        ref_template="#/components/schemas/{model}",
    )
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for topic in TOPICS:
        name = _channel(topic)
        refs = {}
        for event_type in by_topic[topic.name]:
            messages[_name(event_type)] = _message(event_type, topic)
            refs[_name(event_type)] = {"$ref": f"#/components/messages/{_name(event_type)}"}
        if topic is NEEDS:
            messages["NeedErased"] = _TOMBSTONE
            refs["NeedErased"] = {"$ref": "#/components/messages/NeedErased"}
        channels[name] = {
            "address": topic.name,
            "title": topic.name,
            "description": f"{topic.description} Key: {topic.key}. Audience: {topic.audience}.",
            "messages": refs,
            "bindings": {
                "kafka": {
                    "topic": topic.name,
                    "partitions": topic.partitions,
                    "topicConfiguration": {"cleanup.policy": [topic.config["cleanup.policy"]]},
                    "bindingVersion": KAFKA_BINDING,
                }
            },
        }
        operations[f"publish_{name}"] = {
            "action": "send",
            "title": f"The {topic.producer} service publishes to {topic.name}",
            "channel": {"$ref": f"#/channels/{name}"},
            "messages": [{"$ref": f"#/channels/{name}/messages/{m}"} for m in refs],
        }
        for consumer in topic.consumers:
            operations[f"receive_{name}_{consumer}"] = {
                "action": "receive",
                "title": f"The {consumer} service consumes {topic.name}",
                "channel": {"$ref": f"#/channels/{name}"},
                "messages": [{"$ref": f"#/channels/{name}/messages/{m}"} for m in refs],
            }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Lotse events",
            "version": "1",
            "description": (
                "Education offers and newcomers' needs in Kreis Unna, their matches and the "
                "emails about them. CloudEvents 1.0 in Kafka binary content mode: the value "
                "is the JSON payload, the attributes are ce_* headers, the key is the "
                "aggregate id, so one entity's events stay in order. Generated from "
                "lotse_shared.contracts; see docs/events/README.md."
            ),
        },
        "defaultContentType": "application/json",
        "servers": {
            "local": {
                "host": "127.0.0.1:9092",
                "protocol": "kafka",
                "description": "The broker `make run` starts.",
            }
        },
        "channels": channels,
        "operations": operations,
        "components": {
            "messages": messages,
            "schemas": definitions["$defs"],
        },
    }


def _json(document: Any) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def documents() -> dict[str, str]:
    """Every generated file under ``docs/events/``, by path relative to it, with its text."""
    files = {"asyncapi.json": _json(asyncapi_document())}
    for event_type in EVENT_TYPES:
        files[f"schemas/{event_type}.schema.json"] = _json(event_schema(event_type))
        files[f"examples/{event_type}.json"] = _json(example_message(event_type))
    return files
