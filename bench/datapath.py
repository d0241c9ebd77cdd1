"""``python -m bench.datapath``: the services' read path beside lean references, and stalls.

    uv run python -m bench.datapath                 # the full run (make bench-datapath), ~6 min
    uv run python -m bench.datapath --smoke         # seconds: proves it runs (make bench-smoke)
    uv run python -m bench.datapath --baseline ../other-checkout   # its services measured too

It seeds one customer and one order database (SQLite files, migrated by the services' own
migrations, rows through their own tables) and starts, side by side:

- the real customer and order services, as ``make run`` starts them (production settings,
  access log on, callers' tokens verified);
- ``bench.lean`` on the same files: FastAPI + pydantic + stdlib ``sqlite3``, no middleware,
  the same row shape;
- with PostgreSQL configured (ORDERFLOW_TEST_POSTGRES_URL), a customer service on a database
  of its own and ``bench.lean`` answering from it through asyncpg;
- with ``--baseline`` (``make bench-datapath BASELINE=<path>``), the services of another
  checkout (its ``.venv``), on copies of the same rows in a schema its own migrations made.

Then, with wrk, at 1 and 4 connections, in turns A B A B: GET a customer by id, GET an order
with its items, the newest page of 20 orders with their items, and on PostgreSQL GET a customer
by id. Ratios are service / reference of the median req/s. Last, *stalls*: the p99 of GET a
customer by id at 1 connection alone, and again while another client runs the heaviest search
(the ``q`` that costs the service most, found by trying a few) without pause.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from orderflow_testing import (
    PostgresServer,
    ServiceProcess,
    TestIssuer,
    free_port,
    postgres_admin_url,
)

from . import data, stack, wrk
from .lab import REPO, run_quietly, sqlite_url
from .procs import CpuMeter
from .stats import ratio, summary, wrk_summary

RESULTS = REPO / "bench" / "results"
DOCS = REPO / "docs" / "benchmarks.md"
BEGIN = "<!-- bench:datapath:begin -->"
END = "<!-- bench:datapath:end -->"
# Searches that may cost the customer service most: no match at all forces the widest look.
HEAVY_CANDIDATES = ("q", "qz", "qzq", "zz-no-such-customer")
TARGETS = {
    "get_customer": 0.5,
    "get_order": 0.5,
    "orders_page": 0.4,
    "pg_get_customer": 0.5,
}
STALL_TARGET_MS = 10.0


@dataclass(frozen=True)
class Profile:
    name: str
    runs: int
    seconds: int
    warmup_seconds: int
    connections: tuple[int, ...]
    customers: int
    orders: int
    pg_customers: int
    stall_seconds: int


FULL = Profile("full", 3, 5, 2, (1, 4), 100_000, 1_000, 1_000, 10)
SMOKE = Profile("smoke", 1, 1, 0, (4,), 500, 100, 50, 1)


def lean_process(workdir: Path, name: str, env: dict[str, str]) -> ServiceProcess:
    port = free_port()
    process = ServiceProcess(
        name,
        "python",
        port=port,
        env={"LEAN_PORT": str(port), "PYTHONPATH": str(REPO), **env},
        log_dir=workdir,
    )
    process.command = [sys.executable, "-m", "bench.lean"]
    return process


def from_checkout(process: ServiceProcess, checkout: Path, script: str) -> ServiceProcess:
    """``process`` run by another checkout's console script (its own venv)."""
    process.command = [str(checkout / ".venv" / "bin" / script)]
    return process


def migrate_with(checkout: Path, script: str, prefix: str, url: str) -> None:
    done = subprocess.run(
        [str(checkout / ".venv" / "bin" / script), "migrate"],
        env={**os.environ, f"{prefix}_DATABASE_URL": url},
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"{script} migrate failed:\n{done.stdout}{done.stderr}")


def copy_rows(source: Path, target: Path, tables: tuple[str, ...]) -> None:
    """Every row of ``tables`` from ``source`` into ``target``, in the columns both have."""
    conn = sqlite3.connect(target)
    try:
        conn.execute("ATTACH DATABASE ? AS src", (str(source),))
        for table in tables:
            theirs = [row[1] for row in conn.execute(f"PRAGMA main.table_info({table})")]
            ours = {row[1] for row in conn.execute(f"PRAGMA src.table_info({table})")}
            columns = ", ".join(c for c in theirs if c in ours)
            conn.execute(f"INSERT INTO main.{table} ({columns}) SELECT {columns} FROM src.{table}")
        conn.commit()
    finally:
        conn.close()


