"""Retries (only where safe), Retry-After, deadlines, size caps, helpful HTTP errors, history."""

from __future__ import annotations

import gzip
import logging
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from typing import Any

import httpx
import pytest
import respx

from superoffice_soap import (
    HTTPStatusError,
    InvalidRequestError,
    ResponseParseError,
    SoapFault,
    TransportError,
    UntrustedCredentials,
    UserAgent,
)
from superoffice_soap.errors import ResponseTooLargeError
from superoffice_soap.retry import RetryPolicy, retry_policy
from tests._models import as_read

from ._envelopes import credentials_response, fault12

BASE = "https://so.example.com/Cust1/Remote/Services86"
URL = f"{BASE}/User.svc"
CT11 = {"Content-Type": "text/xml; charset=utf-8"}
TICKET = "7T:reliability-ticket"
OK = credentials_response(
    [[("SecretValue", "pw-secret-1"), ("PublicValue", "alice")]],
    operation="GetUntrustedCredentials",
)
QUICK = RetryPolicy(attempts=3, backoff=0.001, max_backoff=0.001, max_retry_after=0.02)


def error(kind: str) -> TransportError:
    return TransportError("x", kind=kind, url=URL)


# ----------------------------------------------------------------------------------------------
# The policy's decisions


@pytest.mark.parametrize(
    ("kind", "safe", "unsafe"),
    [
        ("connect", True, True),
        ("connect timeout", True, True),
        ("pool timeout", True, True),
        ("read timeout", True, False),
        ("read", True, False),
        ("protocol", True, False),
        ("write", False, False),
        ("write timeout", False, False),
        ("deadline", False, False),
        ("other", False, False),
    ],
)
def test_which_transport_errors_are_retried(kind: str, safe: bool, unsafe: bool) -> None:
    policy = RetryPolicy(random=lambda: 0.5)
    assert (policy.after_error(error(kind), 1, retry_safe=True) is not None) is safe
    assert (policy.after_error(error(kind), 1, retry_safe=False) is not None) is unsafe


@pytest.mark.parametrize("status", [429, 502, 503, 504])
def test_which_statuses_are_retried(status: int) -> None:
    policy = RetryPolicy(random=lambda: 0.5)
    assert policy.after_status(status, {}, 1, retry_safe=True) is not None
    assert policy.after_status(status, {}, 1, retry_safe=False) is None


@pytest.mark.parametrize("status", [200, 400, 401, 403, 404, 415, 500, 501])
def test_other_statuses_are_not_retried(status: int) -> None:
    assert RetryPolicy().after_status(status, {}, 1, retry_safe=True) is None


def test_attempts_are_counted() -> None:
    policy = RetryPolicy(attempts=3, random=lambda: 0.5)
    assert policy.after_error(error("connect"), 2, True) is not None
    assert policy.after_error(error("connect"), 3, True) is None
    assert RetryPolicy(attempts=1).after_error(error("connect"), 1, True) is None


def test_exponential_backoff_with_full_jitter() -> None:
    top = RetryPolicy(backoff=0.5, max_backoff=3.0, attempts=10, random=lambda: 0.999999)
    assert [round(top.after_error(error("connect"), n, True) or 0, 3) for n in (1, 2, 3, 4)] == [
        0.5,
        1.0,
        2.0,
        3.0,
    ]
    bottom = RetryPolicy(random=lambda: 0.0)
    assert bottom.after_error(error("connect"), 1, True) == 0.0


def test_retry_after_is_honoured_and_capped() -> None:
    policy = RetryPolicy(max_retry_after=30.0, random=lambda: 0.0)
    assert policy.after_status(503, {"Retry-After": "7"}, 1, True) == 7.0
    assert policy.after_status(429, {"retry-after": "120"}, 1, True) == 30.0
    sent = datetime(2020, 2, 29, 23, 59, 50, tzinfo=timezone.utc)
    dated = {
        "Date": format_datetime(sent, usegmt=True),
        "Retry-After": format_datetime(sent + timedelta(seconds=20), usegmt=True),
    }
    assert policy.after_status(503, dated, 1, True) == 20.0  # from the answer's own Date
    assert policy.after_status(503, {**dated, "Date": "garbage"}, 1, True) == 0.0  # backoff
    assert policy.after_status(503, {"Retry-After": "soon"}, 1, True) == 0.0  # ignored: backoff
    assert policy.after_status(502, {"Retry-After": "7"}, 1, True) == 0.0  # only 429/503


def test_retries_argument() -> None:
    assert retry_policy(0).attempts == 1
    assert retry_policy(4).attempts == 5
    assert retry_policy(QUICK) is QUICK
    for bad in (-1, True, 1.5, "3"):
        with pytest.raises(InvalidRequestError) as info:
            retry_policy(bad)
        assert info.value.argument == "retries"
    with pytest.raises(InvalidRequestError):
        RetryPolicy(attempts=0)
    with pytest.raises(InvalidRequestError):
        RetryPolicy(backoff=-1)


