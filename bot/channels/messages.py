"""Small pieces every messenger channel needs: splitting long answers, remembering deliveries."""
from __future__ import annotations

from collections import OrderedDict
from typing import Hashable, List


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


class RecentDeliveries:
    """Remembers the last ``size`` delivery keys so a message delivered twice is handled once."""

    def __init__(self, size: int = 10_000) -> None:
        self._seen: "OrderedDict[Hashable, None]" = OrderedDict()
        self._size = size

    def first_time(self, key: Hashable) -> bool:
        if key in self._seen:
            return False
        self._seen[key] = None
        if len(self._seen) > self._size:
            self._seen.popitem(last=False)
        return True
