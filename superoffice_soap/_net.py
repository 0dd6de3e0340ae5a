"""The agents' own connection pools, made to keep two promises httpx's timeouts alone do not:

* **The deadline bounds every byte.** httpx's read timeout applies to each read, so a server
  that trickles its status line and headers a byte at a time is never cut off. Each read, write
  and connect of a call is given at most what is left of the call's deadline (``DEADLINE``, set
  by the driver around one request), and fails as a timeout when nothing is left.
* **An answer belongs to its own request.** Bytes that arrive after a complete answer on a
  kept-alive connection (a second copy of the answer, garbage) are not the next call's answer:
  such a connection counts as expired, so the pool closes it and the next call gets a fresh one.
  The pool already checks whether the socket is readable; this also looks at what the HTTP/1.1
  parser has buffered but not used.

Both work at the network-stream level of httpcore, under httpx, for the clients the agents
create themselves (a client passed in by the caller is used as it is). Nothing changes for a
call without a deadline or a connection without stray bytes.
"""

from __future__ import annotations

import contextvars
import time
from typing import Any, Optional

import httpcore
import httpx

__all__ = ["DEADLINE", "install"]

#: The deadline (``time.monotonic()``) of the request being sent in this thread or task.
DEADLINE: contextvars.ContextVar[Optional[float]] = contextvars.ContextVar(
    "superoffice_soap_deadline", default=None
)


def install(client: httpx.Client | httpx.AsyncClient) -> None:
    """Wrap the network backend of a client's own connection pool (a standard transport only)."""
    pool: Any = getattr(getattr(client, "_transport", None), "_pool", None)
    if isinstance(pool, httpcore.ConnectionPool):
        pool._network_backend = _Backend(pool._network_backend, pool)
    elif isinstance(pool, httpcore.AsyncConnectionPool):
        pool._network_backend = _AsyncBackend(pool._network_backend, pool)


#: How long one blocking read waits before Python looks at pending signals again.
_SLICE = 0.5


def _cut(timeout: Optional[float], error: type[Exception]) -> Optional[float]:
    """``timeout`` cut to what is left of the current deadline; ``error`` when nothing is."""
    deadline = DEADLINE.get()
    if deadline is None:
        return timeout
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise error("the call's deadline passed")
    return remaining if timeout is None else min(timeout, remaining)


def _buffered(pool: Any, stream: object) -> bool:
    """Whether the HTTP/1.1 connection of ``stream`` holds bytes it has not used (called by the
    pool, under its lock, before it reuses an idle connection)."""
    for connection in getattr(pool, "_connections", ()):
        inner = getattr(connection, "_connection", None)
        if getattr(inner, "_network_stream", None) is stream:
            state = getattr(inner, "_h11_state", None)
            trailing = getattr(state, "trailing_data", (b"", False))
            return bool(trailing[0])
    return False


class _Stream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream, pool: Any) -> None:
        self._stream = stream
        self._pool = pool

    def read(self, max_bytes: int, timeout: Optional[float] = None) -> bytes:
        # Waited for in slices: a Ctrl-C that lands just before the socket's poll starts is
        # not lost for the whole timeout (CPython acts on it when the poll returns).
        limit = _cut(timeout, httpcore.ReadTimeout)
        end = None if limit is None else time.monotonic() + limit
        while True:
            left = None if end is None else max(end - time.monotonic(), 0.0)
            try:
                return self._stream.read(max_bytes, _SLICE if left is None else min(left, _SLICE))
            except httpcore.ReadTimeout:
                if left is not None and left <= _SLICE:
                    raise

    def write(self, buffer: bytes, timeout: Optional[float] = None) -> None:
        self._stream.write(buffer, _cut(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: Optional[str] = None, timeout: Any = None
    ) -> httpcore.NetworkStream:
        timeout = _cut(timeout, httpcore.ConnectTimeout)
        return _Stream(self._stream.start_tls(ssl_context, server_hostname, timeout), self._pool)

    def get_extra_info(self, info: str) -> Any:
        value = self._stream.get_extra_info(info)
        if info == "is_readable" and not value:
            return _buffered(self._pool, self)
        return value


class _Backend(httpcore.NetworkBackend):
    def __init__(self, backend: httpcore.NetworkBackend, pool: Any) -> None:
        self._backend = backend
        self._pool = pool

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: Optional[float] = None,
        local_address: Optional[str] = None,
        socket_options: Any = None,
    ) -> httpcore.NetworkStream:
        timeout = _cut(timeout, httpcore.ConnectTimeout)
        stream = self._backend.connect_tcp(host, port, timeout, local_address, socket_options)
        return _Stream(stream, self._pool)

    def connect_unix_socket(
        self, path: str, timeout: Optional[float] = None, socket_options: Any = None
    ) -> httpcore.NetworkStream:
        timeout = _cut(timeout, httpcore.ConnectTimeout)
        return _Stream(self._backend.connect_unix_socket(path, timeout, socket_options), self._pool)

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


class _AsyncStream(httpcore.AsyncNetworkStream):
    def __init__(self, stream: httpcore.AsyncNetworkStream, pool: Any) -> None:
        self._stream = stream
        self._pool = pool

    async def read(self, max_bytes: int, timeout: Optional[float] = None) -> bytes:
        return await self._stream.read(max_bytes, _cut(timeout, httpcore.ReadTimeout))

    async def write(self, buffer: bytes, timeout: Optional[float] = None) -> None:
        await self._stream.write(buffer, _cut(timeout, httpcore.WriteTimeout))

    async def aclose(self) -> None:
        await self._stream.aclose()

    async def start_tls(
        self, ssl_context: Any, server_hostname: Optional[str] = None, timeout: Any = None
    ) -> httpcore.AsyncNetworkStream:
        timeout = _cut(timeout, httpcore.ConnectTimeout)
        stream = await self._stream.start_tls(ssl_context, server_hostname, timeout)
        return _AsyncStream(stream, self._pool)

    def get_extra_info(self, info: str) -> Any:
        value = self._stream.get_extra_info(info)
        if info == "is_readable" and not value:
            return _buffered(self._pool, self)
        return value


class _AsyncBackend(httpcore.AsyncNetworkBackend):
    def __init__(self, backend: httpcore.AsyncNetworkBackend, pool: Any) -> None:
        self._backend = backend
        self._pool = pool

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: Optional[float] = None,
        local_address: Optional[str] = None,
        socket_options: Any = None,
    ) -> httpcore.AsyncNetworkStream:
        timeout = _cut(timeout, httpcore.ConnectTimeout)
        stream = await self._backend.connect_tcp(host, port, timeout, local_address, socket_options)
        return _AsyncStream(stream, self._pool)

    async def connect_unix_socket(
        self, path: str, timeout: Optional[float] = None, socket_options: Any = None
    ) -> httpcore.AsyncNetworkStream:
        timeout = _cut(timeout, httpcore.ConnectTimeout)
        stream = await self._backend.connect_unix_socket(path, timeout, socket_options)
        return _AsyncStream(stream, self._pool)

    async def sleep(self, seconds: float) -> None:
        await self._backend.sleep(seconds)
