"""Every method of every agent against the stand-in over real HTTP, sync and async; re-login on
an expired ticket; a property test of save-then-read through the stand-in."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from superoffice_soap import (
    NEVER_EXPIRES,
    AsyncSoPrincipal,
    AsyncUserAgent,
    AuthenticationError,
    CredentialControlType,
    SoPrincipal,
    UntrustedCredentials,
    UserAgent,
    UserType,
)
from superoffice_soap.principal import (
    NetServerBuildType,
)
from superoffice_soap.testing import (
    DEMO_ASSOCIATE_ID,
    DEMO_PASSWORD,
    DEMO_TICKET,
    DEMO_USERNAME,
    FakeNetServer,
    RunningServer,
)

NEW = UntrustedCredentials(
    valid_from=datetime(2025, 1, 1, tzinfo=timezone.utc),
    valid_to=datetime(9999, 12, 31, 23, 59, 59, 999999),
    comment="rotated",
    secret_value="new-password",
    public_value="jane.doe@new.example.com",
    is_active=True,
)


@pytest.fixture
def server() -> FakeNetServer:
    return FakeNetServer.with_demo_data()


@pytest.fixture
def running(server: FakeNetServer) -> Iterator[RunningServer]:
    with server.serve() as running:
        yield running


def public_values(items: list[UntrustedCredentials]) -> list[Any]:
    return [item.public_value for item in items]


def test_every_user_method_sync(server: FakeNetServer, running: RunningServer) -> None:
    with UserAgent(running.base_url, ticket=DEMO_TICKET) as agent:
        mine = agent.get_untrusted_credentials("imap")
        assert mine == list(server.stored_credentials(DEMO_ASSOCIATE_ID, "imap"))

        agent.save_untrusted_credentials("imap", NEW)
        assert agent.get_untrusted_credentials("imap")[-1] == NEW

        replaced = UntrustedCredentials(public_value=NEW.public_value, secret_value="newer")
        agent.save_untrusted_credentials_for_associate(DEMO_ASSOCIATE_ID, "imap", replaced)
        after = agent.get_untrusted_credentials_for_associate(DEMO_ASSOCIATE_ID, "imap")
        assert len(after) == 3
        # saved as it is: active and never expiring; valid_from left out comes back as MinValue
        assert after[-1] == UntrustedCredentials(
            valid_from=datetime(1, 1, 1),
            valid_to=NEVER_EXPIRES,
            secret_value="newer",
            public_value=NEW.public_value,
            is_active=True,
        )
        # None leaves a field out on purpose: NetServer stores .NET's defaults
        left_out = UntrustedCredentials(
            public_value=NEW.public_value, secret_value="newest", valid_to=None, is_active=None
        )
        agent.save_untrusted_credentials_for_associate(DEMO_ASSOCIATE_ID, "imap", left_out)
        after = agent.get_untrusted_credentials_for_associate(DEMO_ASSOCIATE_ID, "imap")
        assert after[-1] == UntrustedCredentials(
            valid_from=datetime(1, 1, 1),
            valid_to=datetime(1, 1, 1),
            secret_value="newest",
            public_value=NEW.public_value,
            is_active=False,
        )

        agent.remove_untrusted_credentials("imap", NEW.public_value or "")
        assert public_values(agent.get_untrusted_credentials("imap")) == [
            "jane.doe@example.com",
            "jane.doe@old.example.com",
        ]
        agent.remove_untrusted_credentials_for_associate(5, "imap", "jane.doe@old.example.com")
        assert public_values(agent.get_untrusted_credentials("imap")) == ["jane.doe@example.com"]
        agent.remove_untrusted_credentials_for_associate(5, "imap", "not-there")

        default = agent.create_default_untrusted_credentials()
        assert default.valid_to == datetime(9999, 12, 31, 23, 59, 59, 999999)
        assert default.is_active is True
        assert default.valid_from is not None
        assert default.valid_from.tzinfo is not None

        types = agent.get_credential_types()
        assert {t.type for t in types} >= {"imap", "smtp"}
        imap = next(t for t in types if t.type == "imap")
        assert imap.value_control is CredentialControlType.PASSWORD
        internal = agent.get_credential_types_for_user_type(UserType.INTERNAL_ASSOCIATE)
        external = agent.get_credential_types_for_user_type("ExternalAssociate")
        assert {t.type for t in internal} != {t.type for t in external}
        assert {t.type for t in internal} <= {t.type for t in types}


def test_every_user_method_async(server: FakeNetServer, running: RunningServer) -> None:
    async def main() -> None:
        async with AsyncUserAgent(running.base_url, ticket=DEMO_TICKET) as agent:
            assert await agent.get_untrusted_credentials("smtp") == list(
                server.stored_credentials(DEMO_ASSOCIATE_ID, "smtp")
            )
            await agent.save_untrusted_credentials("imap", NEW)
            await agent.save_untrusted_credentials_for_associate(5, "ldap", NEW)
            assert (await agent.get_untrusted_credentials_for_associate(5, "ldap")) == [NEW]
            await agent.remove_untrusted_credentials("imap", NEW.public_value or "")
            await agent.remove_untrusted_credentials_for_associate(
                5, "ldap", NEW.public_value or ""
            )
            assert await agent.get_untrusted_credentials_for_associate(5, "ldap") == []
            default = await agent.create_default_untrusted_credentials()
            assert default.is_active is True
            types = await agent.get_credential_types()
            assert types
            assert await agent.get_credential_types_for_user_type(UserType.INTERNAL_ASSOCIATE)

    asyncio.run(main())
    assert server.stored_credentials(DEMO_ASSOCIATE_ID, "ldap") == ()


def test_every_soprincipal_method_sync(server: FakeNetServer, running: RunningServer) -> None:
    server.add_access_token("8A:Cust12345.demo-token", DEMO_ASSOCIATE_ID)
    with SoPrincipal(running.base_url) as principal:
        auth = principal.authenticate_username_password(DEMO_USERNAME, DEMO_PASSWORD)
        assert auth.succeeded is True
        assert auth.principal is not None
        assert auth.principal.associate_id == DEMO_ASSOCIATE_ID
        assert auth.principal.associate == DEMO_USERNAME
        assert auth.ticket in server.issued_tickets()
        assert DEMO_PASSWORD not in repr(auth)
        assert str(auth.ticket) not in repr(auth)

        by_token = principal.authenticate_with_access_token("8A:Cust12345.demo-token")
        assert by_token.principal is not None
        assert by_token.principal.associate_id == DEMO_ASSOCIATE_ID

        info = principal.get_system_info()
        assert info.build_type is NetServerBuildType.RELEASE
        assert info.license is not None

        with pytest.raises(AuthenticationError) as failed:
            principal.authenticate_username_password(DEMO_USERNAME, "wrong-password")
        assert "wrong-password" not in str(failed.value)
    # the ticket works on the User service
    with UserAgent(running.base_url, ticket=auth.ticket) as agent:
        assert agent.get_untrusted_credentials("imap")


def test_every_soprincipal_method_async(server: FakeNetServer, running: RunningServer) -> None:
    server.add_access_token("8A:Cust12345.demo-token", DEMO_ASSOCIATE_ID)

    async def main() -> None:
        async with AsyncSoPrincipal(running.base_url) as principal:
            auth = await principal.authenticate_username_password(DEMO_USERNAME, DEMO_PASSWORD)
            assert auth.ticket in server.issued_tickets()
            token = await principal.authenticate_with_access_token("8A:Cust12345.demo-token")
            assert token.succeeded
            info = await principal.get_system_info()
            assert info.database_version is not None
            with pytest.raises(AuthenticationError):
                await principal.authenticate_with_access_token("8A:Cust12345.unknown")

    asyncio.run(main())


def test_access_token_as_ticket(server: FakeNetServer, running: RunningServer) -> None:
    server.add_access_token("8A:Cust12345.demo-token", DEMO_ASSOCIATE_ID)
    with UserAgent(running.base_url, ticket="8A:Cust12345.demo-token") as agent:
        assert agent.get_untrusted_credentials("imap")


def test_login_relogins_once_after_expiry(server: FakeNetServer, running: RunningServer) -> None:
    with UserAgent.login(running.base_url, DEMO_USERNAME, DEMO_PASSWORD) as agent:
        assert agent.get_untrusted_credentials("imap")
        assert len(server.issued_tickets()) == 1
        server.expire_all_tickets()
        assert agent.get_untrusted_credentials("imap")
        assert len(server.issued_tickets()) == 2
        assert agent.get_untrusted_credentials("imap")
        assert len(server.issued_tickets()) == 2


def test_async_login_relogins_once_after_expiry(
    server: FakeNetServer, running: RunningServer
) -> None:
    async def main() -> None:
        agent = await AsyncUserAgent.login(running.base_url, DEMO_USERNAME, DEMO_PASSWORD)
        async with agent:
            server.expire_all_tickets()
            assert await agent.get_untrusted_credentials("imap")

    asyncio.run(main())
    assert len(server.issued_tickets()) == 2


def test_login_with_a_wrong_password(running: RunningServer) -> None:
    with pytest.raises(AuthenticationError) as info:
        UserAgent.login(running.base_url, DEMO_USERNAME, "not-the-password")
    assert "not-the-password" not in str(info.value)


@pytest.mark.parametrize("services", ["Services84", "Services88"])
def test_other_services_versions(services: str) -> None:
    server = FakeNetServer.with_demo_data(services=services)
    with server.serve() as running:
        assert running.base_url.endswith(f"/Remote/{services}")
        with UserAgent.login(running.base_url, DEMO_USERNAME, DEMO_PASSWORD) as agent:
            assert agent.services == services
            agent.save_untrusted_credentials("imap", NEW)
            assert agent.get_untrusted_credentials("imap")[-1] == NEW
        with SoPrincipal(running.base_url) as principal:
            assert principal.get_system_info().license is not None


# ----------------------------------------------------------------------------------------------
# Property: what is saved is what is read back

XML_TEXT = st.text(
    st.characters(exclude_categories=["Cs"], exclude_characters="\x00\ufffe\uffff").filter(
        lambda c: c in "\t\n\r" or ord(c) >= 0x20
    ),
    max_size=30,
)
OFFSETS = st.integers(-14 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m)))
MOMENTS = (
    st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30))
    | st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=OFFSETS)
    | st.sampled_from(
        [
            datetime(1, 1, 1),
            datetime(9999, 12, 31, 23, 59, 59, 999999),
            datetime(2020, 1, 1, tzinfo=timezone.utc),
        ]
    )
)
CREDENTIALS = st.builds(
    UntrustedCredentials,
    valid_from=MOMENTS,
    valid_to=MOMENTS,
    comment=XML_TEXT,
    secret_value=XML_TEXT,
    public_value=XML_TEXT,
    is_active=st.booleans(),
)


@pytest.fixture(scope="module")
def in_process() -> Iterator[tuple[FakeNetServer, UserAgent]]:
    server = FakeNetServer.with_demo_data()
    client = httpx.Client(transport=server.transport())
    agent = UserAgent(
        "http://netserver.invalid/Cust1/Remote/Services86",
        ticket=DEMO_TICKET,
        http_client=client,
        soap_version="1.1",
    )
    yield server, agent
    client.close()


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(credentials=CREDENTIALS)
def test_saved_credentials_read_back_equal(
    in_process: tuple[FakeNetServer, UserAgent], credentials: UntrustedCredentials
) -> None:
    _, agent = in_process
    agent.save_untrusted_credentials_for_associate(7, "prop", credentials)
    stored = agent.get_untrusted_credentials_for_associate(7, "prop")
    match = [item for item in stored if item.public_value == credentials.public_value]
    assert match == [credentials]
    for moment in ("valid_from", "valid_to"):
        sent, back = getattr(credentials, moment), getattr(match[0], moment)
        assert back.utcoffset() == sent.utcoffset()  # offsets and naive values are kept
    agent.remove_untrusted_credentials_for_associate(7, "prop", credentials.public_value or "")
