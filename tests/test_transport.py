"""The agents on the wire (respx): content types, actions, headers, negotiation, errors, logging."""

from __future__ import annotations

import asyncio
import logging
import ssl
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
import respx
from lxml import etree

from superoffice_soap import (
    AsyncUserAgent,
    HTTPStatusError,
    InvalidRequestError,
    SoapFault,
    TransportError,
    UntrustedCredentials,
    UserAgent,
    __version__,
)
from superoffice_soap._namespaces import NS, SOAP11, SOAP12
from tests._models import as_read

from ._envelopes import credentials_response, fault11, fault12

BASE = "https://so.example.com/Cust1/Remote/Services86"
URL = f"{BASE}/User.svc"
ACTION = "http://www.superoffice.net/ws/crm/NetServer/Services86/User/GetUntrustedCredentialsForAssociate"
TICKET = "7T:ticket-value-abc=="
TOKEN = "app-token-xyz"
CT11 = "text/xml; charset=utf-8"
CT12 = "application/soap+xml; charset=utf-8"

OK11 = credentials_response([[("SecretValue", "pw-1"), ("PublicValue", "alice")]])
OK12 = credentials_response([[("SecretValue", "pw-1"), ("PublicValue", "alice")]], version="1.2")
EXPECTED = [as_read(public_value="alice", secret_value="pw-1")]

Responder = Callable[[httpx.Request], httpx.Response]


def envelope_version(request: httpx.Request) -> str:
    root = etree.fromstring(request.content)
    return {f"{{{SOAP11}}}Envelope": "1.1", f"{{{SOAP12}}}Envelope": "1.2"}[root.tag]


def wcf_11(request: httpx.Request) -> httpx.Response:
    """A basicHttpBinding endpoint: 415 to SOAP 1.2, a 1.1 answer otherwise."""
    if not request.headers.get("content-type", "").startswith("text/xml"):
        return httpx.Response(415)
    return httpx.Response(200, content=OK11, headers={"Content-Type": CT11})


def soap12_server(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, content=OK12, headers={"Content-Type": CT12})


@pytest.fixture
def mock() -> Iterator[respx.MockRouter]:
    with respx.mock(assert_all_called=False) as router:
        yield router


def serve(mock: respx.MockRouter, responder: Responder) -> respx.Route:
    return mock.post(URL).mock(side_effect=responder)


def agent(**kw: Any) -> UserAgent:
    kw.setdefault("ticket", TICKET)
    return UserAgent(BASE, **kw)


def call(a: UserAgent) -> list[UntrustedCredentials]:
    return a.get_untrusted_credentials_for_associate(5, "imap")


# ----------------------------------------------------------------------------------------------
# HTTP headers per version


def test_soap11_request_headers(mock: respx.MockRouter) -> None:
    route = serve(mock, wcf_11)
    with agent(soap_version="1.1") as a:
        assert call(a) == EXPECTED
    request = route.calls.last.request
    assert request.method == "POST"
    assert str(request.url) == URL
    assert request.headers["content-type"] == CT11
    assert request.headers["soapaction"] == f'"{ACTION}"'
    assert request.headers["user-agent"] == f"superoffice-soap/{__version__}"
    assert envelope_version(request) == "1.1"


def test_soap12_request_headers(mock: respx.MockRouter) -> None:
    route = serve(mock, soap12_server)
    with agent(soap_version="1.2") as a:
        assert call(a) == EXPECTED
    request = route.calls.last.request
    assert request.headers["content-type"] == f'{CT12}; action="{ACTION}"'
    assert "soapaction" not in request.headers
    assert envelope_version(request) == "1.2"


def test_full_svc_url_is_accepted(mock: respx.MockRouter) -> None:
    route = serve(mock, wcf_11)
    with UserAgent(URL, ticket=TICKET, soap_version="1.1") as a:
        call(a)
    assert route.call_count == 1


def test_headers_carry_ticket_token_and_time_zone(mock: respx.MockRouter) -> None:
    from superoffice_soap import SoTimeZone

    route = serve(mock, wcf_11)
    with agent(
        soap_version="1.1", application_token=TOKEN, time_zone=SoTimeZone(id=5, location_code="NO")
    ) as a:
        call(a)
    root = etree.fromstring(route.calls.last.request.content)
    assert root.findtext(f"{{{SOAP11}}}Header/{{{NS}}}Credentials/{{{NS}}}Ticket") == TICKET
    assert root.findtext(f"{{{SOAP11}}}Header/{{{NS}}}ApplicationToken") == TOKEN
    assert root.findtext(f"{{{SOAP11}}}Header/{{{NS}}}TimeZone/{{{NS}}}SoTimeZoneId") == "5"


