"""SOAP version negotiation is learned once per server root and shared by the whole process.

Against a SOAP 1.1-only server (every real NetServer, and the stand-in by default) the process
sends one SOAP 1.2 request per server root in total: logins, calls, bursts, later agents and the
other service of the same root included. Pinned versions never touch what was learned, and an
answer that says nothing about the version settles nothing.
"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any, Optional, Union

import httpx
import pytest

from superoffice_soap import (
    GET_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE,
    AsyncSoPrincipal,
    AsyncUserAgent,
    HTTPStatusError,
    InvalidRequestError,
    SoPrincipal,
    TransportError,
    UserAgent,
)
from superoffice_soap.negotiation import (
    forget_soap_versions,
    learned_soap_versions,
    server_root,
    server_version,
)
from superoffice_soap.operations import USER
from superoffice_soap.protocol import Session, SoapRequest, Wait
from superoffice_soap.testing import (
    DEMO_PASSWORD,
    DEMO_TICKET,
    DEMO_USERNAME,
    SERVICE_PATH,
    FakeNetServer,
    FakeResponse,
)

from ._envelopes import credentials_response
from ._plans import FakeClock, answer

BASE = f"https://netserver.example.com{SERVICE_PATH}"
ROOT = "https://netserver.example.com:443/Cust12345/Remote/Services86"
SOAP12 = "application/soap+xml"


class SlowToRefuse(FakeNetServer):
    """The stand-in, taking 50 ms to refuse SOAP 1.2: long enough for concurrent first calls to
    race the first answer if they did not wait for it."""

    def handle(self, method: str, path: str, headers: Any, body: bytes) -> FakeResponse:
        if any(v.startswith(SOAP12) for k, v in headers.items() if k.lower() == "content-type"):
            time.sleep(0.05)
        return super().handle(method, path, headers, body)


def demo(cls: type[FakeNetServer] = FakeNetServer, **kw: Any) -> FakeNetServer:
    server = cls.with_demo_data(**kw)
    for associate in range(1, 41):
        server.add_credentials(associate, "imap", credentials_of(associate))
    return server


def credentials_of(associate: int) -> Any:
    from superoffice_soap import UntrustedCredentials

    return UntrustedCredentials(public_value=f"a{associate}", comment="", secret_value="s")


def soap12_requests(server: FakeNetServer, start: int = 0) -> int:
    return sum(
        r.headers.get("content-type", "").startswith(SOAP12) for r in server.requests[start:]
    )


def client(server: FakeNetServer) -> httpx.Client:
    return httpx.Client(transport=server.transport())


def aclient(server: FakeNetServer) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=server.transport())


# ----------------------------------------------------------------------------------------------
# Login and calls: one SOAP 1.2 request in total


def test_login_and_calls_send_one_soap12_request() -> None:
    server = demo()
    with (
        client(server) as http,
        UserAgent.login(BASE, DEMO_USERNAME, DEMO_PASSWORD, http_client=http) as agent,
    ):
        assert agent.soap_version == "1.1"  # SoPrincipal's answer taught the User service
        for _ in range(3):
            agent.get_untrusted_credentials_for_associate(5, "imap")
        agent.get_credential_types()
    assert soap12_requests(server) == 1
    assert [r.path.rsplit("/", 1)[1] for r in server.requests[:2]] == ["SoPrincipal.svc"] * 2
    assert learned_soap_versions() == {ROOT: "1.1"}


def test_async_login_and_calls_send_one_soap12_request() -> None:
    server = demo()

    async def main() -> None:
        async with aclient(server) as http:
            agent = await AsyncUserAgent.login(BASE, DEMO_USERNAME, DEMO_PASSWORD, http_client=http)
            async with agent:
                assert agent.soap_version == "1.1"
                for _ in range(3):
                    await agent.get_untrusted_credentials_for_associate(5, "imap")

    asyncio.run(main())
    assert soap12_requests(server) == 1


# ----------------------------------------------------------------------------------------------
# Concurrent first calls wait for the first answer


def test_bulk_helper_on_a_fresh_agent_sends_one_soap12_request() -> None:
    server = demo(SlowToRefuse)
    with server.serve() as running, UserAgent(running.base_url, ticket=DEMO_TICKET) as agent:
        got = agent.get_untrusted_credentials_for_associates(range(1, 41), "imap", concurrency=8)
    assert len(got) == 40
    assert soap12_requests(server) == 1
    assert len(server.requests) == 41  # the refused probe, then 40 calls in SOAP 1.1


def test_async_bulk_helper_on_a_fresh_agent_sends_one_soap12_request() -> None:
    server = demo(SlowToRefuse)

    async def main(base_url: str) -> int:
        async with AsyncUserAgent(base_url, ticket=DEMO_TICKET) as agent:
            got = await agent.get_untrusted_credentials_for_associates(
                range(1, 41), "imap", concurrency=8
            )
        return len(got)

    with server.serve() as running:
        assert asyncio.run(main(running.base_url)) == 40
    assert soap12_requests(server) == 1
    assert len(server.requests) == 41


def test_sixteen_threads_first_calls_send_one_soap12_request() -> None:
    server = demo(SlowToRefuse)
    barrier = threading.Barrier(16)
    failures: list[BaseException] = []
    with server.serve() as running, UserAgent(running.base_url, ticket=DEMO_TICKET) as agent:

        def work() -> None:
            barrier.wait()
            try:
                agent.get_untrusted_credentials_for_associate(5, "imap")
            except BaseException as error:  # a thread's exception would otherwise vanish
                failures.append(error)

        threads = [threading.Thread(target=work) for _ in range(16)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(20)
    assert failures == []
    assert soap12_requests(server) == 1
    assert len(server.requests) == 17


# ----------------------------------------------------------------------------------------------
# A second agent, the other service, the same root spelled differently


@pytest.mark.parametrize(
    "later_url",
    [
        BASE,
        f"{BASE}/User.svc",
        "HTTPS://NetServer.Example.com:443/Cust12345/Remote/Services86/",
        f"https://user@netserver.example.com{SERVICE_PATH}/SoPrincipal.svc",
    ],
)
def test_a_later_agent_of_the_same_root_sends_none(later_url: str) -> None:
    server = demo()
    with client(server) as http:
        with UserAgent(BASE, ticket=DEMO_TICKET, http_client=http) as first:
            first.get_untrusted_credentials_for_associate(5, "imap")
        start = len(server.requests)
        with UserAgent(later_url, ticket=DEMO_TICKET, http_client=http) as second:
            assert second.soap_version == "1.1"  # known before its first call
            second.get_untrusted_credentials_for_associate(5, "imap")
        with SoPrincipal(later_url, http_client=http) as principal:
            principal.get_system_info()
    assert soap12_requests(server, start) == 0
    assert len(server.requests) == start + 2


def test_a_later_async_agent_sends_none() -> None:
    server = demo()
    with client(server) as http, UserAgent(BASE, ticket=DEMO_TICKET, http_client=http) as first:
        first.get_untrusted_credentials_for_associate(5, "imap")
    start = len(server.requests)

    async def main() -> None:
        async with aclient(server) as http:
            async with AsyncUserAgent(BASE, ticket=DEMO_TICKET, http_client=http) as agent:
                await agent.get_untrusted_credentials_for_associate(5, "imap")
            async with AsyncSoPrincipal(BASE, http_client=http) as principal:
                await principal.get_system_info()

    asyncio.run(main())
    assert soap12_requests(server, start) == 0
    assert len(server.requests) == start + 2


@pytest.mark.parametrize(
    "other_url",
    [
        "https://netserver.example.com:8443/Cust12345/Remote/Services86",  # another port
        "http://netserver.example.com/Cust12345/Remote/Services86",  # another scheme
        "https://netserver.example.com/Cust99999/Remote/Services86",  # another tenant
        "https://other.example.com/Cust12345/Remote/Services86",  # another host
    ],
)
def test_another_root_negotiates_on_its_own(other_url: str) -> None:
    server = demo()  # the stand-in answers whatever the host: only the client's view differs
    with client(server) as http:
        with UserAgent(BASE, ticket=DEMO_TICKET, http_client=http) as first:
            first.get_untrusted_credentials_for_associate(5, "imap")
        with UserAgent(other_url, ticket=DEMO_TICKET, http_client=http) as other:
            assert other.soap_version is None
            other.get_untrusted_credentials_for_associate(5, "imap")
    assert soap12_requests(server) == 2


def test_a_server_that_speaks_soap12_is_learned_as_such() -> None:
    server = demo(accept_soap12=True)
    with client(server) as http:
        with UserAgent(BASE, ticket=DEMO_TICKET, http_client=http) as first:
            first.get_untrusted_credentials_for_associate(5, "imap")
        with UserAgent(BASE, ticket=DEMO_TICKET, http_client=http) as second:
            assert second.soap_version == "1.2"
            second.get_untrusted_credentials_for_associate(5, "imap")
    assert soap12_requests(server) == 2
    assert len(server.requests) == 2


# ----------------------------------------------------------------------------------------------
# Pinned versions


def test_a_pinned_version_is_never_changed_by_what_was_learned() -> None:
    server = demo(accept_soap12=True)
    with client(server) as http:
        server_version(f"{BASE}/User.svc").settle("1.1", "a test")
        with UserAgent(BASE, ticket=DEMO_TICKET, soap_version="1.2", http_client=http) as agent:
            assert agent.soap_version == "1.2"
            agent.get_untrusted_credentials_for_associate(5, "imap")
            assert agent.soap_version == "1.2"
    assert soap12_requests(server) == 1
    assert learned_soap_versions() == {ROOT: "1.1"}


def test_a_pinned_agent_teaches_nothing() -> None:
    server = demo()
    with client(server) as http:
        with UserAgent(BASE, ticket=DEMO_TICKET, soap_version="1.1", http_client=http) as pinned:
            pinned.get_untrusted_credentials_for_associate(5, "imap")
        assert learned_soap_versions() == {}
        with UserAgent(BASE, ticket=DEMO_TICKET, http_client=http) as auto:
            assert auto.soap_version is None
            auto.get_untrusted_credentials_for_associate(5, "imap")
    assert soap12_requests(server) == 1


def test_a_pinned_session_never_reads_the_shared_state(monkeypatch: pytest.MonkeyPatch) -> None:
    import superoffice_soap.protocol as protocol

    def no_shared_state(url: str) -> Any:
        raise AssertionError("a pinned session consulted the shared state")

    monkeypatch.setattr(protocol, "server_version", no_shared_state)
    session = Session(BASE, USER, ticket="7T:x", soap_version="1.1", clock=FakeClock())
    plan = session.plan(
        GET_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE, {"associate_id": 5, "credential_type": "imap"}
    )
    request = next(plan)
    assert isinstance(request, SoapRequest)
    assert request.soap_version == "1.1"
    with pytest.raises(StopIteration):
        plan.send(answer(200, credentials_response([])))
    assert session.soap_version == "1.1"


# ----------------------------------------------------------------------------------------------
# Answers that say nothing about the version


def scripted(
    *answers: Union[httpx.Response, Exception],
) -> tuple[httpx.Client, list[httpx.Request]]:
    seen: list[httpx.Request] = []
    queue = list(answers)

    def respond(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        item = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(item, Exception):
            raise item
        return fresh(item)

    return httpx.Client(transport=httpx.MockTransport(respond)), seen


def fresh(response: httpx.Response) -> httpx.Response:
    """A new copy: a response's body can be handed to one client only once."""
    return httpx.Response(response.status_code, headers=response.headers, content=response.content)


