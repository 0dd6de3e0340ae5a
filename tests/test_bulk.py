"""The bulk audit helper, sync and async, over loopback: right results, bounded concurrency,
errors raised or collected, retries, and nothing sent for bad input."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from lxml import etree

from superoffice_soap import (
    AsyncUserAgent,
    HTTPStatusError,
    InvalidRequestError,
    NetServerError,
    UntrustedCredentials,
    UserAgent,
)
from superoffice_soap._namespaces import NS
from superoffice_soap.retry import RetryPolicy
from tests._models import as_read

from ._envelopes import credentials_response, envelope
from .faultserver import FaultServer, RecordedRequest, Reply

QUICK = RetryPolicy(attempts=3, backoff=0.001, max_backoff=0.001)


def expected(associate_id: int) -> list[UntrustedCredentials]:
    return [as_read(public_value=f"user{associate_id}@example.com")]


class Directory:
    """A scripted User.svc: one credential per associate; failures and slowness on request."""

    def __init__(
        self, *, failing: frozenset[int] = frozenset(), busy_once: frozenset[int] = frozenset()
    ) -> None:
        self.failing = failing
        self.busy_once = set(busy_once)
        self.in_flight = 0
        self.most_in_flight = 0
        self.lock = threading.Lock()

    def __call__(self, request: RecordedRequest) -> Reply:
        associate_id = int(etree.fromstring(request.body).findtext(f".//{{{NS}}}AssociateId") or 0)
        with self.lock:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            time.sleep(0.01)  # long enough for calls to overlap
            with self.lock:
                if associate_id in self.busy_once:
                    self.busy_once.discard(associate_id)
                    return Reply(status=503, headers=(("Content-Type", "text/html"),), body=b"busy")
            if associate_id in self.failing:
                wrapper = etree.Element(f"{{{NS}}}GetUntrustedCredentialsForAssociateResponse")
                info: Any = [
                    ("Message", f"no access to {associate_id}"),
                    ("ExceptionType", "SoException"),
                ]
                return Reply(
                    body=envelope(
                        wrapper, headers=[("ExceptionInfo", info), ("Succeeded", "false")]
                    )
                )
            return Reply(
                body=credentials_response([[("PublicValue", f"user{associate_id}@example.com")]])
            )
        finally:
            with self.lock:
                self.in_flight -= 1


@pytest.fixture
def directory() -> Directory:
    return Directory()


@pytest.fixture
def server(directory: Directory) -> Iterator[FaultServer]:
    with FaultServer(directory) as server:
        yield server


def base(server: FaultServer) -> str:
    return f"{server.url}/Cust1/Remote/Services86"


def sync_bulk(server: FaultServer, ids: Any, **kw: Any) -> Any:
    with UserAgent(base(server), ticket="7T:t", soap_version="1.1", retries=QUICK) as agent:
        return agent.get_untrusted_credentials_for_associates(ids, "imap", **kw)


def async_bulk(server: FaultServer, ids: Any, **kw: Any) -> Any:
    async def main() -> Any:
        async with AsyncUserAgent(
            base(server), ticket="7T:t", soap_version="1.1", retries=QUICK
        ) as agent:
            return await agent.get_untrusted_credentials_for_associates(ids, "imap", **kw)

    return asyncio.run(main())


BULKS = [pytest.param(sync_bulk, id="sync"), pytest.param(async_bulk, id="async")]


@pytest.mark.parametrize("bulk", BULKS)
def test_results_in_input_order_with_bounded_concurrency(
    bulk: Any, server: FaultServer, directory: Directory
) -> None:
    ids = [7, 3, 9, 3, *range(20, 60)]
    result = bulk(server, ids, concurrency=4)
    assert list(result) == list(dict.fromkeys(ids))
    assert result == {i: expected(i) for i in ids}
    assert len(server.requests) == len(result)
    assert 1 < directory.most_in_flight <= 4


@pytest.mark.parametrize("bulk", BULKS)
def test_concurrency_one_is_sequential(
    bulk: Any, server: FaultServer, directory: Directory
) -> None:
    assert bulk(server, range(1, 11), concurrency=1) == {i: expected(i) for i in range(1, 11)}
    assert directory.most_in_flight == 1


@pytest.mark.parametrize("bulk", BULKS)
def test_errors_collect(bulk: Any) -> None:
    directory = Directory(failing=frozenset({13, 17}))
    with FaultServer(directory) as server:
        result = bulk(server, range(10, 20), errors="collect")
    assert set(result) == set(range(10, 20))
    for associate_id, value in result.items():
        if associate_id in (13, 17):
            assert isinstance(value, NetServerError)
            assert str(associate_id) in str(value)
        else:
            assert value == expected(associate_id)


@pytest.mark.parametrize("bulk", BULKS)
def test_errors_raise_stops_the_work(bulk: Any) -> None:
    directory = Directory(failing=frozenset({2}))
    with FaultServer(directory) as server:
        with pytest.raises(NetServerError, match="no access to 2"):
            bulk(server, range(1, 201), concurrency=2)
        sent = len(server.requests)
    assert sent < 20  # the first failure stopped the work: the rest was never sent


@pytest.mark.parametrize("bulk", BULKS)
def test_the_retry_policy_applies(bulk: Any) -> None:
    directory = Directory(busy_once=frozenset({4, 5}))
    with FaultServer(directory) as server:
        assert bulk(server, range(1, 9)) == {i: expected(i) for i in range(1, 9)}
        assert len(server.requests) == 10


@pytest.mark.parametrize("bulk", BULKS)
def test_errors_after_retries_are_collected(bulk: Any) -> None:
    class AlwaysBusy(Directory):
        def __call__(self, request: RecordedRequest) -> Reply:
            return Reply(status=503, headers=(("Content-Type", "text/html"),), body=b"busy")

    with FaultServer(AlwaysBusy()) as server:
        result = bulk(server, [1, 2], errors="collect")
        assert len(server.requests) == 6
    assert all(isinstance(v, HTTPStatusError) and v.status_code == 503 for v in result.values())


@pytest.mark.parametrize("bulk", BULKS)
def test_empty_input(bulk: Any, server: FaultServer) -> None:
    assert bulk(server, []) == {}
    assert server.requests == []


@pytest.mark.parametrize("bulk", BULKS)
@pytest.mark.parametrize(
    ("ids", "kw", "argument"),
    [
        ([1, "2"], {}, "associate_ids[1]"),
        ([1, True], {}, "associate_ids[1]"),
        ([2**31], {}, "associate_ids[0]"),
        (5, {}, "associate_ids"),
        ("123", {}, "associate_ids"),
        ([1, 2], {"concurrency": 0}, "concurrency"),
        ([1, 2], {"concurrency": 2.0}, "concurrency"),
        ([1, 2], {"errors": "ignore"}, "errors"),
    ],
)
def test_bad_input_sends_nothing(
    bulk: Any, server: FaultServer, ids: Any, kw: dict[str, Any], argument: str
) -> None:
    with pytest.raises(InvalidRequestError) as info:
        bulk(server, ids, **kw)
    assert info.value.argument == argument
    assert server.requests == []
