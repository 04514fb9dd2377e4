"""The I/O a service runs on: its database, a Kafka producer and the outbox relay."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine
from datetime import UTC, datetime
from importlib import resources
from typing import Any

import asyncpg
from aiokafka import AIOKafkaProducer
from sqlalchemy import Table, func, select, text
from sqlalchemy.ext.asyncio import async_sessionmaker

from lotse_shared.database import as_utc, create_engine
from lotse_shared.kafka import create_topics, new_producer
from lotse_shared.metrics import OUTBOX_BACKLOG, OUTBOX_OLDEST_SECONDS
from lotse_shared.migrations import upgrade
from lotse_shared.observability import configure_tracing, stop_tracing
from lotse_shared.outbox import Outbox, OutboxRelay, outbox_channel
from lotse_shared.settings import CommonSettings

__all__ = ["Runtime"]

log = logging.getLogger(__name__)


class Runtime:
    """Built in a service's ``bootstrap()``; :meth:`start` and :meth:`stop` run in its lifespan."""

    def __init__(
        self,
        *,
        name: str,
        settings: CommonSettings,
        database_url: str,
        outbox_table: Table,
        migrations: str,
    ) -> None:
        self.name = name
        self.settings = settings
        self.engine = create_engine(database_url)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self.channel = outbox_channel(name)  # the migrations' trigger notifies it at commit
        self.outbox = Outbox(outbox_table, source=f"/lotse/{name}")
        self._outbox_table = outbox_table
        self._migrations = migrations
        self.producer: AIOKafkaProducer | None = None
        self.relay: OutboxRelay | None = None
        self._tasks: list[asyncio.Task[None]] = []
        configure_tracing(f"lotse-{name}", settings.otel_endpoint)

    @classmethod
    def for_service(
        cls, package: str, settings: CommonSettings, *, database_url: str, outbox_table: Table
    ) -> Runtime:
        """The runtime of the service in ``package`` (``lotse_catalog``): named after it, with
        the migrations the package ships."""
        return cls(
            name=package.removeprefix("lotse_"),
            settings=settings,
            database_url=database_url,
            outbox_table=outbox_table,
            migrations=str(resources.files(package) / "migrations"),
        )

    async def start(self) -> None:
        """Migrate the database, connect to Kafka, start relaying the outbox."""
        await upgrade(self.engine, self._migrations)
        if self.settings.kafka_create_topics:
            await create_topics(
                self.settings.kafka_bootstrap_servers, prefix=self.settings.topic_prefix
            )
        # aiokafka binds to the running loop, so the producer is made here, not earlier.
        self.producer = new_producer(
            self.settings.kafka_bootstrap_servers, client_id=f"lotse-{self.name}"
        )
        await self.producer.start()
        self.relay = OutboxRelay(
            self.engine, self._outbox_table, self.producer, topic_prefix=self.settings.topic_prefix
        )
        self.spawn(self.relay.run(), "outbox-relay")
        if self.engine.dialect.name == "postgresql":
            self.spawn(self._listen_for_commits(), "outbox-listener")

    async def _listen_for_commits(self) -> None:
        """Wake the relay on the NOTIFY that another transaction (or instance) sent at commit."""
        dsn = self.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        while True:
            try:
                connection = await asyncpg.connect(dsn)
                lost = asyncio.Event()
                try:
                    await connection.add_listener(self.channel, lambda *_: self.wake_relay())
                    connection.add_termination_listener(lambda _, lost=lost: lost.set())
                    await lost.wait()
                finally:
                    await connection.close()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning(
                    "listening for outbox commits failed; polling until it reconnects",
                    exc_info=True,
                )
                await asyncio.sleep(2)

    def spawn(self, job: Coroutine[Any, Any, None], name: str) -> None:
        """Run ``job`` until :meth:`stop`."""
        self._tasks.append(asyncio.create_task(job, name=name))

    def wake_relay(self) -> None:
        """Called after a commit that wrote outbox rows."""
        if self.relay is not None:
            self.relay.wake()

    async def stop(self) -> None:
        for task in reversed(self._tasks):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        if self.producer is not None:
            await self.producer.stop()
        await self.engine.dispose()
        stop_tracing()

    async def check_database(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def check_kafka(self) -> None:
        if self.producer is None or not await self.producer.client.force_metadata_update():
            raise ConnectionError("no Kafka broker answered")

    async def refresh_metrics(self) -> None:
        """Read the outbox's backlog and the age of its oldest row into their gauges."""
        created = self._outbox_table.c.created_at
        async with self.engine.connect() as conn:
            count, oldest = (await conn.execute(select(func.count(), func.min(created)))).one()
        OUTBOX_BACKLOG.set(count)
        age = (datetime.now(UTC) - as_utc(oldest)).total_seconds() if oldest is not None else 0.0
        OUTBOX_OLDEST_SECONDS.set(max(age, 0.0))

    def readiness(self) -> dict[str, Any]:
        return {"database": self.check_database, "kafka": self.check_kafka}

    @property
    def running_producer(self) -> AIOKafkaProducer:
        if self.producer is None:
            raise RuntimeError(f"{self.name} has not started")
        return self.producer
