"""One re-login per expiry: however many calls meet the same expired ticket at once, the agent
authenticates exactly once and repeats each of those calls once with the new ticket.

The servers hold the Authenticate answer until every call has been told its ticket expired, so
all of them really do meet the expiry while the first re-login is still on the wire.
"""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any, Callable, Optional

import pytest
from lxml import etree

from superoffice_soap import (
    GET_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE,
    AsyncUserAgent,
    AuthenticationError,
    NetServerError,
    TransportError,
    UntrustedCredentials,
    UserAgent,
)
from superoffice_soap._namespaces import NS
from superoffice_soap.operations import USER
from superoffice_soap.protocol import Login, Session, SoapRequest, Wait, _again
from superoffice_soap.testing import (
    DEMO_ASSOCIATE_ID,
    DEMO_PASSWORD,
    DEMO_USERNAME,
    FakeNetServer,
    FakeResponse,
)
from tests._models import as_read

from ._envelopes import NIL, Field, credentials_response, element, envelope
from ._plans import FakeClock, answer
from .faultserver import FaultServer, RecordedRequest, Reply

THREADS = 16
TASKS = 64
LONG = 20.0  # seconds a gate waits at most (the tests take well under a second)


class Gate:
    """Holds the Authenticate answers until ``expected`` calls were told their ticket expired."""

    def __init__(self, expected: int) -> None:
        self.expected = expected
        self.active = False
        self._count = 0
        self._lock = threading.Lock()
        self._all_expired = threading.Event()

    def met_expiry(self) -> None:
        with self._lock:
            self._count += 1
            if self._count >= self.expected:
                self._all_expired.set()

    def hold_login(self) -> None:
        if self.active:
            self._all_expired.wait(LONG)


class GatedNetServer(FakeNetServer):
    """The stand-in, with a gate on its SoPrincipal answers."""

    def __init__(self, gate: Gate) -> None:
        super().__init__()
        self.gate = gate
        self.dead_on_arrival = False  # expire each ticket as soon as it is issued

    def handle(
        self, method: str, path: str, headers: Any, body: bytes
    ) -> FakeResponse:  # the stand-in's own signature
        if path.endswith("/SoPrincipal.svc"):
            self.gate.hold_login()
        response = super().handle(method, path, headers, body)
        if self.dead_on_arrival and path.endswith("/SoPrincipal.svc"):
            self.expire_all_tickets()
        if self.gate.active and b"SoSessionExpiredException" in response.body:
            self.gate.met_expiry()
        return response


def stand_in(gate: Gate) -> GatedNetServer:
    server = GatedNetServer(gate)
    server.add_user(DEMO_USERNAME, DEMO_PASSWORD, DEMO_ASSOCIATE_ID)
    for associate in range(1, 41):
        server.add_credentials(associate, "imap", credential(associate))
    return server


def credential(associate: int) -> UntrustedCredentials:
    return UntrustedCredentials(
        valid_from=datetime(2024, 1, 1, tzinfo=timezone.utc),
        valid_to=datetime(9999, 12, 31, 23, 59, 59, 999999),
        comment="",
        secret_value=f"s{associate}",
        public_value=f"a{associate}",
        is_active=True,
    )


def expected(associate: int) -> list[UntrustedCredentials]:
    return [credential(associate)]


def operations(server: FakeNetServer, start: int) -> Counter[Optional[str]]:
    return Counter(r.operation for r in server.requests[start:])


def tickets(server: FakeNetServer, start: int) -> Counter[str]:
    return Counter(
        ticket_of(r.body) for r in server.requests[start:] if r.path.endswith("User.svc")
    )


def ticket_of(body: bytes) -> str:
    return etree.fromstring(body).findtext(f".//{{{NS}}}Ticket") or ""


