"""Feeds the review dashboard from RabbitMQ in the scale-out set-up (``RABBITMQ_URL`` set).

Every Rasa replica publishes each masked tracker event to ``RABBITMQ_QUEUE`` (bot/event_broker.py).
The web server consumes that queue into ``analytics_events`` (bot/analytics_events.py), the table
the dashboard reads; without RabbitMQ the Rasa server writes the same rows itself.

Delivery is at least once: a message is acknowledged only after its row is committed, and
a redelivered event is recognised by its digest, so several web servers may consume the
same queue. A message that is not a Rasa event is moved to ``<queue>.invalid`` and logged,
never dropped.
"""

from __future__ import annotations

import asyncio
import logging
from typing import List, Optional

import aio_pika
from aio_pika.abc import AbstractIncomingMessage
from sqlalchemy.exc import SQLAlchemyError

from bot.analytics_events import AnalyticsEventStore, parse_event

logger = logging.getLogger(__name__)

BATCH_SIZE = 200
RETRY_SECONDS = 2.0


class EventFeed:
    """Consumes ``queue`` on ``url`` into ``store`` until :meth:`stop`; reconnects on its own."""

    def __init__(self, url: str, queue: str, store: AnalyticsEventStore) -> None:
        self.url = url
        self.queue = queue
        self.invalid_queue = f"{queue}.invalid"
        self.store = store
        self.connected = False
        self._inbox: "asyncio.Queue[AbstractIncomingMessage]" = asyncio.Queue()
        self._connection: Optional[aio_pika.abc.AbstractRobustConnection] = None
        self._channel: Optional[aio_pika.abc.AbstractChannel] = None
        self._writer: Optional[asyncio.Task] = None

    async def start(self) -> None:
        """Connects (retrying until RabbitMQ answers) and starts consuming."""
        while True:
            try:
                self._connection = await aio_pika.connect_robust(self.url)
                self._channel = await self._connection.channel()
                await self._channel.set_qos(prefetch_count=BATCH_SIZE)
                await self._channel.declare_queue(self.invalid_queue, durable=True)
                queue = await self._channel.declare_queue(self.queue, durable=True)
                break
            except (OSError, aio_pika.exceptions.AMQPError) as error:
                logger.warning("event_feed.connect_failed queue=%s error=%s", self.queue, error)
                if self._connection is not None:
                    await self._connection.close()
                    self._connection = None
                await asyncio.sleep(RETRY_SECONDS)
        self._writer = asyncio.create_task(self._write_forever())
        self._writer.add_done_callback(self._writer_ended)
        await queue.consume(self._inbox.put)
        self.connected = True
        logger.info("event_feed.consuming queue=%s", self.queue)

    async def stop(self) -> None:
        """Stops consuming; messages not yet stored go back to the queue (not acknowledged)."""
        if self._writer is not None:
            self._writer.cancel()
            await asyncio.gather(self._writer, return_exceptions=True)
        if self._connection is not None:
            await self._connection.close()
        self.connected = False

    def _writer_ended(self, task: asyncio.Task) -> None:
        if not task.cancelled() and task.exception() is not None:
            self.connected = False  # /health shows it; unacknowledged messages stay in RabbitMQ
            logger.error("event_feed.writer_stopped error=%r", task.exception())

    async def _write_forever(self) -> None:
        while True:
            batch = [await self._inbox.get()]
            while len(batch) < BATCH_SIZE and not self._inbox.empty():
                batch.append(self._inbox.get_nowait())
            await self._write(batch)

    async def _write(self, batch: List[AbstractIncomingMessage]) -> None:
        valid = []
        for message in batch:
            event = parse_event(message.body)
            if event is None:
                await self._set_aside(message)
            else:
                valid.append((message, event))
        while valid:
            try:
                inserted = await asyncio.get_running_loop().run_in_executor(
                    None, self.store.add, [event for _, event in valid]
                )
                break
            except SQLAlchemyError as error:
                # Not acknowledged yet, so nothing is lost: retry until the database is back.
                logger.error("event_feed.store_failed events=%d error=%s", len(valid), error)
                await asyncio.sleep(RETRY_SECONDS)
        else:
            return
        for message, _ in valid:
            await self._acknowledge(message)
        logger.debug("event_feed.stored received=%d new=%d", len(valid), inserted)

    @staticmethod
    async def _acknowledge(message: AbstractIncomingMessage) -> None:
        """Acks ``message``; if the channel dropped meanwhile, RabbitMQ redelivers it (a no-op by digest)."""
        try:
            await message.ack()
        except (aio_pika.exceptions.AMQPError, aio_pika.exceptions.ChannelInvalidStateError) as error:
            logger.warning("event_feed.ack_failed error=%s (the message will be redelivered)", error)

    async def _set_aside(self, message: AbstractIncomingMessage) -> None:
        assert self._channel is not None
        await self._channel.default_exchange.publish(
            aio_pika.Message(message.body, headers=message.headers, delivery_mode=aio_pika.DeliveryMode.PERSISTENT),
            routing_key=self.invalid_queue,
        )
        await self._acknowledge(message)
        logger.warning(
            "event_feed.invalid_message queue=%s moved_to=%s bytes=%d",
            self.queue,
            self.invalid_queue,
            len(message.body),
        )
