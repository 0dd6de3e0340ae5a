"""The agents against the NetServer stand-in: over real loopback HTTP and in process, sync and async."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator

import httpx
import pytest

from superoffice_soap import (
    AsyncUserAgent,
    NetServerError,
    SoapFault,
    TransportError,
    UntrustedCredentials,
    UserAgent,
)
from superoffice_soap.testing import (
    DEMO_ASSOCIATE_ID,
    DEMO_TICKET,
    FakeNetServer,
    RunningServer,
)


@pytest.fixture
def server() -> FakeNetServer:
    return FakeNetServer.with_demo_data()


@pytest.fixture
def running(server: FakeNetServer) -> Iterator[RunningServer]:
    with server.serve() as running:
        yield running


def expected(server: FakeNetServer, credential_type: str) -> list[UntrustedCredentials]:
    stored = list(server.stored_credentials(DEMO_ASSOCIATE_ID, credential_type))
    assert stored  # the demo data has some: a comparison with [] would prove little
    return stored


def test_sync_over_loopback(server: FakeNetServer, running: RunningServer) -> None:
    with UserAgent(running.base_url, ticket=DEMO_TICKET) as agent:
        imap = agent.get_untrusted_credentials_for_associate(DEMO_ASSOCIATE_ID, "imap")
        smtp = agent.get_untrusted_credentials_for_associate(DEMO_ASSOCIATE_ID, "smtp")
        none = agent.get_untrusted_credentials_for_associate(DEMO_ASSOCIATE_ID, "ldap")
        assert agent.soap_version == "1.1"
    assert imap == expected(server, "imap")
    assert smtp == expected(server, "smtp")
    assert none == []
    # 415 to the first SOAP 1.2 attempt, then SOAP 1.1 only
    assert [r.soap_version for r in server.requests] == [None, "1.1", "1.1", "1.1"]


def test_one_connection_is_kept_alive(server: FakeNetServer, running: RunningServer) -> None:
    client = httpx.Client()
    with UserAgent(
        running.base_url, ticket=DEMO_TICKET, http_client=client, soap_version="1.1"
    ) as agent:
        for _ in range(3):
            agent.get_untrusted_credentials_for_associate(DEMO_ASSOCIATE_ID, "imap")
    pool = client._transport._pool  # type: ignore[attr-defined]
    assert len(pool.connections) == 1
    client.close()


def test_async_over_loopback(server: FakeNetServer, running: RunningServer) -> None:
    async def main() -> tuple[list[UntrustedCredentials], ...]:
        async with AsyncUserAgent(running.base_url, ticket=DEMO_TICKET) as agent:
            first = await agent.get_untrusted_credentials_for_associate(DEMO_ASSOCIATE_ID, "imap")
            rest = await asyncio.gather(
                *(
                    agent.get_untrusted_credentials_for_associate(DEMO_ASSOCIATE_ID, t)
                    for t in ("imap", "smtp", "imap")
                )
            )
            return (first, *rest)

    first, imap, smtp, imap_again = asyncio.run(main())
    assert first == imap == imap_again == expected(server, "imap")
    assert smtp == expected(server, "smtp")
    assert [r.soap_version for r in server.requests] == [None, "1.1", "1.1", "1.1", "1.1"]


def test_in_process_transport_sync_and_async(server: FakeNetServer) -> None:
    base = "https://netserver.invalid/Cust1/Remote/Services86"
    with httpx.Client(transport=server.transport()) as client:
        agent = UserAgent(base, ticket=DEMO_TICKET, http_client=client)
        assert agent.get_untrusted_credentials_for_associate(5, "imap") == expected(server, "imap")

    async def main() -> list[UntrustedCredentials]:
        async with httpx.AsyncClient(transport=server.transport()) as client:
            agent = AsyncUserAgent(base, ticket=DEMO_TICKET, http_client=client, soap_version="1.1")
            return await agent.get_untrusted_credentials_for_associate(5, "smtp")

    assert asyncio.run(main()) == expected(server, "smtp")


def test_soap12_server_settles_on_12(running: RunningServer) -> None:
    server = FakeNetServer.with_demo_data(accept_soap12=True)
    with server.serve() as running12, UserAgent(running12.base_url, ticket=DEMO_TICKET) as agent:
        assert agent.get_untrusted_credentials_for_associate(5, "imap")
        assert agent.soap_version == "1.2"
    assert [r.soap_version for r in server.requests] == ["1.2"]


def test_unknown_ticket_is_a_netserver_error(
    running: RunningServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="superoffice_soap")
    ticket = "7T:not-a-known-ticket"
    with UserAgent(running.base_url, ticket=ticket) as agent, pytest.raises(NetServerError) as info:
        agent.get_untrusted_credentials_for_associate(5, "imap")
    assert info.value.exception_type == "SoSecurityException"
    assert ticket not in str(info.value)
    assert all(ticket not in record.getMessage() for record in caplog.records)


def test_application_token_is_checked() -> None:
    server = FakeNetServer.with_demo_data(application_token="app-secret-1")
    with server.serve() as running:
        with UserAgent(
            running.base_url, ticket=DEMO_TICKET, application_token="app-secret-1"
        ) as good:
            assert good.get_untrusted_credentials_for_associate(5, "imap")
        with (
            UserAgent(running.base_url, ticket=DEMO_TICKET, application_token="wrong") as bad,
            pytest.raises(NetServerError) as info,
        ):
            bad.get_untrusted_credentials_for_associate(5, "imap")
    assert "app-secret-1" not in str(info.value)
    assert "wrong" not in str(info.value)


def test_wrong_endpoint_gives_a_fault_or_status_error(running: RunningServer) -> None:
    # Pinned to 1.1 so the stand-in's ActionNotSupported check is reached through our client:
    # a request for an operation the stand-in does not know.
    from superoffice_soap.models import UNTRUSTED_CREDENTIALS
    from superoffice_soap.operations import USER, Operation, Param
    from superoffice_soap.types import INT, ArrayOf

    unknown: Operation[..., list[UntrustedCredentials]] = Operation(
        USER,
        "GetSomethingElse",
        (Param("associate_id", "AssociateId", INT),),
        ArrayOf("UntrustedCredentials", UNTRUSTED_CREDENTIALS),
        retry_safe=True,
    )
    with (
        UserAgent(running.base_url, ticket=DEMO_TICKET, soap_version="1.1") as agent,
        pytest.raises(SoapFault) as info,
    ):
        agent._call(unknown, {"associate_id": 5})
    assert info.value.code == "ActionNotSupported"
    assert info.value.status_code == 500


def test_connection_refused_is_a_transport_error() -> None:
    server = FakeNetServer.with_demo_data()
    with server.serve() as running:
        url = running.base_url
    with (
        UserAgent(url, ticket=DEMO_TICKET, timeout=2.0) as agent,
        pytest.raises(TransportError) as info,
    ):
        agent.get_untrusted_credentials_for_associate(5, "imap")
    assert info.value.kind == "connect"
    assert isinstance(info.value.__cause__, httpx.ConnectError)
