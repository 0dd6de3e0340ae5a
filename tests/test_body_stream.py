"""How an answer's body is taken from the transport: in one piece when it declares a length that
fits under ``max_response_bytes``, is not compressed and the call has no deadline; chunk by
chunk, stopped at the cap (and at the deadline), when it has no length, declares more than the
cap, is compressed, or the call has a deadline. An answer that lies about its length is stopped
by the cap all the same.

The transport here streams its body in small chunks and counts those pulled from it, so each
test sees what the agent read and when it stopped.
"""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from superoffice_soap import AsyncUserAgent, ResponseTooLargeError, UserAgent
from superoffice_soap import _body as body_module

from ._responses import credentials_response, envelope, to_bytes

BASE = "https://sod.superoffice.com/Cust12345/Remote/Services86"
TICKET = "7T:dGVzdC10aWNrZXQ="
ANSWER = to_bytes(envelope(credentials_response([], wrapper="GetUntrustedCredentialsResponse")))
CHUNK = 16


class Chunks(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body in ``CHUNK``-byte pieces, counting the pieces pulled."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pulled = 0

    def _pieces(self) -> Iterator[bytes]:
        for start in range(0, len(self.data), CHUNK):
            self.pulled += 1
            yield self.data[start : start + CHUNK]

    def __iter__(self) -> Iterator[bytes]:
        return self._pieces()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for piece in self._pieces():
            yield piece

    @property
    def total(self) -> int:
        return -(-len(self.data) // CHUNK)


class Streaming(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Answers every request with ``data`` as a stream, with the given headers."""

    def __init__(self, data: bytes, headers: dict[str, str]) -> None:
        self.stream = Chunks(data)
        self.headers = {"Content-Type": "text/xml; charset=utf-8", **headers}

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers=self.headers, stream=self.stream)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers=self.headers, stream=self.stream)


class Feeds:
    """Counts the pieces handed to the size-capped body reader."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        feed = body_module.BodyReader.feed

        def counted(reader: body_module.BodyReader, chunk: bytes) -> None:
            self.count += 1
            feed(reader, chunk)

        monkeypatch.setattr(body_module.BodyReader, "feed", counted)


def _call(transport: Streaming, cap: int, **options: Any) -> object:
    client = httpx.Client(transport=transport)
    with UserAgent(
        BASE,
        ticket=TICKET,
        soap_version="1.1",
        http_client=client,
        max_response_bytes=cap,
        **options,
    ) as agent:
        return agent.get_untrusted_credentials("imap")


def _acall(transport: Streaming, cap: int) -> object:
    async def call() -> object:
        client = httpx.AsyncClient(transport=transport)
        async with AsyncUserAgent(
            BASE, ticket=TICKET, soap_version="1.1", http_client=client, max_response_bytes=cap
        ) as agent:
            return await agent.get_untrusted_credentials("imap")

    return asyncio.run(call())


CALLS = [pytest.param(_call, id="sync"), pytest.param(_acall, id="async")]


@pytest.mark.parametrize("call", CALLS)
def test_a_declared_length_under_the_cap_is_read_in_one_piece(
    call: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    feeds = Feeds(monkeypatch)
    transport = Streaming(ANSWER, {"Content-Length": str(len(ANSWER))})
    assert call(transport, len(ANSWER)) == []  # type: ignore[operator]
    assert transport.stream.pulled == transport.stream.total > 1
    assert feeds.count == 1  # the whole body at once, not chunk by chunk


def test_with_a_deadline_the_body_is_read_chunk_by_chunk(monkeypatch: pytest.MonkeyPatch) -> None:
    """The loop checks the call's deadline between chunks (a body that trickles in is cut):
    a call with a deadline reads every body that way."""
    feeds = Feeds(monkeypatch)
    transport = Streaming(ANSWER, {"Content-Length": str(len(ANSWER))})
    assert _call(transport, len(ANSWER), deadline=30.0) == []
    assert feeds.count == transport.stream.total > 1


@pytest.mark.parametrize("call", CALLS)
def test_an_answer_without_a_length_is_read_chunk_by_chunk(
    call: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    feeds = Feeds(monkeypatch)
    transport = Streaming(ANSWER, {})
    assert call(transport, len(ANSWER)) == []  # type: ignore[operator]
    assert feeds.count == transport.stream.total > 1


@pytest.mark.parametrize("call", CALLS)
def test_an_answer_without_a_length_stops_at_the_cap(call: object) -> None:
    transport = Streaming(ANSWER * 50, {})
    with pytest.raises(ResponseTooLargeError):
        call(transport, len(ANSWER))  # type: ignore[operator]
    assert transport.stream.pulled <= len(ANSWER) // CHUNK + 2  # stopped there, not at the end


@pytest.mark.parametrize("call", CALLS)
def test_a_declared_length_over_the_cap_stops_at_the_cap(call: object) -> None:
    data = ANSWER * 50
    transport = Streaming(data, {"Content-Length": str(len(data))})
    with pytest.raises(ResponseTooLargeError):
        call(transport, len(ANSWER))  # type: ignore[operator]
    assert transport.stream.pulled <= len(ANSWER) // CHUNK + 2


@pytest.mark.parametrize("call", CALLS)
def test_an_answer_that_lies_about_its_length_is_stopped_by_the_cap(call: object) -> None:
    """Declares a length under the cap, delivers more than the cap: refused, not parsed."""
    transport = Streaming(ANSWER * 50, {"Content-Length": str(len(ANSWER))})
    with pytest.raises(ResponseTooLargeError) as raised:
        call(transport, len(ANSWER) * 2)  # type: ignore[operator]
    assert f"max_response_bytes={len(ANSWER) * 2}" in str(raised.value)


@pytest.mark.parametrize("call", CALLS)
def test_a_compressed_answer_is_capped_after_decompression(call: object) -> None:
    """A gzip body declares its compressed length, under the cap; what it inflates to is not:
    it goes through the chunk loop, whose cap counts decoded bytes."""
    data = gzip.compress(ANSWER * 50)
    transport = Streaming(data, {"Content-Length": str(len(data)), "Content-Encoding": "gzip"})
    assert len(data) < len(ANSWER)
    with pytest.raises(ResponseTooLargeError):
        call(transport, len(ANSWER))  # type: ignore[operator]


def test_a_length_that_is_no_number_goes_through_the_chunk_loop(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    feeds = Feeds(monkeypatch)
    transport = Streaming(ANSWER, {"Content-Length": "0x40"})
    assert _call(transport, len(ANSWER)) == []
    assert feeds.count == transport.stream.total
