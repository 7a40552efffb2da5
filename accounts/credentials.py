"""Secrets a district gives us to reach its systems (a OneRoster API's client secret), stored
encrypted with Fernet under settings.CREDENTIALS_KEY, and only ever decrypted to be sent to that
system. No page shows one back; a form can only replace it."""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


class CredentialUnreadable(Exception):
    """The stored secret was encrypted under another key (CREDENTIALS_KEY changed): enter it again."""


def _fernet() -> Fernet:
    return Fernet(settings.CREDENTIALS_KEY.encode("ascii"))


def encrypt(secret: str) -> str:
    return _fernet().encrypt(secret.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, ValueError):
        raise CredentialUnreadable from None
