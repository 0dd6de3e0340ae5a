"""The agents against a misbehaving server on the wire (tests/faultserver.py).

Every fault ends in the documented error, or succeeds after the documented retries: reads
(retry-safe) are repeated after transient failures, writes only when the request provably never
reached the server. Requests are counted on the server side.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import socket
import threading
import time
import tracemalloc
from collections.abc import Sequence
from typing import Any, Optional

import httpx
import pytest

from superoffice_soap import (
    AsyncUserAgent,
    HTTPStatusError,
    ResponseParseError,
    SuperOfficeSoapError,
    TransportError,
    UntrustedCredentials,
    UserAgent,
)
from superoffice_soap.errors import ResponseTooLargeError
from superoffice_soap.retry import RetryPolicy
from tests._models import as_read

from ._envelopes import credentials_response
from .faultserver import FaultServer, Reply, closed_port, gzip_bomb

TICKET = "7T:fault-ticket"
FAST = RetryPolicy(attempts=3, backoff=0.01, max_backoff=0.01)
XML = ("Content-Type", "text/xml; charset=utf-8")
HTML = ("Content-Type", "text/html; charset=utf-8")
OK = credentials_response(
    [
        [("SecretValue", "pw-1"), ("PublicValue", "alice")],
        [("Comment", "second"), ("PublicValue", "bob"), ("IsActive", "true")],
    ],
    operation="GetUntrustedCredentials",
)
EXPECTED = [
    as_read(public_value="alice", secret_value="pw-1"),
    as_read(public_value="bob", is_active=True, comment="second"),
]
SAVED = credentials_response(None, operation="SaveUntrustedCredentials")
NEW = UntrustedCredentials(public_value="x", secret_value="s")
PATH = "/Cust1/Remote/Services86/User.svc"
BAD_GATEWAY_PAGE = (
    b"<!DOCTYPE html><html><head><title>Bad gateway</title></head>"
    b"<body><h1>Upstream unavailable</h1><p>nginx</p></body></html>"
)
MIB = 1024 * 1024


def base(url: str) -> str:
    return f"{url}/Cust1/Remote/Services86"


def make_agent(url: str, **options: Any) -> UserAgent:
    options.setdefault("soap_version", "1.1")
    options.setdefault("retries", FAST)
    options.setdefault("timeout", 2.0)
    return UserAgent(base(url), ticket=TICKET, **options)


def make_async_agent(url: str, **options: Any) -> AsyncUserAgent:
    options.setdefault("soap_version", "1.1")
    options.setdefault("retries", FAST)
    options.setdefault("timeout", 2.0)
    return AsyncUserAgent(base(url), ticket=TICKET, **options)


def read(agent: UserAgent) -> list[UntrustedCredentials]:
    return agent.get_untrusted_credentials("imap")


def write(agent: UserAgent) -> None:
    agent.save_untrusted_credentials("imap", NEW)


def operations(server: FaultServer) -> list[str]:
    """The SOAPAction of every request the server read."""
    return [r.headers.get("soapaction", "").strip('"').rpartition("/")[2] for r in server.requests]


def retry_logs(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "superoffice_soap"
        and r.levelno == logging.INFO
        and "retrying" in r.getMessage()
    ]


@functools.cache
def bomb() -> bytes:
    """1 GB of zeros in about 1 MB of gzip (built once: it takes a few seconds)."""
    return gzip_bomb(1_000_000_000)


def bomb_reply() -> Reply:
    return Reply(headers=(XML, ("Content-Encoding", "gzip")), body=bomb())


# ----------------------------------------------------------------------------------------------
# 1, 2. The connection dies before or during the answer


BROKEN = [
    pytest.param(Reply(body=OK, behaviour="close_before_response"), id="close_before_response"),
    pytest.param(Reply(body=OK, behaviour="close_mid_body"), id="close_mid_body"),
    pytest.param(Reply(body=OK, behaviour="wrong_content_length"), id="wrong_content_length"),
]


@pytest.mark.parametrize("reply", BROKEN)
def test_read_is_retried_after_a_broken_answer(reply: Reply) -> None:
    with FaultServer([reply]) as server, make_agent(server.url) as agent:
        with pytest.raises(TransportError) as info:
            read(agent)
        requests = server.requests
    assert info.value.kind == "protocol"
    assert isinstance(info.value.__cause__, httpx.RemoteProtocolError)
    assert len(requests) == 3
    assert all(r.path == PATH and r.complete for r in requests)
    assert operations(server) == ["GetUntrustedCredentials"] * 3


@pytest.mark.parametrize("reply", BROKEN)
def test_read_succeeds_when_the_retry_gets_an_answer(reply: Reply) -> None:
    with FaultServer([reply, Reply(body=OK)]) as server, make_agent(server.url) as agent:
        assert read(agent) == EXPECTED
        assert len(server.requests) == 2


@pytest.mark.parametrize(
    "reply",
    [
        pytest.param(Reply(body=SAVED, behaviour="close_before_response"), id="close_before"),
        pytest.param(Reply(body=SAVED, behaviour="close_mid_body"), id="close_mid_body"),
        pytest.param(Reply(body=SAVED, behaviour="wrong_content_length"), id="wrong_length"),
    ],
)
def test_write_is_not_retried_after_a_broken_answer(reply: Reply) -> None:
    # The script repeats the broken reply, then answers properly: a retry would succeed.
    with FaultServer([reply, Reply(body=SAVED)]) as server, make_agent(server.url) as agent:
        with pytest.raises(TransportError) as info:
            write(agent)
        requests = server.requests
    assert info.value.kind == "protocol"
    assert len(requests) == 1
    assert requests[0].complete
    assert operations(server) == ["SaveUntrustedCredentials"]


def test_write_succeeds_on_a_sound_server() -> None:
    with FaultServer([Reply(body=SAVED)]) as server, make_agent(server.url) as agent:
        write(agent)
        assert operations(server) == ["SaveUntrustedCredentials"]
        assert b"PublicValue>x</" in server.requests[0].body


# ----------------------------------------------------------------------------------------------
# 3, 8. Slow and silent servers: read timeouts and the call's deadline


def test_trickle_slower_than_the_read_timeout_is_a_read_timeout() -> None:
    reply = Reply(body=OK, behaviour="trickle", trickle=0.2)
    with FaultServer([reply]) as server:
        agent = make_agent(server.url, timeout=httpx.Timeout(5.0, read=0.1))
        start = time.monotonic()
        with agent, pytest.raises(TransportError) as info:
            read(agent)
        elapsed = time.monotonic() - start
        count = len(server.requests)
    assert info.value.kind == "read timeout"
    assert isinstance(info.value.__cause__, httpx.ReadTimeout)
    assert count == 3  # a read timeout is transient for a read
    assert 0.3 <= elapsed < 5.0  # generous: a loaded CI machine is slow, never fast


def test_trickle_is_cut_by_the_deadline() -> None:
    reply = Reply(body=OK, behaviour="trickle", trickle=0.2)
    with FaultServer([reply]) as server:
        agent = make_agent(server.url, timeout=httpx.Timeout(5.0), deadline=0.5)
        start = time.monotonic()
        with agent, pytest.raises(TransportError) as info:
            read(agent)
        elapsed = time.monotonic() - start
        count = len(server.requests)
    assert info.value.kind == "deadline"
    assert 0.45 <= elapsed <= 5.0
    assert count == 1  # never retried past the deadline


def test_hang_is_cut_by_the_deadline() -> None:
    with FaultServer([Reply(behaviour="hang")]) as server:
        agent = make_agent(server.url, timeout=httpx.Timeout(5.0), deadline=0.5)
        start = time.monotonic()
        with agent, pytest.raises(TransportError) as info:
            read(agent)
        elapsed = time.monotonic() - start
        count = len(server.requests)
    assert info.value.kind == "deadline"
    assert 0.45 <= elapsed <= 5.0
    assert count == 1


def test_hang_is_a_read_timeout_and_a_read_is_retried() -> None:
    with FaultServer([Reply(behaviour="hang")]) as server:
        agent = make_agent(server.url, timeout=httpx.Timeout(5.0, read=0.2))
        start = time.monotonic()
        with agent, pytest.raises(TransportError) as info:
            read(agent)
        elapsed = time.monotonic() - start
        count = len(server.requests)
    assert info.value.kind == "read timeout"
    assert isinstance(info.value.__cause__, httpx.ReadTimeout)
    assert count == 3
    assert 0.6 <= elapsed < 6.0


def test_hang_on_a_write_sends_it_once() -> None:
    with FaultServer([Reply(behaviour="hang")]) as server:
        agent = make_agent(server.url, timeout=httpx.Timeout(5.0, read=0.2))
        start = time.monotonic()
        with agent, pytest.raises(TransportError) as info:
            write(agent)
        elapsed = time.monotonic() - start
        requests = server.requests
    assert info.value.kind == "read timeout"
    assert len(requests) == 1
    assert requests[0].complete
    assert 0.2 <= elapsed < 3.0


# ----------------------------------------------------------------------------------------------
# 4. Truncated XML


def test_truncated_xml_is_a_parse_error_and_not_retried() -> None:
    reply = Reply(headers=(XML,), body=OK[: len(OK) // 2])
    with FaultServer([reply, Reply(body=OK)]) as server, make_agent(server.url) as agent:
        with pytest.raises(ResponseParseError) as info:
            read(agent)
        count = len(server.requests)
    assert type(info.value) is ResponseParseError
    assert "malformed XML" in str(info.value)
    assert count == 1


# ----------------------------------------------------------------------------------------------
# 5. Framings and encodings the agent must read


FRAMINGS = ["normal", "chunked", "gzip", "deflate", "http10_close_delimited"]


@pytest.mark.parametrize("behaviour", FRAMINGS)
def test_read_through_every_framing(behaviour: Any) -> None:
    with FaultServer([Reply(body=OK, behaviour=behaviour)]) as server:
        with make_agent(server.url) as agent:
            assert read(agent) == EXPECTED
            assert read(agent) == EXPECTED
        requests = server.requests
    assert len(requests) == 2
    assert requests[0].headers["accept-encoding"] == "gzip, deflate"


@pytest.mark.parametrize("behaviour", FRAMINGS)
def test_async_read_through_every_framing(behaviour: Any) -> None:
    async def scenario(url: str) -> list[list[UntrustedCredentials]]:
        async with make_async_agent(url) as agent:
            return [await agent.get_untrusted_credentials("imap") for _ in range(2)]

    with FaultServer([Reply(body=OK, behaviour=behaviour)]) as server:
        assert asyncio.run(scenario(server.url)) == [EXPECTED, EXPECTED]
        assert len(server.requests) == 2


# ----------------------------------------------------------------------------------------------
# 6, 7. HTML error pages and Retry-After


@pytest.mark.parametrize("status", [502, 503])
def test_html_error_page_is_retried_for_a_read(status: int) -> None:
    reply = Reply(status=status, headers=(HTML,), body=BAD_GATEWAY_PAGE)
    with FaultServer([reply]) as server, make_agent(server.url) as agent:
        with pytest.raises(HTTPStatusError) as info:
            read(agent)
        count = len(server.requests)
    assert count == 3
    error = info.value
    assert error.status_code == status
    assert error.content_type == "text/html; charset=utf-8"
    assert "Upstream unavailable" in error.excerpt
    assert f"HTTP {status}" in str(error)


@pytest.mark.parametrize("status", [502, 503])
def test_html_error_page_is_retried_then_the_read_succeeds(status: int) -> None:
    reply = Reply(status=status, headers=(HTML,), body=BAD_GATEWAY_PAGE)
    with FaultServer([reply, Reply(body=OK)]) as server, make_agent(server.url) as agent:
        assert read(agent) == EXPECTED
        assert len(server.requests) == 2


@pytest.mark.parametrize("status", [502, 503])
def test_html_error_page_is_not_retried_for_a_write(status: int) -> None:
    reply = Reply(status=status, headers=(HTML,), body=BAD_GATEWAY_PAGE)
    with FaultServer([reply, Reply(body=SAVED)]) as server, make_agent(server.url) as agent:
        with pytest.raises(HTTPStatusError) as info:
            write(agent)
        count = len(server.requests)
    assert count == 1
    assert info.value.status_code == status
    assert info.value.content_type == "text/html; charset=utf-8"


def too_many(retry_after: str = "1") -> Reply:
    return Reply(
        status=429,
        headers=(("Content-Type", "text/plain"), ("Retry-After", retry_after)),
        body=b"slow down",
    )


def test_retry_after_is_honoured() -> None:
    with FaultServer([too_many(), Reply(body=OK)]) as server, make_agent(server.url) as agent:
        start = time.monotonic()
        assert read(agent) == EXPECTED
        elapsed = time.monotonic() - start
        count = len(server.requests)
    assert count == 2
    assert 0.9 <= elapsed < 10.0


def test_retry_after_is_capped_by_the_policy() -> None:
    policy = RetryPolicy(attempts=3, backoff=0.01, max_backoff=0.01, max_retry_after=0.05)
    with FaultServer([too_many("30"), Reply(body=OK)]) as server:
        with make_agent(server.url, retries=policy) as agent:
            start = time.monotonic()
            assert read(agent) == EXPECTED
            elapsed = time.monotonic() - start
        count = len(server.requests)
    assert count == 2
    assert elapsed <= 5.0  # far below the 30 s the server asked for


# ----------------------------------------------------------------------------------------------
# 9, 10. Nobody listening, nobody accepting, no free connection


def test_connection_refused_is_retried_even_for_a_write(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="superoffice_soap")
    agent = UserAgent(
        f"http://127.0.0.1:{closed_port()}/Cust1/Remote/Services86",
        ticket=TICKET,
        soap_version="1.1",
        retries=FAST,
        timeout=2.0,
    )
    with agent, pytest.raises(TransportError) as info:
        write(agent)
    assert info.value.kind == "connect"
    assert isinstance(info.value.__cause__, httpx.ConnectError)
    logs = retry_logs(caplog)
    assert len(logs) == 2
    assert all("SaveUntrustedCredentials" in m and "connect error" in m for m in logs)
    assert "attempt 2 of 3" in logs[0]
    assert "attempt 3 of 3" in logs[1]


def test_connection_refused_on_a_read(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="superoffice_soap")
    agent = UserAgent(
        f"http://127.0.0.1:{closed_port()}/Cust1/Remote/Services86",
        ticket=TICKET,
        soap_version="1.1",
        retries=FAST,
        timeout=2.0,
    )
    with agent, pytest.raises(TransportError) as info:
        read(agent)
    assert info.value.kind == "connect"
    assert len(retry_logs(caplog)) == 2


def test_connect_timeout_is_retried_for_a_write(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="superoffice_soap")
    with FaultServer.silent() as silent:
        # The kernel queues one handshake (backlog 0) and drops the SYNs that come after it.
        filler = socket.create_connection(("127.0.0.1", silent.port), timeout=1.0)
        agent = make_agent(silent.url, timeout=httpx.Timeout(5.0, connect=0.2))
        start = time.monotonic()
        with filler, agent, pytest.raises(TransportError) as info:
            write(agent)
        elapsed = time.monotonic() - start
    assert info.value.kind == "connect timeout"
    assert isinstance(info.value.__cause__, httpx.ConnectTimeout)
    assert len(retry_logs(caplog)) == 2
    assert 0.6 <= elapsed < 6.0


def test_pool_timeout_is_retried_for_a_write(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="superoffice_soap")
    outcome: list[BaseException] = []
    client = httpx.Client(
        limits=httpx.Limits(max_connections=1),
        timeout=httpx.Timeout(5.0, connect=0.2, pool=0.2),
    )
    with client, FaultServer([Reply(behaviour="hang")]) as server:

        def hold() -> None:
            try:
                client.post(server.url + "/hold", content=b"x")
            except httpx.HTTPError as error:
                outcome.append(error)

        holder = threading.Thread(target=hold)
        holder.start()
        wait_until = time.monotonic() + 2
        while not server.requests and time.monotonic() < wait_until:
            time.sleep(0.01)
        assert [r.path for r in server.requests] == ["/hold"]
        agent = make_agent(server.url, http_client=client)
        start = time.monotonic()
        with agent, pytest.raises(TransportError) as info:
            write(agent)
        elapsed = time.monotonic() - start
        paths = [r.path for r in server.requests]
        connections = server.connections
        server.stop()
        holder.join(2)
    assert info.value.kind == "pool timeout"
    assert isinstance(info.value.__cause__, httpx.PoolTimeout)
    assert paths == ["/hold"]  # the write never reached the server
    assert connections == 1
    assert len(retry_logs(caplog)) == 2
    assert 0.6 <= elapsed < 6.0
    assert not holder.is_alive()
    assert len(outcome) == 1


# ----------------------------------------------------------------------------------------------
# 11. Response size caps, gzip bombs included


def peak_during(call: Any) -> tuple[Optional[BaseException], float, int]:
    """Run ``call()``; what it raised, how long it took, the peak of traced memory."""
    raised: Optional[BaseException] = None
    tracemalloc.start()
    start = time.monotonic()
    try:
        call()
    except SuperOfficeSoapError as error:
        raised = error
    finally:
        elapsed = time.monotonic() - start
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return raised, elapsed, peak


@pytest.mark.slow
def test_gzip_bomb_stops_at_the_cap_in_bounded_memory() -> None:
    with FaultServer([bomb_reply()]) as server:
        agent = make_agent(server.url, max_response_bytes=1_000_000)
        with agent:
            raised, elapsed, peak = peak_during(lambda: read(agent))
        count = len(server.requests)
    assert isinstance(raised, ResponseTooLargeError)
    assert "max_response_bytes=1000000" in str(raised)
    assert elapsed < 5.0
    assert peak < 16 * MIB, f"peak {peak / MIB:.1f} MiB"
    assert count == 1  # too large is not retried


def test_async_gzip_bomb_stops_at_the_cap_in_bounded_memory() -> None:
    async def scenario(url: str) -> None:
        async with make_async_agent(url, max_response_bytes=1_000_000) as agent:
            await agent.get_untrusted_credentials("imap")

    with FaultServer([bomb_reply()]) as server:
        url = server.url
        raised, elapsed, peak = peak_during(lambda: asyncio.run(scenario(url)))
        count = len(server.requests)
    assert isinstance(raised, ResponseTooLargeError)
    assert elapsed < 5.0
    assert peak < 16 * MIB, f"peak {peak / MIB:.1f} MiB"
    assert count == 1


@pytest.mark.parametrize("behaviour", ["normal", "chunked", "gzip", "deflate"])
def test_body_cap_is_exact(behaviour: Any) -> None:
    with FaultServer([Reply(body=OK, behaviour=behaviour)]) as server:
        with make_agent(server.url, max_response_bytes=len(OK)) as agent:
            assert read(agent) == EXPECTED
        agent = make_agent(server.url, max_response_bytes=len(OK) - 1)
        with agent, pytest.raises(ResponseTooLargeError):
            read(agent)
        assert len(server.requests) == 2


# ----------------------------------------------------------------------------------------------
# 12. The async agent on broken answers and error pages


def run_async(url: str, call: str) -> tuple[Optional[BaseException], Any]:
    async def scenario() -> tuple[Optional[BaseException], Any]:
        async with make_async_agent(url) as agent:
            try:
                if call == "read":
                    return None, await agent.get_untrusted_credentials("imap")
                await agent.save_untrusted_credentials("imap", NEW)
                return None, None
            except SuperOfficeSoapError as error:
                return error, None

    return asyncio.run(scenario())


@pytest.mark.parametrize("reply", BROKEN)
def test_async_broken_answer(reply: Reply) -> None:
    with FaultServer([reply]) as server:
        error, _ = run_async(server.url, "read")
        reads = len(server.requests)
    with FaultServer([reply, Reply(body=SAVED)]) as server:
        write_error, _ = run_async(server.url, "write")
        writes = len(server.requests)
    with FaultServer([reply, Reply(body=OK)]) as server:
        no_error, value = run_async(server.url, "read")
        recovered = len(server.requests)
    assert isinstance(error, TransportError)
    assert error.kind == "protocol"
    assert reads == 3
    assert isinstance(write_error, TransportError)
    assert write_error.kind == "protocol"
    assert writes == 1
    assert no_error is None
    assert value == EXPECTED
    assert recovered == 2


@pytest.mark.parametrize("status", [502, 503])
def test_async_html_error_page(status: int) -> None:
    reply = Reply(status=status, headers=(HTML,), body=BAD_GATEWAY_PAGE)
    with FaultServer([reply]) as server:
        error, _ = run_async(server.url, "read")
        reads = len(server.requests)
    with FaultServer([reply, Reply(body=SAVED)]) as server:
        write_error, _ = run_async(server.url, "write")
        writes = len(server.requests)
    assert isinstance(error, HTTPStatusError)
    assert error.status_code == status
    assert error.content_type == "text/html; charset=utf-8"
    assert "Upstream unavailable" in error.excerpt
    assert reads == 3
    assert isinstance(write_error, HTTPStatusError)
    assert writes == 1


# ----------------------------------------------------------------------------------------------
# 13. Keep-alive


def test_keep_alive_reuses_one_connection() -> None:
    with FaultServer([Reply(body=OK)]) as server, make_agent(server.url) as agent:
        results = [read(agent) for _ in range(3)]
        connections = server.connections
        numbers: Sequence[int] = [r.connection for r in server.requests]
    assert results == [EXPECTED] * 3
    assert connections == 1
    assert numbers == [1, 1, 1]


def test_async_keep_alive_reuses_one_connection() -> None:
    async def scenario(url: str) -> list[list[UntrustedCredentials]]:
        async with make_async_agent(url) as agent:
            return [await agent.get_untrusted_credentials("imap") for _ in range(3)]

    with FaultServer([Reply(body=OK)]) as server:
        assert asyncio.run(scenario(server.url)) == [EXPECTED] * 3
        assert server.connections == 1
