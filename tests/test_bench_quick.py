"""Every benchmark in its quick mode, so that none can rot between full runs of make bench.

Each runs as ``make bench`` runs it, once, in a test of its own (``-k stream``
runs just one), and writes its JSON into a folder the module's tests share;
the summary must then show a figure for each: nothing here
judges speed (that is what make bench is for), only that every benchmark
still runs to the end and reports what it measured.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.alone, pytest.mark.kafka, pytest.mark.postgres, pytest.mark.timeout(900)]

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = {
    "catalog.json": "bench.catalog_offers",
    "matching.json": "bench.matching_offers",
    "emails.json": "bench.emails",
    "kafka_relay.json": "bench.kafka_relay",
    "matching_stream.json": "bench.matching_stream",
    "pipeline.json": "bench.pipeline",
    "web.json": "bench.web_pages",
}


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("bench")


def run_quick(name: str, folder: Path) -> None:
    """Run the benchmark writing ``name`` in quick mode into ``folder``, once per module."""
    if (folder / name).exists():
        return
    module = BENCHMARKS[name]
    done = subprocess.run(
        [sys.executable, "-m", module, "--quick", "--json", str(folder / name)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, f"{module}:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    assert json.loads((folder / name).read_text()), f"{module} wrote no figures"


@pytest.mark.parametrize("name", list(BENCHMARKS), ids=lambda n: n.removesuffix(".json"))
def test_the_benchmark_runs_in_quick_mode_and_writes_its_figures(name: str, reports: Path) -> None:
    run_quick(name, reports)


def test_the_summary_reports_every_benchmark(reports: Path) -> None:
    for name in BENCHMARKS:
        run_quick(name, reports)
    summary = reports / "summary.json"
    done = subprocess.run(
        [sys.executable, "-m", "bench.summary", "--dir", str(reports), "--json", str(summary)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    rows = json.loads(summary.read_text())
    assert not [r for r in rows if "not run yet" in r["measure"]]
    measures = " ".join(r["measure"] for r in rows)
    headlines = (
        "POST /v1/offers",
        "open needs",
        "emails/s",
        "relay drain",
        "commit",
        "offer → email",
        "web: my needs",
        "web: a need with",
        "web: a provider's offers",
        "web: the coverage desk",
        "web: the finder's search",
    )
    for headline in headlines:
        assert headline in measures, headline
    assert all(r["value"] and r["value"][0].isdigit() for r in rows), rows
