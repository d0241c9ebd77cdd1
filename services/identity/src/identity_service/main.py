"""The identity service process: ``orderflow-identity`` serves on :8003; ``migrate``,
``add-user`` and ``add-client`` are the operator's commands (``orderflow-identity --help``)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from chassis import (
    Database,
    Storage,
    TokenVerifier,
    configure_logging,
    create_client,
    migrate,
    serve,
)
from chassis import create_app as create_service_app
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from . import routes
from . import service as identity_service
from .domain import (
    ClientTakenError,
    EmailTakenError,
    InvalidClientError,
    InvalidGrantError,
    InvalidRequestError,
    OAuthError,
    UnsupportedGrantTypeError,
)
from .keys import KeySet, configured_key_set, development_key_set
from .linking import CustomerLinker
from .passwords import SecretHasher
from .service import Identity
from .settings import IdentitySettings
from .tokens import TokenIssuer

STORAGE = Storage(
    migrations=Path(__file__).parent / "migrations", version_table="alembic_version_identity"
)
# The token endpoint answers in RFC 6749's error format, not problem+json: OAuth clients
# (Swagger's Authorize button, any OAuth library) read `error`.
OAUTH_ERRORS: dict[type[OAuthError], int] = {
    InvalidRequestError: 400,
    InvalidClientError: 401,
    InvalidGrantError: 400,
    UnsupportedGrantTypeError: 400,
}
CLIENT_CHALLENGE = {"WWW-Authenticate": 'Basic realm="orderflow", charset="UTF-8"'}


def key_set(settings: IdentitySettings) -> KeySet:
    if settings.signing_keys:
        pems = {kid: pem.get_secret_value() for kid, pem in settings.signing_keys.items()}
        return configured_key_set(pems, settings.active_kid)
    return development_key_set(settings.signing_key_file)


def hasher_for(settings: IdentitySettings) -> SecretHasher:
    return SecretHasher(
        time_cost=settings.argon2_time_cost,
        memory_kib=settings.argon2_memory_kib,
        parallelism=settings.argon2_parallelism,
        max_concurrent=settings.argon2_max_concurrent,
    )


async def on_oauth_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, OAuthError)
    status = OAUTH_ERRORS.get(type(exc), 400)
    headers = dict(routes.NO_STORE)
    if status == 401:
        headers.update(CLIENT_CHALLENGE)
    return JSONResponse(
        {"error": exc.error, "error_description": exc.description},
        status_code=status,
        headers=headers,
    )


def create_app(
    settings: IdentitySettings | None = None,
    customer_transport: httpx.AsyncBaseTransport | None = None,
) -> FastAPI:
    """The app; ``customer_transport`` replaces the network to the customer service."""
    settings = settings or IdentitySettings()
    keys = key_set(settings)
    # /me verifies as every component does, against this service's own published keys.
    verifier = TokenVerifier(
        issuer=settings.issuer,
        audience=settings.audience,
        jwks=keys.jwks(),
        leeway_seconds=settings.auth_leeway_seconds,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        issuer = TokenIssuer(
            keys,
            issuer=settings.issuer,
            audience=settings.audience,
            lifetime_seconds=settings.access_token_seconds,
        )
        ctx = Identity(app.state.db, hasher_for(settings), issuer, settings)
        app.state.identity = ctx
        await identity_service.ensure_clients(ctx, settings.clients)
        linking: asyncio.Task[None] | None = None
        client = create_client(
            settings.customer_service_url, timeout=3.0, transport=customer_transport
        )
        if settings.demo_accounts:
            await identity_service.ensure_demo_accounts(ctx)
            linker = CustomerLinker(ctx, client)
            app.state.readiness_checks["demo_customer"] = linker.readiness
            linking = asyncio.create_task(linker.run(), name="link-demo-customer")
        try:
            yield
        finally:
            if linking is not None:
                linking.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await linking
            await client.aclose()

    app = create_service_app(
        settings,
        title="OrderFlow identity service",
        description="Internal API: users, roles, tokens and signing keys. Reached through the "
        "gateway under /api/auth.",
        routers=[routes.router],
        storage=STORAGE,
        lifespan=lifespan,
        token_verifier=verifier,
    )
    app.add_exception_handler(OAuthError, on_oauth_error)
    app.state.settings = settings
    return app


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="orderflow-identity", description=__doc__)
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("serve", help="serve the API (the default)")
    commands.add_parser("migrate", help="apply the migrations and exit")
    user = commands.add_parser("add-user", help="create a user who signs in with a password")
    user.add_argument("--email", required=True)
    user.add_argument("--name", required=True)
    user.add_argument("--password", help="read from standard input when left out")
    user.add_argument(
        "--role", action="append", required=True, choices=["admin", "staff", "customer"]
    )
    user.add_argument("--customer-id", help="the customer record a customer user is")
    client = commands.add_parser("add-client", help="create a client_credentials client")
    client.add_argument("--client-id", required=True)
    client.add_argument("--secret", help="read from standard input when left out")
    client.add_argument("--role", action="append", required=True, choices=["admin", "staff"])
    client.add_argument("--name")
    return parser


async def _add(settings: IdentitySettings, args: argparse.Namespace) -> dict[str, object]:
    from chassis.migrations import upgrade  # Alembic only in the commands that migrate

    db = Database(settings.database_url or STORAGE.default_url)
    try:
        await upgrade(db, STORAGE.migrations, version_table=STORAGE.version_table)
        hasher = hasher_for(settings)
        if args.command == "add-user":
            password = args.password or sys.stdin.readline().rstrip("\n")
            user = await identity_service.create_user(
                db,
                hasher,
                email=args.email,
                name=args.name,
                password=password,
                roles=args.role,
                customer_id=args.customer_id,
            )
            return {"id": user.id, "email": user.email, "roles": user.roles}
        secret = args.secret or sys.stdin.readline().rstrip("\n")
        made = await identity_service.create_client(
            db, hasher, client_id=args.client_id, secret=secret, roles=args.role, name=args.name
        )
        return {"client_id": made.id, "roles": made.roles}
    finally:
        await db.dispose()


def run(argv: Sequence[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    settings = IdentitySettings()
    if args.command in (None, "serve"):
        serve(create_app(settings), settings)
    elif args.command == "migrate":
        migrate(settings, STORAGE)
    else:
        configure_logging(service=settings.service_name, level="WARNING", fmt=settings.log_format)
        try:
            print(json.dumps(asyncio.run(_add(settings, args))))
        except (EmailTakenError, ClientTakenError, ValueError) as exc:
            raise SystemExit(f"orderflow-identity {args.command}: {exc}") from None