class Bench:
    def __init__(self, profile: Profile, workdir: Path, baseline: Path | None) -> None:
        self.profile = profile
        self.workdir = workdir
        self.baseline = baseline
        self.issuer = TestIssuer()
        self.headers = self.issuer.headers("admin", expires_in=4 * 3600)
        self.files = {"customer": workdir / "customer.db", "order": workdir / "order.db"}
        self.processes: dict[str, ServiceProcess] = {}
        self.pg_server: PostgresServer | None = None
        self.customer_ids: list[str] = []
        self.order_id = ""
        self.pg_customer_ids: list[str] = []
        self.load_seconds: dict[str, float] = {}

    def prepare(self) -> None:
        start = time.perf_counter()
        urls = {kind: sqlite_url(path) for kind, path in self.files.items()}
        data.migrate("customer", urls["customer"])
        data.migrate("order", urls["order"])
        self.customer_ids = data.load_customers(urls["customer"], self.profile.customers)
        data.load_orders(urls["order"], self.profile.orders, self.customer_ids)
        with sqlite3.connect(self.files["order"]) as conn:
            self.order_id = conn.execute("SELECT id FROM orders ORDER BY id LIMIT 1").fetchone()[0]
        self.load_seconds["sqlite"] = round(time.perf_counter() - start, 2)
        self.processes["customer"] = stack.customer(
            self.workdir, database_url=urls["customer"], issuer=self.issuer
        )
        self.processes["order"] = stack.order(
            self.workdir,
            database_url=urls["order"],
            customer_url=self.processes["customer"].url,
            issuer=self.issuer,
        )
        self.processes["lean"] = lean_process(
            self.workdir,
            "lean",
            {
                "LEAN_CUSTOMER_DB": str(self.files["customer"]),
                "LEAN_ORDER_DB": str(self.files["order"]),
            },
        )
        if self.baseline is not None:
            self._prepare_baseline()
        stack.start_all(list(self.processes.values()))
        self._prepare_postgres()

    def _prepare_baseline(self) -> None:
        assert self.baseline is not None
        before: dict[str, str] = {}
        for kind, script in (("customer", "orderflow-customer"), ("order", "orderflow-order")):
            path = self.workdir / f"before-{kind}.db"
            before[kind] = sqlite_url(path)
            migrate_with(self.baseline, script, kind.upper(), before[kind])
            tables = ("customers",) if kind == "customer" else ("orders", "order_items")
            copy_rows(self.files[kind], path, tables)
        self.processes["before customer"] = from_checkout(
            stack.customer(
                self.workdir,
                database_url=before["customer"],
                issuer=self.issuer,
                name="before-customer",
            ),
            self.baseline,
            "orderflow-customer",
        )
        self.processes["before order"] = from_checkout(
            stack.order(
                self.workdir,
                database_url=before["order"],
                customer_url=self.processes["before customer"].url,
                issuer=self.issuer,
                name="before-order",
            ),
            self.baseline,
            "orderflow-order",
        )

    def _prepare_postgres(self) -> None:
        admin_url = postgres_admin_url()
        if admin_url is None:
            print("datapath: no PostgreSQL configured (ORDERFLOW_TEST_POSTGRES_URL): skipped")
            return
        self.pg_server = PostgresServer(admin_url)
        url = self.pg_server.create_database("orderflow_bench")
        pg = {
            "pg customer": stack.customer(
                self.workdir, database_url=url, issuer=self.issuer, name="pg-customer"
            )
        }
        if self.baseline is not None:
            before_url = self.pg_server.create_database("orderflow_bench")
            pg["before pg customer"] = from_checkout(
                stack.customer(
                    self.workdir,
                    database_url=before_url,
                    issuer=self.issuer,
                    name="before-pg-customer",
                ),
                self.baseline,
                "orderflow-customer",
            )
        stack.start_all(list(pg.values()))  # each migrates its own database
        self.pg_customer_ids = data.load_customers(url, self.profile.pg_customers, seed=3)
        if self.baseline is not None:
            data.load_customers(before_url, self.profile.pg_customers, seed=3)
        dsn = re.sub(r"^postgresql\+asyncpg://", "postgresql://", url)
        lean_pg = lean_process(self.workdir, "lean-pg", {"LEAN_PG_DSN": dsn})
        stack.start_all([lean_pg])
        self.processes |= pg
        self.processes["lean pg"] = lean_pg

    def targets(self) -> dict[str, dict[str, tuple[str, str]]]:
        """``{request: {variant: (process, url)}}``; the reference is always ``lean``."""
        p = self.processes
        customer, order = self.customer_ids[0], self.order_id
        paths = {
            "get_customer": (f"/customers/{customer}", "customer", "lean"),
            "get_order": (f"/orders/{order}", "order", "lean"),
            "orders_page": ("/orders?limit=20", "order", "lean"),
        }
        if "pg customer" in p:
            paths["pg_get_customer"] = (
                f"/customers/{self.pg_customer_ids[0]}",
                "pg customer",
                "lean pg",
            )
        found: dict[str, dict[str, tuple[str, str]]] = {}
        for request, (path, service, reference) in paths.items():
            variants = {"service": service, "lean": reference}
            if f"before {service}" in p:
                variants["before"] = f"before {service}"
            found[request] = {v: (name, p[name].url + path) for v, name in variants.items()}
        return found

    def check_same_shape(self) -> list[str]:
        """The reference answers with the same fields as the service, or it measures less."""
        problems = []
        for request, variants in self.targets().items():
            bodies = {
                v: httpx.get(url, headers=self.headers, timeout=10).json()
                for v, (_, url) in variants.items()
            }
            shapes = {v: _shape(body) for v, body in bodies.items()}
            if shapes["service"] != shapes["lean"]:
                problems.append(
                    f"{request}: lean answers {shapes['lean']}, not {shapes['service']}"
                )
            if bodies["service"] != bodies["lean"]:
                problems.append(f"{request}: lean's answer differs from the service's")
        return problems

    def stop(self) -> None:
        stack.stop_all(list(self.processes.values()))
        if self.pg_server is not None:
            self.pg_server.drop_all()
        self.issuer.close()

    def logs_tail(self, chars: int = 2000) -> str:
        return "\n".join(f"--- {p.name} ---\n{p.logs()[-chars:]}" for p in self.processes.values())