def in_threads(count: int, work: Callable[[int], object]) -> list[object]:
    """Run ``work(i)`` in ``count`` threads released together; results or exceptions, in order."""
    barrier = threading.Barrier(count)
    results: list[object] = [None] * count

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = work(index)
        except Exception as error:  # a thread's exception would otherwise vanish
            results[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(LONG)
    return results


# ----------------------------------------------------------------------------------------------
# Through the stand-in


@pytest.mark.parametrize("soap_version", ["1.1", "auto"])
def test_sixteen_threads_one_expired_ticket_one_login(soap_version: Any) -> None:
    gate = Gate(THREADS)
    server = stand_in(gate)
    with server.serve() as running:
        agent = UserAgent.login(
            running.base_url, DEMO_USERNAME, DEMO_PASSWORD, soap_version=soap_version, retries=0
        )
        with agent:
            server.expire_all_tickets()
            gate.active = True
            start = len(server.requests)
            results = in_threads(
                THREADS, lambda i: agent.get_untrusted_credentials_for_associate(i + 1, "imap")
            )
    assert results == [expected(i + 1) for i in range(THREADS)]
    assert operations(server, start)["AuthenticateUsernamePassword"] == 1
    old, new = server.issued_tickets()
    # every call met the expired ticket once and was repeated once with the new one
    assert tickets(server, start) == Counter({old: THREADS, new: THREADS})


def test_the_bulk_helper_logs_in_once() -> None:
    gate = Gate(8)
    server = stand_in(gate)
    with server.serve() as running:
        agent = UserAgent.login(running.base_url, DEMO_USERNAME, DEMO_PASSWORD, soap_version="1.1")
        with agent:
            server.expire_all_tickets()
            gate.active = True
            start = len(server.requests)
            got = agent.get_untrusted_credentials_for_associates(
                range(1, 41), "imap", concurrency=8
            )
    assert got == {a: expected(a) for a in range(1, 41)}
    assert operations(server, start)["AuthenticateUsernamePassword"] == 1
    old, new = server.issued_tickets()
    assert tickets(server, start) == Counter({old: 8, new: 40})


def test_sixty_four_tasks_one_expired_ticket_one_login() -> None:
    gate = Gate(TASKS)
    server = stand_in(gate)

    async def main(base_url: str) -> tuple[list[object], int]:
        agent = await AsyncUserAgent.login(
            base_url, DEMO_USERNAME, DEMO_PASSWORD, soap_version="1.1", retries=0
        )
        ticks = 0
        done = asyncio.Event()

        async def ticker() -> None:  # runs only while the waiting tasks leave the loop free
            nonlocal ticks
            while not done.is_set():
                ticks += 1
                await asyncio.sleep(0.001)

        async with agent:
            server.expire_all_tickets()
            gate.active = True
            ticking = asyncio.ensure_future(ticker())
            calls = [
                agent.get_untrusted_credentials_for_associate(i % 40 + 1, "imap")
                for i in range(TASKS)
            ]
            results = await asyncio.wait_for(asyncio.gather(*calls, return_exceptions=True), LONG)
            done.set()
            await ticking
        return list(results), ticks

    with server.serve() as running:
        start = len(server.requests)
        results, ticks = asyncio.run(main(running.base_url))
    assert results == [expected(i % 40 + 1) for i in range(TASKS)]
    start += 1  # the first login
    assert operations(server, start)["AuthenticateUsernamePassword"] == 1
    old, new = server.issued_tickets()
    assert tickets(server, start) == Counter({old: TASKS, new: TASKS})
    assert ticks > 1


def test_a_refused_relogin_fails_every_waiting_call_with_its_error() -> None:
    gate = Gate(THREADS)
    server = stand_in(gate)
    with server.serve() as running:
        agent = UserAgent.login(running.base_url, DEMO_USERNAME, DEMO_PASSWORD, soap_version="1.1")
        with agent:
            server.expire_all_tickets()
            server.add_user(DEMO_USERNAME, "changed-password", DEMO_ASSOCIATE_ID)
            gate.active = True
            start = len(server.requests)
            results = in_threads(
                THREADS, lambda i: agent.get_untrusted_credentials_for_associate(i + 1, "imap")
            )
    assert all(isinstance(r, AuthenticationError) for r in results), results
    assert len({id(r) for r in results}) == THREADS  # each call raises its own copy
    assert operations(server, start)["AuthenticateUsernamePassword"] == 1
    assert DEMO_PASSWORD not in " ".join(map(str, results))


def test_an_expiry_after_the_repeat_is_raised_by_each_call() -> None:
    gate = Gate(THREADS)
    server = stand_in(gate)

    with server.serve() as running:
        agent = UserAgent.login(running.base_url, DEMO_USERNAME, DEMO_PASSWORD, soap_version="1.1")
        with agent:
            server.expire_all_tickets()
            gate.active = True
            start = len(server.requests)
            server.dead_on_arrival = True
            results = in_threads(
                THREADS, lambda i: agent.get_untrusted_credentials_for_associate(i + 1, "imap")
            )
    assert all(isinstance(r, NetServerError) for r in results), results
    assert {getattr(r, "exception_type", None) for r in results} == {"SoSessionExpiredException"}
    assert operations(server, start)["AuthenticateUsernamePassword"] == 1
    assert sum(tickets(server, start).values()) == 2 * THREADS  # one repeat each, no more


# ----------------------------------------------------------------------------------------------
# Through a raw loopback server


def authenticated(ticket: str) -> bytes:
    wrapper = etree.Element(f"{{{NS}}}AuthenticateResponse", nsmap={None: NS})
    element("Response", [("Associate", "jane"), ("AssociateId", "5")], wrapper)
    element("Credentials", [("Ticket", ticket)], wrapper)
    element("AuthenticationSucceeded", "true", wrapper)
    return envelope(wrapper, headers=[("ExceptionInfo", NIL), ("Succeeded", "true")])


def expired_answer() -> bytes:
    wrapper = etree.Element(
        f"{{{NS}}}GetUntrustedCredentialsForAssociateResponse", nsmap={None: NS}
    )
    info: list[Field] = [("Message", "expired"), ("ExceptionType", "SoSessionExpiredException")]
    return envelope(wrapper, headers=[("ExceptionInfo", info), ("Succeeded", "false")])


OK = credentials_response([[("PublicValue", "alice")]])


class RawNetServer:
    """A reply function: SoPrincipal issues 7T:fresh-N; the first ticket expires once armed."""

    def __init__(self, gate: Gate) -> None:
        self.gate = gate
        self.issued = 0
        self._lock = threading.Lock()

    def __call__(self, request: RecordedRequest) -> Reply:
        if request.path.endswith("/SoPrincipal.svc"):
            self.gate.hold_login()
            with self._lock:
                self.issued += 1
                ticket = f"7T:fresh-{self.issued}"
            return Reply(body=authenticated(ticket))
        if self.gate.active and ticket_of(request.body) == "7T:fresh-1":
            self.gate.met_expiry()
            return Reply(body=expired_answer())
        return Reply(body=OK)


@pytest.fixture
def raw() -> Iterator[tuple[FaultServer, Gate]]:
    gate = Gate(THREADS)
    with FaultServer(RawNetServer(gate)) as server:
        yield server, gate


def raw_counts(server: FaultServer, start: int) -> tuple[int, Counter[str]]:
    requests = server.requests[start:]
    logins = sum(r.path.endswith("/SoPrincipal.svc") for r in requests)
    return logins, Counter(ticket_of(r.body) for r in requests if r.path.endswith("/User.svc"))


def test_raw_server_sixteen_threads(raw: tuple[FaultServer, Gate]) -> None:
    server, gate = raw
    base = f"{server.url}/Cust1/Remote/Services86"
    with UserAgent.login(base, "jane", "pw", soap_version="1.1", retries=0) as agent:
        gate.active = True
        start = len(server.requests)
        results = in_threads(
            THREADS, lambda i: agent.get_untrusted_credentials_for_associate(5, "imap")
        )
    assert results == [[as_read(public_value="alice")]] * THREADS
    logins, by_ticket = raw_counts(server, start)
    assert logins == 1
    assert by_ticket == Counter({"7T:fresh-1": THREADS, "7T:fresh-2": THREADS})


def test_raw_server_sixty_four_tasks() -> None:
    gate = Gate(TASKS)
    with FaultServer(RawNetServer(gate)) as server:
        base = f"{server.url}/Cust1/Remote/Services86"

        async def main() -> list[object]:
            agent = await AsyncUserAgent.login(base, "jane", "pw", soap_version="1.1", retries=0)
            async with agent:
                gate.active = True
                calls = [
                    agent.get_untrusted_credentials_for_associate(5, "imap") for _ in range(TASKS)
                ]
                return list(
                    await asyncio.wait_for(asyncio.gather(*calls, return_exceptions=True), LONG)
                )

        results = asyncio.run(main())
        logins, by_ticket = raw_counts(server, 1)
    assert results == [[as_read(public_value="alice")]] * TASKS
    assert logins == 1
    assert by_ticket == Counter({"7T:fresh-1": TASKS, "7T:fresh-2": TASKS})


# ----------------------------------------------------------------------------------------------
# The plans, step by step (sans-IO, on a fake clock)

BASE = "https://so.example.com/Cust1/Remote/Services86"
OP = GET_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE
ARGS = {"associate_id": 5, "credential_type": "imap"}


def logged_in(clock: FakeClock, deadline: Optional[float] = None) -> Session:
    user = Session(BASE, USER, soap_version="1.1", deadline=deadline, clock=clock)
    from superoffice_soap.operations import SO_PRINCIPAL

    principal = Session(BASE, SO_PRINCIPAL, soap_version="1.1", deadline=deadline, clock=clock)
    login = Login(principal, "jane", "pw")
    login.ticket = "7T:fresh-1"
    user.login = login
    return user


def to_expiry(session: Session) -> Any:
    """A call's plan, run up to its re-login: returns the plan and its next effect."""
    plan = session.plan(OP, ARGS)
    request = next(plan)
    assert isinstance(request, SoapRequest)
    return plan, plan.send(answer(200, expired_answer()))


def test_a_waiting_call_waits_no_longer_than_its_deadline() -> None:
    clock = FakeClock()
    session = logged_in(clock, deadline=30.0)
    first, login_request = to_expiry(session)
    assert isinstance(login_request, SoapRequest)
    assert login_request.operation == "AuthenticateUsernamePassword"
    clock.advance(10.0)
    second, wait = to_expiry(session)
    assert isinstance(wait, Wait)
    assert wait.timeout == 30.0  # its own deadline: it started 10 s after the first call
    clock.advance(30.0)
    with pytest.raises(TransportError) as info:
        second.send(None)  # woken by the timeout, the login still running
    assert info.value.kind == "deadline"
    first.close()


def test_a_waiting_call_takes_over_an_abandoned_login() -> None:
    clock = FakeClock()
    session = logged_in(clock)
    first, _ = to_expiry(session)
    second, wait = to_expiry(session)
    assert isinstance(wait, Wait)
    assert wait.timeout is None
    first.close()  # the first call was cancelled mid-login
    assert wait.flight.done
    assert wait.flight.error is None
    takeover = second.send(None)
    assert isinstance(takeover, SoapRequest)
    assert takeover.operation == "AuthenticateUsernamePassword"
    repeat = second.send(answer(200, authenticated("7T:fresh-2")))
    assert isinstance(repeat, SoapRequest)
    assert ticket_of(repeat.content) == "7T:fresh-2"
    with pytest.raises(StopIteration) as done:
        second.send(answer(200, OK))
    assert done.value.value == [as_read(public_value="alice")]


def test_a_call_that_meets_the_expiry_after_the_new_ticket_came_just_repeats() -> None:
    clock = FakeClock()
    session = logged_in(clock)
    first, _ = to_expiry(session)
    late = session.plan(OP, ARGS)
    late_request = next(late)  # sent with the old ticket before the login finished …
    assert isinstance(late_request, SoapRequest)
    repeat = first.send(answer(200, authenticated("7T:fresh-2")))
    assert isinstance(repeat, SoapRequest)
    # … answered after it: no second login, the call is repeated with the new ticket
    late_repeat = late.send(answer(200, expired_answer()))
    assert isinstance(late_repeat, SoapRequest)
    assert late_repeat.operation == OP.name
    assert ticket_of(late_repeat.content) == "7T:fresh-2"


def refused() -> bytes:
    wrapper = etree.Element(f"{{{NS}}}AuthenticateResponse", nsmap={None: NS})
    element("AuthenticationSucceeded", "false", wrapper)
    info: list[Field] = [("Message", "wrong password"), ("ExceptionType", "SoException")]
    return envelope(wrapper, headers=[("ExceptionInfo", info), ("Succeeded", "false")])


def test_a_failed_login_fails_the_calls_that_met_its_expiry_and_no_later_one() -> None:
    clock = FakeClock()
    session = logged_in(clock)
    first, _ = to_expiry(session)
    late = session.plan(OP, ARGS)
    assert isinstance(next(late), SoapRequest)  # sent before the login failed …
    with pytest.raises(AuthenticationError):
        first.send(answer(200, refused()))
    with pytest.raises(AuthenticationError) as info:  # … answered after: fails, no new login
        late.send(answer(200, expired_answer()))
    assert info.value.message == "wrong password"
    later, login_again = to_expiry(session)  # a call that starts afterwards tries again
    assert isinstance(login_again, SoapRequest)
    assert login_again.operation == "AuthenticateUsernamePassword"
    later.close()


def test_an_error_copy_is_a_separate_object_with_the_same_details() -> None:
    original = AuthenticationError(exception_type="SoException", message="wrong password")
    copy = _again(original)
    assert copy is not original
    assert type(copy) is AuthenticationError
    assert (copy.exception_type, copy.message, str(copy)) == (
        original.exception_type,
        original.message,
        str(original),
    )


def test_a_cancelled_login_is_taken_over_by_a_waiting_task() -> None:
    held = threading.Event()  # the first re-login has arrived and is being held
    release = threading.Event()
    logins: list[str] = []
    lock = threading.Lock()

    def reply(request: RecordedRequest) -> Reply:
        if request.path.endswith("/SoPrincipal.svc"):
            with lock:
                logins.append(request.path)
                number = len(logins)
            if number == 2:  # the re-login of the task that will be cancelled
                held.set()
                release.wait(LONG)
            return Reply(body=authenticated(f"7T:fresh-{number}"))
        if ticket_of(request.body) == "7T:fresh-1":
            return Reply(body=expired_answer())
        return Reply(body=OK)

    with FaultServer(reply) as server:
        base = f"{server.url}/Cust1/Remote/Services86"

        async def main() -> object:
            agent = await AsyncUserAgent.login(base, "jane", "pw", soap_version="1.1", retries=0)
            async with agent:
                leader = asyncio.ensure_future(
                    agent.get_untrusted_credentials_for_associate(5, "x")
                )
                while not held.is_set():
                    await asyncio.sleep(0.001)
                waiter = asyncio.ensure_future(
                    agent.get_untrusted_credentials_for_associate(5, "x")
                )
                while sum(ticket_of(r.body) == "7T:fresh-1" for r in server.requests) < 2:
                    await asyncio.sleep(0.001)
                await asyncio.sleep(0.05)  # the waiter read its expiry and waits for the leader
                leader.cancel()
                try:
                    return await asyncio.wait_for(waiter, LONG)
                finally:
                    release.set()

        result = asyncio.run(main())
    assert result == [as_read(public_value="alice")]
    assert len(logins) == 3  # the first login, the cancelled re-login, the waiter's
