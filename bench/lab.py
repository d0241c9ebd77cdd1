"""The lab: every process under test and the data in their databases, set up and torn down.

- ``main``: customer, order and gateway on SQLite files (as `make run` ships), with
  ``orders_small`` orders; the frontend too when it is built. Its start-up is what part 4 times.
- ``big``: a second order service and gateway on ``orders_big`` orders, sharing the customer
  service, so small and big can be measured in turns.
- ``nginx`` in front of the main customer and order services.
- ``pg``: customer, order and gateway on PostgreSQL, for the write benchmark, when a server is
  configured (ORDERFLOW_TEST_POSTGRES_URL).

Every component trusts the tokens of the lab's ``issuer`` (a ``TestIssuer``); every request
sent carries ``headers``, one admin's token, reused as a real client reuses its token.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from orderflow_testing import (
    PostgresServer,
    ServiceProcess,
    TestIssuer,
    free_port,
    postgres_admin_url,
)

from . import data, stack
from .config import Profile
from .nginx import Nginx

T = TypeVar("T")
REPO = Path(__file__).resolve().parent.parent
FRONTEND = REPO / "frontend"


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


def frontend_built() -> bool:
    return (FRONTEND / "dist" / "index.html").exists() and (FRONTEND / "node_modules").exists()


def frontend_process(workdir: Path, gateway_url: str) -> ServiceProcess:
    """`npm --prefix frontend run preview`, as `make run` starts it, on a free port."""
    port = free_port()
    process = ServiceProcess(
        "frontend",
        "orderflow-frontend",  # replaced below: npm is no console script of ours
        port=port,
        env={"FRONTEND_PORT": str(port), "ORDERFLOW_GATEWAY_URL": gateway_url},
        log_dir=workdir,
    )
    process.command = ["npm", "--prefix", str(FRONTEND), "run", "--silent", "preview"]
    return process


def floor_process(workdir: Path, *, customer_url: str, order_url: str) -> ServiceProcess:
    """``python -m bench.floor``: the least a Python proxy on uvicorn and aiohttp does."""
    port = free_port()
    process = ServiceProcess(
        "floor",
        "python",
        port=port,
        env={
            "BENCH_FLOOR_PORT": str(port),
            "BENCH_FLOOR_CUSTOMER": customer_url,
            "BENCH_FLOOR_ORDER": order_url,
            "PYTHONPATH": str(REPO),
        },
        log_dir=workdir,
    )
    process.command = [sys.executable, "-m", "bench.floor"]
    return process


class Lab:
    def __init__(
        self,
        profile: Profile,
        workdir: Path,
        *,
        gateway_env: dict[str, str],
        gateway_variants: dict[str, dict[str, str]] | None = None,
        floor: bool = False,
    ) -> None:
        self.profile = profile
        self.workdir = workdir
        self.gateway_env = gateway_env
        self.issuer = TestIssuer()
        # Valid for the whole benchmark, which outlasts a default token's 10 minutes.
        self.headers = self.issuer.headers("admin", expires_in=4 * 3600)
        self.customer_ids: list[str] = []
        self.pg_customer_ids: list[str] = []
        self.urls = {
            "customer": sqlite_url(workdir / "customer.db"),
            "order": sqlite_url(workdir / "order.db"),
            "order_big": sqlite_url(workdir / "order-big.db"),
        }
        main_dir, big_dir = workdir / "main", workdir / "big"
        main_dir.mkdir(parents=True, exist_ok=True)
        big_dir.mkdir(parents=True, exist_ok=True)
        self.customer = stack.customer(
            main_dir, database_url=self.urls["customer"], issuer=self.issuer
        )
        self.order = stack.order(
            main_dir,
            database_url=self.urls["order"],
            customer_url=self.customer.url,
            issuer=self.issuer,
        )
        self.gateway = stack.gateway(
            main_dir,
            customer_url=self.customer.url,
            order_url=self.order.url,
            issuer=self.issuer,
            settings=gateway_env,
        )
        self.main: list[ServiceProcess] = [self.customer, self.order, self.gateway]
        if frontend_built():
            self.main.append(frontend_process(main_dir, self.gateway.url))
        self.order_big = stack.order(
            big_dir,
            database_url=self.urls["order_big"],
            customer_url=self.customer.url,
            issuer=self.issuer,
            name="order-big",
        )
        self.gateway_big = stack.gateway(
            big_dir,
            customer_url=self.customer.url,
            order_url=self.order_big.url,
            issuer=self.issuer,
            name="gateway-big",
            settings=gateway_env,
        )
        # Gateways with other settings, measured beside the shipped one (``--variant``).
        self.gateway_variants = {
            name: stack.gateway(
                main_dir,
                customer_url=self.customer.url,
                order_url=self.order.url,
                issuer=self.issuer,
                name=name,
                settings={**gateway_env, **env},
            )
            for name, env in (gateway_variants or {}).items()
        }
        if floor:
            self.gateway_variants["floor"] = floor_process(
                main_dir, customer_url=self.customer.url, order_url=self.order.url
            )
        self.nginx = Nginx(
            workdir / "nginx", port=free_port(), customer=self.customer.url, order=self.order.url
        )
        self.pg_server: PostgresServer | None = None
        self.pg: list[ServiceProcess] = []
        self.pg_urls: dict[str, str] = {}
        self.load_seconds: dict[str, float] = {}

    # -- data ------------------------------------------------------------------------------

    def prepare_data(self) -> None:
        """Migrate every SQLite database with the services' own migrations, then load rows."""
        data.migrate("customer", self.urls["customer"])
        data.migrate("order", self.urls["order"])
        data.migrate("order", self.urls["order_big"])
        self.customer_ids = self._timed(
            "customers", lambda: data.load_customers(self.urls["customer"], self.profile.customers)
        )
        self._timed(
            "orders_small",
            lambda: data.load_orders(
                self.urls["order"], self.profile.orders_small, self.customer_ids
            ),
        )
        self._timed(
            "orders_big",
            lambda: data.load_orders(
                self.urls["order_big"], self.profile.orders_big, self.customer_ids
            ),
        )

    def _timed(self, name: str, work: Callable[[], T]) -> T:
        start = time.perf_counter()
        result = work()
        self.load_seconds[name] = round(time.perf_counter() - start, 2)
        return result

    # -- processes -------------------------------------------------------------------------

    def start_others(self) -> None:
        stack.start_all([self.order_big, self.gateway_big, *self.gateway_variants.values()])
        self.nginx.start()

    def start_postgres(self) -> bool:
        """The PostgreSQL stack, on two new databases; False when no server is configured."""
        admin_url = postgres_admin_url()
        if admin_url is None:
            return False
        self.pg_server = PostgresServer(admin_url)
        self.pg_urls = {
            "customer": self.pg_server.create_database("orderflow_bench"),
            "order": self.pg_server.create_database("orderflow_bench"),
        }
        pg_dir = self.workdir / "pg"
        pg_dir.mkdir(exist_ok=True)
        customer = stack.customer(pg_dir, database_url=self.pg_urls["customer"], issuer=self.issuer)
        order = stack.order(
            pg_dir,
            database_url=self.pg_urls["order"],
            customer_url=customer.url,
            issuer=self.issuer,
        )
        gateway = stack.gateway(
            pg_dir,
            customer_url=customer.url,
            order_url=order.url,
            issuer=self.issuer,
            settings=self.gateway_env,
        )
        self.pg = [customer, order, gateway]
        stack.start_all(self.pg)  # migrates both databases
        self.pg_customer_ids = data.load_customers(self.pg_urls["customer"], 20, seed=3)
        return True

    def stop(self) -> None:
        self.nginx.stop()
        others = [self.order_big, self.gateway_big, *self.gateway_variants.values()]
        for group in (self.pg, others, self.main):
            stack.stop_all(group)
        if self.pg_server is not None:
            self.pg_server.drop_all()
        self.issuer.close()

    def logs_tail(self, chars: int = 2000) -> str:
        processes = [
            *self.main,
            self.order_big,
            self.gateway_big,
            *self.gateway_variants.values(),
            *self.pg,
        ]
        return "\n".join(f"--- {p.name} ---\n{p.logs()[-chars:]}" for p in processes)


def run_quietly(command: list[str]) -> str:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    return (done.stdout + done.stderr).strip()
