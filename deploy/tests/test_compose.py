"""deploy/compose.yaml, read as Compose would (no Docker engine runs here to try it)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy.engine import make_url

DEPLOY = Path(__file__).resolve().parents[1]
APPS = ("customer", "order", "identity", "gateway", "frontend")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    return loaded


# What an operator puts in deploy/.env; the compose file itself holds no password.
ENVIRONMENT = {
    "POSTGRES_PASSWORD": "p-admin",
    "CUSTOMER_DB_PASSWORD": "p-customers",
    "ORDER_DB_PASSWORD": "p-orders",
    "IDENTITY_DB_PASSWORD": "p-identities",
}
VARIABLE = re.compile(r"\$\{([A-Z_]+)(?::?([-?])([^}]*))?\}")


def resolved(value: str, env: dict[str, str] = ENVIRONMENT) -> str:
    """``${NAME}``, ``${NAME:-default}`` and ``${NAME:?message}`` as Compose resolves them."""

    def one(match: re.Match[str]) -> str:
        name, kind, rest = match.groups()
        if name in env:
            return env[name]
        if kind == "?":
            raise LookupError(f"compose refuses to start: {rest}")
        return rest or ""

    return VARIABLE.sub(one, value)


def test_no_password_has_a_default_and_each_is_required() -> None:
    text = (DEPLOY / "compose.yaml").read_text()
    uses = VARIABLE.findall(text)
    passwords = [(name, kind) for name, kind, _ in uses if "PASSWORD" in name]

    assert {name for name, _ in passwords} == set(ENVIRONMENT)
    assert all(kind == "?" for _, kind in passwords), passwords
    with pytest.raises(LookupError, match="refuses"):
        resolved("${CUSTOMER_DB_PASSWORD:?set it}", env={})


def test_the_system_is_five_components_postgres_and_redis(compose: dict[str, Any]) -> None:
    assert set(compose["services"]) == {"postgres", "redis", *APPS}


@pytest.mark.parametrize("name", APPS)
def test_components_are_built_here_and_locked_down(compose: dict[str, Any], name: str) -> None:
    service = compose["services"][name]
    assert (DEPLOY.parent / service["build"]["dockerfile"]).exists()
    assert service["build"]["context"] == ".."
    assert not service["image"].endswith(":latest")
    assert ":" in service["image"]
    assert service["read_only"] is True
    assert service["cap_drop"] == ["ALL"]
    assert "no-new-privileges:true" in service["security_opt"]
    assert "/tmp" in service["tmpfs"]


def test_start_order_waits_for_health(compose: dict[str, Any]) -> None:
    expected = {
        "customer": {"postgres"},
        "order": {"postgres", "customer"},
        "identity": {"postgres"},
        "gateway": {"customer", "order", "identity", "redis"},
        "frontend": {"gateway"},
    }
    for name, needs in expected.items():
        depends = compose["services"][name]["depends_on"]
        assert set(depends) == needs, name
        assert {d["condition"] for d in depends.values()} == {"service_healthy"}, name
    assert compose["services"]["postgres"]["healthcheck"]["test"][0] == "CMD"
    assert compose["services"]["redis"]["healthcheck"]["test"][0] == "CMD"


def test_only_the_gateway_and_the_frontend_are_published(compose: dict[str, Any]) -> None:
    published = {n for n, s in compose["services"].items() if s.get("ports")}
    assert published == {"gateway", "frontend"}


def test_networks_keep_the_frontend_away_from_services_and_data(compose: dict[str, Any]) -> None:
    networks = {n: set(s["networks"]) for n, s in compose["services"].items()}
    assert not networks["frontend"] & (networks["customer"] | networks["postgres"])
    assert not networks["gateway"] & networks["postgres"]
    assert networks["order"] & networks["customer"]
    # Redis shares a network with the gateway and with nothing else.
    assert networks["redis"] & networks["gateway"]
    others = set(compose["services"]) - {"redis", "gateway"}
    assert not any(networks["redis"] & networks[name] for name in others)


def test_the_gateway_keeps_its_budgets_in_the_redis_service(compose: dict[str, Any]) -> None:
    redis = compose["services"]["redis"]
    url = compose["services"]["gateway"]["environment"]["GATEWAY_REDIS_URL"]

    assert url.startswith("redis://redis:6379/")
    assert redis["image"].startswith("redis:7")
    assert not redis["image"].endswith(":latest")
    assert redis["read_only"] is True
    assert redis["cap_drop"] == ["ALL"]
    assert redis["user"] != "0"


def test_each_service_has_its_own_database_created_by_the_init_script(
    compose: dict[str, Any],
) -> None:
    postgres = compose["services"]["postgres"]
    (mount,) = [v for v in postgres["volumes"] if "docker-entrypoint-initdb.d" in v]
    script = (DEPLOY / mount.split(":")[0]).resolve()
    assert script == (DEPLOY / "postgres" / "init-databases.sh").resolve()
    text = script.read_text()

    urls = {
        "customer": compose["services"]["customer"]["environment"]["CUSTOMER_DATABASE_URL"],
        "order": compose["services"]["order"]["environment"]["ORDER_DATABASE_URL"],
        "identity": compose["services"]["identity"]["environment"]["IDENTITY_DATABASE_URL"],
    }
    databases = set()
    for name, url in urls.items():
        parsed = make_url(resolved(url))
        assert parsed.drivername == "postgresql+asyncpg", name
        assert parsed.host == "postgres", name
        assert parsed.username == parsed.database, "the role is named after its database"
        databases.add(parsed.database)
        password_var = f"{name.upper()}_DB_PASSWORD"
        assert password_var in text
        assert password_var in postgres["environment"]
        assert resolved(postgres["environment"][password_var]) == parsed.password
    assert databases == {"customers", "orders", "identities"}
    assert "${CUSTOMER_DB_NAME:-customers}" in text
    assert "${ORDER_DB_NAME:-orders}" in text
    assert "${IDENTITY_DB_NAME:-identities}" in text


def test_upstream_addresses_name_compose_services_on_their_ports(compose: dict[str, Any]) -> None:
    services = compose["services"]
    ports = {"customer": "8001", "order": "8002", "identity": "8003", "gateway": "8000"}
    addresses = [
        services["order"]["environment"]["ORDER_CUSTOMER_SERVICE_URL"],
        services["identity"]["environment"]["IDENTITY_CUSTOMER_SERVICE_URL"],
        services["gateway"]["environment"]["GATEWAY_CUSTOMER_SERVICE_URL"],
        services["gateway"]["environment"]["GATEWAY_ORDER_SERVICE_URL"],
        services["gateway"]["environment"]["GATEWAY_IDENTITY_SERVICE_URL"],
        "http://" + services["frontend"]["environment"]["GATEWAY_UPSTREAM"],
    ]
    for address in addresses:
        host, port = address.removeprefix("http://").split(":")
        assert ports[host] == port, address


def test_every_component_trusts_the_one_issuer_and_fetches_keys_from_identity(
    compose: dict[str, Any],
) -> None:
    services = compose["services"]
    issuer = services["identity"]["environment"]["IDENTITY_ISSUER"]
    assert issuer == "http://localhost:8080/api/auth", "the URL the browser uses"
    for name, prefix in (("customer", "CUSTOMER"), ("order", "ORDER"), ("gateway", "GATEWAY")):
        environment = services[name]["environment"]
        assert environment[f"{prefix}_AUTH_ISSUER"] == issuer, name
        assert environment[f"{prefix}_AUTH_JWKS_URL"] == "http://identity:8003/jwks.json", name


def test_the_identity_service_keeps_its_generated_key_in_a_volume(
    compose: dict[str, Any],
) -> None:
    identity = compose["services"]["identity"]
    assert identity["environment"]["IDENTITY_ENVIRONMENT"] == "development"
    assert "identity-keys:/app/var" in identity["volumes"]
    assert "identity-keys" in compose["volumes"]
