"""The Zalo OA access/refresh token pair, kept in the database so a refresh is never lost."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Optional

from sqlalchemy import update
from sqlalchemy.orm import sessionmaker

from bot.channels.tables import OAuthToken
from core.db import session_factory
from core.settings import ZaloSettings

PROVIDER = "zalo_oa"


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_at: Optional[datetime]


class StaleRefreshToken(RuntimeError):
    """Another process already used this refresh token."""


class ZaloTokenStore:
    """Seeds from ZALO_ACCESS_TOKEN/ZALO_REFRESH_TOKEN once; afterwards the database is the truth."""

    def __init__(self, sessions: sessionmaker, settings: ZaloSettings) -> None:
        self._sessions = sessions
        self._settings = settings

    @classmethod
    def from_settings(cls, settings: ZaloSettings) -> "ZaloTokenStore":
        return cls(session_factory(), settings)

    def current(self) -> TokenPair:
        with self._sessions() as session, session.begin():
            row = session.get(OAuthToken, PROVIDER)
            if row is None:
                row = OAuthToken(
                    provider=PROVIDER,
                    access_token=self._settings.access_token or "",
                    refresh_token=self._settings.refresh_token or "",
                    expires_at=None,
                )
                session.add(row)
            return TokenPair(row.access_token, row.refresh_token, row.expires_at)

    def replace(
        self, used_refresh_token: str, access_token: str, refresh_token: str, expires_at: datetime
    ) -> TokenPair:
        """Store the new pair only if ``used_refresh_token`` is still the stored one (compare and swap)."""
        with self._sessions() as session, session.begin():
            result = session.execute(
                update(OAuthToken)
                .where(OAuthToken.provider == PROVIDER, OAuthToken.refresh_token == used_refresh_token)
                .values(
                    access_token=access_token,
                    refresh_token=refresh_token,
                    expires_at=expires_at,
                    updated_at=datetime.now(timezone.utc),
                )
            )
            if result.rowcount != 1:
                raise StaleRefreshToken("the refresh token was already exchanged by another process")
        return TokenPair(access_token, refresh_token, expires_at)
