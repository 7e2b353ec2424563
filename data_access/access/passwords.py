"""Password hashing with argon2id (argon2-cffi): the only form in which a password is stored."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_HASHER = PasswordHasher()  # argon2id with the library's current recommended parameters
MIN_PASSWORD_LENGTH = 8


def hash_password(password: str) -> str:
    """An argon2id hash of `password`, salted, in PHC string form."""
    return _HASHER.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when `password` matches `stored_hash`; False for no hash or a broken one."""
    if not stored_hash:
        return False
    try:
        return _HASHER.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# A hash to verify against when the email is unknown, so both paths take the same time.
DUMMY_HASH = _HASHER.hash("not-a-real-password")
