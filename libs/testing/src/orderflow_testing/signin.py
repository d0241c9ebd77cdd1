"""The identity service as a stack's issuer: requests signed in for real, through the gateway's
token endpoint, with the development accounts (or users made for the test by ``add-user``)."""

from __future__ import annotations

import uuid

import httpx

from .processes import FAST_PASSWORD_HASHING, run_script

DEMO_LOGINS = {
    "staff": ("staff@example.com", "orderflow-staff"),
    "customer": ("customer@example.com", "orderflow-customer"),
}
DEMO_CLIENT = ("orderflow-cli", "orderflow-cli-secret")


class IdentitySignIn:
    """An :class:`~orderflow_testing.Issuer` backed by a running identity service.

    ``headers("admin")`` signs in as the demo client (client_credentials); ``staff`` and
    ``customer`` by password as the demo users; ``customer`` of a given ``customer_id`` as a
    user made for that record with ``orderflow-identity add-user``. Tokens are kept per caller.
    """

    def __init__(
        self, *, issuer: str, jwks_url: str, token_url: str, identity_database_url: str
    ) -> None:
        self.issuer = issuer
        self.jwks_url = jwks_url
        self.token_url = token_url
        self.identity_database_url = identity_database_url
        self._tokens: dict[tuple[str, str | None], str] = {}

    def token(self, role: str = "admin", customer_id: str | None = None) -> str:
        key = (role, customer_id)
        if key not in self._tokens:
            auth: tuple[str, str] | None = None
            if role == "admin":
                data = {"grant_type": "client_credentials"}
                auth = DEMO_CLIENT
            else:
                username, password = self._login(role, customer_id)
                data = {"grant_type": "password", "username": username, "password": password}
            response = httpx.post(self.token_url, data=data, auth=auth, timeout=30)
            if response.status_code != 200:
                raise RuntimeError(f"sign-in as {role} failed: {response.text}")
            self._tokens[key] = str(response.json()["access_token"])
        return self._tokens[key]

    def headers(self, role: str = "admin", customer_id: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(role, customer_id)}"}

    def _login(self, role: str, customer_id: str | None) -> tuple[str, str]:
        if role not in DEMO_LOGINS:
            raise ValueError(f"no demo login for role {role!r}")
        if customer_id is None or role != "customer":
            return DEMO_LOGINS[role]
        email = f"customer-{customer_id}@example.com"
        password = uuid.uuid4().hex
        result = run_script(
            "orderflow-identity",
            *("add-user", "--email", email, "--name", f"Customer {customer_id[:8]}"),
            *("--password", password, "--role", "customer", "--customer-id", customer_id),
            env={"IDENTITY_DATABASE_URL": self.identity_database_url, **FAST_PASSWORD_HASHING},
        )
        if result.returncode != 0:
            raise RuntimeError(f"add-user failed: {result.stderr}")
        return email, password
