"""One agent shared by many threads or tasks: right answers, consistent SOAP version state."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timezone

import httpx
import pytest

from superoffice_soap import AsyncUserAgent, UntrustedCredentials, UserAgent
from superoffice_soap.testing import DEMO_TICKET, FakeNetServer, RunningServer

TYPES = ("imap", "smtp", "ldap")


@pytest.fixture
def server() -> FakeNetServer:
    server = FakeNetServer()
    server.add_ticket(DEMO_TICKET, 5)
    for associate in range(1, 21):
        for kind in TYPES:
            server.add_credentials(associate, kind, credential(associate, kind))
    return server


@pytest.fixture
def running(server: FakeNetServer) -> Iterator[RunningServer]:
    with server.serve() as running:
        yield running


def credential(associate: int, kind: str) -> UntrustedCredentials:
    return UntrustedCredentials(
        valid_from=datetime(2024, 1, associate, tzinfo=timezone.utc),
        valid_to=datetime(9999, 12, 31, 23, 59, 59, 999999),
        comment=kind,
        public_value=f"{kind}-{associate}",
        secret_value=f"s{associate}",
        is_active=associate % 2 == 0,
    )


def expected(associate: int, kind: str) -> list[UntrustedCredentials]:
    return [credential(associate, kind)]


def versions(server: FakeNetServer, start: int = 0) -> Counter[str]:
    return Counter(r.headers.get("content-type", "").split(";")[0] for r in server.requests[start:])


def test_sixteen_threads_share_one_agent(server: FakeNetServer, running: RunningServer) -> None:
    failures: list[str] = []
    barrier = threading.Barrier(16)

    with UserAgent(running.base_url, ticket=DEMO_TICKET, retries=0) as agent:

        def work(index: int) -> None:
            barrier.wait()
            for step in range(10):
                associate = (index + step) % 20 + 1
                kind = TYPES[step % 3]
                try:
                    got = agent.get_untrusted_credentials_for_associate(associate, kind)
                except Exception as error:  # a thread's exception would otherwise vanish
                    failures.append(f"{associate}/{kind}: {error!r}")
                    continue
                if got != expected(associate, kind):
                    failures.append(f"{associate}/{kind}: {got!r}")

        threads = [threading.Thread(target=work, args=(i,)) for i in range(16)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert agent.soap_version == "1.1"
        first_wave = len(server.requests)
        for associate in range(1, 6):
            assert agent.get_untrusted_credentials_for_associate(associate, "imap") == expected(
                associate, "imap"
            )

    assert failures == []
    seen = Counter(
        r.headers.get("content-type", "").split(";")[0] for r in server.requests[:first_wave]
    )
    calls = 16 * 10
    # one SOAP 1.2 request in all: the other first calls waited for its answer …
    assert seen["application/soap+xml"] == 1
    assert seen["text/xml"] == calls
    # … and none after negotiation settled
    assert versions(server, first_wave) == Counter({"text/xml": 5})


@pytest.mark.slow
def test_five_hundred_concurrent_async_calls(server: FakeNetServer, running: RunningServer) -> None:
    async def main() -> tuple[int, list[bool]]:
        limits = httpx.Limits(max_connections=10)
        async with httpx.AsyncClient(limits=limits, timeout=60.0) as client:
            agent = AsyncUserAgent(running.base_url, ticket=DEMO_TICKET, http_client=client)
            calls = [((i % 20) + 1, TYPES[i % 3]) for i in range(500)]
            results = await asyncio.gather(
                *(agent.get_untrusted_credentials_for_associate(a, k) for a, k in calls)
            )
            ok = [result == expected(a, k) for result, (a, k) in zip(results, calls)]
            assert agent.soap_version == "1.1"
            settled_at = len(server.requests)
            more = await asyncio.gather(
                *(agent.get_untrusted_credentials_for_associate(a, "smtp") for a in range(1, 21))
            )
            ok += [result == expected(a, "smtp") for a, result in zip(range(1, 21), more)]
            return settled_at, ok

    settled_at, ok = asyncio.run(main())
    assert all(ok)
    assert len(ok) == 520
    first = versions(server, 0)
    assert first["text/xml"] == 520
    assert first["application/soap+xml"] == 1  # the first wave waited for the first answer
    assert versions(server, settled_at) == Counter({"text/xml": 20})
