"""The command line words the library's hints in its own terms: flags and environment
variables, never Python keywords; only an answer about the SOAP version speaks of it."""

from __future__ import annotations

import http.server
import io
import threading
from collections.abc import Iterator

import pytest

from superoffice_soap.cli import main


class _Status(http.server.BaseHTTPRequestHandler):
    status = 404

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.send_response(self.status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


def _serve(status: int) -> Iterator[str]:
    handler = type("Handler", (_Status,), {"status": status})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def not_found() -> Iterator[str]:
    yield from _serve(404)


@pytest.fixture
def unsupported() -> Iterator[str]:
    yield from _serve(415)


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(args, stdout=io.StringIO())
    return code, capsys.readouterr().err


def test_a_404_at_a_path_that_is_no_netserver_endpoint_points_at_url(
    not_found: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = run(
        ["untrusted-credentials", "--type", "imap", "--ticket", "7T:t", "--url", not_found], capsys
    )
    assert code == 5
    assert err.count("\n") == 1
    assert f"from {not_found}/User.svc" in err
    assert (
        "a NetServer base URL looks like https://host/<tenant>/Remote/Services86 (or any ….svc "
        "URL under it): check --url (or SUPEROFFICE_URL)"
    ) in err
    assert "keyword" not in err
    assert "soap_version" not in err
    assert "SOAP 1" not in err


def test_a_404_at_a_netserver_path_points_at_the_tenant(
    not_found: str, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"{not_found}/Cust1/Remote/Services86"
    code, err = run(["credential-types", "--ticket", "7T:t", "--url", url], capsys)
    assert code == 5
    assert "check the tenant and the Services version of --url (or SUPEROFFICE_URL)" in err


def test_a_pinned_12_refused_with_415_suggests_the_flag(
    unsupported: str, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"{unsupported}/Cust1/Remote/Services86"
    code, err = run(
        ["system-info", "--url", url, "--soap-version", "1.2", "--timeout", "5"], capsys
    )
    assert code == 5
    assert "pin --soap-version 1.1 (or SUPEROFFICE_SOAP_VERSION=1.1)" in err
    assert "soap_version=" not in err


def test_superoffice_soap_version_pins_like_the_flag(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from superoffice_soap.testing import DEMO_TICKET, FakeNetServer

    fake = FakeNetServer.with_demo_data()
    with fake.serve() as running:
        monkeypatch.setenv("SUPEROFFICE_SOAP_VERSION", "1.1")
        code, err = run(
            ["credential-types", "--url", running.base_url, "--ticket", DEMO_TICKET], capsys
        )
        assert code == 0, err
        kinds = [r.headers.get("content-type", "").split(";")[0] for r in fake.requests]
        assert kinds == ["text/xml"]  # pinned: no SOAP 1.2 round trip first
        monkeypatch.setenv("SUPEROFFICE_SOAP_VERSION", "1.3")
        code, err = run(
            ["credential-types", "--url", running.base_url, "--ticket", DEMO_TICKET], capsys
        )
        assert code == 2
        assert "SUPEROFFICE_SOAP_VERSION must be auto, 1.1 or 1.2, got '1.3'" in err
        assert len(fake.requests) == 1
