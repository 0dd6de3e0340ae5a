"""Secret hygiene, as a test: with DEBUG logging and the history on, every operation, through
success, NetServer error, SOAP fault, parse error and transport error, and the command line —
no ticket, application token, password or SecretValue in any log record, repr, exception text,
history entry or CLI output (unless --show-secrets)."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from typing import Any, Callable

import httpx
import pytest
from lxml import etree

from superoffice_soap import (
    SoPrincipal,
    SuperOfficeSoapError,
    UntrustedCredentials,
    UserAgent,
    UserType,
)
from superoffice_soap._namespaces import NS, SOAP11
from superoffice_soap.cli import main as cli
from superoffice_soap.testing import FakeNetServer

from .faultserver import closed_port

TICKET = "7T:HYGIENE-TICKET-4711"
TOKEN = "HYGIENE-APP-TOKEN-0815"
PASSWORD = "HYGIENE-PASSWORD-1234"
ACCESS_TOKEN = "8A:Cust1.HYGIENE-ACCESS-TOKEN"
STORED_SECRET = "HYGIENE-STORED-SECRET"
SAVED_SECRET = "HYGIENE-SAVED-SECRET"
SECRETS = (TICKET, TOKEN, PASSWORD, ACCESS_TOKEN, STORED_SECRET, SAVED_SECRET)
BASE = "http://netserver.invalid/Cust1/Remote/Services86"
SAVE = UntrustedCredentials(public_value="who", secret_value=SAVED_SECRET, is_active=True)

Call = Callable[[Any], Any]
#: Every operation, as an agent call: (service, name, call).
CALLS: list[tuple[str, str, Call]] = [
    ("User", "GetUntrustedCredentials", lambda a: a.get_untrusted_credentials("imap")),
    (
        "User",
        "GetUntrustedCredentialsForAssociate",
        lambda a: a.get_untrusted_credentials_for_associate(5, "imap"),
    ),
    ("User", "SaveUntrustedCredentials", lambda a: a.save_untrusted_credentials("imap", SAVE)),
    (
        "User",
        "SaveUntrustedCredentialsForAssociate",
        lambda a: a.save_untrusted_credentials_for_associate(5, "imap", SAVE),
    ),
    ("User", "RemoveUntrustedCredentials", lambda a: a.remove_untrusted_credentials("imap", "who")),
    (
        "User",
        "RemoveUntrustedCredentialsForAssociate",
        lambda a: a.remove_untrusted_credentials_for_associate(5, "imap", "who"),
    ),
    (
        "User",
        "CreateDefaultUntrustedCredentials",
        lambda a: a.create_default_untrusted_credentials(),
    ),
    ("User", "GetCredentialTypes", lambda a: a.get_credential_types()),
    (
        "User",
        "GetCredentialTypesForUserType",
        lambda a: a.get_credential_types_for_user_type(UserType.INTERNAL_ASSOCIATE),
    ),
    (
        "SoPrincipal",
        "AuthenticateUsernamePassword",
        lambda a: a.authenticate_username_password("jane", PASSWORD),
    ),
    (
        "SoPrincipal",
        "AuthenticateWithAccessToken",
        lambda a: a.authenticate_with_access_token(ACCESS_TOKEN),
    ),
    ("SoPrincipal", "GetSystemInfo", lambda a: a.get_system_info()),
]
IDS = [name for _, name, _ in CALLS]


class Evidence:
    """Everything a secret could leak into."""

    def __init__(self, caplog: pytest.LogCaptureFixture) -> None:
        self.caplog = caplog
        self.texts: list[str] = []

    def add(self, *items: object) -> None:
        for item in items:
            self.texts.append(item if isinstance(item, str) else repr(item))

    def add_error(self, error: BaseException) -> None:
        self.add(str(error), repr(error), error.args)
        for value in vars(error).values():
            self.add(value)

    def assert_clean(self) -> None:
        records = [r.getMessage() for r in self.caplog.records]
        assert records, "DEBUG logging produced nothing: the test would prove nothing"
        for text in [*self.texts, *records]:
            for secret in SECRETS:
                assert secret not in text, f"{secret!r} leaked into: {text[:300]!r}"


@pytest.fixture
def evidence(caplog: pytest.LogCaptureFixture) -> Evidence:
    caplog.set_level(logging.DEBUG)
    return Evidence(caplog)


def make_agent(service: str, transport: Any) -> Any:
    client = httpx.Client(transport=transport)
    options: dict[str, Any] = {
        "application_token": TOKEN,
        "http_client": client,
        "history": 50,
        "retries": 0,
    }
    if service == "User":
        return UserAgent(BASE, ticket=TICKET, **options)
    return SoPrincipal(BASE, **options)


def run(service: str, call: Call, transport: Any, evidence: Evidence) -> None:
    agent = make_agent(service, transport)
    with agent:
        evidence.add(agent)
        try:
            evidence.add(call(agent))
        except SuperOfficeSoapError as error:
            evidence.add_error(error)
        evidence.add(
            agent.history, [vars(e) if hasattr(e, "__dict__") else e for e in agent.history]
        )
    evidence.assert_clean()


# ----------------------------------------------------------------------------------------------
# Success, against the stand-in


@pytest.fixture
def stand_in() -> FakeNetServer:
    server = FakeNetServer.with_demo_data(application_token=TOKEN)
    server.add_ticket(TICKET, 5)
    server.add_user("jane", PASSWORD, 5)
    server.add_access_token(ACCESS_TOKEN, 5)
    server.add_credentials(
        5, "imap", UntrustedCredentials(public_value="p", secret_value=STORED_SECRET)
    )
    return server


@pytest.mark.parametrize(("service", "name", "call"), CALLS, ids=IDS)
def test_success(
    stand_in: FakeNetServer, evidence: Evidence, service: str, name: str, call: Call
) -> None:
    run(service, call, stand_in.transport(), evidence)
    assert any(name in r.getMessage() for r in evidence.caplog.records)


def test_success_results_carry_secrets_only_in_their_fields(
    stand_in: FakeNetServer, evidence: Evidence
) -> None:
    with make_agent("User", stand_in.transport()) as agent:
        result = agent.get_untrusted_credentials("imap")
    assert STORED_SECRET in [item.secret_value for item in result]  # the value is there …
    evidence.add(result)
    evidence.assert_clean()  # … but not in repr()


# ----------------------------------------------------------------------------------------------
# A hostile server that echoes the whole request back in every failure it can


def echo(kind: str) -> Callable[[httpx.Request], httpx.Response]:
    def respond(request: httpx.Request) -> httpx.Response:
        text = request.content.decode()
        root = etree.Element(f"{{{SOAP11}}}Envelope", nsmap={"s": SOAP11})
        if kind == "fault":
            body = etree.SubElement(root, f"{{{SOAP11}}}Body")
            fault = etree.SubElement(body, f"{{{SOAP11}}}Fault")
            etree.SubElement(fault, "faultcode").text = "s:Client"
            etree.SubElement(fault, "faultstring").text = f"cannot process {text}"
            etree.SubElement(etree.SubElement(fault, "detail"), "echo").text = text
            status = 500
        else:
            header = etree.SubElement(root, f"{{{SOAP11}}}Header")
            if kind == "netserver":
                info = etree.SubElement(header, f"{{{NS}}}ExceptionInfo")
                etree.SubElement(info, f"{{{NS}}}Message").text = f"failed: {text}"
                etree.SubElement(info, f"{{{NS}}}FriendlyText").text = text
                etree.SubElement(info, f"{{{NS}}}StackTrace").text = text
                parameters = etree.SubElement(info, f"{{{NS}}}Parameters")
                pair = etree.SubElement(
                    parameters, f"{{{NS}}}SoExceptionInfoParametersKeyValuePair"
                )
                etree.SubElement(pair, f"{{{NS}}}Key").text = "request"
                etree.SubElement(pair, f"{{{NS}}}Value").text = text
                etree.SubElement(header, f"{{{NS}}}Succeeded").text = "false"
            else:  # parse error: the offending value is quoted in the message
                etree.SubElement(header, f"{{{NS}}}Succeeded").text = text
            etree.SubElement(root, f"{{{SOAP11}}}Body").append(etree.Element(f"{{{NS}}}X"))
            status = 200
        return httpx.Response(
            status, content=etree.tostring(root), headers={"Content-Type": "text/xml"}
        )

    return respond


@pytest.mark.parametrize("kind", ["netserver", "fault", "parse"])
@pytest.mark.parametrize(("service", "name", "call"), CALLS, ids=IDS)
def test_echoed_secrets_are_scrubbed(
    evidence: Evidence, kind: str, service: str, name: str, call: Call
) -> None:
    run(service, call, httpx.MockTransport(echo(kind)), evidence)
    errors = [t for t in evidence.texts if "***" in t]
    assert errors, "the echo never reached an error: the test would prove nothing"


def test_html_error_page_echo_is_scrubbed(evidence: Evidence) -> None:
    def page(request: httpx.Request) -> httpx.Response:
        return httpx.Response(502, text=f"<html>{request.content.decode()}</html>")

    for service, _, call in CALLS:
        run(service, call, httpx.MockTransport(page), evidence)


@pytest.mark.parametrize(("service", "name", "call"), CALLS, ids=IDS)
def test_transport_error(evidence: Evidence, service: str, name: str, call: Call) -> None:
    base = f"http://127.0.0.1:{closed_port()}/Cust1/Remote/Services86"
    options: dict[str, Any] = {"application_token": TOKEN, "history": 5, "retries": 0}
    agent: Any = (
        UserAgent(base, ticket=TICKET, **options)
        if service == "User"
        else SoPrincipal(base, **options)
    )
    with agent:
        with pytest.raises(SuperOfficeSoapError) as info:
            call(agent)
        evidence.add_error(info.value)
        evidence.add(agent.history)
    evidence.assert_clean()


# ----------------------------------------------------------------------------------------------
# The command line


@pytest.fixture
def served(stand_in: FakeNetServer) -> Iterator[str]:
    with stand_in.serve() as running:
        yield running.base_url


COMMANDS = [
    ["untrusted-credentials", "--type", "imap"],
    ["untrusted-credentials", "--type", "imap", "--associate-id", "5", "--json"],
    ["untrusted-credentials", "--type", "imap", "--csv"],
    ["default-untrusted-credentials", "--json"],
    ["credential-types"],
    ["remove-untrusted-credentials", "--type", "imap", "--public-value", "p"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=[" ".join(c) for c in COMMANDS])
def test_cli_output(
    served: str, evidence: Evidence, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    out = io.StringIO()
    args = [*command, "--url", served, "--ticket", TICKET, "--application-token", TOKEN]
    assert cli(args, stdout=out) == 0
    captured = capsys.readouterr()
    evidence.add(out.getvalue(), captured.out, captured.err)
    evidence.assert_clean()


def test_cli_save_login_and_errors(
    served: str, evidence: Evidence, capsys: pytest.CaptureFixture[str]
) -> None:
    common = ["--url", served, "--application-token", TOKEN]
    runs = [
        (
            [
                "save-untrusted-credentials",
                "--type",
                "imap",
                "--public-value",
                "q",
                "--secret-stdin",
                "--ticket",
                TICKET,
                *common,
            ],
            SAVED_SECRET,
            0,
        ),
        (["login", "--username", "jane", "--password-stdin", *common], PASSWORD, 0),
        (["login", "--username", "jane", "--password-stdin", "--json", *common], PASSWORD, 0),
        (["login", "--username", "jane", "--password-stdin", *common], "wrong-" + PASSWORD, 3),
        (["untrusted-credentials", "--type", "imap", "--ticket", "7T:unknown", *common], "", 3),
    ]
    for args, stdin, code in runs:
        out = io.StringIO()
        assert cli(args, stdout=out, stdin=io.StringIO(stdin)) == code
        captured = capsys.readouterr()
        evidence.add(out.getvalue(), captured.out, captured.err)
    evidence.assert_clean()


def test_cli_shows_secrets_only_when_asked(served: str, capsys: pytest.CaptureFixture[str]) -> None:
    out = io.StringIO()
    args = [
        "untrusted-credentials",
        "--type",
        "imap",
        "--json",
        "--show-secrets",
        "--url",
        served,
        "--ticket",
        TICKET,
        "--application-token",
        TOKEN,
    ]
    assert cli(args, stdout=out) == 0
    assert STORED_SECRET in out.getvalue()