def _shape(body: Any) -> Any:
    if isinstance(body, dict):
        return {k: _shape(v) for k, v in body.items()}
    if isinstance(body, list):
        return [_shape(body[0])] if body else []
    return type(body).__name__


def measure_ratios(bench: Bench, profile: Profile) -> dict[str, Any]:
    meter = CpuMeter({name: stack.pid(p) for name, p in bench.processes.items()})
    results: dict[str, Any] = {}
    for request, variants in bench.targets().items():
        if profile.warmup_seconds:
            for _, url in variants.values():
                wrk.run(url, connections=4, seconds=profile.warmup_seconds, headers=bench.headers)
        results[request] = {}
        for connections in profile.connections:
            samples: dict[str, list[dict[str, Any]]] = {v: [] for v in variants}
            for _ in range(profile.runs):
                for variant, (process, url) in variants.items():
                    meter.start()
                    result = wrk.run(
                        url, connections=connections, seconds=profile.seconds, headers=bench.headers
                    )
                    cpu = meter.stop()[process]
                    samples[variant].append(
                        {
                            **result.as_dict(),
                            "cpu_ms_per_request": round(cpu * 1000 / result.requests, 3)
                            if result.requests
                            else None,
                        }
                    )
            entry = _summarise(samples)
            results[request][str(connections)] = entry
            rates = "  ".join(
                f"{v} {s['rps']['median']:.0f}/s" for v, s in entry["variants"].items()
            )
            print(f"  {request:<16} c={connections}  {rates}  ratios {entry['ratios']}", flush=True)
    return results