# ----------------------------------------------------------------------------------------------
# Negotiation


def test_auto_falls_back_on_415_and_stays_on_11(mock: respx.MockRouter) -> None:
    route = serve(mock, wcf_11)
    with agent() as a:
        assert a.soap_version is None
        assert call(a) == EXPECTED
        assert route.call_count == 2
        assert [envelope_version(c.request) for c in route.calls] == ["1.2", "1.1"]
        assert a.soap_version == "1.1"
        assert call(a) == EXPECTED
        assert route.call_count == 3
        assert envelope_version(route.calls.last.request) == "1.1"


def test_auto_resends_the_same_request_as_11(mock: respx.MockRouter) -> None:
    route = serve(mock, wcf_11)
    with agent(application_token=TOKEN) as a:
        call(a)
    first, second = (etree.fromstring(c.request.content) for c in route.calls)
    assert second.findtext(f".//{{{NS}}}AssociateId") == first.findtext(f".//{{{NS}}}AssociateId")
    assert second.findtext(f".//{{{NS}}}Ticket") == TICKET
    assert second.findtext(f".//{{{NS}}}ApplicationToken") == TOKEN


def test_auto_falls_back_on_a_soap11_envelope_reply(mock: respx.MockRouter) -> None:
    route = serve(mock, lambda r: httpx.Response(200, content=OK11, headers={"Content-Type": CT11}))
    with agent() as a:
        assert call(a) == EXPECTED
        assert [envelope_version(c.request) for c in route.calls] == ["1.2", "1.1"]
        assert a.soap_version == "1.1"


def test_auto_falls_back_on_a_soap11_fault_reply(mock: respx.MockRouter) -> None:
    def responder(request: httpx.Request) -> httpx.Response:
        if envelope_version(request) == "1.2":
            return httpx.Response(
                500, content=fault11("s:Client", "bad envelope"), headers={"Content-Type": CT11}
            )
        return httpx.Response(200, content=OK11, headers={"Content-Type": CT11})

    route = serve(mock, responder)
    with agent() as a:
        assert call(a) == EXPECTED
    assert route.call_count == 2


def test_auto_falls_back_on_version_mismatch(mock: respx.MockRouter) -> None:
    def responder(request: httpx.Request) -> httpx.Response:
        if envelope_version(request) == "1.2":
            body = fault12("s:VersionMismatch", [], "wrong version")
            return httpx.Response(500, content=body, headers={"Content-Type": CT12})
        return httpx.Response(200, content=OK11, headers={"Content-Type": CT11})

    route = serve(mock, responder)
    with agent() as a:
        assert call(a) == EXPECTED
        assert a.soap_version == "1.1"
    assert route.call_count == 2


def test_auto_settles_on_12_when_the_server_answers_12(mock: respx.MockRouter) -> None:
    route = serve(mock, soap12_server)
    with agent() as a:
        assert call(a) == EXPECTED
        assert call(a) == EXPECTED
        assert a.soap_version == "1.2"
    assert route.call_count == 2
    assert [envelope_version(c.request) for c in route.calls] == ["1.2", "1.2"]


def test_a_12_fault_that_is_not_version_mismatch_settles_12_and_raises(
    mock: respx.MockRouter,
) -> None:
    body = fault12("s:Sender", ["a:ActionNotSupported"], "no such action")
    route = serve(mock, lambda r: httpx.Response(500, content=body, headers={"Content-Type": CT12}))
    with agent() as a:
        with pytest.raises(SoapFault) as info:
            call(a)
        assert a.soap_version == "1.2"
    assert info.value.subcodes == ("ActionNotSupported",)
    assert route.call_count == 1


def test_auto_does_not_settle_on_a_non_soap_answer(mock: respx.MockRouter) -> None:
    route = serve(mock, lambda r: httpx.Response(502, text="<html>bad gateway</html>"))
    with agent(retries=0) as a:
        with pytest.raises(HTTPStatusError):
            call(a)
        assert a.soap_version is None
        with pytest.raises(HTTPStatusError):
            call(a)
    assert route.call_count == 2
    assert [envelope_version(c.request) for c in route.calls] == ["1.2", "1.2"]


