"""Load for ``POST /v1/offers`` from its own process: raw keep-alive HTTP/1.1 over asyncio.

    python -m bench.http_load closed --port P --token T --connections 32 --warmup 2 --duration 10
    python -m bench.http_load open   --port P --token T --connections 32 --rate 700 ...

Prints one JSON object (a :class:`bench.latency.PhaseResult`). ``closed`` keeps every
connection busy (a request goes out when the previous answer arrived) and measures the
most the server sustains. ``open`` sends on a fixed timetable whatever the answers do
and measures each latency from the *scheduled* send time, so a slow answer delays the
clock of the requests queued behind it (no coordinated omission). Only 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time

from bench.latency import PhaseResult
from bench.offer import offer_request

__all__ = ["Connection", "closed_loop", "open_loop"]

HOST = "127.0.0.1"
REQUEST_TIMEOUT = 10.0
_FAILURES = (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError)


class Connection:
    """One keep-alive HTTP/1.1 connection that sends ready-made requests one at a time."""

    def __init__(self, port: int) -> None:
        self.port = port
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def request(self, payload: bytes) -> int:
        """Send ``payload``, read the whole answer, return its status code."""
        if self._writer is None:
            self._reader, self._writer = await asyncio.open_connection(HOST, self.port)
        assert self._reader is not None
        self._writer.write(payload)
        head = await self._reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length, chunked, close = 0, False, False
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding":
                chunked = b"chunked" in value.lower()
            elif name == b"connection":
                close = b"close" in value.lower()
        if chunked:
            await self._skip_chunks()
        elif length:
            await self._reader.readexactly(length)
        if close:
            self.close()
        return status

    async def _skip_chunks(self) -> None:
        assert self._reader is not None
        for _ in range(100_000):
            size = int((await self._reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await self._reader.readexactly(size + 2)
            if size == 0:
                return
        raise ValueError("endless chunked body")

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._reader = self._writer = None


async def _send(connection: Connection, payload: bytes, seconds: float) -> int | str:
    """The status code, or why no answer came in ``seconds``; a failed connection is reopened."""
    try:
        async with asyncio.timeout(max(seconds, 0.001)):
            return await connection.request(payload)
    except TimeoutError:
        connection.close()
        return "timeout"
    except _FAILURES as exc:
        connection.close()
        return type(exc).__name__


async def closed_loop(
    port: int, payload: bytes, *, connections: int, warmup: float, duration: float
) -> PhaseResult:
    """Every connection sends again as soon as its answer arrived, until the time is up."""
    loop = asyncio.get_running_loop()
    cpu_before = time.process_time()
    measure_from = loop.time() + warmup
    end = measure_from + duration
    latencies: list[float] = []
    failures: list[str] = []

    async def user() -> None:
        connection = Connection(port)
        try:
            while (sent := loop.time()) < end:
                outcome = await _send(connection, payload, REQUEST_TIMEOUT)
                done = loop.time()
                if sent >= measure_from and done <= end:
                    if outcome == 201:
                        latencies.append((done - sent) * 1000)
                    else:
                        failures.append(str(outcome))
                if outcome != 201:
                    await asyncio.sleep(0.01)  # a dead server must not make this spin
        finally:
            connection.close()

    await asyncio.gather(*(user() for _ in range(connections)))
    return PhaseResult.from_latencies(
        latencies,
        window_s=duration,
        window_start=measure_from,
        elapsed_s=loop.time() - measure_from + warmup,
        failures=failures,
        client_cpu_s=time.process_time() - cpu_before,
    )


async def open_loop(
    port: int,
    payload: bytes,
    *,
    connections: int,
    rate: float,
    warmup: float,
    duration: float,
    drain: float = 10.0,
) -> PhaseResult:
    """Request *i* is due at ``start + i / rate``; its latency counts from then.

    A free connection takes the next due request, sleeping until its time if it is
    early. Latencies and errors are those of the requests due in the measured part of
    the timetable, however late they were answered; requests still unsent ``drain``
    seconds after the timetable ended count as ``unsent``. The achieved rate is the
    201 answers that arrived while the measured timetable ran, per second.
    """
    loop = asyncio.get_running_loop()
    cpu_before = time.process_time()
    start = loop.time() + 0.05
    total = round(rate * (warmup + duration))
    first_measured = round(rate * warmup)
    measure_from = start + first_measured / rate
    measure_to = start + warmup + duration
    deadline = measure_to + drain
    next_request = 0
    latencies: list[float] = []
    failures: list[str] = []
    answered_in_window = 0

    async def user() -> None:
        nonlocal next_request, answered_in_window
        connection = Connection(port)
        try:
            while next_request < total and loop.time() < deadline:
                index, next_request = next_request, next_request + 1
                due = start + index / rate
                if (early := due - loop.time()) > 0:
                    await asyncio.sleep(early)
                outcome = await _send(
                    connection, payload, min(REQUEST_TIMEOUT, deadline - loop.time())
                )
                done = loop.time()
                if outcome == 201 and measure_from <= done <= measure_to:
                    answered_in_window += 1
                if index < first_measured:
                    continue
                if outcome == 201:
                    latencies.append((done - due) * 1000)
                else:
                    failures.append(str(outcome))
        finally:
            connection.close()

    await asyncio.gather(*(user() for _ in range(connections)))
    window = measure_to - measure_from
    return PhaseResult.from_latencies(
        latencies,
        window_s=window,
        window_start=measure_from,
        elapsed_s=loop.time() - start,
        failures=failures,
        client_cpu_s=time.process_time() - cpu_before,
        unsent=total - max(next_request, first_measured),
        rate=answered_in_window / window if window > 0 else 0.0,
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("mode", choices=["closed", "open"])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=700.0)
    args = parser.parse_args(argv)
    payload = offer_request(args.port, args.token)
    if args.mode == "closed":
        phase = closed_loop(
            args.port,
            payload,
            connections=args.connections,
            warmup=args.warmup,
            duration=args.duration,
        )
    else:
        phase = open_loop(
            args.port,
            payload,
            connections=args.connections,
            rate=args.rate,
            warmup=args.warmup,
            duration=args.duration,
        )
    print(json.dumps(asyncio.run(phase).as_dict()), flush=True)


if __name__ == "__main__":
    main()
