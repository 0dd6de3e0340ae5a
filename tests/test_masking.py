"""Secrets are masked by structure, never by blind substring (superoffice_soap._mask's rules):
the server's own words are never garbled, a secret is masked in every XML spelling and whatever
the Content-Type claims, and the password of a URL never shows."""

from __future__ import annotations

import html
import io
import logging
from typing import Any, Callable

import httpx
import pytest
from lxml import etree

from superoffice_soap import (
    AuthenticationError,
    HTTPStatusError,
    InvalidRequestError,
    NetServerError,
    SoapFault,
    SoPrincipal,
    TransportError,
    UntrustedCredentials,
    UserAgent,
)
from superoffice_soap._mask import mask_plain, mask_text, mask_url, mask_value
from superoffice_soap._namespaces import NS, SOAP11
from superoffice_soap.cli import main as cli
from superoffice_soap.testing import DEMO_TICKET, FakeNetServer

from .faultserver import closed_port

BASE = "http://netserver.invalid/Cust1/Remote/Services86"
WRONG_PASSWORD = "Invalid user name or password"

#: Secrets of 1, 4, 8 and 40 characters, with XML-special characters.
SHORT_SECRETS = ("e", "u&<r")
LONG_SECRETS = ("p&ss<w0r", ("K3y&<>'\"-" * 5)[:40])
assert [len(s) for s in (*SHORT_SECRETS, *LONG_SECRETS)] == [1, 4, 8, 40]

#: A placeholder replaced in the bytes by a spelling lxml would not write on its own.
MARK = "MARK-REPLACED-HERE"


def spellings(secret: str) -> set[str]:
    """Every way an XML text may spell ``secret``."""
    return {
        secret,
        html.escape(secret, quote=False),
        html.escape(secret, quote=True),
        "".join(f"&#x{ord(c):x};" for c in secret),
        "".join(f"&#{ord(c)};" for c in secret),
    }


def assert_nowhere(secret: str, *texts: object) -> None:
    for text in texts:
        shown = text if isinstance(text, str) else repr(text)
        for spelling in spellings(secret):
            assert spelling not in shown, f"{spelling!r} shown in {shown[:300]!r}"


def echoing_server(
    secret: str, *, fault: bool = False
) -> Callable[[httpx.Request], httpx.Response]:
    """A server that answers a wrong password with NetServer's words and echoes ``secret`` in
    every spelling: raw (escaped by lxml), as character references, in CDATA, and inside a
    Password element."""

    def respond(request: httpx.Request) -> httpx.Response:
        root = etree.Element(f"{{{SOAP11}}}Envelope", nsmap={"s": SOAP11})
        header = etree.SubElement(root, f"{{{SOAP11}}}Header")
        body = etree.SubElement(root, f"{{{SOAP11}}}Body")
        if fault:
            element = etree.SubElement(body, f"{{{SOAP11}}}Fault")
            etree.SubElement(element, "faultcode").text = "s:Client"
            etree.SubElement(element, "faultstring").text = f"{WRONG_PASSWORD}: {secret}"
            detail = etree.SubElement(element, "detail")
            etree.SubElement(detail, "Echo").text = MARK
            etree.SubElement(detail, "Again").text = etree.CDATA(secret)
            etree.SubElement(detail, f"{{{NS}}}Password").text = secret
        else:
            info = etree.SubElement(header, f"{{{NS}}}ExceptionInfo")
            etree.SubElement(info, f"{{{NS}}}Message").text = f"{WRONG_PASSWORD} ({secret})"
            etree.SubElement(info, f"{{{NS}}}FriendlyText").text = MARK
            etree.SubElement(info, f"{{{NS}}}ExceptionType").text = "SoException"
            parameters = etree.SubElement(info, f"{{{NS}}}Parameters")
            pair = etree.SubElement(parameters, f"{{{NS}}}SoExceptionInfoParametersKeyValuePair")
            etree.SubElement(pair, f"{{{NS}}}Key").text = "password"
            etree.SubElement(pair, f"{{{NS}}}Value").text = etree.CDATA(secret)
            etree.SubElement(header, f"{{{NS}}}Succeeded").text = "false"
            response = etree.SubElement(body, f"{{{NS}}}AuthenticateUsernamePasswordResponse")
            etree.SubElement(response, f"{{{NS}}}Password").text = secret
        content = etree.tostring(root).replace(
            MARK.encode(), "".join(f"&#x{ord(c):x};" for c in secret).encode()
        )
        return httpx.Response(
            500 if fault else 200, content=content, headers={"Content-Type": "text/xml"}
        )

    return respond


