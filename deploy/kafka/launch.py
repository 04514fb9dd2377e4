"""Start and stop a local single-node Apache Kafka (KRaft) from the jars Maven resolves.

    python deploy/kafka/launch.py start [--data-dir var/kafka] [--port 9092] [--controller-port 9093]
    python deploy/kafka/launch.py stop  [--data-dir var/kafka]

``start`` resolves the jars into deploy/kafka/lib on first use, formats the
storage once, starts one combined broker+controller on 127.0.0.1, waits until
it answers and creates Lotse's topics from the registry in lotse_shared.
Starting a running broker again only checks its topics. Every failure ends
with one line that says what to do.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
LIB = HERE / "lib"
KAFKA_JAR = "kafka_2.13-4.1.1.jar"


class LaunchError(Exception):
    """A problem the person starting Kafka can fix; the message says how."""


def resolve_jars() -> None:
    if (LIB / KAFKA_JAR).exists():
        return
    if shutil.which("mvn") is None:
        raise LaunchError("Maven (mvn) is missing: install it (apt-get install -y maven) and retry")
    print("kafka: resolving Apache Kafka jars with Maven (first start only) ...", flush=True)
    result = subprocess.run(
        [
            "mvn",
            "-q",
            "-B",
            "-f",
            str(HERE / "pom.xml"),
            "dependency:copy-dependencies",
            f"-DoutputDirectory={LIB}",
            "-DincludeScope=runtime",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0 or not (LIB / KAFKA_JAR).exists():
        tail = (result.stdout + result.stderr).strip().splitlines()[-3:]
        raise LaunchError(f"could not download Kafka from Maven Central: {' | '.join(tail)}")


def java() -> str:
    home = os.environ.get("JAVA_HOME")
    candidate = str(Path(home) / "bin" / "java") if home else shutil.which("java")
    if not candidate or not Path(candidate).exists():
        raise LaunchError(
            "Java 17+ is missing: install it (apt-get install -y openjdk-17-jre-headless)"
        )
    return candidate


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def server_properties(data_dir: Path, port: int, controller_port: int) -> str:
    return "\n".join(
        [
            "process.roles=broker,controller",
            "node.id=1",
            f"controller.quorum.bootstrap.servers=127.0.0.1:{controller_port}",
            f"listeners=PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller_port}",
            f"advertised.listeners=PLAINTEXT://127.0.0.1:{port}",
            "controller.listener.names=CONTROLLER",
            "inter.broker.listener.name=PLAINTEXT",
            "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
            f"log.dirs={data_dir / 'data'}",
            "num.partitions=1",
            "auto.create.topics.enable=false",
            "offsets.topic.replication.factor=1",
            "offsets.topic.num.partitions=10",
            "transaction.state.log.replication.factor=1",
            "transaction.state.log.min.isr=1",
            "share.coordinator.state.topic.replication.factor=1",
            "share.coordinator.state.topic.min.isr=1",
            "group.initial.rebalance.delay.ms=0",
            "log.cleaner.backoff.ms=1000",
            "",
        ]
    )


def pid_of(data_dir: Path) -> int | None:
    pid_file = data_dir / "kafka.pid"
    if not pid_file.exists():
        return None
    pid = int(pid_file.read_text().strip())
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    return pid


def start(data_dir: Path, port: int, controller_port: int, timeout: float) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    if pid_of(data_dir) is not None:
        print(f"kafka: already running on 127.0.0.1:{port}", flush=True)
        create_topics(port, timeout)
        return
    for p in (port, controller_port):
        if port_open(p):
            raise LaunchError(
                f"port {p} is in use by another program: stop it, or choose free ports "
                "with KAFKA_PORT / KAFKA_CONTROLLER_PORT"
            )
    resolve_jars()
    java_bin = java()
    config = data_dir / "server.properties"
    config.write_text(server_properties(data_dir, port, controller_port))
    classpath = f"{LIB}/*"
    jvm = [
        java_bin,
        "-Xms256m",
        "-Xmx768m",
        "-XX:+UseG1GC",
        "-Djava.awt.headless=true",
        f"-Dkafka.logs.dir={data_dir}",
        f"-Dlog4j2.configurationFile={HERE / 'log4j2.properties'}",
        "-cp",
        classpath,
    ]
    if not (data_dir / "data" / "meta.properties").exists():
        cluster_id = "-"
        while cluster_id.startswith(
            "-"
        ):  # it would be read as an option, as Kafka's own tool knows
            cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        formatted = subprocess.run(
            [
                *jvm,
                "kafka.tools.StorageTool",
                "format",
                "--standalone",
                "-t",
                cluster_id,
                "-c",
                str(config),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if formatted.returncode != 0:
            raise LaunchError(f"formatting Kafka storage failed: {formatted.stderr.strip()[-300:]}")
    with (data_dir / "kafka.out").open("ab") as out:
        process = subprocess.Popen(
            [*jvm, "kafka.Kafka", str(config)],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    (data_dir / "kafka.pid").write_text(str(process.pid))
    deadline = time.monotonic() + timeout
    while not port_open(port):
        if process.poll() is not None:
            raise LaunchError(
                f"Kafka exited with {process.returncode}; see {data_dir / 'server.log'}"
            )
        if time.monotonic() > deadline:
            stop(data_dir)
            raise LaunchError(
                f"Kafka did not answer within {timeout:.0f} s; see {data_dir / 'server.log'}"
            )
        time.sleep(0.2)
    create_topics(port, max(deadline - time.monotonic(), 10.0))
    print(f"kafka: ready on 127.0.0.1:{port} (pid {process.pid}, data in {data_dir})", flush=True)


def create_topics(port: int, timeout: float) -> None:
    try:
        from lotse_shared.kafka import create_topics as create
    except ImportError as exc:
        raise LaunchError("lotse_shared is not installed: run `make install` first") from exc

    async def attempt() -> list[str]:
        deadline = time.monotonic() + timeout
        while True:
            try:
                return await create(f"127.0.0.1:{port}")
            except Exception as exc:
                if time.monotonic() > deadline:
                    raise LaunchError(
                        f"Kafka answered but topics could not be created: {exc}"
                    ) from exc
                await asyncio.sleep(0.5)

    created = asyncio.run(attempt())
    if created:
        print(f"kafka: created topics {', '.join(created)}", flush=True)


def stop(data_dir: Path) -> None:
    pid = pid_of(data_dir)
    if pid is None:
        print("kafka: not running", flush=True)
        return
    os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + 30
    while pid_of(data_dir) is not None and time.monotonic() < deadline:
        time.sleep(0.2)
    if pid_of(data_dir) is not None:
        os.killpg(pid, signal.SIGKILL)
    (data_dir / "kafka.pid").unlink(missing_ok=True)
    print("kafka: stopped", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("command", choices=["start", "stop", "resolve"])
    parser.add_argument(
        "--data-dir", type=Path, default=Path(os.environ.get("KAFKA_DATA_DIR", "var/kafka"))
    )
    parser.add_argument("--port", type=int, default=int(os.environ.get("KAFKA_PORT", "9092")))
    parser.add_argument(
        "--controller-port", type=int, default=int(os.environ.get("KAFKA_CONTROLLER_PORT", "9093"))
    )
    parser.add_argument("--timeout", type=float, default=90.0)
    args = parser.parse_args(argv)
    try:
        if args.command == "resolve":
            resolve_jars()
        elif args.command == "start":
            start(args.data_dir.resolve(), args.port, args.controller_port, args.timeout)
        else:
            stop(args.data_dir.resolve())
    except LaunchError as exc:
        print(f"kafka: {exc}", file=sys.stderr, flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
