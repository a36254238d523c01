"""Random tokens that are shown once and stored only as a SHA-256 hash."""

import hashlib
import secrets

API_TOKEN_PREFIX = "asc_"


def new_token(prefix: str = "") -> str:
    return prefix + secrets.token_urlsafe(32)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()