def login_against(responder: Callable[[httpx.Request], httpx.Response], password: str) -> Any:
    client = httpx.Client(transport=httpx.MockTransport(responder))
    with SoPrincipal(BASE, http_client=client, history=5, retries=0) as principal:
        with pytest.raises((AuthenticationError, SoapFault)) as caught:
            principal.authenticate_username_password("jane", password)
        return caught.value, principal.history


@pytest.mark.parametrize("secret", [*SHORT_SECRETS, *LONG_SECRETS])
def test_the_servers_words_are_never_garbled(secret: str) -> None:
    error, _ = login_against(echoing_server(secret), secret)
    assert isinstance(error, NetServerError)
    assert error.exception_type == "SoException"
    assert error.message is not None
    assert error.message.startswith(f"{WRONG_PASSWORD} (")
    assert str(error).startswith(f"NetServer error SoException: {WRONG_PASSWORD}")


@pytest.mark.parametrize("secret", [*SHORT_SECRETS, *LONG_SECRETS])
def test_a_value_equal_to_a_secret_is_masked_in_every_spelling(secret: str) -> None:
    """Rule 2, whatever the length: FriendlyText (character references), a parameter (CDATA)."""
    error, history = login_against(echoing_server(secret), secret)
    assert error.friendly_text == "***"
    assert error.parameters == {"password": "***"}
    answer = etree.fromstring(history[-1].response_body.encode())
    texts = {etree.QName(e).localname: e.text for e in answer.iter() if isinstance(e.tag, str)}
    assert texts["FriendlyText"] == "***"
    assert texts["Value"] == "***"
    assert texts["Password"] == "***"  # rule 1: the element, whatever its content
    request = etree.fromstring(history[-1].request_body.encode())
    assert [e.text for e in request.iter(f"{{{NS}}}Password")] == ["***"]


@pytest.mark.parametrize("secret", LONG_SECRETS)
def test_a_long_secret_is_masked_everywhere_in_every_spelling(secret: str) -> None:
    for fault in (False, True):
        error, history = login_against(echoing_server(secret, fault=fault), secret)
        assert_nowhere(secret, str(error), repr(error), vars(error), history)
    assert "***" in str(error)


@pytest.mark.parametrize("secret", SHORT_SECRETS)
def test_a_short_secret_is_not_searched_for_inside_text(secret: str) -> None:
    """Rule 3: masking a 1–7 character secret inside text would tell it by the garbling."""
    error, _ = login_against(echoing_server(secret), secret)
    assert error.message == f"{WRONG_PASSWORD} ({secret})"
    fault, _history = login_against(echoing_server(secret, fault=True), secret)
    assert isinstance(fault, SoapFault)
    assert fault.reason == f"{WRONG_PASSWORD}: {secret}"
    assert ">***</ns0:Password>" in (fault.detail or "")
    assert "<Echo>***</Echo>" in (fault.detail or "")  # character references: a whole value
    assert "<Again>***</Again>" in (fault.detail or "")  # CDATA: a whole value


