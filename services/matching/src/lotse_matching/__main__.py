"""``python -m lotse_matching``: the matching service on ``MATCHING_PORT``."""

import gc

import lotse_matching.entrypoints.api  # noqa: F401  (imported before the freeze below)
from lotse_matching.config import MatchingSettings
from lotse_shared.serving import serve

# A batch holds its thousands of match events, records and rows until it commits, so with the
# default thresholds they reached the oldest generation within a batch and made the collector
# walk the whole heap again and again: about half of the process's time in the stream
# benchmark. Matching makes few reference cycles; collecting a hundred times less often costs
# little memory. What the imports built lives as long as the process and is never walked.
gc.set_threshold(70_000, 20, 20)
gc.freeze()

settings = MatchingSettings()

serve(
    "lotse_matching.entrypoints.api:create_app",
    name="matching",
    port=settings.port,
    settings=settings,
)
