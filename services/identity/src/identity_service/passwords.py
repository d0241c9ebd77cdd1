"""Secrets people choose (passwords, client secrets): Argon2id, verified off the event loop.

Every check costs one Argon2 verification, whether or not the account exists: an unknown name
is verified against a dummy hash, so neither the answer nor its time tells the two apart.
At most ``max_concurrent`` hashes run at once: each takes ``memory_kib`` of memory, and a flood
of sign-ins must queue, not exhaust the pod's memory.
"""

from __future__ import annotations

import asyncio
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError


class SecretHasher:
    def __init__(
        self, *, time_cost: int, memory_kib: int, parallelism: int, max_concurrent: int = 4
    ) -> None:
        self._hasher = PasswordHasher(
            time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism
        )
        self._dummy = self._hasher.hash(secrets.token_urlsafe(16))
        self._slots = asyncio.Semaphore(max_concurrent)

    def hash(self, secret: str) -> str:
        return self._hasher.hash(secret)

    def needs_rehash(self, hashed: str) -> bool:
        """Hashed with other parameters than today's: hash it again after a good login."""
        return self._hasher.check_needs_rehash(hashed)

    def _verify(self, hashed: str | None, secret: str) -> bool:
        try:
            return self._hasher.verify(hashed or self._dummy, secret) and hashed is not None
        except (VerificationError, InvalidHashError):
            return False

    async def verify(self, hashed: str | None, secret: str) -> bool:
        """Whether ``secret`` matches ``hashed``; ``None`` (no such account) never matches but
        costs the same. Argon2 takes tens of milliseconds of CPU: it runs in a thread."""
        async with self._slots:
            return await asyncio.to_thread(self._verify, hashed, secret)

    async def hash_async(self, secret: str) -> str:
        async with self._slots:
            return await asyncio.to_thread(self._hasher.hash, secret)