@pytest.mark.parametrize(
    "password",
    [
        "user",
        "e",
        "n",
        "or",
        "name",
        "password",
        "Invalid",
        "Invalid user",
        "user name or password",
    ],
)
def test_wrong_password_message_reads_the_same_whatever_the_password(
    password: str, capsys: pytest.CaptureFixture[str]
) -> None:
    server = FakeNetServer.with_demo_data()
    with server.serve() as running:
        with (
            SoPrincipal(running.base_url) as principal,
            pytest.raises(AuthenticationError) as caught,
        ):
            principal.authenticate_username_password("jane.doe", password)
        assert caught.value.message == WRONG_PASSWORD
        code = cli(
            ["login", "--url", running.base_url, "--username", "jane.doe", "--password-stdin"],
            stdin=io.StringIO(password),
            stdout=io.StringIO(),
        )
    err = capsys.readouterr().err
    assert code == 3
    assert f"SoException: {WRONG_PASSWORD}" in err
    assert "***" not in err


@pytest.mark.parametrize("ticket", ["e", "7T:e", "Exception"])
def test_a_short_ticket_leaves_the_exception_type_and_the_hint(
    ticket: str, capsys: pytest.CaptureFixture[str]
) -> None:
    server = FakeNetServer.with_demo_data()
    with server.serve() as running:
        code = cli(
            ["credential-types", "--url", running.base_url, "--ticket", ticket],
            stdout=io.StringIO(),
        )
    err = capsys.readouterr().err
    assert code == 3
    assert "SoSecurityException" in err
    assert "check --ticket or SUPEROFFICE_TICKET" in err


# ----------------------------------------------------------------------------------------------
# The Content-Type is not trusted

STORED = "STORED-secret-4711&<x>"


@pytest.mark.parametrize("content_type", ["text/plain", "text/html", "application/octet-stream"])
@pytest.mark.parametrize("status", [200, 502])
def test_an_answer_labelled_as_not_xml_is_masked_as_xml(content_type: str, status: int) -> None:
    server = FakeNetServer.with_demo_data()
    server.add_credentials(
        42, "imap", UntrustedCredentials(public_value="who", secret_value=STORED)
    )

    def relabel(request: httpx.Request) -> httpx.Response:
        answer = server.transport().handle_request(request)
        answer.read()
        return httpx.Response(
            status, content=answer.content, headers={"Content-Type": content_type}
        )

    client = httpx.Client(transport=httpx.MockTransport(relabel))
    with UserAgent(
        BASE,
        ticket=DEMO_TICKET,
        http_client=client,
        history=2,
        soap_version="1.1",
        retries=0,
    ) as agent:
        with pytest.raises(HTTPStatusError) as caught:
            agent.get_untrusted_credentials_for_associate(42, "imap")
        history = agent.history
    assert "SecretValue>***<" in (history[-1].response_body or "")  # masked as XML, kept readable
    assert_nowhere(STORED, str(caught.value), caught.value.excerpt, history)


@pytest.mark.parametrize(
    "page",
    [
        "<html><body><p>Bad gateway<SecretValue>{s}</SecretValue></body></html>",
        "<html><body><p>Bad gateway<br><b:SecretValue x='1'>{s}</b:SecretValue>",
        "<html><body>upstream said &lt;SecretValue&gt;{e}&lt;/SecretValue&gt;</body></html>",
        "<html><body>upstream said <SecretValue><![CDATA[{s}]]></SecretValue>",
        "<html><body>cut short <SecretValue>{s}",
    ],
)
def test_a_short_502_page_quoting_a_secret_value(page: str) -> None:
    text = page.format(s=STORED, e=html.escape(STORED))

    def bad_gateway(request: httpx.Request) -> httpx.Response:
        return httpx.Response(502, text=text, headers={"Content-Type": "text/html"})

    client = httpx.Client(transport=httpx.MockTransport(bad_gateway))
    with UserAgent(BASE, ticket="7T:t", http_client=client, history=1, retries=0) as agent:
        with pytest.raises(HTTPStatusError) as caught:
            agent.get_untrusted_credentials_for_associate(5, "imap")
        history = agent.history
    assert_nowhere(STORED, str(caught.value), caught.value.excerpt, history)
    assert "***" in caught.value.excerpt


