"""The audit job: every status at its boundary (a pure function, ``now`` injected), the report,
the id and duration readers, a mix of successes and failures, and 1,000 users through the bulk
helper with one negotiation — sync and async."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any, Optional

import httpx
import pytest

from superoffice_soap import (
    DOTNET_MIN_VALUE,
    NEVER_EXPIRES,
    AsyncUserAgent,
    CredentialStatus,
    HTTPStatusError,
    InvalidRequestError,
    NetServerError,
    ResponseParseError,
    SoapFault,
    TransportError,
    UntrustedCredentials,
    UserAgent,
    audit_untrusted_credentials,
    audit_untrusted_credentials_async,
    credential_status,
)
from superoffice_soap.jobs import (
    AuditProgress,
    audit_report,
    error_phrase,
    parse_associate_ids,
    parse_duration,
    read_associate_ids,
)
from superoffice_soap.retry import RetryPolicy
from superoffice_soap.testing import DEMO_TICKET, FakeNetServer

from ._proxy import BUSY, DROP, Proxy, Rule, netserver_error
from .faultserver import FaultServer

NOW = datetime(2026, 6, 15, 12, 0, 0, tzinfo=timezone.utc)
SECOND = timedelta(seconds=1)
DAY = timedelta(days=1)
PLUS2 = timezone(timedelta(hours=2))
QUICK = RetryPolicy(attempts=3, backoff=0.001, max_backoff=0.001)


def status(
    *,
    valid_from: Optional[datetime] = None,
    valid_to: Optional[datetime] = NEVER_EXPIRES,
    is_active: Optional[bool] = True,
    within: timedelta = 30 * DAY,
) -> str:
    credentials = UntrustedCredentials(
        public_value="a", valid_from=valid_from, valid_to=valid_to, is_active=is_active
    )
    return credential_status(credentials, now=NOW, expiring_within=within).value


# ------------------------------------------------------------------------------------------------
# Statuses at their boundaries


@pytest.mark.parametrize(
    ("valid_to", "expected"),
    [
        pytest.param(NOW, "expiring", id="exactly-now-is-still-valid"),
        pytest.param(NOW - SECOND, "expired", id="one-second-before"),
        pytest.param(NOW + SECOND, "expiring", id="one-second-after"),
        pytest.param(NOW + 30 * DAY, "expiring", id="expiring-edge"),
        pytest.param(NOW + 30 * DAY + SECOND, "ok", id="just-past-the-expiring-edge"),
        pytest.param(NOW - timedelta(microseconds=1), "expired", id="one-microsecond-before"),
        pytest.param(NEVER_EXPIRES, "ok", id="dotnet-max-value"),
        pytest.param(NEVER_EXPIRES.replace(tzinfo=timezone.utc), "ok", id="max-value-utc"),
        pytest.param(NEVER_EXPIRES.replace(tzinfo=PLUS2), "ok", id="max-value-offset"),
        pytest.param(DOTNET_MIN_VALUE, "expired", id="dotnet-min-value"),
        pytest.param(DOTNET_MIN_VALUE.replace(tzinfo=PLUS2), "expired", id="min-value-offset"),
        pytest.param(None, "ok", id="absent"),
    ],
)
def test_valid_to(valid_to: Optional[datetime], expected: str) -> None:
    assert status(valid_to=valid_to) == expected


@pytest.mark.parametrize(
    ("valid_from", "expected"),
    [
        pytest.param(NOW, "ok", id="exactly-now"),
        pytest.param(NOW - SECOND, "ok", id="one-second-before"),
        pytest.param(NOW + SECOND, "not yet valid", id="one-second-after"),
        pytest.param(DOTNET_MIN_VALUE, "ok", id="dotnet-min-value-valid-since-always"),
        pytest.param(DOTNET_MIN_VALUE.replace(tzinfo=PLUS2), "ok", id="min-value-offset"),
        pytest.param(NEVER_EXPIRES, "not yet valid", id="dotnet-max-value"),
        pytest.param(None, "ok", id="absent"),
    ],
)
def test_valid_from(valid_from: Optional[datetime], expected: str) -> None:
    assert status(valid_from=valid_from) == expected


@pytest.mark.parametrize(
    ("valid_to", "expected"),
    [
        # a time without an offset is read as UTC
        pytest.param(datetime(2026, 6, 15, 12, 0, 0), "expiring", id="naive-exactly-now"),
        pytest.param(datetime(2026, 6, 15, 11, 59, 59), "expired", id="naive-second-before"),
        pytest.param(datetime(2026, 6, 15, 12, 0, 1), "expiring", id="naive-second-after"),
        # the same instant in another offset
        pytest.param(datetime(2026, 6, 15, 14, 0, 0, tzinfo=PLUS2), "expiring", id="offset-now"),
        pytest.param(
            datetime(2026, 6, 15, 13, 59, 59, tzinfo=PLUS2), "expired", id="offset-before"
        ),
        pytest.param(datetime(2026, 6, 15, 14, 0, 1, tzinfo=PLUS2), "expiring", id="offset-after"),
    ],
)
def test_naive_and_offset_times(valid_to: datetime, expected: str) -> None:
    assert status(valid_to=valid_to) == expected


def test_naive_valid_from_is_read_as_utc() -> None:
    assert status(valid_from=datetime(2026, 6, 15, 12, 0, 0)) == "ok"
    assert status(valid_from=datetime(2026, 6, 15, 12, 0, 1)) == "not yet valid"


@pytest.mark.parametrize(
    ("within", "valid_to", "expected"),
    [
        (timedelta(hours=12), NOW + timedelta(hours=12), "expiring"),
        (timedelta(hours=12), NOW + timedelta(hours=12) + SECOND, "ok"),
        (timedelta(weeks=2), NOW + timedelta(weeks=2), "expiring"),
        (timedelta(0), NOW, "expiring"),
        (timedelta(0), NOW + SECOND, "ok"),
    ],
)
def test_the_expiring_within_edge(within: timedelta, valid_to: datetime, expected: str) -> None:
    assert status(valid_to=valid_to, within=within) == expected


def test_inactive_comes_first() -> None:
    assert status(is_active=False) == "inactive"
    assert status(is_active=None) == "inactive"  # NetServer stores false for an absent IsActive
    assert status(is_active=False, valid_to=NOW - DAY) == "inactive"
    assert status(is_active=False, valid_from=NOW + DAY) == "inactive"


def test_expired_comes_before_not_yet_valid() -> None:
    assert status(valid_from=NOW + DAY, valid_to=NOW - DAY) == "expired"
    assert status(valid_from=NOW + DAY, valid_to=NOW + 2 * DAY) == "not yet valid"


def test_now_must_be_aware_and_the_window_not_negative() -> None:
    credentials = UntrustedCredentials(public_value="a")
    with pytest.raises(ValueError, match="timezone-aware"):
        credential_status(credentials, now=datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="negative"):
        credential_status(credentials, now=NOW, expiring_within=-SECOND)


# ------------------------------------------------------------------------------------------------
# The report


def test_report_counts_statuses_users_without_any_and_failures() -> None:
    failure = NetServerError(exception_type="SoException", message="no access")
    answers: dict[int, Any] = {
        1: [
            UntrustedCredentials(public_value="ok@x", secret_value="s1"),
            UntrustedCredentials(public_value="old@x", valid_to=NOW - DAY, secret_value="s2"),
        ],
        2: [],
        3: failure,
        4: [UntrustedCredentials(public_value="soon@x", valid_to=datetime(2026, 6, 20))],
    }
    report = audit_report(answers, "imap", now=NOW.astimezone(PLUS2))
    assert report.checked_at == NOW
    assert report.checked_at.tzinfo == timezone.utc
    assert [user.associate_id for user in report.users] == [1, 2, 3, 4]
    assert report.users[2].error is failure
    assert report.users[2].failed
    assert {s.value: n for s, n in report.counts().items()} == {
        "ok": 1,
        "inactive": 0,
        "expired": 1,
        "not yet valid": 0,
        "expiring": 1,
    }
    found = {kind: report.found(kind) for kind in ("expired", "expiring", "none", "error")}
    assert found == {"expired": 1, "expiring": 1, "none": 1, "error": 1}
    assert report.found("not-yet-valid") == 0
    assert report.found("inactive") == 0
    with pytest.raises(ValueError, match="unknown finding"):
        report.found("stale")
    assert report.summary() == (
        "audited 4 users: 3 imap credentials (1 ok, 0 inactive, 1 expired, 0 not yet valid, "
        "1 expiring; expiring = within 30d), 1 without any, 1 failed; times without an offset "
        "read as UTC"
    )
    # a naive time that decided a status is marked; .NET's MaxValue is "never" in any zone
    naive = [(f.public_value, f.naive_times) for _, f in report.credentials]
    assert naive == [("ok@x", False), ("old@x", False), ("soon@x", True)]
    assert "s1" not in repr(report)
    assert "secret" not in repr(report)


def test_one_user_reads_as_one_user() -> None:
    report = audit_report({7: []}, "smtp", now=NOW, expiring_within=timedelta(hours=12))
    assert report.summary().startswith("audited 1 user: 0 smtp credentials (")
    assert "expiring = within 12h" in report.summary()


def test_error_phrases_are_short_and_name_the_kind() -> None:
    assert error_phrase(TransportError("long text", kind="read timeout", url="u")) == (
        "transport error (read timeout)"
    )
    http = HTTPStatusError("x", status_code=503, content_type="text/html; charset=x", excerpt="")
    assert error_phrase(http) == "HTTP 503 (text/html), not a SOAP answer"
    fault = SoapFault(
        code="Client", subcodes=(), reason="bad", detail=None, soap_version="1.1", status_code=500
    )
    assert error_phrase(fault) == "SOAP fault Client: bad"
    netserver = NetServerError(exception_type="SoException", message="no such associate 99")
    assert error_phrase(netserver) == "SoException: no such associate 99"
    assert error_phrase(ResponseParseError("not an int", path="Body/X")) == (
        "unreadable answer: not an int"
    )
    long = error_phrase(NetServerError(exception_type="E", message="word " * 100))
    assert len(long) == 100
    assert long.endswith("…")


# ------------------------------------------------------------------------------------------------
# What people type


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30d", timedelta(days=30)),
        ("12h", timedelta(hours=12)),
        ("2w", timedelta(weeks=2)),
        ("90m", timedelta(minutes=90)),
        ("45s", timedelta(seconds=45)),
        (" 7D ", timedelta(days=7)),
        ("0d", timedelta(0)),
    ],
)
def test_durations(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["30", "d", "1.5d", "-1d", "30 days", "", "1y"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(ValueError, match="a number and a unit: 30d, 12h, 2w"):
        parse_duration(text)


def test_ranges() -> None:
    assert parse_associate_ids("1-3,7, 3 ,10-10,") == [1, 2, 3, 7, 3, 10]
    assert len(parse_associate_ids("1-500,731")) == 501


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "no associate ids given"),
        ("1-x", "not an associate id: '1-x'"),
        ("5-1", "range '5-1' runs backwards (write 1-5)"),
        ("0", "associate id out of range: '0'"),
        ("2147483648", "out of range"),
        ("-3", "not an associate id: '-3'"),
        ("1-2000000", "more than 1,000,000 associate ids"),
        ("1;2", "not an associate id: '1;2'"),
    ],
)
def test_bad_ranges(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_associate_ids(text)


def test_files_skip_blanks_and_comments_and_name_the_bad_line() -> None:
    lines = ["# exported 2026-06-01\n", "5\n", "\n", "  7  \r\n", "5\n"]
    assert read_associate_ids(lines, "ids.txt") == [5, 7, 5]
    with pytest.raises(ValueError, match=r"^ids.txt, line 3: not an associate id: 'seven'"):
        read_associate_ids(["5", "", "seven", "x"], "ids.txt")
    with pytest.raises(ValueError, match="line 2: not an associate id: '1-3'"):
        read_associate_ids(["5", "1-3"], "ids.txt")  # one id per line: no ranges in a file
    with pytest.raises(ValueError, match="holds no associate ids"):
        read_associate_ids(["# nothing\n", "\n"], "standard input")


# ------------------------------------------------------------------------------------------------
# Through an agent


def demo_with_users(count: int) -> FakeNetServer:
    fake = FakeNetServer.with_demo_data()
    for associate_id in range(100, 100 + count):
        fake.add_credentials(
            associate_id,
            "imap",
            UntrustedCredentials(
                public_value=f"user{associate_id}@example.com",
                secret_value=f"secret-{associate_id}",
                valid_from=datetime(2020, 1, 1),
                valid_to=NOW + DAY if associate_id % 2 else NEVER_EXPIRES,
            ),
        )
    return fake


@pytest.fixture
def mixed() -> Iterator[tuple[FaultServer, str]]:
    """Associates 5 (the demo user), 100–109 (one entry each) and 1 (none); 101 gets a NetServer
    error, 103 an HTML 503 every time (after the retries), 105 a dropped connection every time."""
    fake = demo_with_users(10)
    rules = [
        Rule("GetUntrustedCredentialsForAssociate", before=netserver_error("X", "no access")),
        Rule("GetUntrustedCredentialsForAssociate", before=BUSY),
        Rule("GetUntrustedCredentialsForAssociate", before=DROP),
    ]
    proxy = Proxy(fake)

    def reply(request: Any) -> Any:
        body = request.body
        rule = (
            rules[0]
            if b">101<" in body
            else rules[1]
            if b">103<" in body
            else rules[2]
            if b">105<" in body
            else None
        )
        return rule.before if rule is not None else proxy(request)

    with FaultServer(reply) as server:
        yield server, f"{server.url}/Cust12345/Remote/Services86"


IDS = [5, 1, *range(100, 110), 5, 100]


def check_mixed(report: Any, server: FaultServer) -> None:
    assert [user.associate_id for user in report.users] == [5, 1, *range(100, 110)]
    failed = {user.associate_id: error_phrase(user.error) for user in report.failures}
    assert failed == {
        101: "SoDatabaseException: no access",
        103: "HTTP 503 (text/html), not a SOAP answer",
        105: "transport error (protocol)",
    }
    assert report.found("none") == 1  # associate 1
    assert len(report.credentials) == 2 + 7
    assert report.checked_at == NOW
    assert server.requests  # the answers carried secrets (secret-100 …); the report holds none:
    assert "secret-" not in repr(report)


def test_a_mix_of_successes_and_failures(mixed: tuple[FaultServer, str]) -> None:
    server, url = mixed
    seen: list[AuditProgress] = []
    with UserAgent(url, ticket=DEMO_TICKET, soap_version="1.1", retries=QUICK) as agent:
        report = audit_untrusted_credentials(
            agent, IDS, "imap", concurrency=3, now=NOW, progress=seen.append
        )
    check_mixed(report, server)
    assert seen[0] == AuditProgress(done=0, total=12, failures=0, elapsed=seen[0].elapsed)
    assert (seen[-1].done, seen[-1].total, seen[-1].failures) == (12, 12, 3)
    assert [p.done for p in seen] == sorted(p.done for p in seen)


def test_a_mix_of_successes_and_failures_async(mixed: tuple[FaultServer, str]) -> None:
    server, url = mixed

    async def main() -> Any:
        async with AsyncUserAgent(
            url, ticket=DEMO_TICKET, soap_version="1.1", retries=QUICK
        ) as agent:
            return await audit_untrusted_credentials_async(agent, IDS, "imap", now=NOW)

    check_mixed(asyncio.run(main()), server)


@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize("with_progress", [False, True])
def test_a_thousand_users_with_exactly_one_negotiation(kind: str, with_progress: bool) -> None:
    fake = demo_with_users(1000)
    ids = range(100, 1100)
    seen: list[AuditProgress] = []
    progress = seen.append if with_progress else None
    if kind == "sync":
        client = httpx.Client(transport=fake.transport())
        with UserAgent(fake_url(), ticket=DEMO_TICKET, http_client=client) as agent:
            report = audit_untrusted_credentials(agent, ids, "imap", now=NOW, progress=progress)
        client.close()
    else:

        async def main() -> Any:
            async with (
                httpx.AsyncClient(transport=fake.transport()) as client,
                AsyncUserAgent(fake_url(), ticket=DEMO_TICKET, http_client=client) as agent,
            ):
                return await audit_untrusted_credentials_async(
                    agent, ids, "imap", now=NOW, progress=progress
                )

        report = asyncio.run(main())
    assert len(report.users) == 1000
    assert not report.failures
    counts = report.counts()
    assert counts[CredentialStatus.OK] == 500
    assert counts[CredentialStatus.EXPIRING] == 500
    # auto negotiation: one SOAP 1.2 request (refused with 415 by this SOAP 1.1 server), then
    # every call in SOAP 1.1 — 1,000 users, one negotiation, nothing read twice
    kinds = [request.headers["content-type"].split(";")[0] for request in fake.requests]
    assert kinds.count("application/soap+xml") == 1
    assert kinds.count("text/xml") == 1000 == len(kinds) - 1
    if with_progress:
        assert seen[-1].done == 1000
        assert len(seen) == 1 + 1000 // 64 + 1


def fake_url() -> str:
    return "http://netserver.test/Cust12345/Remote/Services86"


def test_bad_input_is_refused_before_anything_is_sent() -> None:
    fake = FakeNetServer.with_demo_data()
    client = httpx.Client(transport=fake.transport())
    with UserAgent(fake_url(), ticket=DEMO_TICKET, http_client=client) as agent:
        with pytest.raises(InvalidRequestError, match=r"associate_ids\[2\]"):
            audit_untrusted_credentials(agent, [1, 2, "3"], "imap", progress=lambda p: None)  # type: ignore[list-item]
        with pytest.raises(InvalidRequestError, match="concurrency"):
            audit_untrusted_credentials(agent, [1, 2], "imap", concurrency=0)
        with pytest.raises(InvalidRequestError, match="now"):
            audit_untrusted_credentials(agent, [1], "imap", now=datetime(2026, 1, 1))
        with pytest.raises(InvalidRequestError, match="expiring_within"):
            audit_untrusted_credentials(agent, [1], "imap", expiring_within=-DAY)
        empty = audit_untrusted_credentials(agent, [], "imap", now=NOW)
    client.close()
    assert fake.requests == []
    assert empty.users == ()
    assert empty.summary().startswith("audited 0 users: 0 imap")
