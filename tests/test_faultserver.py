"""Tests of tests/faultserver.py itself, seen from raw sockets and from httpx (not the library)."""

from __future__ import annotations

import gzip
import socket
import threading
import time
import zlib
from collections.abc import Iterator

import httpx
import pytest

from .faultserver import (
    BEHAVIOURS,
    CHUNK_SIZE,
    FaultServer,
    RecordedRequest,
    Reply,
    closed_port,
    gzip_bomb,
)

BODY = b"<root><item>one</item><item>two</item></root>"


def request_bytes(path: str = "/", *, close: bool = True, method: str = "GET") -> bytes:
    connection = "Connection: close\r\n" if close else ""
    return f"{method} {path} HTTP/1.1\r\nHost: x\r\n{connection}\r\n".encode("ascii")


def exchange(port: int, data: bytes, timeout: float = 2.0) -> bytes:
    """Send ``data`` on a fresh connection and read until the server closes it."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(data)
        received = bytearray()
        while chunk := sock.recv(65536):
            received += chunk
    return bytes(received)


def split(response: bytes) -> tuple[str, dict[str, str], bytes]:
    """Status line, lower-case headers and the raw rest of one response."""
    head, sep, rest = response.partition(b"\r\n\r\n")
    assert sep, f"no end of head in {response!r}"
    status, *lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers, rest


def short(read: float = 0.2) -> httpx.Timeout:
    return httpx.Timeout(2.0, read=read)


# -- normal, scripts, functions, recording ----------------------------------------------------


def test_normal_reply_exact_bytes_on_the_wire() -> None:
    with FaultServer([Reply(body=b"<ok/>")]) as server:
        data = exchange(server.port, request_bytes())
    assert data == (
        b"HTTP/1.1 200 OK\r\n"
        b"Content-Type: text/xml; charset=utf-8\r\n"
        b"Content-Length: 5\r\n"
        b"\r\n<ok/>"
    )


def test_status_headers_and_body_through_httpx() -> None:
    reply = Reply(status=500, headers=(("X-Fault", "yes"),), body=BODY)
    with FaultServer([reply]) as server:
        response = httpx.get(server.url + "/svc", timeout=short())
    assert response.status_code == 500
    assert response.reason_phrase == "Internal Server Error"
    assert response.headers["x-fault"] == "yes"
    assert "content-type" not in response.headers
    assert response.content == BODY


def test_script_is_followed_in_order_and_last_reply_repeats() -> None:
    script = [Reply(status=201, body=b"a"), Reply(status=202, body=b"b")]
    with FaultServer(script) as server, httpx.Client(timeout=short()) as client:
        got = [(r.status_code, r.content) for r in (client.get(server.url) for _ in range(4))]
    assert got == [(201, b"a"), (202, b"b"), (202, b"b"), (202, b"b")]


def test_reply_function_sees_the_request() -> None:
    def answer(request: RecordedRequest) -> Reply:
        return Reply(body=f"{request.method} {request.path} {request.body!r}".encode())

    with FaultServer(answer) as server, httpx.Client(timeout=short()) as client:
        first = client.post(server.url + "/a?x=1", content=b"hello").content
        second = client.get(server.url + "/b").content
    assert first == b"POST /a?x=1 b'hello'"
    assert second == b"GET /b b''"


def test_requests_are_recorded_with_lower_case_headers_and_body() -> None:
    with FaultServer([Reply()]) as server:
        httpx.post(
            server.url + "/Service/User.svc?q=1",
            content=b"<env/>",
            headers={"SOAPAction": '"urn:Op"', "X-Mixed-Case": "Value"},
            timeout=short(),
        )
        httpx.get(server.url + "/second", timeout=short())
        recorded = server.requests
        connections = server.connections
    assert [(r.method, r.path) for r in recorded] == [
        ("POST", "/Service/User.svc?q=1"),
        ("GET", "/second"),
    ]
    first = recorded[0]
    assert first.body == b"<env/>"
    assert first.headers["soapaction"] == '"urn:Op"'
    assert first.headers["x-mixed-case"] == "Value"
    assert first.headers["content-length"] == "6"
    assert all(name == name.lower() for name in first.headers)
    assert first.version == "HTTP/1.1"
    assert first.complete
    assert recorded[1].body == b""
    # Two module-level httpx calls: two clients, two connections.
    assert connections == 2
    assert [r.connection for r in recorded] == [1, 2]


def test_chunked_request_body_is_recorded_de_chunked() -> None:
    def parts() -> Iterator[bytes]:
        yield b"abc"
        yield b"defgh"

    with FaultServer([Reply(body=b"ok")]) as server:
        response = httpx.post(server.url, content=parts(), timeout=short())
        recorded = server.requests
    assert response.content == b"ok"
    assert recorded[0].headers["transfer-encoding"] == "chunked"
    assert recorded[0].body == b"abcdefgh"
    assert recorded[0].complete


def test_request_cut_mid_body_is_recorded_incomplete_and_unanswered() -> None:
    with FaultServer([Reply(body=b"never")]) as server:
        with socket.create_connection(("127.0.0.1", server.port), timeout=2) as sock:
            sock.sendall(b"POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")
            sock.shutdown(socket.SHUT_WR)
            assert sock.recv(100) == b""
        recorded = server.requests
    assert len(recorded) == 1
    assert recorded[0].body == b"abc"
    assert not recorded[0].complete


@pytest.mark.parametrize("behaviour", ["normal", "chunked", "gzip", "deflate"])
def test_keep_alive_serves_several_requests_on_one_connection(behaviour: str) -> None:
    reply = Reply(body=BODY, behaviour=behaviour)  # type: ignore[arg-type]
    with FaultServer([reply]) as server, httpx.Client(timeout=short()) as client:
        bodies = [client.get(f"{server.url}/{i}").content for i in range(3)]
        connections = server.connections
        recorded = server.requests
    assert bodies == [BODY] * 3
    assert connections == 1
    assert [r.connection for r in recorded] == [1, 1, 1]


def test_connection_close_from_the_client_is_honoured() -> None:
    with FaultServer([Reply(body=b"x")]) as server:
        for _ in range(2):
            assert exchange(server.port, request_bytes()).endswith(b"\r\n\r\nx")
        assert server.connections == 2


def test_head_response_has_no_body_and_keeps_the_connection() -> None:
    with FaultServer([Reply(body=BODY)]) as server, httpx.Client(timeout=short()) as client:
        head = client.head(server.url)
        get = client.get(server.url)
        connections = server.connections
    assert head.headers["content-length"] == str(len(BODY))
    assert head.content == b""
    assert get.content == BODY
    assert connections == 1


# -- broken answers -----------------------------------------------------------------------------


def test_close_before_response() -> None:
    with FaultServer([Reply(body=BODY, behaviour="close_before_response")]) as server:
        assert exchange(server.port, request_bytes("/raw", close=False)) == b""
        with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
            httpx.get(server.url + "/httpx", timeout=short())
        assert [r.path for r in server.requests] == ["/raw", "/httpx"]


def test_close_mid_body() -> None:
    body = bytes(range(100))
    with FaultServer([Reply(body=body, behaviour="close_mid_body")]) as server:
        status, headers, rest = split(exchange(server.port, request_bytes(close=False)))
        assert status == "HTTP/1.1 200 OK"
        assert headers["content-length"] == "100"
        assert rest == body[:50]
        with pytest.raises(httpx.RemoteProtocolError, match=r"incomplete|complete message body"):
            httpx.get(server.url, timeout=short())


def test_wrong_content_length_declares_more_than_it_sends() -> None:
    with FaultServer([Reply(body=BODY, behaviour="wrong_content_length")]) as server:
        _, headers, rest = split(exchange(server.port, request_bytes(close=False)))
        assert int(headers["content-length"]) > len(BODY)
        assert rest == BODY
        with pytest.raises(httpx.RemoteProtocolError):
            httpx.get(server.url, timeout=short())


def test_wrong_content_length_can_declare_less() -> None:
    reply = Reply(headers=(("Content-Length", "5"),), body=BODY, behaviour="wrong_content_length")
    with FaultServer([reply]) as server:
        _, headers, rest = split(exchange(server.port, request_bytes(close=False)))
        assert headers["content-length"] == "5"
        assert rest == BODY  # the whole body is still sent
        response = httpx.get(server.url, timeout=short())
    assert response.content == BODY[:5]


def test_chunked_on_the_wire_and_reassembled_by_httpx() -> None:
    with FaultServer([Reply(body=BODY, behaviour="chunked")]) as server:
        _, headers, rest = split(exchange(server.port, request_bytes()))
        response = httpx.get(server.url, timeout=short())
    assert headers["transfer-encoding"] == "chunked"
    assert "content-length" not in headers
    sizes = []
    data = b""
    while True:
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line, 16)
        sizes.append(size)
        if size == 0:
            assert rest == b"\r\n"
            break
        data += rest[:size]
        assert rest[size : size + 2] == b"\r\n"
        rest = rest[size + 2 :]
    assert data == BODY
    assert len(sizes) > 3
    assert set(sizes[:-2]) == {CHUNK_SIZE}
    assert response.content == BODY


@pytest.mark.parametrize(
    ("behaviour", "decompress"),
    [("gzip", gzip.decompress), ("deflate", zlib.decompress)],
)
def test_compressed_on_the_wire_and_decoded_by_httpx(behaviour: str, decompress: object) -> None:
    assert callable(decompress)
    reply = Reply(body=BODY * 20, behaviour=behaviour)  # type: ignore[arg-type]
    with FaultServer([reply]) as server:
        _, headers, rest = split(exchange(server.port, request_bytes()))
        response = httpx.get(server.url, timeout=short())
    assert headers["content-encoding"] == behaviour
    assert int(headers["content-length"]) == len(rest) < len(BODY * 20)
    assert decompress(rest) == BODY * 20
    assert response.content == BODY * 20


def test_http10_close_delimited() -> None:
    reply = Reply(body=BODY * 10, behaviour="http10_close_delimited")
    with FaultServer([reply]) as server:
        status, headers, rest = split(exchange(server.port, request_bytes(close=False)))
        with httpx.Client(timeout=short()) as client:
            responses = [client.get(server.url) for _ in range(2)]
        connections = server.connections
    assert status == "HTTP/1.0 200 OK"
    assert "content-length" not in headers
    assert "transfer-encoding" not in headers
    assert rest == BODY * 10
    assert [r.http_version for r in responses] == ["HTTP/1.0"] * 2
    assert [r.content for r in responses] == [BODY * 10] * 2
    assert connections == 3  # one raw, then one per httpx request: nothing is reused


def test_trickle_sends_headers_at_once_then_bytes_slowly() -> None:
    reply = Reply(body=b"abcd", behaviour="trickle", trickle=0.08)
    with (
        FaultServer([reply]) as server,
        socket.create_connection(("127.0.0.1", server.port), timeout=2) as sock,
    ):
        sock.sendall(request_bytes())
        start = time.monotonic()
        head = b""
        while b"\r\n\r\n" not in head:
            head += sock.recv(1)
        head_at = time.monotonic() - start
        arrivals = []
        while chunk := sock.recv(100):
            arrivals.append((chunk, time.monotonic() - start))
    assert head_at < 1.0  # at once: a trickled head would take seconds
    assert b"".join(c for c, _ in arrivals) == b"abcd"
    assert len(arrivals) == 4  # one byte per segment
    assert arrivals[-1][1] >= 0.3


def test_trickle_slower_than_read_timeout_raises_read_timeout() -> None:
    with FaultServer([Reply(body=BODY, behaviour="trickle", trickle=0.5)]) as server:
        start = time.monotonic()
        with pytest.raises(httpx.ReadTimeout):
            httpx.get(server.url, timeout=short(read=0.15))
        elapsed = time.monotonic() - start
    assert elapsed < 2.0  # bounds are generous: a loaded CI machine is slow


def test_trickle_faster_than_read_timeout_completes() -> None:
    with FaultServer([Reply(body=b"0123456789", behaviour="trickle", trickle=0.01)]) as server:
        start = time.monotonic()
        response = httpx.get(server.url, timeout=short(read=0.5))
        elapsed = time.monotonic() - start
    assert response.content == b"0123456789"
    assert elapsed >= 0.1


def test_hang_raises_read_timeout_after_reading_the_request() -> None:
    with FaultServer([Reply(body=BODY, behaviour="hang")]) as server:
        with pytest.raises(httpx.ReadTimeout):
            httpx.post(server.url + "/h", content=b"payload", timeout=short(read=0.15))
        recorded = server.requests
    assert [(r.path, r.body) for r in recorded] == [("/h", b"payload")]


def test_delay_holds_the_whole_answer() -> None:
    with FaultServer([Reply(body=b"late", delay=0.3)]) as server:
        with pytest.raises(httpx.ReadTimeout):
            httpx.get(server.url, timeout=short(read=0.1))
        start = time.monotonic()
        response = httpx.get(server.url, timeout=short(read=1.0))
        elapsed = time.monotonic() - start
    assert response.content == b"late"
    assert elapsed >= 0.28


@pytest.mark.parametrize(
    "reply",
    [
        Reply(behaviour="hang"),
        Reply(body=b"x" * 50, behaviour="trickle", trickle=10.0),
        Reply(body=b"x", delay=10.0),
    ],
    ids=["hang", "trickle", "delay"],
)
def test_stop_is_prompt_and_closes_the_connection(reply: Reply) -> None:
    seen: list[bytes] = []

    def client(port: int) -> None:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            sock.sendall(request_bytes())
            received = b""
            try:
                while chunk := sock.recv(100):
                    received += chunk
            except ConnectionResetError:
                received += b"<reset>"
            seen.append(received)

    server = FaultServer([reply]).start()
    thread = threading.Thread(target=client, args=(server.port,))
    thread.start()
    deadline = time.monotonic() + 2
    while not server.requests and time.monotonic() < deadline:
        time.sleep(0.01)
    assert server.requests, "the request never arrived"
    time.sleep(0.1)
    start = time.monotonic()
    server.__exit__(None, None, None)
    elapsed = time.monotonic() - start
    thread.join(2)
    assert elapsed < 3.0
    assert not thread.is_alive()
    assert len(seen) == 1  # the client saw the end of the connection
    assert b"x" * 5 not in seen[0]


def test_stop_is_prompt_when_idle_or_holding_a_keep_alive_connection() -> None:
    with FaultServer([Reply()]) as idle:
        pass
    server = FaultServer([Reply(body=b"x")]).start()
    with httpx.Client(timeout=short()) as client:
        client.get(server.url)  # the connection stays open, the server waits for a next request
        time.sleep(0.05)
        start = time.monotonic()
        server.stop()
        elapsed = time.monotonic() - start
    assert idle.connections == 0
    assert server.connections == 1
    assert elapsed < 2.0


def test_stop_is_prompt_while_blocked_sending_to_a_client_that_does_not_read() -> None:
    big = Reply(body=b"z" * 32_000_000)
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        server = FaultServer([big]).start()
        sock.connect(("127.0.0.1", server.port))
        sock.sendall(request_bytes())
        deadline = time.monotonic() + 2
        while not server.requests and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.1)  # the server is now stuck in sendall: nobody reads
        start = time.monotonic()
        server.stop()
        elapsed = time.monotonic() - start
    assert server.requests
    assert elapsed < 3.0


# -- ports that do not answer -------------------------------------------------------------------


def test_closed_port_refuses_connections() -> None:
    port = closed_port()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}/", timeout=short())


def test_silent_server_read_timeout_then_connect_timeout() -> None:
    timeout = httpx.Timeout(0.2)
    with FaultServer.silent() as silent:
        # The kernel completes the first handshake into the backlog: the request is never read.
        with pytest.raises(httpx.ReadTimeout):
            httpx.get(silent.url, timeout=timeout)
        # The never-accepted connection still fills the queue: now the SYN gets no answer.
        with pytest.raises(httpx.ConnectTimeout):
            httpx.get(silent.url, timeout=timeout)


def test_pool_timeout_when_the_only_connection_hangs() -> None:
    errors: list[BaseException] = []
    limits = httpx.Limits(max_connections=1)
    with (
        FaultServer([Reply(behaviour="hang")]) as server,
        httpx.Client(limits=limits, timeout=httpx.Timeout(5.0, pool=0.15)) as client,
    ):

        def first() -> None:
            try:
                client.get(server.url)
            except httpx.HTTPError as error:
                errors.append(error)

        thread = threading.Thread(target=first)
        thread.start()
        deadline = time.monotonic() + 2
        while not server.requests and time.monotonic() < deadline:
            time.sleep(0.01)
        with pytest.raises(httpx.PoolTimeout):
            client.get(server.url)
        assert server.connections == 1
        server.stop()
        thread.join(2)
    # Stopping the server ends the hanging request.
    assert [type(e) for e in errors] == [httpx.RemoteProtocolError]


# -- helpers and validation ---------------------------------------------------------------------


@pytest.mark.parametrize("fill", [b"\0", b"<a>"])
def test_gzip_bomb_is_small_and_expands_exactly(fill: bytes) -> None:
    size = 3_000_001
    bomb = gzip_bomb(size, fill)
    assert len(bomb) < size // 500
    expanded = gzip.decompress(bomb)
    assert len(expanded) == size
    assert expanded == (fill * (size // len(fill) + 1))[:size]


def test_gzip_bomb_served_as_normal_is_expanded_by_httpx() -> None:
    bomb = gzip_bomb(1_000_000)
    reply = Reply(headers=(("Content-Encoding", "gzip"),), body=bomb)
    with FaultServer([reply]) as server:
        response = httpx.get(server.url, timeout=short())
    assert response.headers["content-length"] == str(len(bomb))
    assert response.content == b"\0" * 1_000_000


def test_reply_validation() -> None:
    assert "hang" in BEHAVIOURS
    assert len(BEHAVIOURS) == 13
    with pytest.raises(ValueError, match="unknown behaviour"):
        Reply(behaviour="explode")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="at least 2 bytes"):
        Reply(body=b"x", behaviour="close_mid_body")
    with pytest.raises(ValueError, match="negative"):
        Reply(delay=-1)
    with pytest.raises(ValueError, match="at least one"):
        FaultServer([])


def test_reply_function_error_closes_the_connection_and_is_raised_at_exit() -> None:
    def broken(request: RecordedRequest) -> Reply:
        raise KeyError(request.path)

    server = FaultServer(broken)
    with (
        pytest.raises(RuntimeError, match="reply function failed") as info,
        server,
        pytest.raises(httpx.RemoteProtocolError),
    ):
        httpx.get(server.url + "/boom", timeout=short())
    assert isinstance(info.value.__cause__, KeyError)
    assert [type(e) for e in server.errors] == [KeyError]