HTML_502 = httpx.Response(
    502, text="<html>Bad Gateway</html>", headers={"Content-Type": "text/html"}
)
REFUSED = httpx.Response(415, text="")
OK11 = httpx.Response(
    200, content=credentials_response([]), headers={"Content-Type": "text/xml; charset=utf-8"}
)


@pytest.mark.parametrize(
    ("failure", "error"),
    [(HTML_502, HTTPStatusError), (httpx.ReadTimeout("slow"), TransportError)],
)
def test_an_unsettling_answer_settles_nothing(failure: Any, error: type[Exception]) -> None:
    http, seen = scripted(failure, REFUSED, OK11)
    with http, UserAgent(BASE, ticket=DEMO_TICKET, retries=0, http_client=http) as agent:
        with pytest.raises(error):
            agent.get_untrusted_credentials_for_associate(5, "imap")
        assert agent.soap_version is None
        assert learned_soap_versions() == {}
        assert agent.get_untrusted_credentials_for_associate(5, "imap") == []
        assert agent.soap_version == "1.1"
    versions = [r.headers["content-type"].split(";")[0] for r in seen]
    assert versions == [SOAP12, SOAP12, "text/xml"]  # the second call probed again


def test_async_pinned_agents_neither_read_nor_teach() -> None:
    server = demo(accept_soap12=True)

    async def main() -> None:
        async with aclient(server) as http:
            pinned11 = AsyncUserAgent(
                BASE, ticket=DEMO_TICKET, soap_version="1.1", http_client=http
            )
            async with pinned11:
                await pinned11.get_untrusted_credentials_for_associate(5, "imap")
            assert learned_soap_versions() == {}
            server_version(f"{BASE}/User.svc").settle("1.1", "a test")
            pinned12 = AsyncUserAgent(
                BASE, ticket=DEMO_TICKET, soap_version="1.2", http_client=http
            )
            async with pinned12:
                await pinned12.get_untrusted_credentials_for_associate(5, "imap")
                assert pinned12.soap_version == "1.2"

    asyncio.run(main())
    assert [r.headers["content-type"].split(";")[0] for r in server.requests] == [
        "text/xml",
        SOAP12,
    ]
    assert learned_soap_versions() == {ROOT: "1.1"}


