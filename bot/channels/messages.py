"""Small pieces every messenger channel needs: splitting long answers, retry delays, remembering deliveries."""

from __future__ import annotations

from collections import OrderedDict
from typing import Hashable, List, Set

# Tries of one send inside a request (the first and three retries), waiting backoff(1), (2), (3).
SEND_ATTEMPTS = 4


def split_text(text: str, limit: int) -> List[str]:
    """Split text into parts of at most ``limit`` characters, at line, then word boundaries."""
    parts: List[str] = []
    rest = text
    while len(rest) > limit:
        cut = rest.rfind("\n", 0, limit)
        if cut <= 0:
            cut = rest.rfind(" ", 0, limit)
        if cut <= 0:
            cut = limit
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest or not parts:
        parts.append(rest)
    return parts


def backoff(attempt: int, base: float = 0.5, cap: float = 4.0) -> float:
    """Seconds to wait after failed try number ``attempt``: 0.5, 1, 2, 4, 4, ...

    Short on purpose: the conversation's lock is held while a reply is sent, and what still
    fails goes to the outbox, which retries over hours.
    """
    return min(cap, base * 2 ** (attempt - 1))


class RecentDeliveries:
    """Which messages (by delivery key) were processed, or are being processed now.

    A key counts as processed only once its turn is stored (:meth:`finish`): a redelivery of a
    message whose processing failed (:meth:`abandon`) is processed again, while one delivered twice
    after success is handled once. The last ``size`` processed keys are remembered.
    """

    def __init__(self, size: int = 10_000) -> None:
        self._done: "OrderedDict[Hashable, None]" = OrderedDict()
        self._running: Set[Hashable] = set()
        self._size = size

    def begin(self, key: Hashable) -> bool:
        """True, and ``key`` is now in progress, unless it was processed or is in progress."""
        if key in self._done or key in self._running:
            return False
        self._running.add(key)
        return True

    def processed(self, key: Hashable) -> bool:
        return key in self._done

    def finish(self, key: Hashable) -> None:
        """The message's turn is stored: later deliveries of ``key`` are duplicates."""
        self._running.discard(key)
        self._done[key] = None
        if len(self._done) > self._size:
            self._done.popitem(last=False)

    def abandon(self, key: Hashable) -> None:
        """Processing failed: the next delivery of ``key`` is processed again."""
        self._running.discard(key)
