"""``deadline=`` bounds the whole call, the status line and headers included; an answer belongs
to its own request only (bytes after a complete answer end the kept-alive connection)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest

from superoffice_soap import AsyncUserAgent, TransportError, UserAgent
from superoffice_soap.testing import DEMO_TICKET

from ._envelopes import credentials_response
from ._wire import stand_in_replies
from .faultserver import FaultServer, Reply

OK = credentials_response([[("PublicValue", "alice")]], operation="GetUntrustedCredentials")
PATH = "/Cust1/Remote/Services86"
DEADLINE = 1.0
MARGIN = 1.5  # generous: a loaded machine is slow, never fast


def trickled_head() -> Reply:
    # About 100 bytes of head at 0.05 s each: 5 s, each byte well within the read timeout.
    return Reply(body=OK, behaviour="trickle_head", trickle=0.05)


@pytest.mark.parametrize("reply", [trickled_head(), Reply(behaviour="hang")], ids=["head", "hang"])
def test_sync_deadline_bounds_a_trickled_head_and_a_silent_server(reply: Reply) -> None:
    with FaultServer([reply]) as server:
        agent = UserAgent(
            server.url + PATH, ticket="7T:t", soap_version="1.1", timeout=30, deadline=DEADLINE
        )
        start = time.monotonic()
        with agent, pytest.raises(TransportError) as caught:
            agent.get_untrusted_credentials("imap")
        elapsed = time.monotonic() - start
    assert caught.value.kind == "deadline"
    assert DEADLINE - 0.05 <= elapsed < DEADLINE + MARGIN


@pytest.mark.parametrize("reply", [trickled_head(), Reply(behaviour="hang")], ids=["head", "hang"])
def test_async_deadline_bounds_a_trickled_head_and_a_silent_server(reply: Reply) -> None:
    async def call(url: str) -> float:
        agent = AsyncUserAgent(
            url + PATH, ticket="7T:t", soap_version="1.1", timeout=30, deadline=DEADLINE
        )
        start = time.monotonic()
        async with agent:
            with pytest.raises(TransportError) as caught:
                await agent.get_untrusted_credentials("imap")
        assert caught.value.kind == "deadline"
        return time.monotonic() - start

    with FaultServer([reply]) as server:
        elapsed = asyncio.run(call(server.url))
    assert DEADLINE - 0.05 <= elapsed < DEADLINE + MARGIN


# ----------------------------------------------------------------------------------------------
# An answer belongs to its own request


def public_values(found: list[Any]) -> list[str]:
    return [cred.public_value for cred in found]


@pytest.mark.parametrize("behaviour", ["twice", "garbage_after"])
def test_sync_bytes_after_an_answer_end_the_connection(behaviour: str) -> None:
    with FaultServer(stand_in_replies(behaviour)) as server:
        agent = UserAgent(server.url + PATH, ticket=DEMO_TICKET, soap_version="1.1", retries=0)
        with agent:
            first = agent.get_untrusted_credentials_for_associate(5, "imap")
            second = agent.get_untrusted_credentials_for_associate(42, "imap")
            third = agent.get_untrusted_credentials_for_associate(5, "smtp")
        connections = server.connections
    assert len(first) == 2
    assert second == []  # associate 42 has nothing: not the copy of associate 5's answer
    assert public_values(third) == ["jane.doe"]
    assert connections == 3  # each answer with stray bytes behind it ended its connection


@pytest.mark.parametrize("behaviour", ["twice", "garbage_after"])
def test_async_bytes_after_an_answer_end_the_connection(behaviour: str) -> None:
    async def calls(url: str) -> list[list[Any]]:
        agent = AsyncUserAgent(url + PATH, ticket=DEMO_TICKET, soap_version="1.1", retries=0)
        async with agent:
            return [
                await agent.get_untrusted_credentials_for_associate(5, "imap"),
                await agent.get_untrusted_credentials_for_associate(42, "imap"),
                await agent.get_untrusted_credentials_for_associate(5, "smtp"),
            ]

    with FaultServer(stand_in_replies(behaviour)) as server:
        first, second, third = asyncio.run(calls(server.url))
        connections = server.connections
    assert len(first) == 2
    assert second == []
    assert public_values(third) == ["jane.doe"]
    assert connections == 3


def test_keep_alive_stays_for_clean_answers() -> None:
    with FaultServer(stand_in_replies("normal")) as server:
        agent = UserAgent(server.url + PATH, ticket=DEMO_TICKET, soap_version="1.1")
        with agent:
            for _ in range(5):
                agent.get_untrusted_credentials_for_associate(5, "imap")
        sync_connections = server.connections

    async def calls(url: str) -> None:
        async with AsyncUserAgent(url + PATH, ticket=DEMO_TICKET, soap_version="1.1") as agent:
            for _ in range(5):
                await agent.get_untrusted_credentials_for_associate(5, "imap")

    with FaultServer(stand_in_replies("normal")) as server:
        asyncio.run(calls(server.url))
        async_connections = server.connections
    assert sync_connections == 1
    assert async_connections == 1


def test_async_deadline_bounds_a_trickled_head_with_the_callers_own_client() -> None:
    async def call(url: str) -> float:
        client = httpx.AsyncClient(timeout=30)
        agent = AsyncUserAgent(
            url + PATH, ticket="7T:t", soap_version="1.1", http_client=client, deadline=DEADLINE
        )
        start = time.monotonic()
        async with client, agent:
            with pytest.raises(TransportError) as caught:
                await agent.get_untrusted_credentials("imap")
        assert caught.value.kind == "deadline"
        return time.monotonic() - start

    with FaultServer([trickled_head()]) as server:
        elapsed = asyncio.run(call(server.url))
    assert DEADLINE - 0.05 <= elapsed < DEADLINE + MARGIN
