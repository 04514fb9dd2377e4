"""What the shared database helpers promise every service."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from lotse_shared.database import as_utc


def test_a_naive_timestamp_from_the_database_is_read_as_utc() -> None:
    assert as_utc(datetime(2026, 3, 1, 8, 30)) == datetime(2026, 3, 1, 8, 30, tzinfo=UTC)


def test_a_timestamp_with_a_zone_keeps_it() -> None:
    berlin = timezone(timedelta(hours=1))
    moment = datetime(2026, 3, 1, 9, 30, tzinfo=berlin)
    assert as_utc(moment).tzinfo is berlin
    assert as_utc(moment) == datetime(2026, 3, 1, 8, 30, tzinfo=UTC)