# ----------------------------------------------------------------------------------------------
# Retries on the wire


@pytest.fixture
def mock() -> Iterator[respx.MockRouter]:
    with respx.mock(assert_all_called=False) as router:
        yield router


def agent(**kw: Any) -> UserAgent:
    kw.setdefault("retries", QUICK)
    kw.setdefault("soap_version", "1.1")
    return UserAgent(BASE, ticket=TICKET, **kw)


def script(mock: respx.MockRouter, *answers: Any) -> respx.Route:
    """Answers in order (the last repeats): an int status, bytes for 200, or an exception."""
    calls = {"n": 0}

    def respond(request: httpx.Request) -> httpx.Response:
        answer = answers[min(calls["n"], len(answers) - 1)]
        calls["n"] += 1
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, int):
            return httpx.Response(answer, text="<html>busy</html>", headers={"Retry-After": "1"})
        return httpx.Response(200, content=answer, headers=CT11)

    return mock.post(URL).mock(side_effect=respond)


def test_a_read_is_retried_until_it_succeeds(
    mock: respx.MockRouter, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="superoffice_soap")
    route = script(mock, 503, httpx.ReadTimeout("slow"), OK)
    with agent() as a:
        assert a.get_untrusted_credentials("imap") == [
            as_read(secret_value="pw-secret-1", public_value="alice")
        ]
    assert route.call_count == 3
    retries = [r for r in caplog.records if "retrying" in r.getMessage()]
    assert [r.levelno for r in retries] == [logging.INFO, logging.INFO]
    assert "attempt 2 of 3" in retries[0].getMessage()
    assert "HTTP 503" in retries[0].getMessage()
    assert "in 0.02 s" in retries[0].getMessage()  # Retry-After: 1, capped at 0.02
    assert "read timeout error" in retries[1].getMessage()


def test_a_read_gives_up_after_the_attempts(mock: respx.MockRouter) -> None:
    route = script(mock, 502)
    with agent() as a, pytest.raises(HTTPStatusError) as info:
        a.get_untrusted_credentials("imap")
    assert info.value.status_code == 502
    assert route.call_count == 3


def test_retries_zero_turns_them_off(mock: respx.MockRouter) -> None:
    route = script(mock, httpx.ConnectError("refused"))
    with agent(retries=0) as a, pytest.raises(TransportError):
        a.get_untrusted_credentials("imap")
    assert route.call_count == 1


SAVE = UntrustedCredentials(public_value="bob", secret_value="bob-secret")


@pytest.mark.parametrize(
    "answer",
    [
        503,
        429,
        502,
        504,
        httpx.ReadTimeout("slow"),
        httpx.ReadError("reset"),
        httpx.RemoteProtocolError("gone"),
        httpx.WriteTimeout("stuck"),
    ],
)
def test_a_write_is_never_repeated_once_it_may_have_arrived(
    mock: respx.MockRouter, answer: Any
) -> None:
    route = script(mock, answer, credentials_response(None, operation="SaveUntrustedCredentials"))
    with agent() as a, pytest.raises((HTTPStatusError, TransportError)):
        a.save_untrusted_credentials("imap", SAVE)
    assert route.call_count == 1


@pytest.mark.parametrize(
    "answer", [httpx.ConnectError("refused"), httpx.ConnectTimeout("slow"), httpx.PoolTimeout("x")]
)
def test_a_write_is_repeated_when_it_never_left(mock: respx.MockRouter, answer: Any) -> None:
    done = credentials_response(None, operation="SaveUntrustedCredentials")
    route = script(mock, answer, done)
    with agent() as a:
        a.save_untrusted_credentials("imap", SAVE)
    assert route.call_count == 2


def test_authenticate_is_not_retried_on_503(mock: respx.MockRouter) -> None:
    from superoffice_soap import SoPrincipal

    route = mock.post(f"{BASE}/SoPrincipal.svc").mock(return_value=httpx.Response(503))
    with (
        SoPrincipal(BASE, soap_version="1.1", retries=QUICK) as principal,
        pytest.raises(HTTPStatusError),
    ):
        principal.authenticate_username_password("jane", "pw")
    assert route.call_count == 1


# ----------------------------------------------------------------------------------------------
# Deadline, timeouts, size


def test_deadline_stops_the_retries(mock: respx.MockRouter) -> None:
    slow = RetryPolicy(attempts=5, backoff=10.0, max_backoff=10.0, random=lambda: 1.0)
    route = script(mock, 502)
    with agent(retries=slow, deadline=2.0) as a, pytest.raises(HTTPStatusError):
        a.get_untrusted_credentials("imap")
    assert route.call_count == 1  # a 10 s wait would pass the 2 s deadline: no retry


