"""``python -m lotse_notifications``: the notifications service on ``NOTIFICATIONS_PORT``."""

from lotse_notifications.config import NotificationsSettings
from lotse_shared.serving import serve

settings = NotificationsSettings()

serve(
    "lotse_notifications.entrypoints.api:create_app",
    name="notifications",
    port=settings.port,
    settings=settings,
)
