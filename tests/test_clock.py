"""The core reads no clock: retries, Retry-After and deadlines run on the clock the driver passes.

Every plan here is driven by a fake clock (tests/_plans.py); no test sleeps for real.
"""

from __future__ import annotations

import ast
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from superoffice_soap import (
    GET_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE,
    HTTPStatusError,
    TransportError,
    UserAgent,
)
from superoffice_soap.operations import USER
from superoffice_soap.protocol import Session
from superoffice_soap.retry import RetryPolicy
from tests._models import as_read

from ._envelopes import credentials_response
from ._plans import Drive, FakeClock, answer, script

BASE = "https://so.example.com/Cust1/Remote/Services86"
OP = GET_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE
ARGS = {"associate_id": 5, "credential_type": "imap"}
OK = answer(200, credentials_response([[("PublicValue", "alice")]]))
EXPECTED = [as_read(public_value="alice")]
#: Delays are the whole exponential cap: 1, 2, 4 … seconds.
STEADY = RetryPolicy(attempts=4, backoff=1.0, max_backoff=60.0, random=lambda: 1.0)
SANS_IO = ("protocol.py", "retry.py", "parser.py", "envelope.py", "negotiation.py", "_flight.py")


@pytest.fixture(autouse=True)
def no_real_sleep(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fails a test that sleeps over 50 ms, or takes more than a second of real time."""
    real_sleep, real_clock = time.sleep, time.perf_counter

    def short_sleep(seconds: float) -> None:
        assert seconds <= 0.05, f"a real sleep of {seconds} s"
        real_sleep(seconds)

    monkeypatch.setattr(time, "sleep", short_sleep)
    started = real_clock()
    yield
    assert real_clock() - started < 1.0


def session(clock: FakeClock, **kw: Any) -> Session:
    kw.setdefault("soap_version", "1.1")
    kw.setdefault("retries", STEADY)
    return Session(BASE, USER, ticket="7T:clock", clock=clock, **kw)


def test_backoff_waits_are_asked_of_the_driver() -> None:
    clock = FakeClock()
    drive = Drive(clock, script(answer(502), answer(502), answer(502), OK))
    assert drive(session(clock).plan(OP, ARGS)) == EXPECTED
    assert drive.sleeps == [1.0, 2.0, 4.0]
    assert clock.now == 1007.0
    assert len(drive.requests) == 4


def test_retry_after_seconds() -> None:
    clock = FakeClock()
    drive = Drive(clock, script(answer(503, headers={"Retry-After": "7"}), OK))
    assert drive(session(clock).plan(OP, ARGS)) == EXPECTED
    assert drive.sleeps == [7.0]


def test_retry_after_date_counts_from_the_answers_date_header() -> None:
    sent = datetime(2030, 1, 1, 12, 0, 0, tzinfo=timezone.utc)  # far from the local clock
    headers = {
        "Date": format_datetime(sent, usegmt=True),
        "Retry-After": format_datetime(sent + timedelta(seconds=20), usegmt=True),
    }
    clock = FakeClock()
    drive = Drive(clock, script(answer(503, headers=headers), OK))
    assert drive(session(clock).plan(OP, ARGS)) == EXPECTED
    assert drive.sleeps == [20.0]


def test_retry_after_date_without_a_date_header_falls_back_to_the_backoff() -> None:
    later = datetime.now(timezone.utc) + timedelta(seconds=20)
    headers = {"Retry-After": format_datetime(later, usegmt=True)}
    clock = FakeClock()
    drive = Drive(clock, script(answer(503, headers=headers), OK))
    assert drive(session(clock).plan(OP, ARGS)) == EXPECTED
    assert drive.sleeps == [1.0]


def test_retry_after_is_capped_by_the_policy() -> None:
    policy = RetryPolicy(attempts=2, max_retry_after=30.0, random=lambda: 0.0)
    clock = FakeClock()
    drive = Drive(clock, script(answer(429, headers={"Retry-After": "3600"}), OK))
    assert drive(session(clock, retries=policy).plan(OP, ARGS)) == EXPECTED
    assert drive.sleeps == [30.0]


def test_the_deadline_is_set_from_the_session_clock() -> None:
    clock = FakeClock(now=50.0)
    drive = Drive(clock, script(OK))
    drive(session(clock, deadline=9.0).plan(OP, ARGS))
    assert drive.requests[0].deadline == 59.0


def test_a_wait_past_the_deadline_is_not_taken() -> None:
    clock = FakeClock()
    drive = Drive(clock, script(answer(503, headers={"Retry-After": "7"}), OK))
    with pytest.raises(HTTPStatusError) as info:
        drive(session(clock, deadline=5.0).plan(OP, ARGS))
    assert info.value.status_code == 503
    assert drive.sleeps == []
    assert len(drive.requests) == 1


def test_time_spent_on_the_wire_counts_against_the_deadline() -> None:
    # t=0 send, t=2 a 502, wait 1 s, t=3 send, t=5 a 502: a further 2 s wait would reach t=7 > 6
    clock = FakeClock(now=0.0)
    drive = Drive(clock, script(answer(502), answer(502), OK), latency=2.0)
    with pytest.raises(HTTPStatusError):
        drive(session(clock, deadline=6.0).plan(OP, ARGS))
    assert drive.sleeps == [1.0]
    assert len(drive.requests) == 2
    assert clock.now == 5.0


def test_transport_errors_wait_on_the_same_clock() -> None:
    clock = FakeClock(now=0.0)
    refused = TransportError("refused", kind="connect", url=BASE)
    drive = Drive(clock, script(refused, refused, OK), latency=0.5)
    assert drive(session(clock).plan(OP, ARGS)) == EXPECTED
    assert drive.sleeps == [1.0, 2.0]
    assert clock.now == 4.5


def test_history_durations_come_from_the_clock() -> None:
    clock = FakeClock()
    drive = Drive(clock, script(answer(502), OK), latency=0.25)
    agent_session = session(clock, history=5)
    drive(agent_session.plan(OP, ARGS))
    assert agent_session.history is not None
    assert [exchange.duration for exchange in agent_session.history] == [0.25, 0.25]


def test_an_agent_runs_its_plans_on_its_sessions_clock() -> None:
    """Through the sync driver: a slow answer moves the fake clock past the deadline, so the
    Retry-After wait is never taken (a real 30 s sleep would fail this test)."""
    clock = FakeClock()

    def slow_busy(request: httpx.Request) -> httpx.Response:
        clock.advance(4.0)
        return httpx.Response(503, headers={"Retry-After": "30"}, text="busy")

    client = httpx.Client(transport=httpx.MockTransport(slow_busy))
    agent = UserAgent(
        BASE,
        ticket="7T:clock",
        soap_version="1.1",
        deadline=10.0,
        http_client=client,
        retries=STEADY,
    )
    agent._session.clock = clock
    with agent, client, pytest.raises(HTTPStatusError):
        agent.get_untrusted_credentials_for_associate(5, "imap")


def test_the_sans_io_modules_read_no_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """At run time: a whole plan with retries runs with every clock of ``time`` disabled …"""

    def no_clock() -> float:
        raise AssertionError("the core read a clock")

    for name in ("monotonic", "perf_counter", "time", "monotonic_ns", "perf_counter_ns"):
        monkeypatch.setattr(time, name, no_clock)
    clock = FakeClock()
    drive = Drive(clock, script(answer(503, headers={"Retry-After": "2"}), answer(502), OK))
    assert drive(session(clock, deadline=60.0, history=3).plan(OP, ARGS)) == EXPECTED
    assert drive.sleeps == [2.0, 2.0]


@pytest.mark.parametrize("module", SANS_IO)
def test_no_sans_io_module_imports_a_clock(module: str) -> None:
    """… and in the source: no ``time`` import, no ``datetime.now()`` / ``today()``."""
    path = Path(__file__).resolve().parents[1] / "superoffice_soap" / module
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            assert all(alias.name != "time" for alias in node.names), module
        elif isinstance(node, ast.ImportFrom):
            assert node.module != "time", module
        elif isinstance(node, ast.Attribute):
            assert node.attr not in ("now", "utcnow", "today"), f"{module}: .{node.attr}"
