"""The offer every benchmark writes: a realistic evening language course."""

from __future__ import annotations

import json
from typing import Any

__all__ = ["OFFER", "offer_request"]

OFFER: dict[str, Any] = {
    "title": {"de": "Deutschkurs B1"},
    "description": {"de": "Abendkurs, zweimal pro Woche"},
    "category": "language_course",
    "location": {"municipality": "05978028", "address": "Rathausstraße 31"},
    "german_level_min": "A2",
    "german_level_max": "B1",
    "times_of_day": ["evening"],
    "places_total": 16,
    "places_available": 5,
    "contact_email": "kurse@vhs.example",
}


def offer_request(port: int, token: str) -> bytes:
    """The whole ``POST /v1/offers`` request, bytes ready for a keep-alive connection."""
    body = json.dumps(OFFER, ensure_ascii=False).encode()
    head = (
        "POST /v1/offers HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{port}\r\n"
        f"Authorization: Bearer {token}\r\n"
        "Content-Type: application/json\r\n"
        "Accept: application/json\r\n"
        f"Content-Length: {len(body)}\r\n"
        "\r\n"
    )
    return head.encode("ascii") + body
