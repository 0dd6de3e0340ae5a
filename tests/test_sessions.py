"""Tickets that look after themselves (login, one re-login) and Services versions, over respx."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import respx
from lxml import etree

from superoffice_soap import (
    AsyncUserAgent,
    AuthenticationError,
    InvalidRequestError,
    NetServerError,
    SoPrincipal,
    UntrustedCredentials,
    UserAgent,
)
from superoffice_soap._namespaces import NS, SOAP11
from superoffice_soap.operations import namespace
from tests._models import as_read

from ._envelopes import NIL, Field, credentials_response, element, envelope

BASE = "https://so.example.com/Cust1/Remote/Services86"
USER_URL = f"{BASE}/User.svc"
PRINCIPAL_URL = f"{BASE}/SoPrincipal.svc"
CT11 = {"Content-Type": "text/xml; charset=utf-8"}
PASSWORD = "s3cret-password"
OK = credentials_response([[("PublicValue", "alice")]])
EXPECTED = [as_read(public_value="alice")]


def authenticated(ticket: str) -> bytes:
    wrapper = etree.Element(f"{{{NS}}}AuthenticateResponse", nsmap={None: NS})
    element("Response", [("Associate", "jane"), ("AssociateId", "5")], wrapper)
    element("Credentials", [("Ticket", ticket)], wrapper)
    element("AuthenticationSucceeded", "true", wrapper)
    return envelope(wrapper, headers=[("ExceptionInfo", NIL), ("Succeeded", "true")])


def failure(exception_type: str, operation: str = "GetUntrustedCredentialsForAssociate") -> bytes:
    wrapper = etree.Element(f"{{{NS}}}{operation}Response", nsmap={None: NS})
    info: list[Field] = [("Message", "nope"), ("ExceptionType", exception_type)]
    return envelope(wrapper, headers=[("ExceptionInfo", info), ("Succeeded", "false")])


def ticket_of(request: httpx.Request) -> str:
    root = etree.fromstring(request.content)
    return root.findtext(f".//{{{NS}}}Ticket") or ""


class Server:
    """A scripted NetServer: SoPrincipal hands out tickets; User answers from a script."""

    def __init__(self, mock: respx.MockRouter, user_answers: list[bytes]) -> None:
        self.issued = 0
        self.user_answers = user_answers
        self.principal = mock.post(PRINCIPAL_URL).mock(side_effect=self._authenticate)
        self.user = mock.post(USER_URL).mock(side_effect=self._user)

    def _authenticate(self, request: httpx.Request) -> httpx.Response:
        assert PASSWORD.encode() in request.content
        self.issued += 1
        return httpx.Response(200, content=authenticated(f"7T:ticket-{self.issued}"), headers=CT11)

    def _user(self, request: httpx.Request) -> httpx.Response:
        answer = self.user_answers.pop(0) if len(self.user_answers) > 1 else self.user_answers[0]
        return httpx.Response(200, content=answer, headers=CT11)


@pytest.fixture
def mock() -> Iterator[respx.MockRouter]:
    with respx.mock(assert_all_called=False) as router:
        yield router


def login(**kw: Any) -> UserAgent:
    return UserAgent.login(BASE, "jane", PASSWORD, soap_version="1.1", **kw)


def test_login_then_call(mock: respx.MockRouter) -> None:
    server = Server(mock, [OK])
    with login() as agent:
        assert agent.get_untrusted_credentials_for_associate(5, "imap") == EXPECTED
    assert server.principal.call_count == 1
    assert ticket_of(server.user.calls.last.request) == "7T:ticket-1"


def test_expired_ticket_relogs_in_once_and_repeats_the_call(mock: respx.MockRouter) -> None:
    server = Server(mock, [failure("SoSessionExpiredException"), OK])
    with login() as agent:
        assert agent.get_untrusted_credentials_for_associate(5, "imap") == EXPECTED
    assert server.principal.call_count == 2
    assert [ticket_of(c.request) for c in server.user.calls] == ["7T:ticket-1", "7T:ticket-2"]


def test_a_second_expiry_for_the_same_call_is_raised(mock: respx.MockRouter) -> None:
    server = Server(mock, [failure("SoInvalidTicketException")])
    with login() as agent, pytest.raises(NetServerError) as info:
        agent.get_untrusted_credentials_for_associate(5, "imap")
    assert info.value.exception_type == "SoInvalidTicketException"
    assert server.principal.call_count == 2
    assert server.user.call_count == 2


def test_each_call_gets_its_own_relogin(mock: respx.MockRouter) -> None:
    expired = failure("SoSessionExpiredException")
    server = Server(mock, [expired, OK, expired, OK, OK])
    with login() as agent:
        for _ in range(3):
            assert agent.get_untrusted_credentials_for_associate(5, "imap") == EXPECTED
    assert server.principal.call_count == 3
    assert server.user.call_count == 5


@pytest.mark.parametrize("exception_type", ["SoException", "SoSecurityException", None])
def test_other_netserver_errors_never_relogin(mock: respx.MockRouter, exception_type: Any) -> None:
    answer = failure(exception_type) if exception_type else failure("")
    server = Server(mock, [answer])
    with login() as agent, pytest.raises(NetServerError):
        agent.get_untrusted_credentials_for_associate(5, "imap")
    assert server.principal.call_count == 1
    assert server.user.call_count == 1


def test_a_plain_ticket_never_relogins(mock: respx.MockRouter) -> None:
    server = Server(mock, [failure("SoSessionExpiredException")])
    with (
        UserAgent(BASE, ticket="7T:fixed", soap_version="1.1") as agent,
        pytest.raises(NetServerError),
    ):
        agent.get_untrusted_credentials_for_associate(5, "imap")
    assert server.principal.call_count == 0
    assert server.user.call_count == 1


def test_the_rule_can_be_replaced(mock: respx.MockRouter) -> None:
    server = Server(mock, [failure("TimedOutLogin"), OK])
    with login(is_ticket_expired=lambda e: e.exception_type == "TimedOutLogin") as agent:
        assert agent.get_untrusted_credentials_for_associate(5, "imap") == EXPECTED
    assert server.principal.call_count == 2


def test_login_failure_is_an_authentication_error(mock: respx.MockRouter) -> None:
    wrapper = etree.Element(f"{{{NS}}}AuthenticateResponse", nsmap={None: NS})
    element("AuthenticationSucceeded", "false", wrapper)
    body = envelope(
        wrapper,
        headers=[
            (
                "ExceptionInfo",
                [("Message", f"bad password {PASSWORD}"), ("ExceptionType", "SoException")],
            ),
            ("Succeeded", "false"),
        ],
    )
    route = mock.post(PRINCIPAL_URL).mock(
        return_value=httpx.Response(200, content=body, headers=CT11)
    )
    with pytest.raises(AuthenticationError) as info:
        login()
    assert route.call_count == 1
    assert info.value.exception_type == "SoException"
    assert PASSWORD not in repr(info.value)


def test_login_repr_and_logs_hide_password_and_ticket(
    mock: respx.MockRouter, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    caplog.set_level(logging.DEBUG, logger="superoffice_soap")
    Server(mock, [failure("SoSessionExpiredException"), OK])
    with login() as agent:
        agent.get_untrusted_credentials_for_associate(5, "imap")
        text = repr(agent) + repr(agent._session.login)
    logs = " ".join(r.getMessage() for r in caplog.records)
    for secret in (PASSWORD, "7T:ticket-1", "7T:ticket-2"):
        assert secret not in text
        assert secret not in logs
    assert "logging in again" in logs


def test_async_login_and_relogin(mock: respx.MockRouter) -> None:
    server = Server(mock, [failure("SoSessionExpiredException"), OK])

    async def main() -> list[UntrustedCredentials]:
        agent = await AsyncUserAgent.login(BASE, "jane", PASSWORD, soap_version="1.1")
        async with agent:
            return await agent.get_untrusted_credentials_for_associate(5, "imap")

    assert asyncio.run(main()) == EXPECTED
    assert server.principal.call_count == 2


# ----------------------------------------------------------------------------------------------
# A ticket from a callable


def test_ticket_callable_is_asked_for_every_request(mock: respx.MockRouter) -> None:
    server = Server(mock, [OK])
    tickets = iter(["7T:a", "7T:b"])
    with UserAgent(BASE, ticket=lambda: next(tickets), soap_version="1.1") as agent:
        agent.get_untrusted_credentials_for_associate(5, "imap")
        agent.get_untrusted_credentials_for_associate(5, "imap")
    assert [ticket_of(c.request) for c in server.user.calls] == ["7T:a", "7T:b"]


def test_ticket_callable_returning_garbage_sends_nothing(mock: respx.MockRouter) -> None:
    server = Server(mock, [OK])
    agent = UserAgent(BASE, ticket=lambda: 42, soap_version="1.1")  # type: ignore[arg-type,return-value]
    with agent, pytest.raises(InvalidRequestError) as info:
        agent.get_untrusted_credentials_for_associate(5, "imap")
    assert info.value.argument == "ticket"
    assert server.user.call_count == 0


def test_ticket_of_the_wrong_type() -> None:
    with pytest.raises(InvalidRequestError) as info:
        UserAgent(BASE, ticket=42)  # type: ignore[arg-type]
    assert info.value.argument == "ticket"


# ----------------------------------------------------------------------------------------------
# Services versions


def services88_answer() -> bytes:
    ns = namespace("Services88")
    root = etree.Element(f"{{{SOAP11}}}Envelope", nsmap={"s": SOAP11})
    body = etree.SubElement(root, f"{{{SOAP11}}}Body")
    wrapper = etree.SubElement(body, f"{{{ns}}}GetUntrustedCredentialsForAssociateResponse")
    response = etree.SubElement(wrapper, f"{{{ns}}}Response")
    item = etree.SubElement(response, f"{{{ns}}}UntrustedCredentials")
    etree.SubElement(item, f"{{{ns}}}PublicValue").text = "alice"
    content: bytes = etree.tostring(root)
    return content


def test_url_selects_the_services_version(mock: respx.MockRouter) -> None:
    base = "https://so.example.com/Cust1/Remote/Services88"
    route = mock.post(f"{base}/User.svc").mock(
        return_value=httpx.Response(200, content=services88_answer(), headers=CT11)
    )
    with UserAgent(base, ticket="7T:x", soap_version="1.1") as agent:
        assert agent.services == "Services88"
        assert agent.get_untrusted_credentials_for_associate(5, "imap") == EXPECTED
    request = route.calls.last.request
    ns = namespace("Services88")
    assert request.headers["soapaction"] == f'"{ns}/User/GetUntrustedCredentialsForAssociate"'
    root = etree.fromstring(request.content)
    assert root.find(f".//{{{ns}}}GetUntrustedCredentialsForAssociate") is not None
    assert root.find(f".//{{{ns}}}Ticket") is not None


def test_a_services86_answer_to_a_services88_call_is_a_parse_error(mock: respx.MockRouter) -> None:
    base = "https://so.example.com/Cust1/Remote/Services88"
    mock.post(f"{base}/User.svc").mock(return_value=httpx.Response(200, content=OK, headers=CT11))
    from superoffice_soap import ResponseParseError

    with (
        UserAgent(base, ticket="7T:x", soap_version="1.1") as agent,
        pytest.raises(ResponseParseError),
    ):
        agent.get_untrusted_credentials_for_associate(5, "imap")


@pytest.mark.parametrize(
    ("url", "services", "expected"),
    [
        ("https://h/Cust1/Remote/Services86", None, "Services86"),
        ("https://h/Cust1/remote/services87/", None, "Services87"),
        ("https://h/Cust1/Remote/Services84/User.svc", None, "Services84"),
        ("https://h/Cust1/Remote/Services85", "Services85", "Services85"),
        ("https://h/custom/path", "Services88", "Services88"),
        ("https://h/custom/path", None, "Services86"),
    ],
)
def test_services_resolution(url: str, services: Any, expected: str) -> None:
    with UserAgent(url, ticket="7T:x", services=services) as agent:
        assert agent.services == expected


@pytest.mark.parametrize(
    ("url", "services"),
    [
        ("https://h/Cust1/Remote/Services86", "Services88"),
        ("https://h/Cust1/Remote/Services99", None),
        ("https://h/x", "Services81"),
        ("https://h/x", "86"),
    ],
)
def test_bad_or_conflicting_services(url: str, services: Any) -> None:
    with pytest.raises(InvalidRequestError) as info:
        UserAgent(url, ticket="7T:x", services=services)
    assert info.value.argument == "services"


@pytest.mark.parametrize("services", ["Services84", "Services85"])
def test_access_tokens_need_services86(mock: respx.MockRouter, services: str) -> None:
    route = mock.post(url__regex=r".*").mock(return_value=httpx.Response(500))
    with pytest.raises(InvalidRequestError) as info:
        UserAgent("https://h/x", ticket="8A:Cust1.token", services=services)
    assert info.value.argument == "ticket"
    agent = UserAgent("https://h/x", ticket=lambda: "8A:Cust1.token", services=services)
    with agent, pytest.raises(InvalidRequestError):
        agent.get_untrusted_credentials_for_associate(5, "imap")
    principal = SoPrincipal("https://h/x", services=services)
    with principal, pytest.raises(InvalidRequestError) as info:
        principal.authenticate_with_access_token("8A:Cust1.token")
    assert info.value.argument == "services"
    assert route.call_count == 0


def test_access_tokens_work_on_services86(mock: respx.MockRouter) -> None:
    server = Server(mock, [OK])
    with UserAgent(BASE, ticket="8A:Cust1.token", soap_version="1.1") as agent:
        agent.get_untrusted_credentials_for_associate(5, "imap")
    assert ticket_of(server.user.calls.last.request) == "8A:Cust1.token"
