"""A deliberately misbehaving HTTP/1.1 server on 127.0.0.1, for fault-injection tests of a client.

Standard library only (``socket`` + ``threading``): ``http.server`` cannot be made to break HTTP on
purpose, this can. Each :class:`Reply` names one behaviour, and the server really does it on the
wire::

    with FaultServer([Reply(body=b"<ok/>"), Reply(behaviour="close_mid_body", body=b"x" * 100)]) as s:
        httpx.get(s.url + "/first")  # 200, body b"<ok/>"
        httpx.get(s.url + "/second")  # httpx.RemoteProtocolError
        assert s.requests[0].path == "/first"

A script gives one reply per request in arrival order (across all connections) and its last reply
repeats; a function gets each :class:`RecordedRequest` and returns the reply for it.

Leaving the ``with`` block stops the server promptly: every connection is shut down, even in the
middle of a ``delay``, a ``trickle`` or a ``hang``. An exception raised by a reply function is
re-raised there (the connection that asked is just closed).
"""

from __future__ import annotations

import contextlib
import gzip
import http
import select
import socket
import threading
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Literal, Optional, Union, get_args

__all__ = [
    "BEHAVIOURS",
    "CHUNK_SIZE",
    "FaultServer",
    "RecordedRequest",
    "Reply",
    "SilentServer",
    "closed_port",
    "gzip_bomb",
]

Behaviour = Literal[
    "normal",
    "close_before_response",
    "close_mid_body",
    "wrong_content_length",
    "chunked",
    "gzip",
    "deflate",
    "http10_close_delimited",
    "trickle",
    "trickle_head",
    "twice",
    "garbage_after",
    "hang",
]
BEHAVIOURS: frozenset[str] = frozenset(get_args(Behaviour))

CHUNK_SIZE = 7
"""Size of each chunk of a ``"chunked"`` reply (the last one may be shorter)."""

WRONG_CONTENT_LENGTH_EXTRA = 10
"""How many bytes a ``"wrong_content_length"`` reply over-declares, unless its headers set one."""

GARBAGE = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nstale"
"""What a ``"garbage_after"`` reply sends behind its answer (it looks like an answer itself)."""

_MAX_HEAD = 64 * 1024
_POLL = 1.0  # belt and braces: seconds between checks of the stop flag when no wake-up came


@dataclass(frozen=True)
class Reply:
    """One scripted answer. Exactly one behaviour per reply.

    ``headers`` are sent verbatim, in order. The server adds ``Content-Length`` (or
    ``Transfer-Encoding``/``Content-Encoding``) as the behaviour requires, except that a
    ``Content-Length`` given in ``headers`` is sent instead of the computed one (for "normal",
    "close_mid_body", "wrong_content_length", "trickle", "gzip" and "deflate").

    Behaviours:

    - ``"normal"``: status line, headers, a correct Content-Length, body.
    - ``"close_before_response"``: read the request, then close without sending anything.
    - ``"close_mid_body"``: headers with the full Content-Length, half the body, then close.
    - ``"wrong_content_length"``: declare ``len(body) + 10`` (or the Content-Length of
      ``headers``), send the whole body, then close.
    - ``"chunked"``: ``Transfer-Encoding: chunked`` in 7-byte chunks, then the last chunk.
    - ``"gzip"`` / ``"deflate"``: ``gzip.compress`` / ``zlib.compress`` of the body, with
      Content-Encoding and the Content-Length of the compressed bytes.
    - ``"http10_close_delimited"``: ``HTTP/1.0`` status line, no Content-Length, body, close.
    - ``"trickle"``: headers at once, then each byte of the body after ``trickle`` seconds.
    - ``"trickle_head"``: each byte of the status line and headers after ``trickle`` seconds,
      then the body at once.
    - ``"twice"``: the whole answer twice, back to back, on the same connection.
    - ``"garbage_after"``: the whole answer, then ``GARBAGE`` right behind it.
    - ``"hang"``: read the request, then never answer (until the server stops).

    ``delay`` seconds pass before anything at all is answered, whatever the behaviour.
    """

    status: int = 200
    headers: Sequence[tuple[str, str]] = (("Content-Type", "text/xml; charset=utf-8"),)
    body: bytes = b""
    behaviour: Behaviour = "normal"
    delay: float = 0.0
    trickle: float = 0.0

    def __post_init__(self) -> None:
        if self.behaviour not in BEHAVIOURS:
            raise ValueError(
                f"unknown behaviour {self.behaviour!r}; expected one of {sorted(BEHAVIOURS)}"
            )
        if not 100 <= self.status <= 999:
            raise ValueError(f"status {self.status} is not a three-digit HTTP status")
        if self.delay < 0 or self.trickle < 0:
            raise ValueError("delay and trickle must not be negative")
        if self.behaviour == "close_mid_body" and len(self.body) < 2:
            raise ValueError('"close_mid_body" needs a body of at least 2 bytes to cut in half')


