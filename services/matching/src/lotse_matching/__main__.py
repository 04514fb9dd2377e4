"""``python -m lotse_matching``: the matching service on ``MATCHING_PORT``."""

from lotse_matching.config import MatchingSettings
from lotse_shared.serving import serve

settings = MatchingSettings()

serve(
    "lotse_matching.entrypoints.api:create_app",
    name="matching",
    port=settings.port,
    settings=settings,
)
