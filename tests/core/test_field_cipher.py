"""Callback numbers encrypted at rest: readable only with the key, the key file owner-only."""

from __future__ import annotations

import stat
from dataclasses import replace

import pytest
from cryptography.fernet import Fernet

from core.field_cipher import CipherError, FieldCipher
from core.settings import Settings


def test_a_value_round_trips_and_the_token_does_not_show_it():
    cipher = FieldCipher(Fernet.generate_key().decode())
    token = cipher.encrypt("0912345678")
    assert "0912345678" not in token and "345678" not in token
    assert cipher.decrypt(token) == "0912345678"


def test_another_key_or_an_altered_token_cannot_read_it():
    token = FieldCipher(Fernet.generate_key().decode()).encrypt("0912345678")
    with pytest.raises(CipherError):
        FieldCipher(Fernet.generate_key().decode()).decrypt(token)
    key = Fernet.generate_key().decode()
    altered = FieldCipher(key).encrypt("0912345678")
    with pytest.raises(CipherError):
        FieldCipher(key).decrypt(altered[:-4] + ("AAAA" if not altered.endswith("AAAA") else "BBBB"))


def test_a_malformed_key_is_refused_with_the_reason():
    with pytest.raises(ValueError, match="CALLBACK_KEY must be a Fernet key"):
        FieldCipher("not-a-key")


def test_without_a_key_setting_one_key_file_is_made_owner_only_and_shared(tmp_path):
    settings = replace(Settings(), callback_key=None, callback_key_file=tmp_path / "var" / "callback_key")
    first = FieldCipher.from_settings(settings)
    mode = stat.S_IMODE((tmp_path / "var" / "callback_key").stat().st_mode)
    assert mode == 0o600
    assert FieldCipher.from_settings(settings).decrypt(first.encrypt("0987654321")) == "0987654321"


def test_the_key_setting_wins_over_the_file(tmp_path):
    key = Fernet.generate_key().decode()
    settings = replace(Settings(), callback_key=key, callback_key_file=tmp_path / "unused")
    assert FieldCipher(key).decrypt(FieldCipher.from_settings(settings).encrypt("x")) == "x"
    assert not (tmp_path / "unused").exists()