@pytest.mark.parametrize(
    ("failure", "error"),
    [(HTML_502, HTTPStatusError), (httpx.ReadTimeout("slow"), TransportError)],
)
def test_async_an_unsettling_answer_settles_nothing(failure: Any, error: type[Exception]) -> None:
    seen: list[str] = []
    answers: list[Union[httpx.Response, Exception]] = [failure, REFUSED, OK11]

    def respond(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["content-type"].split(";")[0])
        item = answers.pop(0) if len(answers) > 1 else answers[0]
        if isinstance(item, Exception):
            raise item
        return fresh(item)

    async def main() -> None:
        async with httpx.AsyncClient(transport=httpx.MockTransport(respond)) as http:
            agent = AsyncUserAgent(BASE, ticket=DEMO_TICKET, retries=0, http_client=http)
            async with agent:
                with pytest.raises(error):
                    await agent.get_untrusted_credentials_for_associate(5, "imap")
                assert agent.soap_version is None
                assert await agent.get_untrusted_credentials_for_associate(5, "imap") == []
                assert agent.soap_version == "1.1"

    asyncio.run(main())
    assert seen == [SOAP12, SOAP12, "text/xml"]


def test_a_refusal_of_the_soap11_resend_is_not_learned_as_soap12() -> None:
    http, seen = scripted(REFUSED)
    with http, UserAgent(BASE, ticket=DEMO_TICKET, retries=0, http_client=http) as agent:
        with pytest.raises(HTTPStatusError):
            agent.get_untrusted_credentials_for_associate(5, "imap")
        assert agent.soap_version == "1.1"  # the 415 to SOAP 1.2 proved that much
    assert len(seen) == 2


