"""``orderflow-ui-server``: serve the built UI until SIGINT or SIGTERM, then exit 0."""

from __future__ import annotations

import logging
import sys

from aiohttp import web

from .app import Settings, create_app


def run() -> None:
    settings = Settings.from_environment()
    index = settings.dist / "index.html"
    if not index.is_file():
        sys.exit(f"no built UI at {index}: run `make frontend-build` first")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    print(f"serving {settings.dist} on http://{settings.host}:{settings.port}", flush=True)
    print(f"/api goes to {settings.gateway_url}", flush=True)
    web.run_app(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        print=None,
        access_log=None,
        shutdown_timeout=5,
        handle_signals=True,
    )
    print("stopped", flush=True)
