"""One endpoint file for every set-up: the lock store follows REDIS_URL (tests/test_scale.py runs the replicas)."""

from __future__ import annotations

from rasa.core.lock_store import InMemoryLockStore, LockStore
from rasa.utils.endpoints import read_endpoint_config

from bot.scale import ConfiguredLockStore, RedisUrlLockStore
from tests.conftest import ROOT


def _from_endpoints_file(monkeypatch) -> LockStore:
    """What `rasa run` builds from bot/endpoints.yml (the Makefile exports ACTION_SERVER_URL)."""
    monkeypatch.setenv("ACTION_SERVER_URL", "http://127.0.0.1:5055/webhook")
    return LockStore.create(read_endpoint_config(str(ROOT / "bot" / "endpoints.yml"), "lock_store"))


def test_without_redis_one_process_locks_in_memory(monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)
    assert type(_from_endpoints_file(monkeypatch)) is InMemoryLockStore
    assert type(ConfiguredLockStore()) is InMemoryLockStore


def test_with_redis_replicas_share_locks_in_redis(monkeypatch):
    monkeypatch.setenv("REDIS_URL", "redis://:s%40cret@127.0.0.1:6390/4")
    monkeypatch.setenv("REDIS_KEY_PREFIX", "xaphuochoa")
    store = _from_endpoints_file(monkeypatch)
    assert isinstance(store, RedisUrlLockStore)
    connection = store.red.connection_pool.connection_kwargs
    assert (connection["host"], connection["port"], connection["db"], connection["password"]) == (
        "127.0.0.1",
        6390,
        4,
        "s@cret",
    )
    assert store.key_prefix == "xaphuochoa:lock:"