# ----------------------------------------------------------------------------------------------
# The plans, step by step (sans-IO)

OP = GET_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE
ARGS = {"associate_id": 5, "credential_type": "imap"}
CT12 = {"Content-Type": "application/soap+xml; charset=utf-8"}


def auto_session(clock: Optional[FakeClock] = None, deadline: Optional[float] = None) -> Session:
    return Session(
        BASE, USER, ticket="7T:x", retries=0, deadline=deadline, clock=clock or FakeClock()
    )


def started(session: Session) -> tuple[Any, Any]:
    plan = session.plan(OP, ARGS)
    return plan, next(plan)


def test_a_call_waits_for_the_probe_and_sends_in_what_it_learned() -> None:
    first, probe = started(auto_session())
    second, wait = started(auto_session())  # another agent of the same root
    assert isinstance(probe, SoapRequest)
    assert probe.soap_version == "1.2"
    assert isinstance(wait, Wait)
    assert not wait.flight.done
    resend = first.send(answer(415))
    assert wait.flight.done  # the answer was read: the waiter goes on before the resend ends
    assert isinstance(resend, SoapRequest)
    assert resend.soap_version == "1.1"
    after = second.send(None)
    assert isinstance(after, SoapRequest)
    assert after.soap_version == "1.1"


def test_after_an_unsettling_probe_its_waiters_no_longer_wait() -> None:
    first, _ = started(auto_session())
    second, wait_for_first = started(auto_session())
    third, wait_also = started(auto_session())
    assert isinstance(wait_for_first, Wait)
    assert isinstance(wait_also, Wait)
    with pytest.raises(HTTPStatusError):
        first.send(answer(502, b"<html/>", {"Content-Type": "text/html"}))
    second_probe = second.send(None)  # the next probe …
    assert isinstance(second_probe, SoapRequest)
    assert second_probe.soap_version == "1.2"
    third_try = third.send(None)  # … does not hold up a call that already waited once
    assert isinstance(third_try, SoapRequest)
    assert third_try.soap_version == "1.2"
    fourth, wait_for_second = started(auto_session())  # a new call waits for the new probe
    assert isinstance(wait_for_second, Wait)
    second.send(answer(415))
    assert wait_for_second.flight.done
    assert isinstance(fourth.send(None), SoapRequest)
    third.close()
    fourth.close()
    second.close()


