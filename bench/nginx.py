"""nginx as the reference reverse proxy: Debian's binary, our config, in the foreground.

It maps the gateway's public paths onto the services the way the gateway does
(``/api/customers/...`` to the customer service's ``/customers/...``), with keep-alive
connections to the upstreams, one worker (the gateway is one process too) and an access log,
as a production proxy would keep.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import httpx

CONFIG = """\
worker_processes 1;
daemon off;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log {root}/access.log;
    client_body_temp_path {root}/body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;
    keepalive_requests 100000;
    upstream customer {{ server {customer}; keepalive 64; }}
    upstream order {{ server {order}; keepalive 64; }}
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
        location = /healthz {{ return 200 '{{"status": "ok"}}'; }}
    }}
}}
"""


class Nginx:
    """``nginx -p <root>`` as a child process; :meth:`stop` ends it and its worker."""

    def __init__(self, root: Path, *, port: int, customer: str, order: str) -> None:
        self.root = root
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        root.mkdir(parents=True, exist_ok=True)
        self.config = root / "nginx.conf"
        self.config.write_text(
            CONFIG.format(
                root=root, port=port, customer=_hostport(customer), order=_hostport(order)
            )
        )
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 10.0) -> Nginx:
        log = (self.root / "stdout.log").open("ab")
        self.process = subprocess.Popen(
            ["nginx", "-p", str(self.root), "-c", str(self.config)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx exited: {(self.root / 'error.log').read_text()}")
            try:
                httpx.get(f"{self.url}/healthz", timeout=1)
                return self
            except httpx.TransportError:
                time.sleep(0.05)
        raise TimeoutError("nginx did not answer")

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()  # SIGTERM: fast shutdown of master and worker
            self.process.wait(timeout=15)


def _hostport(url: str) -> str:
    return url.removeprefix("http://").rstrip("/")
