"""How a child's 身份证号 is stored.

Three columns, each for one job:
- ``id_number_encrypted``: Fernet (AES-128-CBC with an HMAC, random IV) of the full number. Staff may
  reveal the full number, giving a reason that is audited; a hash could not be revealed.
- ``id_number_digest``: HMAC-SHA256 of the number under a separate secret key. Fernet output is
  randomised, so uniqueness among active children (a database constraint) and "is this number
  already registered?" both need a deterministic value; keyed, so a database dump alone cannot be
  brute-forced over the small space of valid numbers, as a plain hash could.
- ``id_number_last4``: the last four characters in clear, for masked display and staff search.

Keys come from ID_NUMBER_KEYS (MultiFernet: the first encrypts, all decrypt, so keys rotate) and
ID_NUMBER_HASH_KEY. In DEBUG without keys they derive from SECRET_KEY, for development only.
"""

import base64
import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


@cache
def _fernet() -> MultiFernet:
    keys = list(settings.ID_NUMBER_KEYS)
    if not keys:
        keys = [base64.urlsafe_b64encode(hashlib.sha256(b"id-enc:" + settings.SECRET_KEY.encode()).digest())]
    return MultiFernet([Fernet(k) for k in keys])


@cache
def _hash_key() -> bytes:
    key = settings.ID_NUMBER_HASH_KEY
    if key:
        return key.encode()
    return hashlib.sha256(b"id-hash:" + settings.SECRET_KEY.encode()).digest()


def encrypting_key() -> Fernet:
    """The key new tokens are made with: the first of ID_NUMBER_KEYS."""
    return _fernet()._fernets[0]


def rotate(token: str) -> str:
    """``token`` re-encrypted under the first key (any listed key opens it); raises InvalidToken."""
    return _fernet().rotate(token.encode()).decode()


def rotate_bytes(token: bytes) -> bytes:
    return _fernet().rotate(token)


def forget_keys(**kwargs) -> None:
    """Drop the keys read from settings, so a changed ID_NUMBER_KEYS (a test's override) takes effect."""
    if kwargs.get("setting") in (None, "ID_NUMBER_KEYS", "ID_NUMBER_HASH_KEY", "SECRET_KEY"):
        _fernet.cache_clear()
        _hash_key.cache_clear()


def encrypt(number: str) -> str:
    return _fernet().encrypt(number.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise ValueError("The stored ID number cannot be decrypted with the configured keys.") from None


def encrypt_bytes(data: bytes) -> bytes:
    """A whole file holding ID numbers (an uploaded list waiting for its preview), encrypted alike."""
    return _fernet().encrypt(data)


def decrypt_bytes(token: bytes) -> bytes:
    try:
        return _fernet().decrypt(token)
    except InvalidToken:
        raise ValueError("The stored file cannot be decrypted with the configured keys.") from None


def digest(number: str) -> str:
    return hmac.new(_hash_key(), number.upper().encode(), hashlib.sha256).hexdigest()


def mask_last4(last4: str) -> str:
    """The masked form shown everywhere: 14 asterisks and the last four characters."""
    return "*" * 14 + last4 if last4 else ""