def test_fallback_happens_once(mock: respx.MockRouter) -> None:
    route = serve(mock, lambda r: httpx.Response(415))
    with agent() as a, pytest.raises(HTTPStatusError) as info:
        call(a)
    assert info.value.status_code == 415
    assert route.call_count == 2


@pytest.mark.parametrize("version", ["1.1", "1.2"])
def test_pinned_versions_never_negotiate(mock: respx.MockRouter, version: str) -> None:
    route = serve(mock, lambda r: httpx.Response(415))
    with agent(soap_version=version) as a:
        with pytest.raises(HTTPStatusError):
            call(a)
        assert a.soap_version == version
    assert route.call_count == 1
    assert envelope_version(route.calls.last.request) == version


def test_pinned_12_parses_a_11_answer(mock: respx.MockRouter) -> None:
    route = serve(mock, lambda r: httpx.Response(200, content=OK11, headers={"Content-Type": CT11}))
    with agent(soap_version="1.2") as a:
        assert call(a) == EXPECTED
    assert route.call_count == 1


def test_bad_soap_version_setting() -> None:
    with pytest.raises(InvalidRequestError) as info:
        agent(soap_version="1.0")
    assert info.value.argument == "soap_version"


# ----------------------------------------------------------------------------------------------
# Nothing is sent for an invalid request


def test_invalid_arguments_send_nothing(mock: respx.MockRouter) -> None:
    route = serve(mock, wcf_11)
    with agent() as a:
        for bad_id in (True, "5", 2**31):
            with pytest.raises(InvalidRequestError):
                a.get_untrusted_credentials_for_associate(bad_id, "imap")  # type: ignore[arg-type]
        with pytest.raises(InvalidRequestError):
            a.get_untrusted_credentials_for_associate(5, None)  # type: ignore[arg-type]
    assert route.call_count == 0


@pytest.mark.parametrize(
    ("kw", "argument"),
    [
        ({"ticket": "7T:\x00"}, "ticket"),
        ({"application_token": "\x07"}, "application_token"),
        ({"time_zone": "Europe/Oslo"}, "time_zone"),
    ],
)
def test_invalid_agent_settings_fail_at_construction(kw: dict[str, Any], argument: str) -> None:
    with pytest.raises(InvalidRequestError) as info:
        agent(**kw)
    assert info.value.argument == argument


def test_invalid_url_fails_at_construction() -> None:
    with pytest.raises(InvalidRequestError) as info:
        UserAgent("so.example.com/Services86", ticket=TICKET)
    assert info.value.argument == "url"


# ----------------------------------------------------------------------------------------------
# Client ownership, timeouts, TLS


def test_caller_client_is_used_and_not_closed(mock: respx.MockRouter) -> None:
    route = serve(mock, wcf_11)
    client = httpx.Client(headers={"X-Caller": "yes"})
    with UserAgent(BASE, ticket=TICKET, soap_version="1.1", http_client=client) as a:
        call(a)
    assert not client.is_closed
    assert route.calls.last.request.headers["x-caller"] == "yes"
    client.close()


def test_own_client_is_closed() -> None:
    a = agent()
    a.close()
    assert a._client.is_closed


def test_own_client_has_timeout_and_verifies_tls() -> None:
    with agent() as a:
        assert a._client.timeout == httpx.Timeout(30.0)
        pool = a._client._transport._pool  # type: ignore[attr-defined]
        assert pool._ssl_context.verify_mode == ssl.CERT_REQUIRED
    with agent(timeout=2.5) as a:
        assert a._client.timeout == httpx.Timeout(2.5)


def test_redirects_are_not_followed(mock: respx.MockRouter) -> None:
    route = serve(mock, lambda r: httpx.Response(302, headers={"Location": "https://elsewhere/"}))
    client = httpx.Client(follow_redirects=True)
    a = UserAgent(BASE, ticket=TICKET, http_client=client, soap_version="1.1")
    with a, pytest.raises(HTTPStatusError) as info:
        call(a)
    assert info.value.status_code == 302
    assert route.call_count == 1
    client.close()


# ----------------------------------------------------------------------------------------------
# Transport errors


