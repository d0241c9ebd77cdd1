"""Gateway overhead: the same read straight to the service, through nginx, through our gateway.

    uv run python bench/gateway_overhead.py              # 3 interleaved runs of 5 s each
    uv run python bench/gateway_overhead.py --smoke      # a few seconds: proves it still works

Starts the customer service (and the order service, when installed) and the gateway as real
processes in production mode, plus Debian's nginx with a config written here (one worker,
upstream keep-alive), loads a little data, and drives each variant with wrk at several
connection counts. Variants run A B C, A B C, ... so drift of the machine hits all alike.
Prints a Markdown table (medians, with the range of req/s) and writes the raw figures as JSON
under bench/results/.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
from orderflow_testing import ServiceProcess, free_port

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
TICKS = os.sysconf("SC_CLK_TCK")

NGINX_CONF = """
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/nginx-error.log;
events {{ worker_connections 1024; }}
http {{
  access_log {dir}/nginx-access.log;
  upstream customer {{ server 127.0.0.1:{customer}; keepalive 64; }}
  upstream order {{ server 127.0.0.1:{order}; keepalive 64; }}
  server {{
    listen 127.0.0.1:{port};
    location /api/customers {{
      proxy_pass http://customer/customers;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }}
    location /api/orders {{
      proxy_pass http://order/orders;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }}
  }}
}}
"""


@dataclass
class Sample:
    target: str
    variant: str
    connections: int
    run: int
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    errors: int
    cpu_ms_per_request: dict[str, float]


def ensure_tools() -> None:
    missing = [tool for tool in ("wrk", "nginx") if shutil.which(tool) is None]
    if not missing:
        return
    if os.geteuid() != 0:
        sys.exit(f"missing {', '.join(missing)}: apt-get install -y wrk nginx")
    print(f"installing {' '.join(missing)} from Debian's packages", flush=True)
    subprocess.run(["apt-get", "install", "-y", "-q", "wrk", "nginx"], check=True)


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS


def to_ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def wrk(url: str, connections: int, seconds: float) -> tuple[int, float, float, float, int]:
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = to_ms(re.search(r"\s50%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    p99 = to_ms(re.search(r"\s99%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    errors_match = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    errors = int(errors_match.group(1)) if errors_match else 0
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    return requests, rate, p50, p99, errors


def children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def start_stack(workdir: Path, with_orders: bool) -> dict[str, ServiceProcess]:
    ports = {name: free_port() for name in ("customer", "order", "gateway")}
    common = {"LOG_LEVEL": "INFO", "ENVIRONMENT": "production"}
    services = {
        "customer": ServiceProcess(
            "customer",
            "orderflow-customer",
            port=ports["customer"],
            log_dir=workdir,
            env={
                "CUSTOMER_PORT": str(ports["customer"]),
                "CUSTOMER_DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'customer.db'}",
                **{f"CUSTOMER_{k}": v for k, v in common.items()},
            },
        )
    }
    if with_orders:
        services["order"] = ServiceProcess(
            "order",
            "orderflow-order",
            port=ports["order"],
            log_dir=workdir,
            env={
                "ORDER_PORT": str(ports["order"]),
                "ORDER_DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'order.db'}",
                "ORDER_CUSTOMER_SERVICE_URL": f"http://127.0.0.1:{ports['customer']}",
                **{f"ORDER_{k}": v for k, v in common.items()},
            },
        )
    services["gateway"] = ServiceProcess(
        "gateway",
        "orderflow-gateway",
        port=ports["gateway"],
        log_dir=workdir,
        env={
            "GATEWAY_HOST": "127.0.0.1",
            "GATEWAY_PORT": str(ports["gateway"]),
            "GATEWAY_CUSTOMER_SERVICE_URL": f"http://127.0.0.1:{ports['customer']}",
            "GATEWAY_ORDER_SERVICE_URL": f"http://127.0.0.1:{ports['order']}",
            **{f"GATEWAY_{k}": v for k, v in common.items()},
        },
    )
    for service in services.values():
        service.start(wait=False)
    for name, service in services.items():
        if name == "gateway" and not with_orders:
            _wait_live(service)  # never ready without its order service; alive is enough here
        else:
            service.wait_ready(60)
    return services


def _wait_live(service: ServiceProcess) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{service.url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.05)
    raise TimeoutError(f"{service.name} not up:\n{service.logs()}")


def start_nginx(workdir: Path, services: dict[str, ServiceProcess]) -> tuple[str, list[int]]:
    port = free_port()
    order_port = services["order"].port if "order" in services else free_port()
    conf = workdir / "nginx.conf"
    conf.write_text(
        NGINX_CONF.format(
            dir=workdir, port=port, customer=services["customer"].port, order=order_port
        )
    )
    subprocess.run(["nginx", "-c", str(conf), "-p", str(workdir)], check=True)
    master = int((workdir / "nginx.pid").read_text())
    return f"http://127.0.0.1:{port}", [master, *children(master)]


def seed(services: dict[str, ServiceProcess]) -> dict[str, str]:
    """One customer to read and, with the order service, 50 orders for a page."""
    customer = httpx.post(
        f"{services['customer'].url}/customers",
        json={"name": "Ada Lovelace", "email": "ada@example.com"},
    ).json()
    paths = {"customer": f"/customers/{customer['id']}"}
    if "order" in services:
        item = {"sku": "AE-1", "name": "Analytical engine", "quantity": 1, "unit_price_cents": 100}
        for _ in range(50):
            httpx.post(
                f"{services['order'].url}/orders",
                json={"customer_id": customer["id"], "items": [item]},
            ).raise_for_status()
        paths["orders page (50)"] = "/orders?limit=50"
    return paths


def measure(args: argparse.Namespace) -> tuple[list[Sample], dict[str, object]]:
    ensure_tools()
    with_orders = shutil.which("orderflow-order", path=str(Path(sys.executable).parent)) is not None
    workdir = Path(tempfile.mkdtemp(prefix="orderflow-bench-"))
    services = start_stack(workdir, with_orders)
    nginx_url, nginx_pids = start_nginx(workdir, services)
    samples: list[Sample] = []
    try:
        paths = seed(services)
        gateway = services["gateway"]
        for target, path in paths.items():
            service = services["order" if target.startswith("orders") else "customer"]
            pids = {
                "service": [service.process.pid],  # type: ignore[union-attr]
                "gateway": [gateway.process.pid],  # type: ignore[union-attr]
                "nginx": nginx_pids,
            }
            if target.startswith("orders"):
                pids["customer"] = [services["customer"].process.pid]  # type: ignore[union-attr]
            variants = {
                "direct": (service.url + path, ["service"]),
                "nginx": (nginx_url + "/api" + path, ["nginx", "service"]),
                "gateway": (
                    gateway.url + "/api" + path,
                    ["gateway", "service", *(["customer"] if "customer" in pids else [])],
                ),
            }
            for url, _ in variants.values():
                httpx.get(url).raise_for_status()
                wrk(url, 4, 1)  # warm up pools, caches and JIT-less interpreters alike
            for run in range(1, args.runs + 1):
                for connections in args.connections:
                    order = list(variants)
                    shift = (run - 1) % len(order)
                    for variant in order[shift:] + order[:shift]:
                        url, processes = variants[variant]
                        before = {p: cpu_seconds(pids[p]) for p in processes}
                        requests, rate, p50, p99, errors = wrk(url, connections, args.seconds)
                        cpu = {
                            p: round((cpu_seconds(pids[p]) - before[p]) * 1000 / requests, 3)
                            for p in processes
                        }
                        samples.append(
                            Sample(target, variant, connections, run, rate, p50, p99, errors, cpu)
                        )
                        print(
                            f"{target:18} {variant:8} c={connections:<3} run {run}: "
                            f"{rate:9.1f} req/s  p50 {p50:7.3f} ms  p99 {p99:7.3f} ms  "
                            f"cpu/req {cpu}  errors {errors}",
                            flush=True,
                        )
    finally:
        stop = ["nginx", "-c", str(workdir / "nginx.conf"), "-p", str(workdir), "-s", "stop"]
        subprocess.run(stop, check=False)
        for service in services.values():
            service.stop()
    machine = {
        "cpus": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "python": platform.python_version(),
        "nginx": subprocess.run(["nginx", "-v"], capture_output=True, text=True).stderr.strip(),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "seconds_per_run": args.seconds,
        "runs": args.runs,
    }
    return samples, machine


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()


def table(samples: list[Sample]) -> str:
    """Medians per target, connections and variant; ratios to nginx and to the direct call."""
    groups: dict[tuple[str, int, str], list[Sample]] = {}
    for sample in samples:
        groups.setdefault((sample.target, sample.connections, sample.variant), []).append(sample)
    rate = {key: statistics.median(s.requests_per_s for s in runs) for key, runs in groups.items()}
    rows = [
        "| target | conns | variant | req/s median (range) | p50 ms | p99 ms | CPU ms/req "
        "| vs nginx | vs direct |",
        "| --- | ---: | --- | --- | ---: | ---: | --- | ---: | ---: |",
    ]
    for (target, connections, variant), group in groups.items():
        rates = [s.requests_per_s for s in group]
        cpu = ", ".join(
            f"{name} {statistics.median(s.cpu_ms_per_request[name] for s in group):.2f}"
            for name in group[0].cpu_ms_per_request
        )
        mine = rate[(target, connections, variant)]
        nginx = rate.get((target, connections, "nginx"), mine)
        direct = rate.get((target, connections, "direct"), mine)
        rows.append(
            f"| {target} | {connections} | {variant} "
            f"| {mine:.0f} ({min(rates):.0f} to {max(rates):.0f}) "
            f"| {statistics.median(s.p50_ms for s in group):.2f} "
            f"| {statistics.median(s.p99_ms for s in group):.2f} | {cpu} "
            f"| {mine / nginx:.2f} | {mine / direct:.2f} |"
        )
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--connections", type=int, nargs="+", default=[1, 4, 32])
    parser.add_argument("--smoke", action="store_true", help="1 run of 1 s at 1 and 32 conns")
    args = parser.parse_args()
    if args.smoke:
        args.runs, args.seconds, args.connections = 1, 1, [1, 32]
    samples, machine = measure(args)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = RESULTS / f"gateway_overhead-{stamp}.json"
    figures = {"machine": machine, "samples": [asdict(s) for s in samples]}
    out.write_text(json.dumps(figures, indent=2))
    print(f"\n{machine}\n")
    print(table(samples))
    print(f"\nraw figures: {out.relative_to(ROOT)}")
    if not samples or any(s.requests_per_s <= 0 for s in samples):
        sys.exit("no figures: the benchmark did not run")


if __name__ == "__main__":
    main()
