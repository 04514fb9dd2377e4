"""One table of every benchmark's headline figures, next to DESIGN.md's targets and baselines.

    python -m bench.summary [--dir var/bench] [--json var/bench/summary.json]

Reads what each benchmark wrote (catalog.json, matching.json, emails.json,
kafka_relay.json, matching_stream.json, pipeline.json, web.json); a benchmark that has not run yet is listed as such.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.kafka_relay import rows as relay_rows
from bench.matching_stream import rows as stream_rows
from bench.pipeline import rows as pipeline_rows
from bench.report import render_rows
from bench.web_pages import rows as web_rows

ROOT = Path(__file__).resolve().parents[1]
Row = tuple[str, str, str, str, str]


def _verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def catalog_rows(report: dict[str, Any]) -> list[Row]:
    wanted = ("POST /v1/offers max throughput", "POST /v1/offers p99 @")
    return [
        (r["measure"], r["value"], r["target"], r["baseline"], r["ratio"])
        for r in report["table"]
        if r["measure"].startswith(wanted)
    ]


def matching_rows(report: list[dict[str, Any]]) -> list[Row]:
    largest = max(report, key=lambda r: r["open_needs"])
    find, scan = largest["find_ms"], largest["scan_ms"]
    met = find["p99"] <= 2.0 and largest["peak_rss_mb"] <= 200
    return [
        (
            f"one offer vs {largest['open_needs']:,} open needs, find p99",
            f"{find['p99']:.2f} ms, {largest['peak_rss_mb']:.0f} MB",
            f"≤2 ms, ≤200 MB {_verdict(met)}",
            f"{scan['p99']:.0f} ms brute-force scan",
            f"{find['p99'] / scan['p99']:.4f}",
        )
    ]


def emails_rows(report: list[dict[str, Any]]) -> list[Row]:
    bare = next(r for r in report if r["path"].startswith("bare"))
    best = max(
        (r for r in report if r["path"].startswith("send_due")), key=lambda r: r["per_second"]
    )
    mailer = max(
        (r for r in report if r["path"].startswith("Lotse SMTP")), key=lambda r: r["per_second"]
    )
    baseline = f"{bare['per_second']:.0f}/s bare aiosmtplib"
    return [
        (
            f"emails/s, SMTP mailer ({mailer['connections']} connections)",
            f"{mailer['per_second']:.0f}/s",
            f"≥500 {_verdict(mailer['per_second'] >= 500)}",
            baseline,
            f"{mailer['ratio']:.2f}",
        ),
        (
            f"emails/s, whole sending use case ({best['connections']} connections)",
            f"{best['per_second']:.0f}/s",
            f"≥500 {_verdict(best['per_second'] >= 500)}",
            baseline,
            f"{best['ratio']:.2f}",
        ),
    ]


SOURCES: dict[str, tuple[str, Callable[[Any], list[Row]]]] = {
    "catalog.json": ("make bench-catalog", catalog_rows),
    "matching.json": ("make bench-matching", matching_rows),
    "emails.json": ("make bench-emails", emails_rows),
    "kafka_relay.json": ("make bench-relay", lambda r: relay_rows(r)[2:]),
    "matching_stream.json": ("make bench-stream", stream_rows),
    "pipeline.json": ("make bench-pipeline", pipeline_rows),
    "web.json": ("make bench-web", web_rows),
}


def summary(folder: Path) -> list[Row]:
    table: list[Row] = []
    for name, (command, extract) in SOURCES.items():
        path = folder / name
        if path.exists():
            table.extend(extract(json.loads(path.read_text())))
        else:
            table.append((f"({name.removesuffix('.json')}: not run yet)", "", "", command, ""))
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", type=Path, default=ROOT / "var" / "bench")
    parser.add_argument("--json", type=Path, default=ROOT / "var" / "bench" / "summary.json")
    args = parser.parse_args(argv)
    table = summary(args.dir)
    keys = ("measure", "value", "target", "baseline", "ratio")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(
        json.dumps([dict(zip(keys, row, strict=True)) for row in table], indent=2) + "\n"
    )
    print(render_rows(table))
    print("ratio = Lotse ÷ baseline, measured in the same run; targets from DESIGN.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