def test_bad_limits_are_refused() -> None:
    for kw in ({"deadline": 0}, {"deadline": -1.0}, {"max_response_bytes": 0}, {"history": -1}):
        with pytest.raises(InvalidRequestError):
            agent(**kw)


def test_httpx_timeout_is_accepted() -> None:
    timeout = httpx.Timeout(connect=1.0, read=2.0, write=3.0, pool=4.0)
    with agent(timeout=timeout) as a:
        assert a._client.timeout == timeout


def test_body_larger_than_the_cap(mock: respx.MockRouter) -> None:
    route = script(mock, OK)
    with agent(max_response_bytes=len(OK) - 1) as a, pytest.raises(ResponseTooLargeError) as info:
        a.get_untrusted_credentials("imap")
    assert isinstance(info.value, ResponseParseError)
    assert f"max_response_bytes={len(OK) - 1}" in str(info.value)
    assert route.call_count == 1  # not retried
    with agent(max_response_bytes=len(OK)) as a:
        assert a.get_untrusted_credentials("imap")


def test_compressed_body_counts_after_decompression(mock: respx.MockRouter) -> None:
    compressed = gzip.compress(OK)
    mock.post(URL).mock(
        return_value=httpx.Response(
            200, content=compressed, headers={**CT11, "Content-Encoding": "gzip"}
        )
    )
    assert len(compressed) < len(OK) - 1
    with agent(max_response_bytes=len(OK) - 1) as a, pytest.raises(ResponseTooLargeError):
        a.get_untrusted_credentials("imap")


def test_accept_encoding_is_what_the_cap_can_decode(mock: respx.MockRouter) -> None:
    route = script(mock, OK)
    with agent() as a:
        a.get_untrusted_credentials("imap")
    assert route.calls.last.request.headers["accept-encoding"] == "gzip, deflate"


# ----------------------------------------------------------------------------------------------
# Errors that say what to do


def test_a_redirect_names_its_location(mock: respx.MockRouter) -> None:
    location = "https://login.example.com/Cust1/Remote/Services86/User.svc"
    mock.post(URL).mock(return_value=httpx.Response(301, headers={"Location": location}))
    with agent() as a, pytest.raises(HTTPStatusError) as info:
        a.get_untrusted_credentials("imap")
    assert info.value.status_code == 301
    assert location in str(info.value)
    assert "base URL" in str(info.value)


@pytest.mark.parametrize("status", [401, 403])
def test_unauthorized_says_to_check_the_ticket(mock: respx.MockRouter, status: int) -> None:
    mock.post(URL).mock(return_value=httpx.Response(status, text=f"denied {TICKET}"))
    with agent(application_token="app-token-1") as a, pytest.raises(HTTPStatusError) as info:
        a.get_untrusted_credentials("imap")
    text = str(info.value)
    assert "check the ticket and the application token" in text
    assert TICKET not in text
    assert "app-token-1" not in text


def test_an_answer_not_about_the_version_names_the_url_not_the_version(
    mock: respx.MockRouter,
) -> None:
    mock.post(URL).mock(return_value=httpx.Response(500, text="<html>oops</html>"))
    with agent(soap_version="auto", retries=0) as a, pytest.raises(HTTPStatusError) as info:
        a.get_untrusted_credentials("imap")
    message = str(info.value)
    assert f"from {URL}" in message
    assert "SOAP 1" not in message
    assert "soap_version" not in message


def test_a_failure_after_the_fallback_does_not_blame_the_version(mock: respx.MockRouter) -> None:
    def respond(request: httpx.Request) -> httpx.Response:
        if request.headers["content-type"].startswith("application/soap+xml"):
            return httpx.Response(415)
        return httpx.Response(400, text="<html>bad request</html>")

    mock.post(URL).mock(side_effect=respond)
    with agent(soap_version="auto", retries=0) as a, pytest.raises(HTTPStatusError) as info:
        a.get_untrusted_credentials("imap")
    assert info.value.status_code == 400
    assert "soap_version" not in str(info.value)
    assert f"from {URL}" in str(info.value)


def test_a_415_to_both_versions_asks_whether_this_is_netserver(mock: respx.MockRouter) -> None:
    mock.post(URL).mock(return_value=httpx.Response(415))
    with agent(soap_version="auto", retries=0) as a, pytest.raises(HTTPStatusError) as info:
        a.get_untrusted_credentials("imap")
    assert "refused SOAP 1.2 and then SOAP 1.1" in str(info.value)
    assert "pin" not in str(info.value)


