"""``python -m lotse_web``: the web app on ``WEB_PORT``."""

from lotse_shared.serving import serve
from lotse_web.config import WebSettings

settings = WebSettings()

serve("lotse_web.entrypoints.app:create_app", name="web", port=settings.port, settings=settings)
