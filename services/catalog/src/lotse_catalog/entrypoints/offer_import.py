"""Reading a bulk import of offers from CSV or JSON into rows to validate one by one."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta
from typing import Any

from pydantic import ValidationError

from lotse_catalog.domain.errors import InvalidField
from lotse_catalog.entrypoints.schemas import OfferIn
from lotse_catalog.service_layer.offers import ImportRow
from lotse_shared.contracts import OfferDetails
from lotse_shared.region import Region

__all__ = ["CSV_COLUMNS", "MAX_ROWS", "rows_from_csv", "rows_from_json", "template_csv"]

MAX_ROWS = 1000

_LISTS = {
    "service_area",
    "target_groups",
    "residence_statuses",
    "languages_of_instruction",
    "support_languages",
    "times_of_day",
}
_LOCATION = {"municipality", "address", "lat", "lon"}
_TEXTS = {"title_de", "title_en", "description_de", "description_en"}
_BOOLEANS = {
    "requires_latin_literacy",
    "rolling_start",
    "waitlist",
    "free_of_charge",
    "childcare",
    "barrier_free",
}
_TRUE, _FALSE = {"true", "yes", "ja", "1", "x"}, {"false", "no", "nein", "0"}

CSV_COLUMNS = sorted(
    _LISTS
    | _LOCATION
    | _TEXTS
    | _BOOLEANS
    | {
        "category",
        "subcategory",
        "delivery_mode",
        "age_min",
        "age_max",
        "german_level_min",
        "german_level_max",
        "entitlement_required",
        "start_date",
        "end_date",
        "application_deadline",
        "places_total",
        "places_available",
        "fee_eur",
        "contact_email",
        "how_to_apply",
    }
)


def _validate(number: int, data: Any) -> ImportRow:
    try:
        offer = OfferIn.model_validate(data)
    except ValidationError as exc:
        errors = [
            {"field": ".".join(str(p) for p in e["loc"]) or "row", "reason": e["msg"]}
            for e in exc.errors()
        ]
        return ImportRow(number, None, errors)
    return ImportRow(number, OfferDetails.model_validate(offer.model_dump(exclude={"provider_id"})))


def rows_from_json(body: bytes) -> list[ImportRow]:
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise InvalidField("body", f"not valid JSON: {exc}") from exc
    if not isinstance(data, list):
        raise InvalidField("body", "a JSON import is an array of offers")
    _check_size(len(data))
    return [_validate(i, item) for i, item in enumerate(data, start=1)]


def rows_from_csv(body: bytes) -> list[ImportRow]:
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidField("body", "a CSV import must be UTF-8") from exc
    reader = csv.DictReader(io.StringIO(text), delimiter=_delimiter(text))
    unknown = sorted(set(reader.fieldnames or ()) - set(CSV_COLUMNS))
    if unknown:
        raise InvalidField(
            "header", f"unknown columns {', '.join(unknown)}; known: {', '.join(CSV_COLUMNS)}"
        )
    records = list(reader)
    _check_size(len(records))
    return [_validate(i, _nest(record)) for i, record in enumerate(records, start=1)]


def _delimiter(text: str) -> str:
    header = text.split("\n", 1)[0]
    return ";" if header.count(";") > header.count(",") else ","


def _check_size(count: int) -> None:
    if count == 0:
        raise InvalidField("body", "the import holds no offers")
    if count > MAX_ROWS:
        raise InvalidField("body", f"at most {MAX_ROWS} offers per import, got {count}")


def _nest(record: dict[str, str | None]) -> dict[str, Any]:
    """A flat CSV record as the nested shape of an offer; empty cells take the default."""
    data: dict[str, Any] = {}
    location: dict[str, Any] = {}
    for column, raw in record.items():
        value = (raw or "").strip()
        if not value:
            continue
        if column in _BOOLEANS:
            data[column] = _boolean(value)
        elif column in _LISTS:
            data[column] = [item.strip() for item in value.split("|") if item.strip()]
        elif column in _LOCATION:
            location[column] = value
        elif column in _TEXTS:
            field, language = column.rsplit("_", 1)
            data.setdefault(field, {})[language] = value
        else:
            data[column] = value
    if location:
        data["location"] = location
    return data


def _boolean(value: str) -> Any:
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    return value  # left for validation to name


def template_csv(region: Region, today: date) -> str:
    """The header row and one example offer that imports as it is: in the district's first
    municipality, starting in a month, so a provider can overwrite it row by row."""
    start = today + timedelta(days=30)
    example = {
        "title_de": "Deutschkurs A1 am Vormittag",
        "title_en": "German course A1, mornings",
        "description_de": "Viermal pro Woche, 9 bis 12 Uhr. Kinderbetreuung im Haus.",
        "category": "language_course",
        "delivery_mode": "in_person",
        "municipality": next(iter(region.municipalities)),
        "address": "Musterstraße 1",
        "german_level_min": "A0",
        "german_level_max": "A1",
        "languages_of_instruction": "de",
        "support_languages": "ar|uk",
        "times_of_day": "morning",
        "start_date": start.isoformat(),
        "end_date": (start + timedelta(days=120)).isoformat(),
        "application_deadline": (start - timedelta(days=7)).isoformat(),
        "places_total": "16",
        "places_available": "16",
        "waitlist": "ja",
        "free_of_charge": "ja",
        "childcare": "ja",
        "barrier_free": "ja",
        "contact_email": "kurse@anbieter.example",
        "how_to_apply": "Anmeldung per E-Mail oder im Büro",
    }
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, delimiter=";", lineterminator="\r\n")
    writer.writeheader()
    writer.writerow(example)
    return out.getvalue()