@pytest.mark.parametrize(
    ("exc", "kind"),
    [
        (httpx.ConnectError("refused"), "connect"),
        (httpx.ConnectTimeout("slow"), "connect timeout"),
        (httpx.ReadTimeout("slow"), "read timeout"),
        (httpx.ReadError("reset"), "read"),
        (httpx.RemoteProtocolError("garbled"), "protocol"),
    ],
)
def test_transport_errors(mock: respx.MockRouter, exc: Exception, kind: str) -> None:
    mock.post(URL).mock(side_effect=exc)
    with agent() as a, pytest.raises(TransportError) as info:
        call(a)
    assert info.value.kind == kind
    assert info.value.__cause__ is exc
    assert URL in str(info.value)
    assert TICKET not in str(info.value)


# ----------------------------------------------------------------------------------------------
# Logging


def test_every_request_is_logged_without_secrets(
    mock: respx.MockRouter, caplog: pytest.LogCaptureFixture
) -> None:
    serve(mock, wcf_11)
    caplog.set_level(logging.DEBUG, logger="superoffice_soap")
    with agent(application_token=TOKEN) as a:
        call(a)
    records = [r for r in caplog.records if r.name == "superoffice_soap"]
    posts = [r.getMessage() for r in records if "POST" in r.getMessage()]
    assert len(posts) == 2  # the 1.2 attempt (415) and the 1.1 resend
    assert "GetUntrustedCredentialsForAssociate" in posts[0]
    assert URL in posts[0]
    assert "HTTP 415" in posts[0]
    assert "HTTP 200" in posts[1]
    for record in records:
        text = record.getMessage()
        assert TICKET not in text
        assert TOKEN not in text
        assert "pw-1" not in text


def test_transport_errors_are_logged(
    mock: respx.MockRouter, caplog: pytest.LogCaptureFixture
) -> None:
    mock.post(URL).mock(side_effect=httpx.ConnectError("refused"))
    caplog.set_level(logging.DEBUG, logger="superoffice_soap")
    with agent() as a, pytest.raises(TransportError):
        call(a)
    messages = [r.getMessage() for r in caplog.records if r.name == "superoffice_soap"]
    assert any(
        "GetUntrustedCredentialsForAssociate" in m and "connect error" in m for m in messages
    )
    assert all(TICKET not in m for m in messages)


def test_agent_repr_hides_secrets() -> None:
    with agent(application_token=TOKEN) as a:
        text = repr(a)
    assert TICKET not in text
    assert TOKEN not in text
    assert BASE in text


def test_request_repr_hides_the_body() -> None:
    from superoffice_soap import build_request
    from superoffice_soap.operations import GET_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE as OP

    request = build_request(
        OP, {"associate_id": 1, "credential_type": "x"}, url=BASE, ticket=TICKET
    )
    assert TICKET not in repr(request)


# ----------------------------------------------------------------------------------------------
# Async twin


def test_async_agent_negotiates_and_parses(mock: respx.MockRouter) -> None:
    route = serve(mock, wcf_11)

    async def main() -> list[list[UntrustedCredentials]]:
        async with AsyncUserAgent(BASE, ticket=TICKET) as a:
            first = await a.get_untrusted_credentials_for_associate(
                associate_id=5, credential_type="imap"
            )
            second = await a.get_untrusted_credentials_for_associate(5, "imap")
            assert a.soap_version == "1.1"
            return [first, second]

    assert asyncio.run(main()) == [EXPECTED, EXPECTED]
    assert route.call_count == 3
    assert [envelope_version(c.request) for c in route.calls] == ["1.2", "1.1", "1.1"]


def test_async_caller_client_is_not_closed(mock: respx.MockRouter) -> None:
    serve(mock, wcf_11)

    async def main() -> bool:
        client = httpx.AsyncClient()
        async with AsyncUserAgent(BASE, ticket=TICKET, http_client=client, soap_version="1.1") as a:
            await a.get_untrusted_credentials_for_associate(5, "imap")
        closed = client.is_closed
        await client.aclose()
        return closed

    assert asyncio.run(main()) is False


def test_async_transport_error(mock: respx.MockRouter) -> None:
    mock.post(URL).mock(side_effect=httpx.ConnectError("refused"))

    async def main() -> None:
        async with AsyncUserAgent(BASE, ticket=TICKET) as a:
            await a.get_untrusted_credentials_for_associate(5, "imap")

    with pytest.raises(TransportError) as info:
        asyncio.run(main())
    assert info.value.kind == "connect"