def _summarise(samples: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    variants = {
        v: wrk_summary(runs)
        | {"cpu_ms_per_request": summary(s["cpu_ms_per_request"] or 0.0 for s in runs)}
        for v, runs in samples.items()
    }
    lean = variants["lean"]["rps"]["median"]
    return {
        "variants": variants,
        "ratios": {
            f"{v}/lean": ratio(variants[v]["rps"]["median"], lean) for v in variants if v != "lean"
        },
    }


def heaviest_search(url: str, headers: dict[str, str]) -> dict[str, Any]:
    """The candidate ``q`` whose page takes the service longest (median of a few tries)."""
    timings: dict[str, float] = {}
    with httpx.Client(headers=headers, timeout=60) as client:
        for q in HEAVY_CANDIDATES:
            took = []
            for _ in range(3):
                start = time.perf_counter()
                client.get(url, params={"q": q, "limit": 100}).raise_for_status()
                took.append(time.perf_counter() - start)
            timings[q] = round(statistics.median(took) * 1000, 2)
    q = max(timings, key=lambda k: timings[k])
    return {"q": q, "tried_ms": timings}


def measure_stalls(bench: Bench, profile: Profile) -> dict[str, Any]:
    """p99 of GET a customer by id at 1 connection, alone and beside the heaviest search."""
    results: dict[str, Any] = {}
    services = {"service": "customer"}
    if "before customer" in bench.processes:
        services["before"] = "before customer"
    for variant, name in services.items():
        base = bench.processes[name].url
        get_url = f"{base}/customers/{bench.customer_ids[0]}"
        heavy = heaviest_search(f"{base}/customers", bench.headers)
        search_url = f"{base}/customers?q={heavy['q']}&limit=100"
        alone = wrk.run(
            get_url, connections=1, seconds=profile.stall_seconds, headers=bench.headers
        )
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            searching = pool.submit(
                wrk.run,
                search_url,
                connections=1,
                seconds=profile.stall_seconds + 2,
                headers=bench.headers,
            )
            time.sleep(1)
            beside = wrk.run(
                get_url, connections=1, seconds=profile.stall_seconds, headers=bench.headers
            )
            search = searching.result()
        results[variant] = {
            "heaviest_search": heavy,
            "alone": alone.as_dict(),
            "beside_search": beside.as_dict(),
            "search": search.as_dict(),
        }
        print(
            f"  stalls {variant}: p99 alone {alone.latency_us['p99'] / 1000:.2f} ms, beside "
            f"q={heavy['q']!r} ({search.rps:.1f} searches/s) "
            f"{beside.latency_us['p99'] / 1000:.2f} ms",
            flush=True,
        )
    return results


def check(results: dict[str, Any]) -> list[str]:
    """What the smoke run asserts: numbers without errors, never a timing."""
    problems = list(results.get("shape_problems", []))
    for request, by_conns in results["ratios"].items():
        for conns, entry in by_conns.items():
            for variant, v in entry["variants"].items():
                if v["rps"]["median"] <= 0 or v["errors"]:
                    problems.append(f"{request} {variant} c={conns}: {v['errors']} errors")
    for variant, stall in results["stalls"].items():
        for run in ("alone", "beside_search", "search"):
            if not stall[run]["requests"] or sum(stall[run]["errors"].values()):
                problems.append(f"stalls {variant} {run}: no requests or errors")
    return problems


def markdown(results: dict[str, Any]) -> str:
    m = results["machine"]
    lines = [
        f"Measured {m['date']} on {m['nproc']} x {m['cpu']}; Python {m['python']}; commit "
        f"`{m['commit']}`; profile `{results['profile']}` ({results['runs']} interleaved runs "
        f"of {results['seconds']} s, medians and ranges); {results['customers']:,} customers, "
        f"{results['orders']:,} orders; load average {m['loadavg']} before, "
        f"{m.get('loadavg_after', '?')} after"
        + (
            f"; before = commit `{results.get('baseline_commit')}` (another checkout)"
            if results.get("baseline")
            else ""
        )
        + ".",
        "",
        "| request | conns | variant | req/s | p50 ms | p99 ms | CPU ms/request | x lean "
        "| target |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for request, by_conns in results["ratios"].items():
        for conns, entry in by_conns.items():
            for variant, v in entry["variants"].items():
                share = entry["ratios"].get(f"{variant}/lean")
                lines.append(
                    f"| {request} | {conns} | {variant} | {_range(v['rps'])} | "
                    f"{_range(v['p50_ms'], 2)} | {_range(v['p99_ms'], 2)} | "
                    f"{_range(v['cpu_ms_per_request'], 2)} | {share if share else '-'} | "
                    f"{'≥ ' + str(TARGETS[request]) if variant == 'service' else ''} |"
                )
    lines += [
        "",
        "| stalls: GET a customer by id, 1 connection (target: p99 < "
        f"{STALL_TARGET_MS:g} ms beside the search) | p50 ms | p99 ms | max ms | req/s |",
        "| --- | --- | --- | --- | --- |",
    ]
    for variant, stall in results["stalls"].items():
        heavy = stall["heaviest_search"]
        for run, label in (
            ("alone", "alone"),
            ("beside_search", f"beside the search q={heavy['q']!r}"),
        ):
            lat = stall[run]["latency_ms"]
            lines.append(
                f"| {variant}, {label} | {lat['p50']:.2f} | {lat['p99']:.2f} | {lat['max']:.2f} | "
                f"{stall[run]['rps']:.0f} |"
            )
        search = stall["search"]
        lines.append(
            f"| {variant}, the search itself | {search['latency_ms']['p50']:.2f} | "
            f"{search['latency_ms']['p99']:.2f} | "
            f"{search['latency_ms']['max']:.2f} | {search['rps']:.1f} |"
        )
    return "\n".join(lines)


def _range(s: dict[str, Any], digits: int = 0) -> str:
    fmt = f"{{:.{digits}f}}"
    if s["runs"] == 1:
        return fmt.format(s["median"])
    return f"{fmt.format(s['median'])} ({fmt.format(s['min'])}-{fmt.format(s['max'])})"


def update_docs(text: str) -> None:
    doc = DOCS.read_text()
    if BEGIN not in doc:
        raise SystemExit(f"{DOCS} has no {BEGIN} … {END} block to fill")
    block = f"{BEGIN}\n{text.rstrip()}\n{END}"
    DOCS.write_text(
        re.sub(re.escape(BEGIN) + r".*?" + re.escape(END), lambda _: block, doc, flags=re.S)
    )


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.datapath", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="a few seconds, tiny data")
    parser.add_argument("--runs", type=int, help="override the runs of each variant")
    parser.add_argument("--seconds", type=int, help="override the seconds of each wrk run")
    parser.add_argument("--baseline", type=Path, help="another checkout, measured as 'before'")
    parser.add_argument("--label", default="", help="a name for this run's result file")
    parser.add_argument("--update-docs", action="store_true", help=f"rewrite the block in {DOCS}")
    parser.add_argument("--keep", action="store_true", help="keep the work directory and logs")
    args = parser.parse_args()
    profile = SMOKE if args.smoke else FULL
    overrides = {k: v for k, v in (("runs", args.runs), ("seconds", args.seconds)) if v}
    profile = Profile(**{**profile.__dict__, **overrides})
    baseline = args.baseline.resolve() if args.baseline else None
    if baseline is not None and not (baseline / ".venv" / "bin" / "orderflow-customer").exists():
        raise SystemExit(f"{baseline} has no installed services: run `make install` there")
    wrk.require_tools()
    from .__main__ import machine_info

    workdir = Path(tempfile.mkdtemp(prefix="orderflow-datapath-"))
    results: dict[str, Any] = {
        "machine": machine_info(),
        "profile": profile.name,
        "runs": profile.runs,
        "seconds": profile.seconds,
        "customers": profile.customers,
        "orders": profile.orders,
        "baseline": str(baseline) if baseline else None,
        "baseline_commit": run_quietly(["git", "-C", str(baseline), "rev-parse", "--short", "HEAD"])
        if baseline
        else None,
    }
    bench = Bench(profile, workdir, baseline)
    start = time.perf_counter()
    try:
        print(f"datapath ({profile.name}): loading data and starting processes in {workdir}")
        bench.prepare()
        results["load_seconds"] = bench.load_seconds
        results["shape_problems"] = bench.check_same_shape()
        print("ratios: service / lean reference, in turns")
        results["ratios"] = measure_ratios(bench, profile)
        print("stalls: GET by id beside the heaviest search")
        results["stalls"] = measure_stalls(bench, profile)
    except Exception:
        print(bench.logs_tail(), file=sys.stderr)
        raise
    finally:
        bench.stop()
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    results["elapsed_seconds"] = round(time.perf_counter() - start, 1)
    results["machine"]["loadavg_after"] = Path("/proc/loadavg").read_text().split()[0]
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    name = "-".join(filter(None, ["datapath", stamp, profile.name, args.label]))
    (RESULTS / f"{name}.json").write_text(json.dumps(results, indent=2))
    text = markdown(results)
    print("\n" + text)
    if args.update_docs:
        update_docs(text)
        print(f"updated {DOCS.relative_to(REPO)}")
    print(f"results: bench/results/{name}.json ({results['elapsed_seconds']} s)")
    problems = check(results)
    for problem in problems:
        print(f"FAILED: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
