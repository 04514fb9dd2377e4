"""A notifications service on a fresh database, sending to the test's real SMTP server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from importlib import resources
from typing import Any

import pytest

from lotse_notifications.bootstrap import Notifications, bootstrap
from lotse_notifications.config import NotificationsSettings
from lotse_shared.migrations import upgrade
from services.notifications.tests.support import Clock

SECRET = "notifications-test-signing-key-0123456789-0123456789"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def notifications(
    database_url: str, smtp_server: tuple[int, Any], clock: Clock
) -> AsyncIterator[Notifications]:
    port, _ = smtp_server
    notifications = bootstrap(
        NotificationsSettings(
            NOTIFICATIONS_DATABASE_URL=database_url,
            SMTP_PORT=port,
            MAIL_FROM="Lotse <lotse@ki-unna.example>",
            NOTIFICATIONS_BATCH_WINDOW_SECONDS=0,
            NOTIFICATIONS_MATCH_LINK_BASE="https://lotse.kreis-unna.example/",
            NOTIFICATIONS_KI_EMAIL="ki@kreis-unna.example",
            NOTIFICATIONS_KI_DIGEST_HOUR=8,
            LOTSE_JWT_SECRET=SECRET,
        ),
        clock=clock,
    )
    await upgrade(
        notifications.runtime.engine, str(resources.files("lotse_notifications") / "migrations")
    )
    yield notifications
    await notifications.mailer.close()  # type: ignore[attr-defined]
    await notifications.runtime.engine.dispose()
