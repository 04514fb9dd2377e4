"""How a matching process collects its garbage.

A batch holds its thousands of match events, records and rows until it
commits, so with the default thresholds they reached the oldest generation
within a batch and made the collector walk the whole heap again and again:
about half of the process's time in the stream benchmark. Matching makes few
reference cycles; collecting a hundred times less often costs little memory.
What was built before (the imports, a filled need index) lives as long as the
process and is never walked.
"""

from __future__ import annotations

import gc

__all__ = ["settle"]


def settle() -> None:
    """Collect rarely from now on, and never walk what exists now."""
    gc.set_threshold(70_000, 20, 20)
    gc.freeze()