@dataclass(frozen=True)
class RecordedRequest:
    """A request as the server read it.

    ``headers`` has lower-case names; repeated headers are joined with ``", "``. ``body`` is
    de-chunked when the request was chunked, and is what arrived if the client went away
    mid-body (then ``complete`` is false). ``connection`` is the 1-based ordinal of the TCP
    connection it came on, so keep-alive reuse is visible.
    """

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    version: str = "HTTP/1.1"
    connection: int = 1
    complete: bool = True


ReplySource = Union[Sequence[Reply], Callable[[RecordedRequest], Reply]]


def closed_port() -> int:
    """A port of 127.0.0.1 where nothing listens (a connect is refused).

    The port was bound and released a moment ago, so another process could take it in between;
    good enough for tests.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def gzip_bomb(size: int, fill: bytes = b"\0") -> bytes:
    """A small gzip stream that expands to exactly ``size`` bytes of ``fill`` repeated.

    Compressed piece by piece, so even a size of gigabytes never sits in memory. Serve it with
    ``Reply(headers=(("Content-Encoding", "gzip"),), body=gzip_bomb(...))`` (behaviour "normal":
    the "gzip" behaviour would compress it again).
    """
    if size < 0:
        raise ValueError("size must not be negative")
    if not fill:
        raise ValueError("fill must not be empty")
    piece = fill * max(1, (1 << 20) // len(fill))  # whole repeats, so every piece starts aligned
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # wbits 31: gzip header and trailer
    out: list[bytes] = []
    left = size
    while left >= len(piece):
        out.append(compressor.compress(piece))
        left -= len(piece)
    out.append(compressor.compress(piece[:left]))
    out.append(compressor.flush())
    return b"".join(out)


class _Stopped(Exception):
    """The server is stopping, or the peer went away: drop the connection."""


class FaultServer:
    """A threaded HTTP/1.1 server on a free port of 127.0.0.1 that answers from a script.

    Use it as a context manager (or call :meth:`start` and :meth:`stop`). ``url`` is
    ``http://127.0.0.1:<port>`` without a trailing slash. ``requests`` (a copy, thread-safe)
    holds every request whose head was read; ``connections`` counts accepted TCP connections.
    """

    def __init__(self, replies: ReplySource) -> None:
        if callable(replies):
            self._script: tuple[Reply, ...] = ()
            self._function: Optional[Callable[[RecordedRequest], Reply]] = replies
        else:
            self._script = tuple(replies)
            self._function = None
            if not self._script:
                raise ValueError("a reply script needs at least one Reply")
            for reply in self._script:
                if not isinstance(reply, Reply):
                    raise TypeError(f"expected Reply, got {type(reply).__name__}")
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._requests: list[RecordedRequest] = []
        self._errors: list[BaseException] = []
        self._connections = 0
        self._open: set[socket.socket] = set()
        self._threads: list[threading.Thread] = []
        self._listener: Optional[socket.socket] = None
        self._acceptor: Optional[threading.Thread] = None
        self._wake: Optional[tuple[socket.socket, socket.socket]] = None  # readable once stopping
        self.port = 0
        self.url = ""

    @classmethod
    def silent(cls, backlog: int = 0) -> SilentServer:
        """A port that completes TCP handshakes (up to the backlog) but never accepts or reads."""
        return SilentServer(backlog)

    # -- observation -------------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    @property
    def connections(self) -> int:
        with self._lock:
            return self._connections

    @property
    def errors(self) -> list[BaseException]:
        """Exceptions raised by a reply function (re-raised by ``__exit__``)."""
        with self._lock:
            return list(self._errors)

    # -- life cycle ----------------------------------------------------------------------------

    def start(self) -> FaultServer:
        if self._listener is not None:
            raise RuntimeError("FaultServer already started")
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            listener.bind(("127.0.0.1", 0))
            listener.listen(64)
            listener.setblocking(False)
        except OSError:
            listener.close()
            raise
        self._listener = listener
        self._wake = socket.socketpair()
        self.port = listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._acceptor = threading.Thread(
            target=self._accept_loop, name=f"faultserver-{self.port}", daemon=True
        )
        self._acceptor.start()
        return self

    def stop(self, timeout: float = 1.0) -> None:
        """Stop accepting, shut every connection down and wait (at most ``timeout``) for threads."""
        self._stop.set()
        if self._wake is not None:
            with contextlib.suppress(OSError):
                self._wake[1].send(b"!")  # makes every select() of the server threads return
        if self._acceptor is not None:
            self._acceptor.join(timeout)
        with self._lock:
            sockets = list(self._open)
            threads = list(self._threads)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)  # wakes a thread blocked in sendall
        for thread in threads:
            thread.join(timeout)
        if self._wake is not None and not any(thread.is_alive() for thread in threads):
            for sock in self._wake:
                sock.close()
            self._wake = None

    def __enter__(self) -> FaultServer:
        return self.start()

    def __exit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        self.stop()
        errors = self.errors
        if exc_type is None and errors:
            raise RuntimeError(f"a FaultServer reply function failed: {errors[0]!r}") from errors[0]

    # -- serving -------------------------------------------------------------------------------

    def _accept_loop(self) -> None:
        listener, wake = self._listener, self._wake
        assert listener is not None
        assert wake is not None
        try:
            while not self._stop.is_set():
                readable, _, _ = select.select([listener, wake[0]], [], [], _POLL)
                if self._stop.is_set():
                    break
                if listener not in readable:
                    continue
                try:
                    conn, _ = listener.accept()
                except (BlockingIOError, InterruptedError):
                    continue
                except OSError:
                    break
                conn.settimeout(None)
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # no Nagle delays
                with self._lock:
                    self._connections += 1
                    number = self._connections
                    self._open.add(conn)
                    thread = threading.Thread(target=self._serve, args=(conn, number), daemon=True)
                    self._threads.append(thread)
                thread.start()
        finally:
            listener.close()

    def _serve(self, conn: socket.socket, number: int) -> None:
        buffer = bytearray()
        try:
            while True:
                request, keep_alive = self._read_request(conn, buffer, number)
                reply = self._reply_for(request)
                if reply is None or not request.complete:
                    return
                self._wait(reply.delay)
                if not self._answer(conn, request, reply) or not keep_alive:
                    return
        except _Stopped:
            return
        except (OSError, ValueError):
            return  # peer reset, socket shut down by stop(), or a malformed chunked request
        finally:
            with self._lock:
                self._open.discard(conn)
            conn.close()

    def _wait(self, seconds: float) -> None:
        if seconds > 0 and self._stop.wait(seconds):
            raise _Stopped

    def _recv(self, conn: socket.socket) -> bytes:
        wake = self._wake
        assert wake is not None
        while True:
            if self._stop.is_set():
                raise _Stopped
            readable, _, _ = select.select([conn, wake[0]], [], [], _POLL)
            if self._stop.is_set():
                raise _Stopped
            if conn in readable:
                return conn.recv(65536)

    def _read_request(
        self, conn: socket.socket, buffer: bytearray, number: int
    ) -> tuple[RecordedRequest, bool]:
        while b"\r\n\r\n" not in buffer:
            if len(buffer) > _MAX_HEAD:
                raise _Stopped
            data = self._recv(conn)
            if not data:
                raise _Stopped  # peer closed between requests (or mid-head)
            buffer += data
        end = buffer.index(b"\r\n\r\n")
        head = bytes(buffer[:end]).decode("latin-1")
        del buffer[: end + 4]
        lines = head.split("\r\n")
        parts = lines[0].split(" ")
        if len(parts) != 3:
            raise _Stopped
        method, path, version = parts
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, sep, value = line.partition(":")
            if not sep:
                raise _Stopped
            key = name.strip().lower()
            value = value.strip()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value

        body, complete = self._read_body(conn, buffer, headers)
        request = RecordedRequest(
            method=method,
            path=path,
            headers=headers,
            body=body,
            version=version,
            connection=number,
            complete=complete,
        )
        tokens = {t.strip().lower() for t in headers.get("connection", "").split(",")}
        keep_alive = version == "HTTP/1.1" and "close" not in tokens
        return request, keep_alive

    def _read_body(
        self, conn: socket.socket, buffer: bytearray, headers: dict[str, str]
    ) -> tuple[bytes, bool]:
        if "chunked" in headers.get("transfer-encoding", "").lower():
            return self._read_chunked(conn, buffer)
        try:
            length = int(headers.get("content-length", "0"))
        except ValueError:
            length = 0
        while len(buffer) < length:
            data = self._recv(conn)
            if not data:
                body = bytes(buffer)
                buffer.clear()
                return body, False
            buffer += data
        body = bytes(buffer[:length])
        del buffer[:length]
        return body, True

    def _fill(self, conn: socket.socket, buffer: bytearray, count: int = 0) -> bool:
        """Read until ``buffer`` holds ``count`` bytes (or a CRLF when 0); false on EOF."""
        while (len(buffer) < count) if count else (b"\r\n" not in buffer):
            data = self._recv(conn)
            if not data:
                return False
            buffer += data
        return True

    def _read_chunked(self, conn: socket.socket, buffer: bytearray) -> tuple[bytes, bool]:
        body = bytearray()
        while True:
            if not self._fill(conn, buffer):
                return bytes(body), False
            end = buffer.index(b"\r\n")
            size = int(bytes(buffer[:end]).split(b";")[0].strip() or b"0", 16)
            del buffer[: end + 2]
            if size == 0:
                while True:  # trailers, if any, then an empty line
                    if not self._fill(conn, buffer):
                        return bytes(body), False
                    end = buffer.index(b"\r\n")
                    del buffer[: end + 2]
                    if end == 0:
                        return bytes(body), True
            if not self._fill(conn, buffer, size + 2):
                body += buffer[:size]
                buffer.clear()
                return bytes(body), False
            body += buffer[:size]
            del buffer[: size + 2]

    def _reply_for(self, request: RecordedRequest) -> Optional[Reply]:
        with self._lock:
            index = len(self._requests)
            self._requests.append(request)
        if self._function is None:
            return self._script[min(index, len(self._script) - 1)]
        try:
            reply = self._function(request)
            if not isinstance(reply, Reply):
                raise TypeError(f"reply function returned {type(reply).__name__}, not Reply")
        except Exception as error:
            with self._lock:
                self._errors.append(error)
            return None
        return reply

    def _answer(self, conn: socket.socket, request: RecordedRequest, reply: Reply) -> bool:
        """Send ``reply``; true when the connection may serve another request."""
        behaviour = reply.behaviour
        if behaviour == "close_before_response":
            return False
        if behaviour == "hang":
            self._stop.wait()
            return False

        body = reply.body
        extra: list[tuple[str, str]] = []
        version = "HTTP/1.1"
        if behaviour == "gzip":
            body = gzip.compress(body)
            extra.append(("Content-Encoding", "gzip"))
        elif behaviour == "deflate":
            body = zlib.compress(body)
            extra.append(("Content-Encoding", "deflate"))
        if behaviour == "chunked":
            extra.append(("Transfer-Encoding", "chunked"))
        elif behaviour == "http10_close_delimited":
            version = "HTTP/1.0"
        elif not any(name.lower() == "content-length" for name, _ in reply.headers):
            declared = len(body)
            if behaviour == "wrong_content_length":
                declared += WRONG_CONTENT_LENGTH_EXTRA
            extra.append(("Content-Length", str(declared)))

        head = _head(version, reply.status, [*reply.headers, *extra])
        closes = behaviour in ("close_mid_body", "wrong_content_length", "http10_close_delimited")
        if request.method == "HEAD":
            conn.sendall(head)  # a response to HEAD has no body, whatever its headers say
        elif behaviour == "chunked":
            conn.sendall(head + b"".join(_chunks(body)))
        elif behaviour == "close_mid_body":
            conn.sendall(head + body[: len(body) // 2])
        elif behaviour == "trickle_head":
            for i in range(len(head)):
                self._wait(reply.trickle)
                conn.sendall(head[i : i + 1])
            conn.sendall(body)
        elif behaviour == "twice":
            conn.sendall(head + body + head + body)
        elif behaviour == "garbage_after":
            conn.sendall(head + body + GARBAGE)
        elif behaviour == "trickle":
            conn.sendall(head)
            for i in range(len(body)):
                self._wait(reply.trickle)
                conn.sendall(body[i : i + 1])
        else:
            conn.sendall(head + body)
        return not closes


def _head(version: str, status: int, headers: Sequence[tuple[str, str]]) -> bytes:
    try:
        phrase = http.HTTPStatus(status).phrase
    except ValueError:
        phrase = "Unknown"
    lines = [f"{version} {status} {phrase}", *(f"{name}: {value}" for name, value in headers)]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _chunks(body: bytes) -> Iterator[bytes]:
    for start in range(0, len(body), CHUNK_SIZE):
        piece = body[start : start + CHUNK_SIZE]
        yield b"%x\r\n%s\r\n" % (len(piece), piece)
    yield b"0\r\n\r\n"


class SilentServer:
    """A listening port of 127.0.0.1 that never accepts: the kernel completes up to about
    ``backlog + 1`` handshakes (Linux), nothing is ever read, later connects get no answer.

    Gives a read timeout to the first connections and a connect timeout once the queue is full.
    Leaving the ``with`` block closes the port (queued connections are reset).
    """

    def __init__(self, backlog: int = 0) -> None:
        self.backlog = backlog
        self.port = 0
        self.url = ""
        self._sock: Optional[socket.socket] = None

    def __enter__(self) -> SilentServer:
        if self._sock is not None:
            raise RuntimeError("SilentServer already started")
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.bind(("127.0.0.1", 0))
            sock.listen(self.backlog)
        except OSError:
            sock.close()
            raise
        self._sock = sock
        self.port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        return self

    def __exit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None
