"""Rasa's distributed set-up, configured from URLs like the rest of the product.

- ``ConfiguredLockStore`` (named in bot/endpoints.yml): Rasa's in-memory lock store, or with
  ``REDIS_URL`` set the Redis one below, so the same endpoint file serves one process and many.
- ``RedisUrlLockStore``: Rasa's Redis lock store on ``REDIS_URL``, so several Rasa
  replicas serialise the turns of one conversation. Rasa's
  ticket bookkeeping is a read-modify-write of one Redis key; two replicas issuing
  tickets at the same moment can both win and process one conversation at once (seen in
  tests/test_scale.py). Each bookkeeping step therefore runs under a short Redis mutex.

The event broker, RabbitMQ or the in-process one, is chosen in bot/event_broker.py.
"""

from __future__ import annotations

import logging
from typing import Any, Optional
from urllib.parse import unquote, urlparse

from rasa.core.lock_store import LOCK_LIFETIME, InMemoryLockStore, LockStore, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

from core.settings import get_settings

logger = logging.getLogger(__name__)


class RedisUrlLockStore(RedisLockStore):
    """RedisLockStore from ``REDIS_URL`` (redis://[user:password@]host:port/db, rediss:// for TLS)."""

    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, **_: Any) -> None:
        settings = get_settings()
        url = urlparse(settings.redis_url)
        db = int(url.path.lstrip("/") or 1)
        super().__init__(
            host=url.hostname or "127.0.0.1",
            port=url.port or 6379,
            db=db,
            username=unquote(url.username) if url.username else None,
            password=unquote(url.password) if url.password else None,
            use_ssl=url.scheme == "rediss",
            key_prefix=settings.redis_key_prefix,
        )
        logger.info("lock_store.redis host=%s port=%s db=%s", url.hostname, url.port, db)

    def _mutex(self, conversation_id: str):
        """A Redis lock (SET NX PX) around one read-modify-write of a conversation's tickets."""
        return self.red.lock(f"{self.key_prefix}mutex:{conversation_id}", timeout=10, blocking_timeout=30)

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        with self._mutex(conversation_id):
            return super().issue_ticket(conversation_id, lock_lifetime)

    def update_lock(self, conversation_id: str) -> None:
        with self._mutex(conversation_id):
            super().update_lock(conversation_id)

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        with self._mutex(conversation_id):
            super().finish_serving(conversation_id, ticket_number)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Finish serving and delete the lock if nobody waits, as one step."""
        with self._mutex(conversation_id):
            LockStore.finish_serving(self, conversation_id, ticket_number)
            if not self.is_someone_waiting(conversation_id):
                self.delete_lock(conversation_id)


class ConfiguredLockStore(LockStore):
    """The lock store the settings ask for: Redis with ``REDIS_URL`` (several replicas), else in memory.

    Rasa builds a custom lock store by calling its class with the endpoint configuration, so the
    choice is made when the instance is created.
    """

    def __new__(cls, endpoint_config: Optional[EndpointConfig] = None, **_: Any) -> LockStore:  # type: ignore[misc]
        if get_settings().redis_url:
            return RedisUrlLockStore(endpoint_config)
        return InMemoryLockStore()
