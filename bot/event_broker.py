"""The event broker, chosen from the settings like everything else (both endpoint files name it).

- With ``RABBITMQ_URL``: Rasa's Pika broker publishes every masked tracker event to
  ``RABBITMQ_QUEUE``, and each web server consumes it into ``analytics_events`` (web/event_feed.py).
- Without it (the embedded default): :class:`DatabaseEventBroker` writes the same rows into
  ``analytics_events`` in the Rasa server, as the tracker store saves a turn.

Either way the dashboard reads only ``analytics_events`` (bot/analytics_events.py).
"""

from __future__ import annotations

import logging
from asyncio import AbstractEventLoop
from typing import Any, Dict, List, Optional, Sequence
from urllib.parse import unquote, urlparse

from rasa.core.brokers.broker import EventBroker
from rasa.core.brokers.pika import PikaEventBroker
from rasa.utils.endpoints import EndpointConfig
from sqlalchemy.exc import SQLAlchemyError

from bot.analytics_events import AnalyticsEventStore
from core.db import engine_for
from core.settings import get_settings

logger = logging.getLogger(__name__)

# Events kept for the next write when the database refused one (locked, unreachable); beyond this
# many the oldest are dropped with an error in the log (the tracker store still holds them all).
MAX_PENDING_EVENTS = 10_000


class RabbitUrlEventBroker(PikaEventBroker):
    """PikaEventBroker from ``RABBITMQ_URL`` (amqp://user:password@host:port/vhost)."""

    @classmethod
    async def from_settings(cls, event_loop: Optional[AbstractEventLoop] = None) -> "RabbitUrlEventBroker":
        settings = get_settings()
        url = urlparse(settings.rabbitmq_url)
        vhost = url.path if url.path not in ("", "/") else ""
        broker = cls(
            host=f"{url.scheme}://{url.hostname}{vhost}",
            username=unquote(url.username or "guest"),
            password=unquote(url.password or "guest"),
            port=url.port or 5672,
            queues=[settings.rabbitmq_queue],
            event_loop=event_loop,
            connection_attempts=5,
            retry_delay_in_seconds=2,
        )
        await broker.connect()
        return broker


class DatabaseEventBroker(EventBroker):
    """Writes masked tracker events straight into ``analytics_events`` (no RabbitMQ).

    The tracker store hands over a turn's events at once (:meth:`publish_batch`), written in one
    transaction; a write the database refuses is tried again with the next turn's events.
    """

    def __init__(self, store: AnalyticsEventStore) -> None:
        self.store = store
        self._pending: List[Dict[str, Any]] = []

    @classmethod
    async def from_endpoint_config(
        cls, broker_config: Optional[EndpointConfig], event_loop: Optional[AbstractEventLoop] = None
    ) -> "DatabaseEventBroker":
        return cls(AnalyticsEventStore(engine_for(get_settings().database_url)))

    def publish(self, event: Dict[str, Any]) -> None:
        self.publish_batch([event])

    def publish_batch(self, events: Sequence[Dict[str, Any]]) -> None:
        """Stores ``events`` (and any left from a failed write) in one transaction."""
        self._pending.extend(events)
        try:
            self.store.add(self._pending)
        except SQLAlchemyError as error:
            dropped = max(len(self._pending) - MAX_PENDING_EVENTS, 0)
            if dropped:
                del self._pending[:dropped]
            logger.error(
                "event_broker.store_failed pending=%d dropped=%d error=%s",
                len(self._pending),
                dropped,
                type(error).__name__,
            )
            return
        self._pending.clear()


class ConfiguredEventBroker(EventBroker):
    """The broker the settings ask for: RabbitMQ with ``RABBITMQ_URL``, else :class:`DatabaseEventBroker`."""

    @classmethod
    async def from_endpoint_config(
        cls, broker_config: Optional[EndpointConfig], event_loop: Optional[AbstractEventLoop] = None
    ) -> EventBroker:
        if get_settings().rabbitmq_url:
            return await RabbitUrlEventBroker.from_settings(event_loop)
        return await DatabaseEventBroker.from_endpoint_config(broker_config, event_loop)