@pytest.mark.parametrize(("pinned", "suggested"), [("1.2", "1.1"), ("1.1", "1.2")])
def test_a_pinned_version_refused_with_415_suggests_the_other(
    mock: respx.MockRouter, pinned: Any, suggested: str
) -> None:
    mock.post(URL).mock(return_value=httpx.Response(415))
    with agent(soap_version=pinned, retries=0) as a, pytest.raises(HTTPStatusError) as info:
        a.get_untrusted_credentials("imap")
    assert f"pin soap_version='{suggested}'" in str(info.value)


def test_pinned_versions_get_no_version_hint_for_other_answers(mock: respx.MockRouter) -> None:
    mock.post(URL).mock(return_value=httpx.Response(500, text="<html>oops</html>"))
    with agent(soap_version="1.1", retries=0) as a, pytest.raises(HTTPStatusError) as info:
        a.get_untrusted_credentials("imap")
    assert "pin" not in str(info.value)
    assert "SOAP 1" not in str(info.value)


@pytest.mark.parametrize(
    "base",
    ["https://so.example.com/", "https://so.example.com/Cust1", "https://so.example.com/api/v1"],
)
def test_a_404_from_a_url_that_is_not_a_netserver_path_says_what_a_base_url_is(
    mock: respx.MockRouter, base: str
) -> None:
    posted = base.rstrip("/") + "/User.svc"
    mock.post(posted).mock(return_value=httpx.Response(404))
    with UserAgent(base, ticket="7T:t", retries=0) as a, pytest.raises(HTTPStatusError) as info:
        a.get_untrusted_credentials("imap")
    message = str(info.value)
    assert info.value.status_code == 404
    assert f"from {posted}" in message
    assert "https://host/<tenant>/Remote/Services86" in message
    assert "SOAP" not in message.replace("a SOAP answer", "")
    assert message.count("(") == message.count(")")


def test_a_404_from_a_netserver_path_points_at_the_tenant(mock: respx.MockRouter) -> None:
    mock.post(URL).mock(return_value=httpx.Response(404))
    with agent(soap_version="auto", retries=0) as a, pytest.raises(HTTPStatusError) as info:
        a.get_untrusted_credentials("imap")
    assert "check the tenant and the Services version of the url keyword" in str(info.value)
    assert "soap_version" not in str(info.value)


# ----------------------------------------------------------------------------------------------
# Debug history


def test_history_is_off_by_default(mock: respx.MockRouter) -> None:
    script(mock, OK)
    with agent() as a:
        a.get_untrusted_credentials("imap")
        assert a.history == []


def test_history_keeps_the_last_exchanges_masked(mock: respx.MockRouter) -> None:
    saved = credentials_response(None, operation="SaveUntrustedCredentials")
    route = script(mock, 503, OK, saved)
    with agent(history=2, application_token="app-token-1") as a:
        a.get_untrusted_credentials("imap")
        a.save_untrusted_credentials("imap", SAVE)
        history = a.history
    assert route.call_count == 3
    assert len(history) == 2  # the oldest (the 503) fell out
    read, save = history
    assert read.operation == "GetUntrustedCredentials"
    assert read.status_code == 200
    assert read.request_headers["SOAPAction"].endswith('/User/GetUntrustedCredentials"')
    assert "<SOAP-ENV:Body>" in read.request_body
    assert "<User:Ticket>***</User:Ticket>" in read.request_body
    assert "<User:ApplicationToken>***</User:ApplicationToken>" in read.request_body
    assert read.response_body is not None
    assert "<SecretValue>***</SecretValue>" in read.response_body
    assert "alice" in read.response_body
    assert save.operation == "SaveUntrustedCredentials"
    everything = repr(history)
    for secret in (TICKET, "app-token-1", "pw-secret-1", "bob-secret"):
        assert secret not in everything


def test_history_records_transport_errors_and_non_xml(mock: respx.MockRouter) -> None:
    script(mock, httpx.ConnectError("refused"), 502, OK)
    with agent(history=5) as a:
        a.get_untrusted_credentials("imap")
        first, second, third = a.history
    assert first.status_code is None
    assert first.error is not None
    assert "connect" in first.error
    assert second.status_code == 502
    assert second.response_body == "<html>busy</html>"
    assert third.status_code == 200


def test_a_pinned_version_answered_with_version_mismatch_suggests_the_other(
    mock: respx.MockRouter,
) -> None:
    body = fault12("VersionMismatch", (), "Wrong envelope version")
    mock.post(URL).mock(
        return_value=httpx.Response(
            500, content=body, headers={"Content-Type": "application/soap+xml; charset=utf-8"}
        )
    )
    with agent(soap_version="1.2", retries=0) as a, pytest.raises(SoapFault) as info:
        a.get_untrusted_credentials("imap")
    assert info.value.code == "VersionMismatch"
    assert "pin soap_version='1.1'" in str(info.value)
