"""The HTTP server every component runs: uvicorn, with limits against slow and greedy clients.

uvicorn times out an idle keep-alive connection, but not a client that is slow on purpose: a
connection that sends its headers a byte at a time, or never, or a body that trickles in, is
held for as long as the client likes, and with enough of them nobody else is served
(slowloris). Its httptools parser also has no bound on the size of a request's head. So the
protocol below adds, per connection (docs/adr/0010-edge-limits.md):

- the head (request line and headers) must arrive within ``server_header_timeout`` of the
  connection or of its first byte, and hold at most ``server_max_header_bytes``: else 408/431;
- the body must arrive within ``server_body_timeout`` of the head: else 408 (or, if an answer
  is already on its way, the connection is closed);

and uvicorn's own ``limit_concurrency`` caps connections and requests at once (503 past it).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Iterator
from http import HTTPStatus
from typing import Any

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from .problems import PROBLEM_CONTENT_TYPE
from .settings import ServiceSettings


class _HeadTooLargeError(Exception):
    pass


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with deadlines on a request's head and body."""

    header_timeout = 10.0
    body_timeout = 30.0
    max_header_bytes = 16 * 1024

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._deadline: asyncio.TimerHandle | None = None
        self._head_bytes = 0
        self._head_too_large = False
        self._arm(self.header_timeout)  # the first request's head, from the connection on

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._head_bytes = 0
        if self._deadline is None:
            self._arm(self.header_timeout)

    def on_url(self, url: bytes) -> None:
        self._count_head(len(url))
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._count_head(len(name) + len(value) + 4)
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._arm(self.body_timeout)
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._disarm()
        super().on_message_complete()

    def send_400_response(self, msg: str) -> None:
        if self._head_too_large:
            self._refuse(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE)
            return
        super().send_400_response(msg)

    def _count_head(self, size: int) -> None:
        self._head_bytes += size
        if self._head_bytes > self.max_header_bytes:
            self._head_too_large = True
            raise _HeadTooLargeError  # stops the parser, which then answers through send_400

    def _arm(self, seconds: float) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(seconds, self._too_slow)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        self._deadline = None
        if self.transport.is_closing():
            return
        cycle = self.cycle
        if cycle is None or cycle.response_complete or not cycle.response_started:
            self.logger.warning("Request too slow to arrive; connection closed.")
            if cycle is not None and not cycle.response_complete:
                cycle.disconnected = True  # the app, if it waits for the body, stops
                cycle.message_event.set()
            self._refuse(HTTPStatus.REQUEST_TIMEOUT)
        else:
            self.transport.close()  # an answer is being written: cut it short

    def _refuse(self, status: HTTPStatus) -> None:
        body = json.dumps({"type": "about:blank", "title": status.phrase, "status": status})
        head = [
            f"HTTP/1.1 {status.value} {status.phrase}\r\n".encode(),
            f"content-type: {PROBLEM_CONTENT_TYPE}\r\n".encode(),
            f"content-length: {len(body)}\r\n".encode(),
            b"x-content-type-options: nosniff\r\n",
            b"connection: close\r\n\r\n",
        ]
        self.transport.write(b"".join(head) + body.encode())
        self.transport.close()


def guarded_protocol(settings: ServiceSettings) -> type[GuardedHttpToolsProtocol]:
    """The protocol class with this component's limits."""
    return type(
        "GuardedHttpToolsProtocol",
        (GuardedHttpToolsProtocol,),
        {
            "header_timeout": settings.server_header_timeout,
            "body_timeout": settings.server_body_timeout,
            "max_header_bytes": settings.server_max_header_bytes,
        },
    )


class _Server(uvicorn.Server):
    """uvicorn's server, but a stop asked for by SIGINT or SIGTERM is a clean exit.

    uvicorn shuts down gracefully on either signal and then raises it again on itself, so that
    the process ends as the signal's default would: a ``KeyboardInterrupt`` traceback for
    SIGINT, death by SIGTERM for the other. A supervisor, a terminal or Kubernetes asked for
    the stop; once it is done, the process exits with status 0."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        with super().capture_signals():
            yield
            self._captured_signals.clear()


def serve(app: Any, settings: ServiceSettings, **uvicorn_options: Any) -> None:
    """Run ``app`` with uvicorn on the settings' host and port, logging through our JSON logger,
    with the limits above; SIGINT and SIGTERM stop it gracefully with exit status 0."""
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        server_header=False,
        timeout_graceful_shutdown=10,
        http=guarded_protocol(settings),
        limit_concurrency=settings.server_limit_concurrency,
        **uvicorn_options,
    )
    _Server(config).run()
