"""Where a process's time goes while a benchmark loads it: py-spy, sampled from outside.

    python -m bench.profile summary var/bench/profiles/catalog.txt [--top 25]

A benchmark given ``--profile DIR`` records the process it measures during its
main phase (:func:`recording`) into ``DIR/<name>.txt``, py-spy's collapsed
stacks (one line per stack, frames joined by ``;``, then the sample count; what
flame-graph tools read). :func:`summary` reads
the stacks back: the functions that hold the most samples themselves (self)
and with everything they call (total), in percent of the samples taken.
Sampling costs the measured process a little time: a profiled run's figures
are not the benchmark's figures.
"""

from __future__ import annotations

import argparse
import contextlib
import re
import shutil
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

__all__ = ["recording", "summary"]

_RATE = 250  # samples per second: enough for a 10 s phase, light on the measured process


def _py_spy() -> str:
    found = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(found).exists():
        raise RuntimeError("py-spy is not installed (make install adds it with the dev tools)")
    return found


@contextlib.contextmanager
def recording(pid: int, folder: Path | None, name: str) -> Iterator[None]:
    """Sample ``pid`` while the block runs, into ``folder``; nothing when ``folder`` is None."""
    if folder is None:
        yield
        return
    folder.mkdir(parents=True, exist_ok=True)
    command = [_py_spy(), "record", "--pid", str(pid), "--rate", str(_RATE), "--nonblocking"]
    with (folder / f"{name}.log").open("wb") as said:
        process = subprocess.Popen(  # noqa: S603
            [*command, "--format", "raw", "--output", str(folder / f"{name}.txt")],
            stdout=said,
            stderr=subprocess.STDOUT,
        )
    try:
        yield
    finally:
        process.send_signal(signal.SIGINT)  # py-spy writes what it sampled, then exits
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


_LINE = re.compile(r"^(?P<stack>.*) (?P<count>\d+)$")
_FRAME = re.compile(r"^(?P<function>[^ ]+) \((?P<file>[^:]+)(?::\d+)?\)$")


def _function(frame: str) -> str:
    """``send (aiokafka/producer/producer.py:123)`` → ``aiokafka/producer/producer.py:send``."""
    found = _FRAME.match(frame.strip())
    if found is None:
        return frame.strip()
    path = found.group("file")
    for marker in ("site-packages/", "/src/", "/lib/python3.11/"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    return f"{path}:{found.group('function')}"


def summary(stacks: Path, top: int = 25) -> str:
    """The ``top`` functions by self and by total samples, as two tables."""
    own: Counter[str] = Counter()
    total: Counter[str] = Counter()
    samples = 0
    for line in stacks.read_text().splitlines():
        found = _LINE.match(line)
        if found is None:
            continue
        count = int(found.group("count"))
        frames = [_function(f) for f in found.group("stack").split(";") if f]
        if not frames:
            continue
        samples += count
        own[frames[-1]] += count
        for function in set(frames):
            total[function] += count
    if not samples:
        return f"{stacks}: no samples"
    lines = [f"{stacks}: {samples} samples"]
    for title, counts in (("self", own), ("total", total)):
        lines.append(f"\n{title:>6}  function")
        for function, count in counts.most_common(top):
            lines.append(f"{100 * count / samples:5.1f}%  {function}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    show = sub.add_parser("summary", help="the hottest functions of a recorded profile")
    show.add_argument("stacks", type=Path)
    show.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)
    print(summary(args.stacks, args.top))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
