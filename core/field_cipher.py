"""Encryption at rest for the one personal value the assistant keeps on purpose: a callback number.

Fernet (AES-128-CBC with an HMAC-SHA256 tag, from ``cryptography``): a token cannot be read or
altered without the key. The key is ``CALLBACK_KEY``, else a key generated once into
``CALLBACK_KEY_FILE`` (core/secret_files.py) that the action server (which encrypts) and the web
server (which decrypts for the assigned officer) share.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken

from core.secret_files import read_or_create
from core.settings import Settings


class CipherError(ValueError):
    """A value that this key did not encrypt (wrong key, or altered)."""


class FieldCipher:
    """Encrypts and decrypts short text values with one Fernet key."""

    def __init__(self, key: str) -> None:
        try:
            self._fernet = Fernet(key.encode("ascii"))
        except (ValueError, UnicodeEncodeError):
            raise ValueError("CALLBACK_KEY must be a Fernet key: 32 bytes in URL-safe base64 (44 characters)") from None

    @classmethod
    def from_settings(cls, settings: Settings) -> "FieldCipher":
        if settings.callback_key:
            return cls(settings.callback_key)
        key, _created = read_or_create(settings.callback_key_file, lambda: Fernet.generate_key().decode("ascii"))
        return cls(key)

    def encrypt(self, value: str) -> str:
        return self._fernet.encrypt(value.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except (InvalidToken, UnicodeEncodeError):
            raise CipherError("this value was not encrypted with the configured CALLBACK_KEY") from None
