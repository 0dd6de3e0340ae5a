"""Tests as a user of the package writes them: nothing but the ``superoffice_netserver`` fixture
(which installing the package registers) and the public API — no helper of this suite."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from superoffice_soap import (
    AsyncUserAgent,
    NetServerError,
    UntrustedCredentials,
    UserAgent,
    rotate_untrusted_credential,
)
from superoffice_soap.pytest_plugin import NetServerFixture


def test_the_demo_data_is_there(superoffice_netserver: NetServerFixture) -> None:
    with UserAgent(superoffice_netserver.base_url, ticket=superoffice_netserver.ticket) as agent:
        found = agent.get_untrusted_credentials_for_associate(5, "imap")
    assert [c.public_value for c in found] == ["jane.doe@example.com", "jane.doe@old.example.com"]
    assert superoffice_netserver.operations() == [
        None,  # the SOAP 1.2 probe, answered 415 as NetServer does
        "GetUntrustedCredentialsForAssociate",
    ]


def test_users_credentials_and_what_was_sent(superoffice_netserver: NetServerFixture) -> None:
    superoffice_netserver.add_user("bob", "bob-password", 42)
    superoffice_netserver.add_credentials(
        42, "imap", UntrustedCredentials(public_value="bob@example.com", secret_value="x")
    )
    with UserAgent.login(superoffice_netserver.base_url, "bob", "bob-password") as agent:
        agent.save_untrusted_credentials(
            "smtp", UntrustedCredentials(public_value="bob", secret_value="y")
        )
        mine = agent.get_untrusted_credentials("imap")
    assert [c.public_value for c in mine] == ["bob@example.com"]
    assert [c.public_value for c in superoffice_netserver.stored_credentials(42, "smtp")] == ["bob"]
    assert len(superoffice_netserver.issued_tickets()) == 1
    saves = [r for r in superoffice_netserver.requests if r.operation == "SaveUntrustedCredentials"]
    assert len(saves) == 1
    assert b"<PublicValue>bob</PublicValue>" in saves[0].body.replace(b"User:", b"")


def test_an_expired_ticket(superoffice_netserver: NetServerFixture) -> None:
    superoffice_netserver.expire_ticket()
    with superoffice_netserver.user_agent() as agent, pytest.raises(NetServerError) as caught:
        agent.get_untrusted_credentials("imap")
    assert caught.value.exception_type == "SoSessionExpiredException"


def test_code_under_test_with_its_own_http_stack(superoffice_netserver: NetServerFixture) -> None:
    answer = httpx.post(superoffice_netserver.url, content=b"not soap")
    assert answer.status_code == 415  # no text/xml content type: refused like WCF does


def test_async_code(superoffice_netserver: NetServerFixture) -> None:
    async def main() -> list[str]:
        async with superoffice_netserver.async_user_agent() as agent:
            found = await agent.get_untrusted_credentials_for_associates([5, 6], "imap")
        return [c.public_value or "" for creds in found.values() for c in creds]

    assert asyncio.run(main()) == ["jane.doe@example.com", "jane.doe@old.example.com"]


@pytest.mark.anyio
async def test_under_an_async_test_runner(superoffice_netserver: NetServerFixture) -> None:
    async with AsyncUserAgent(
        superoffice_netserver.base_url, ticket=superoffice_netserver.ticket
    ) as agent:
        found = await agent.get_untrusted_credentials_for_associate(5, "smtp")
    assert [c.public_value for c in found] == ["jane.doe"]


@pytest.mark.superoffice_netserver(services="Services88", accept_soap12=True, demo_data=False)
def test_options_in_a_marker(superoffice_netserver: NetServerFixture) -> None:
    assert superoffice_netserver.base_url.endswith("/Remote/Services88")
    with superoffice_netserver.user_agent() as agent:
        assert agent.get_untrusted_credentials_for_associate(5, "imap") == []
        assert agent.soap_version == "1.2"


def test_the_library_jobs(superoffice_netserver: NetServerFixture) -> None:
    with superoffice_netserver.user_agent() as agent:
        done = rotate_untrusted_credential(
            agent, 5, "imap", "jane.doe@example.com", "s3cret", new_public_value="jane@new.example"
        )
    assert done.removed_old
    stored = superoffice_netserver.stored_credentials(5, "imap")
    assert [c.public_value for c in stored] == ["jane.doe@old.example.com", "jane@new.example"]


def test_each_test_gets_a_fresh_stand_in(superoffice_netserver: NetServerFixture) -> None:
    # the previous test removed jane.doe@example.com from its own stand-in, not from this one
    stored = superoffice_netserver.stored_credentials(5, "imap")
    assert stored[0].public_value == "jane.doe@example.com"
    assert superoffice_netserver.requests == []


@pytest.mark.superoffice_netserver(application_token="app-token-4711")
def test_the_agents_send_the_markers_application_token(
    superoffice_netserver: NetServerFixture,
) -> None:
    assert superoffice_netserver.application_token == "app-token-4711"
    with superoffice_netserver.user_agent() as agent:
        assert len(agent.get_untrusted_credentials_for_associate(5, "imap")) == 2
    with superoffice_netserver.so_principal() as principal:
        auth = principal.authenticate_username_password(
            superoffice_netserver.username, superoffice_netserver.password
        )
    assert auth.principal is not None
    assert auth.principal.associate_id == 5
    # without it, the stand-in refuses, as SuperOffice Online does
    bare = UserAgent(superoffice_netserver.base_url, ticket=superoffice_netserver.ticket)
    with bare, pytest.raises(NetServerError):
        bare.get_untrusted_credentials_for_associate(5, "imap")


def test_the_fixture_type_is_public() -> None:
    from superoffice_soap.testing import NetServerFixture as Public

    assert Public is NetServerFixture
