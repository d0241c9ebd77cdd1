"""Identity use cases: sign-in by each grant, refresh rotation, revocation, accounts.

Each use case is one transaction and raises domain errors; nothing here knows HTTP.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from chassis import Database, get_logger, utcnow
from pydantic import SecretStr
from sqlalchemy.exc import IntegrityError

from . import repository
from .domain import (
    BAD_CREDENTIALS,
    REFUSALS,
    ClientTakenError,
    EmailTakenError,
    InvalidClientError,
    InvalidGrantError,
    InvalidRequestError,
    RefreshTokenState,
    RefreshVerdict,
    UnsupportedGrantTypeError,
    judge_refresh,
    normalise_roles,
)
from .models import Client, RefreshToken, User
from .passwords import SecretHasher
from .settings import DEMO_CLIENT_SECRET, ClientConfig, IdentitySettings
from .tokens import AccessToken, Subject, TokenIssuer, new_refresh_token, refresh_token_hash

log = get_logger(__name__)

GRANT_TYPES = ("password", "refresh_token", "client_credentials")
CLIENT_AUTH_FAILED = "Client authentication failed."
DEMO_CUSTOMER_EMAIL = "customer@example.com"


@dataclass(frozen=True)
class DemoUser:
    email: str
    password: str
    name: str
    role: str


DEMO_USERS = (
    DemoUser("admin@example.com", "orderflow-admin", "Demo Admin", "admin"),
    DemoUser("staff@example.com", "orderflow-staff", "Demo Staff", "staff"),
    DemoUser(DEMO_CUSTOMER_EMAIL, "orderflow-customer", "Demo Customer", "customer"),
)
DEMO_CLIENT_ID = "orderflow-cli"


@dataclass(frozen=True)
class Identity:
    """What the use cases work with, built once at start-up."""

    db: Database
    hasher: SecretHasher
    issuer: TokenIssuer
    settings: IdentitySettings


@dataclass(frozen=True)
class TokenRequest:
    """A token request as the endpoint received it, before anything is checked."""

    grant_type: str | None
    username: str | None = None
    password: str | None = None
    refresh_token: str | None = None
    client_id: str | None = None
    client_secret: str | None = None


@dataclass(frozen=True)
class Grant:
    access: AccessToken
    refresh_token: str | None
    client_id: str | None
    """Who the tokens went to: a confidential client, the browser (web client), or None."""


def user_subject(user: User) -> Subject:
    return Subject(
        sub=user.id,
        roles=list(user.roles),
        email=user.email,
        name=user.name,
        customer_id=user.customer_id,
    )


def client_subject(client: Client) -> Subject:
    return Subject(sub=client.id, roles=list(client.roles), email=None, name=client.name)


async def issue(ctx: Identity, request: TokenRequest) -> Grant:
    """The token endpoint: authenticate the client (if any), then the grant."""
    if request.grant_type is None:
        raise InvalidRequestError("grant_type is missing.")
    if request.grant_type not in GRANT_TYPES:
        raise UnsupportedGrantTypeError(f"grant_type {request.grant_type!r} is not supported.")
    client = await _authenticate_client(ctx, request.client_id, request.client_secret)
    client_id = client.id if isinstance(client, Client) else request.client_id
    if request.grant_type == "client_credentials":
        if not isinstance(client, Client):
            raise InvalidClientError(CLIENT_AUTH_FAILED)
        access = ctx.issuer.access_token(client_subject(client), now=utcnow())
        return Grant(access, None, client.id)
    if request.grant_type == "password":
        if not request.username or request.password is None:
            raise InvalidRequestError("username and password are required.")
        return await _password(ctx, request.username, request.password, client_id)
    if not request.refresh_token:
        raise InvalidRequestError("refresh_token is missing.")
    return await _refresh(ctx, request.refresh_token, client_id)


async def _authenticate_client(
    ctx: Identity, client_id: str | None, secret: str | None
) -> Client | None:
    """The confidential client, verified; None for the web client or no client at all."""
    if client_id is None:
        if secret is not None:
            raise InvalidRequestError("client_secret without client_id.")
        return None
    if client_id == ctx.settings.web_client_id:
        if secret is not None:
            raise InvalidClientError(CLIENT_AUTH_FAILED)  # a public client has no secret
        return None
    async with ctx.db.reading() as session:
        client = await repository.get_client(session, client_id=client_id)
    # An unknown client costs one verification too, against the dummy hash.
    if not await ctx.hasher.verify(client.secret_hash if client else None, secret or ""):
        raise InvalidClientError(CLIENT_AUTH_FAILED)
    assert client is not None
    return client


async def _password(ctx: Identity, username: str, password: str, client_id: str | None) -> Grant:
    async with ctx.db.reading() as session:
        user = await repository.get_user_by_email(session, email=username)
    if not await ctx.hasher.verify(user.password_hash if user else None, password):
        raise InvalidGrantError(BAD_CREDENTIALS)
    assert user is not None
    rehashed = None
    if ctx.hasher.needs_rehash(user.password_hash):
        rehashed = await ctx.hasher.hash_async(password)
    now = utcnow()
    refresh = new_refresh_token()
    async with ctx.db.writing() as session:
        if rehashed is not None:
            stored = await repository.get_user(session, user_id=user.id)
            if stored is not None:
                stored.password_hash = rehashed
        session.add(_refresh_row(ctx, refresh, str(uuid.uuid4()), user.id, client_id, now))
    return Grant(ctx.issuer.access_token(user_subject(user), now=now), refresh, client_id)


def _refresh_row(
    ctx: Identity,
    token: str,
    family_id: str,
    user_id: str,
    client_id: str | None,
    now: datetime,
) -> RefreshToken:
    return RefreshToken(
        id=str(uuid.uuid4()),
        token_hash=refresh_token_hash(token),
        family_id=family_id,
        user_id=user_id,
        client_id=client_id,
        created_at=now,
        expires_at=now + timedelta(seconds=ctx.settings.refresh_token_seconds),
        rotated_at=None,
        revoked_at=None,
    )


async def _refresh(ctx: Identity, token: str, client_id: str | None) -> Grant:
    """Rotate: the presented token is spent and its successor joins the same family. A spent
    token presented again revokes the family, the successor a thief or the owner holds
    included."""
    now = utcnow()
    successor = new_refresh_token()
    verdict = RefreshVerdict.ROTATE
    user: User | None = None
    async with ctx.db.writing() as session:
        row = await repository.get_refresh_token(session, token_hash=refresh_token_hash(token))
        if row is None:
            raise InvalidGrantError("The refresh token is not known.")
        state = RefreshTokenState(row.client_id, row.expires_at, row.rotated_at, row.revoked_at)
        verdict = judge_refresh(state, client_id=client_id, now=now)
        if verdict is RefreshVerdict.ROTATE and not await repository.claim_for_rotation(
            session, token_id=row.id, now=now
        ):
            verdict = RefreshVerdict.REUSED  # spent by a concurrent request a moment ago
        if verdict is RefreshVerdict.REUSED:
            await repository.revoke_family(session, family_id=row.family_id, now=now)
        elif verdict is RefreshVerdict.ROTATE:
            user = await repository.get_user(session, user_id=row.user_id)
            if user is not None:
                session.add(_refresh_row(ctx, successor, row.family_id, user.id, client_id, now))
    if verdict is RefreshVerdict.REUSED:
        log.warning("refresh_token_reused", family_id=row.family_id, user_id=row.user_id)
    if verdict is not RefreshVerdict.ROTATE:
        raise InvalidGrantError(REFUSALS[verdict])
    if user is None:
        raise InvalidGrantError("The refresh token's user no longer exists.")
    return Grant(ctx.issuer.access_token(user_subject(user), now=now), successor, client_id)


async def revoke(ctx: Identity, *, refresh_token: str) -> None:
    """Sign out: the token's whole family is revoked. Unknown tokens are ignored, so the
    answer says nothing about which tokens exist."""
    now = utcnow()
    async with ctx.db.writing() as session:
        row = await repository.get_refresh_token(
            session, token_hash=refresh_token_hash(refresh_token)
        )
        if row is not None:
            await repository.revoke_family(session, family_id=row.family_id, now=now)


async def get_user(db: Database, *, user_id: str) -> User | None:
    async with db.reading() as session:
        return await repository.get_user(session, user_id=user_id)


async def create_user(
    db: Database,
    hasher: SecretHasher,
    *,
    email: str,
    name: str,
    password: str,
    roles: list[str],
    customer_id: str | None = None,
) -> User:
    now = utcnow()
    user = User(
        id=str(uuid.uuid4()),
        email=email,
        name=name,
        password_hash=await hasher.hash_async(password),
        roles=normalise_roles(roles),
        customer_id=customer_id,
        created_at=now,
        updated_at=now,
    )
    try:
        async with db.writing() as session:
            session.add(user)
    except IntegrityError as exc:
        raise EmailTakenError(email) from exc
    return user


async def create_client(
    db: Database,
    hasher: SecretHasher,
    *,
    client_id: str,
    secret: str,
    roles: list[str],
    name: str | None = None,
) -> Client:
    client = Client(
        id=client_id,
        name=name or client_id,
        secret_hash=await hasher.hash_async(secret),
        roles=normalise_roles(roles),
        created_at=utcnow(),
    )
    try:
        async with db.writing() as session:
            session.add(client)
    except IntegrityError as exc:
        raise ClientTakenError(client_id) from exc
    return client


async def ensure_clients(ctx: Identity, clients: Mapping[str, ClientConfig]) -> None:
    """The configured clients exist with their configured secret and roles."""
    for client_id, config in clients.items():
        secret = config.secret.get_secret_value()
        roles = normalise_roles(config.roles)
        async with ctx.db.reading() as session:
            existing = await repository.get_client(session, client_id=client_id)
        if existing is None:
            with contextlib.suppress(ClientTakenError):  # a replica starting with us made it
                await create_client(
                    ctx.db,
                    ctx.hasher,
                    client_id=client_id,
                    secret=secret,
                    roles=roles,
                    name=config.name,
                )
            continue
        new_hash = None
        if not await ctx.hasher.verify(existing.secret_hash, secret):
            new_hash = await ctx.hasher.hash_async(secret)
        async with ctx.db.writing() as session:
            stored = await repository.get_client(session, client_id=client_id)
            if stored is None:
                continue
            if new_hash is not None:
                stored.secret_hash = new_hash
            stored.roles = roles
            stored.name = config.name or client_id


async def ensure_demo_accounts(ctx: Identity) -> None:
    """The development logins: created when missing, never changed once there."""
    for demo in DEMO_USERS:
        async with ctx.db.reading() as session:
            if await repository.get_user_by_email(session, email=demo.email) is not None:
                continue
        with contextlib.suppress(EmailTakenError):
            await create_user(
                ctx.db,
                ctx.hasher,
                email=demo.email,
                name=demo.name,
                password=demo.password,
                roles=[demo.role],
            )
    await ensure_clients(
        ctx,
        {
            DEMO_CLIENT_ID: ClientConfig(
                secret=SecretStr(DEMO_CLIENT_SECRET),
                roles=["admin"],
                name="OrderFlow CLI (demo)",
            )
        },
    )


async def link_customer(db: Database, *, email: str, customer_id: str) -> None:
    """Point the user with ``email`` at its customer record."""
    async with db.writing() as session:
        user = await repository.get_user_by_email(session, email=email)
        if user is not None and user.customer_id != customer_id:
            user.customer_id = customer_id
            user.updated_at = utcnow()
