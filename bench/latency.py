"""What one load phase measured, summarised the same way for HTTP and for bare SQL."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["PhaseResult", "percentile", "spread"]


def percentile(sorted_values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile of already sorted values; NaN when there are none."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def spread(sorted_values: Sequence[float]) -> dict[str, float]:
    """Count, p50, p99, p99.9 and max (milliseconds, rounded) of already sorted latencies."""
    return {
        "samples": len(sorted_values),
        "p50": round(percentile(sorted_values, 0.50), 2),
        "p99": round(percentile(sorted_values, 0.99), 2),
        "p999": round(percentile(sorted_values, 0.999), 2),
        "max": round(sorted_values[-1], 2) if sorted_values else math.nan,
    }


@dataclass
class PhaseResult:
    """Counts and latencies (milliseconds) inside the measured window of one phase.

    ``completed`` counts successful operations (HTTP 201, or a committed transaction);
    ``errors`` counts everything else that finished or failed in the window, and
    ``error_kinds`` says what they were (an HTTP status, ``timeout``, an exception name);
    ``unsent`` counts open-loop sends whose time came but that never went out before
    the phase's deadline (they would have been errors to a real client).
    ``window_start`` and ``window_end`` are ``time.monotonic()`` readings, the same clock
    in every process of the machine, so others can line their own samples up with them;
    ``elapsed_s`` is the whole phase including its warm-up.
    """

    window_s: float
    window_start: float
    window_end: float
    elapsed_s: float
    completed: int
    errors: int
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    rate: float
    client_cpu_s: float
    unsent: int = 0
    error_kinds: dict[str, int] = field(default_factory=dict)

    @classmethod
    def from_latencies(
        cls,
        latencies_ms: list[float],
        *,
        window_s: float,
        window_start: float,
        elapsed_s: float,
        failures: list[str],
        client_cpu_s: float,
        unsent: int = 0,
        rate: float | None = None,
    ) -> PhaseResult:
        """``rate`` defaults to the successes per second of the window."""
        ordered = sorted(latencies_ms)
        return cls(
            window_s=window_s,
            window_start=window_start,
            window_end=window_start + window_s,
            elapsed_s=elapsed_s,
            completed=len(ordered),
            errors=len(failures),
            p50_ms=percentile(ordered, 0.50),
            p90_ms=percentile(ordered, 0.90),
            p99_ms=percentile(ordered, 0.99),
            max_ms=ordered[-1] if ordered else math.nan,
            rate=rate if rate is not None else len(ordered) / window_s,
            client_cpu_s=client_cpu_s,
            unsent=unsent,
            error_kinds=dict(Counter(failures)),
        )

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)
