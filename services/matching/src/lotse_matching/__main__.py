"""``python -m lotse_matching``: the matching service on ``MATCHING_PORT``."""

import lotse_matching.entrypoints.api  # noqa: F401  (imported before the collector settles)
from lotse_matching.collector import settle
from lotse_matching.config import MatchingSettings
from lotse_shared.serving import serve

settle()  # after the imports, so that the collector never walks what they built

settings = MatchingSettings()

serve(
    "lotse_matching.entrypoints.api:create_app",
    name="matching",
    port=settings.port,
    settings=settings,
)
