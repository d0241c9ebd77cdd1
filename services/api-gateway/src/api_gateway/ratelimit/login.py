"""Failed sign-ins, limited per client address and per username (docs/adr/0017).

Each attempt at the token endpoint (but a refresh: see :func:`begin`) spends one unit of the
``login`` budget of its address and, for the password grant, of its username, *before*
identity is asked: a thousand guesses sent at
once are judged one by one, not all let through while the first is still checked. An attempt
that does not fail (a token, or no answer at all) gives its units back, so only failures
count. Usernames are counted whether or not such an account exists, under a digest of the
name, and the refusal reads the same for an address and for a username: a 429 says nothing of
who has an account. A spent budget refills at its rate, so a real user is slowed, never shut
out for good.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from urllib.parse import parse_qs

from starlette.types import Scope

from .callers import address_key, client_address
from .gcra import Decision
from .limiter import Limiter, headers, refusal

MAX_FORM_FIELDS = 32
DETAIL = "Too many failed sign-in attempts."


def _form(body: bytes) -> dict[str, list[str]] | None:
    try:
        return parse_qs(body.decode("utf-8"), max_num_fields=MAX_FORM_FIELDS)
    except (UnicodeDecodeError, ValueError):
        return None


def _grant(form: dict[str, list[str]] | None) -> str:
    return form.get("grant_type", [""])[0] if form else ""


def username_key(body: bytes) -> str | None:
    """A digest of the password grant's username, as identity compares names (case-folded,
    trimmed); None for other grants or a form that is not one."""
    return _username_of(_form(body))


def _username_of(form: dict[str, list[str]] | None) -> str | None:
    if form is None or _grant(form) != "password":
        return None
    name = form.get("username", [""])[0].strip().casefold()
    return hashlib.sha256(name.encode()).hexdigest()[:32] if name else None


@dataclass
class LoginAttempt:
    """Units taken for one attempt; ``settle`` keeps them for a failure, else gives back."""

    limiter: Limiter
    keys: list[str]
    decision: Decision

    async def settle(self, status: int | None) -> dict[str, str]:
        """``status`` is identity's answer (None: none came). The fields the answer carries."""
        decision = self.decision
        if status is None or not 400 <= status < 500:
            for key in self.keys:
                await self.limiter.give_back(self.limiter.login, key)
            remaining = min(self.limiter.login.rate.burst, decision.remaining + 1)
            decision = Decision(True, remaining, 0.0, decision.reset_after)
        return headers(self.limiter.login, decision)


async def begin(limiter: Limiter, scope: Scope, body: bytes) -> LoginAttempt | None:
    """Take a unit from each budget the attempt counts against; a 429 problem if one is spent.

    None for a refresh, which counts against none: a refresh token is a random secret no one
    guesses, and the browser asks for one at each page load where it may hold no session at
    all; its failures are a session ending, not a guess (the per-caller write budget still
    bounds how often it may be tried)."""
    form = _form(body)
    if _grant(form) == "refresh_token":
        return None
    address = address_key(client_address(scope, limiter.trusted_proxies))
    budgets = [("address", f"address:{address}")]
    username = _username_of(form)
    if username is not None:
        budgets.append(("username", f"username:{username}"))
    taken: list[str] = []
    tightest: Decision | None = None
    for reason, key in budgets:
        decision = await limiter.take(limiter.login, key)
        if not decision.allowed:
            for spent in taken:
                await limiter.give_back(limiter.login, spent)
            raise refusal(limiter.login, decision, reason=reason, detail=DETAIL, address=address)
        taken.append(key)
        if tightest is None or decision.remaining < tightest.remaining:
            tightest = decision
    assert tightest is not None
    return LoginAttempt(limiter, taken, tightest)