def test_a_cancelled_probe_lets_a_waiter_probe() -> None:
    first, _ = started(auto_session())
    second, wait = started(auto_session())
    first.close()
    assert wait.flight.done
    probe = second.send(None)
    assert isinstance(probe, SoapRequest)
    assert probe.soap_version == "1.2"
    second.close()


def test_waiting_for_the_probe_counts_against_the_deadline() -> None:
    clock = FakeClock()
    first, _ = started(auto_session(clock, deadline=8.0))
    clock.advance(3.0)
    second, wait = started(auto_session(clock, deadline=8.0))
    assert isinstance(wait, Wait)
    assert wait.timeout == 8.0
    clock.advance(8.0)
    with pytest.raises(TransportError) as info:
        second.send(None)
    assert info.value.kind == "deadline"
    assert "SOAP version" in str(info.value)
    first.close()


def test_a_bad_argument_does_not_leave_the_probe_held() -> None:
    session = auto_session()
    plan = session.plan(OP, {"associate_id": "five", "credential_type": "imap"})
    with pytest.raises(InvalidRequestError):
        next(plan)
    fresh, probe = started(auto_session())
    assert isinstance(probe, SoapRequest)  # it probes: nobody holds the server's probe
    fresh.close()


# ----------------------------------------------------------------------------------------------
# Server roots and forgetting


@pytest.mark.parametrize(
    ("url", "root"),
    [
        ("https://h/Cust1/Remote/Services86/User.svc", "https://h:443/Cust1/Remote/Services86"),
        (
            "https://H:443/Cust1/Remote/Services86/SoPrincipal.svc",
            "https://h:443/Cust1/Remote/Services86",
        ),
        ("http://h/Cust1/remote/services88/x/User.svc", "http://h:80/Cust1/remote/services88"),
        ("http://u:p@h:8080/custom/path/User.svc", "http://h:8080/custom/path"),
        ("http://[::1]:8086/Remote/Services86/User.svc", "http://[::1]:8086/Remote/Services86"),
        ("https://h/Cust1/Remote/Services86", "https://h:443/Cust1/Remote/Services86"),
    ],
)
def test_server_root(url: str, root: str) -> None:
    assert server_root(url) == root


def test_forgetting_one_root_keeps_the_others() -> None:
    server_version("https://a/Remote/Services86/User.svc").settle("1.1", "test")
    server_version("https://b/Remote/Services86/User.svc").settle("1.2", "test")
    forget_soap_versions("https://a/Remote/Services86/SoPrincipal.svc")
    assert learned_soap_versions() == {"https://b:443/Remote/Services86": "1.2"}
    forget_soap_versions()
    assert learned_soap_versions() == {}