def test_mask_plain_and_text_rules() -> None:
    assert mask_plain("a <Ticket>7T:x</Ticket> b", []) == "a <Ticket>***</Ticket> b"
    assert mask_plain("&lt;Password&gt;pw&lt;/Password&gt;", []) == "<Password>***</Password>"
    assert mask_text("SoException", ["e"]) == "SoException"
    assert mask_text("password", ["password"]) == "password"  # a word: not searched
    assert mask_text("a user name here", ["user name"]) == "a user name here"  # words too
    assert mask_text("the key s3cr3t-pw!", ["s3cr3t-pw!"]) == "the key ***"
    assert mask_text("xs3cr3t-pw!", ["s3cr3t-pw!"]) == "xs3cr3t-pw!"  # not a whole token
    assert mask_text("k=correcthorsebatterystaple", ["correcthorsebatterystaple"]) == "k=***"
    assert mask_value(" e ", ["e"]) == "***"


# ----------------------------------------------------------------------------------------------
# The password of a URL

URL_PASSWORD = "s3cr3tpw"


@pytest.fixture
def dead_url() -> str:
    return f"http://jane:{URL_PASSWORD}@127.0.0.1:{closed_port()}/Cust1/Remote/Services86"


def test_a_url_password_is_masked_in_repr_errors_history_and_logs(
    dead_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with UserAgent(dead_url, ticket="7T:t", history=2, retries=0) as agent:
        shown = repr(agent)
        with pytest.raises(TransportError) as caught:
            agent.get_credential_types()
        history = agent.history
    assert "jane:***@127.0.0.1" in shown
    assert "jane:***@" in str(caught.value)
    assert "jane:***@" in caught.value.url
    logs = [record.getMessage() for record in caplog.records]
    assert logs
    assert_nowhere(URL_PASSWORD, shown, str(caught.value), vars(caught.value), history, logs)


def test_a_url_password_is_masked_in_status_errors_and_bad_urls() -> None:
    def not_found(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            404, text="<html>Not Found</html>", headers={"Content-Type": "text/html"}
        )

    url = f"http://jane:{URL_PASSWORD}@host.invalid/Cust1/wrong"
    client = httpx.Client(transport=httpx.MockTransport(not_found))
    agent = UserAgent(url, ticket="7T:t", http_client=client, retries=0)
    with agent, pytest.raises(HTTPStatusError) as caught:
        agent.get_credential_types()
    assert_nowhere(URL_PASSWORD, str(caught.value))
    with pytest.raises(InvalidRequestError) as bad:
        UserAgent(f"ftp://jane:{URL_PASSWORD}@host/x", ticket="7T:t")
    assert_nowhere(URL_PASSWORD, str(bad.value))
    assert mask_url("https://u:p@h:1/x") == "https://u:***@h:1/x"
    assert mask_url("https://u@h/x") == "https://u@h/x"


def test_a_url_password_is_masked_in_the_cli_and_its_trace(
    dead_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = cli(
        ["credential-types", "--url", dead_url, "--ticket", "7T:t", "--trace"],
        stdout=io.StringIO(),
    )
    err = capsys.readouterr().err
    assert code == 5
    assert "jane:***@" in err
    assert_nowhere(URL_PASSWORD, err)


# ----------------------------------------------------------------------------------------------
# Access tokens are never read from a flag


@pytest.mark.parametrize("token", ["8A:Cust1.abcdef", "8a:Cust1.abcdef", " 8A:x"])
def test_ticket_flag_refuses_an_access_token(
    token: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = cli(["credential-types", "--url", BASE, "--ticket", token], stdout=io.StringIO())
    err = capsys.readouterr().err
    assert code == 2
    assert "access tokens are never read from a flag" in err
    assert "SUPEROFFICE_TICKET" in err
    assert "--help" in err
    assert token.strip() not in err


def test_an_access_token_from_the_environment_is_used(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    server = FakeNetServer.with_demo_data()
    server.add_access_token("8A:Cust1.env-token", 5)
    with server.serve() as running:
        monkeypatch.setenv("SUPEROFFICE_TICKET", "8A:Cust1.env-token")
        out = io.StringIO()
        code = cli(["credential-types", "--url", running.base_url], stdout=out)
    assert code == 0, capsys.readouterr().err
    assert "imap" in out.getvalue()
