"""Carry the Redmine API key to the background worker without writing it in clear.

The page never stores the key: it travels in the task's arguments (which a database task backend keeps)
encrypted with Fernet (AES-128-CBC + HMAC-SHA256, from the `cryptography` package) under a key derived from
SECRET_KEY, and is refused after ``MAX_AGE`` seconds (Fernet tokens carry their creation time).
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core import signing

MAX_AGE = 3600
_INFO = b"shinrai.integrations.redmine.api_key"


def _fernet() -> Fernet:
    derive = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO)
    key = derive.derive(settings.SECRET_KEY.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def seal(api_key: str) -> str:
    return _fernet().encrypt(api_key.encode()).decode()


def unseal(token: str) -> str:
    """The key sealed by ``seal``; ``signing.BadSignature`` when tampered with, made elsewhere or too old."""
    try:
        return _fernet().decrypt(token.encode(), ttl=MAX_AGE).decode()
    except InvalidToken:
        raise signing.BadSignature("the sealed Redmine API key is invalid or expired") from None
