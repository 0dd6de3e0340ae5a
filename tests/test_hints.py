"""Hints are data on the errors (``Hint``: which setting, which value, why); the library words
them with its keywords, the command line with its flags, and no hint is said twice."""

from __future__ import annotations

import io

import httpx
import pytest

from superoffice_soap import HTTPStatusError, SoapFault, UserAgent
from superoffice_soap import cli as cli_module
from superoffice_soap._cli_output import cli_words
from superoffice_soap.cli import main
from superoffice_soap.errors import Hint
from superoffice_soap.testing import DEMO_TICKET, FakeNetServer

BASE86 = "http://netserver.invalid/Cust1/Remote/Services86"


def moved_to(services: str) -> httpx.MockTransport:
    """A gateway that sends every request to a stand-in of another Services version at the same
    tenant: it answers WCF's ActionNotSupported (a ContractFilter mismatch)."""
    server = FakeNetServer.with_demo_data(services=services)

    def forward(request: httpx.Request) -> httpx.Response:
        path = request.url.path.replace("/Services86/", f"/{services}/")
        answer = server.handle(request.method, path, dict(request.headers), request.content)
        return httpx.Response(answer.status_code, headers=answer.headers, content=answer.body)

    return httpx.MockTransport(forward)


def test_a_contract_filter_fault_hints_at_the_services_version() -> None:
    client = httpx.Client(transport=moved_to("Services88"))
    agent = UserAgent(BASE86, ticket=DEMO_TICKET, http_client=client, soap_version="1.1")
    with agent, pytest.raises(SoapFault) as caught:
        agent.get_credential_types()
    fault = caught.value
    assert fault.code == "ActionNotSupported"
    assert [hint.setting for hint in fault.hints] == ["services"]
    assert "Services86" in fault.hints[0].why
    assert "check the services keyword (or the ServicesNN part of the url)" in str(fault)
    assert fault.context == f"from {BASE86}/User.svc"


def test_the_cli_words_the_contract_hint_as_flags(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    transport = moved_to("Services88")
    real_client = httpx.Client

    def client(**options: object) -> httpx.Client:
        return real_client(transport=transport)

    monkeypatch.setattr(httpx, "Client", client)
    code = main(
        ["credential-types", "--url", BASE86, "--ticket", DEMO_TICKET, "--soap-version", "1.1"],
        stdout=io.StringIO(),
    )
    err = capsys.readouterr().err
    assert code == 4
    assert "check --services (or the ServicesNN part of --url)" in err
    assert "keyword" not in err
    assert len(err.splitlines()) == 1


def test_a_pinned_version_refused_with_415_is_hinted_once(
    capsys: pytest.CaptureFixture[str],
) -> None:
    server = FakeNetServer.with_demo_data()  # SOAP 1.1 only: 415 to SOAP 1.2
    with server.serve() as running:
        agent = UserAgent(running.base_url, ticket=DEMO_TICKET, soap_version="1.2")
        with agent, pytest.raises(HTTPStatusError) as caught:
            agent.get_credential_types()
        code = main(
            ["credential-types", "--url", running.base_url, "--ticket", DEMO_TICKET,
             "--soap-version", "1.2"],
            stdout=io.StringIO(),
        )  # fmt: skip
    assert caught.value.hints == (Hint("the server does not take SOAP 1.2", "soap_version", "1.1"),)
    assert str(caught.value).count("pin soap_version='1.1'") == 1
    err = capsys.readouterr().err
    assert code == 5
    assert err.count("pin --soap-version 1.1 (or SUPEROFFICE_SOAP_VERSION=1.1)") == 1
    assert err.count("soap-version") == 1
    assert "soap_version" not in err


def test_each_side_words_any_hint_its_own_way() -> None:
    hint = Hint("odd words soap_version='x' the url keyword", "url", part="the tenant")
    assert hint.library_words().endswith("check the tenant of the url keyword")
    assert cli_words(hint) == (
        "odd words soap_version='x' the url keyword: check the tenant of --url (or SUPEROFFICE_URL)"
    )  # the why is never rewritten: the CLI words the data, not the library's text
    assert (
        cli_words(Hint("w", "services")) == "w: check --services (or the ServicesNN part of --url)"
    )
    assert not hasattr(cli_module, "_cli_terms")
