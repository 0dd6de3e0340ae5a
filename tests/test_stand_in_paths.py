"""The stand-in answers only where NetServer would — ``/<tenant>/Remote/<its ServicesNN>/
<Service>.svc`` — and everything else gets IIS's 404 page, so a wrong base URL fails against it
as in production (and the client's wrong-path hint shows). Bad fixture marker values are usage
errors."""

from __future__ import annotations

import pytest

from superoffice_soap import HTTPStatusError, UserAgent
from superoffice_soap.testing import DEMO_TICKET, FakeNetServer
from superoffice_soap.testing._fixture import _check_marker_values

from .test_fake_server import good_request, post


@pytest.mark.parametrize(
    "path",
    [
        "/Cust12345/Remote/Services86/User.svc",
        "/cust12345/remote/services86/user.svc",
        "/SuperOffice/REMOTE/Services86/USER.SVC",
        "/Cust12345/Remote/Services86/User.svc?x=1",
    ],
)
def test_an_endpoint_path_is_answered(path: str) -> None:
    assert post(FakeNetServer.with_demo_data(), good_request(), path=path).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/Cust12345/Remote/Services88/User.svc",  # another Services version
        "/Cust12345/Services86/User.svc",  # no /Remote
        "/Remote/Services86/User.svc",  # no tenant
        "/a/b/Remote/Services86/User.svc",  # more than a tenant
        "/Cust12345/Remote/Services86/Other.svc",  # no such service here
        "/Cust12345/Remote/Services86/User.svc/extra",
        "/Cust12345/Remote/Services86",
        "/User.svc",
        "/",
    ],
)
def test_anything_else_is_iis_404_page(path: str) -> None:
    answer = post(FakeNetServer.with_demo_data(), good_request(), path=path)
    assert answer.status_code == 404
    assert answer.headers["Content-Type"] == "text/html"
    assert b"404 - File or directory not found." in answer.body


@pytest.mark.parametrize(
    "base",
    ["/Cust12345/Services86", "/Cust12345/Remote/Services88", "/Cust12345"],
)
def test_a_wrong_base_url_fails_with_the_wrong_path_hint(base: str) -> None:
    server = FakeNetServer.with_demo_data()
    with server.serve() as running:
        root = running.base_url.split("/Cust12345")[0]
        agent = UserAgent(root + base, ticket=DEMO_TICKET, soap_version="1.1")
        with agent, pytest.raises(HTTPStatusError) as caught:
            agent.get_untrusted_credentials_for_associate(5, "imap")
    assert caught.value.status_code == 404
    assert "404 - File or directory not found" in caught.value.excerpt
    if "Remote" not in base:
        assert "base URL looks like" in str(caught.value)


@pytest.mark.parametrize(
    "options",
    [
        {"services": "Services99"},
        {"services": 86},
        {"accept_soap12": "yes"},
        {"demo_data": 0},
        {"application_token": ""},
        {"application_token": 42},
    ],
)
def test_a_bad_marker_value_is_a_usage_error(options: dict[str, object]) -> None:
    with pytest.raises(pytest.UsageError, match="superoffice_netserver"):
        _check_marker_values(dict(options))


def test_good_marker_values_pass() -> None:
    _check_marker_values(
        {
            "services": "Services88",
            "accept_soap12": True,
            "application_token": "t",
            "demo_data": False,
        }
    )
