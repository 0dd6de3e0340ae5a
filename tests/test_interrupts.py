"""Ctrl-C stops a sync bulk read, an audit and a rotate within one request's time: no request
starts after it, an audit reports what it read as partial, and a rotate says what the server
holds and how to finish or undo it. In-process (a real SIGINT to the main thread) and as real
processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest

from superoffice_soap import (
    AuditInterrupted,
    BulkInterrupted,
    RotationInterrupted,
    UserAgent,
    audit_untrusted_credentials,
    rotate_untrusted_credential,
)
from superoffice_soap.testing import DEMO_TICKET

from ._wire import operation_of, stand_in_replies
from .faultserver import FaultServer

PATH = "/Cust1/Remote/Services86"
DELAY = 0.05  # each answer: one request's time
CONCURRENCY = 4
MANY = 10_000
TIMEOUT = 60


@pytest.fixture
def slow_server() -> Iterator[FaultServer]:
    with FaultServer(stand_in_replies(delay=DELAY)) as server:
        yield server


def wait_for(condition: object, timeout: float = TIMEOUT) -> None:
    end = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > end:
            raise AssertionError("timed out waiting")
        time.sleep(0.01)


def ctrl_c_when(condition: object) -> threading.Thread:
    """Send SIGINT to this process's main thread once ``condition()`` holds."""
    main = threading.main_thread().ident
    assert main is not None

    def fire() -> None:
        wait_for(condition)
        signal.pthread_kill(main, signal.SIGINT)

    thread = threading.Thread(target=fire, daemon=True)
    thread.start()
    return thread


@pytest.fixture(autouse=True)
def python_sigint() -> Iterator[None]:
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def test_ctrl_c_stops_a_sync_bulk_read(slow_server: FaultServer) -> None:
    agent = UserAgent(slow_server.url + PATH, ticket=DEMO_TICKET, soap_version="1.1")
    ctrl_c_when(lambda: len(slow_server.requests) >= 20)
    with agent, pytest.raises(BulkInterrupted) as caught:
        agent.get_untrusted_credentials_for_associates(
            range(1, MANY), "imap", concurrency=CONCURRENCY, errors="collect"
        )
    at_return = len(slow_server.requests)
    time.sleep(5 * DELAY)
    assert len(slow_server.requests) == at_return  # nothing after control came back
    partial = caught.value.partial
    assert 20 <= len(partial) <= at_return < 200
    assert list(partial) == sorted(partial)  # in the order asked
    assert caught.value.total == MANY - 1
    assert isinstance(caught.value, KeyboardInterrupt)


def test_ctrl_c_stops_a_sync_audit_with_a_partial_report(slow_server: FaultServer) -> None:
    agent = UserAgent(slow_server.url + PATH, ticket=DEMO_TICKET, soap_version="1.1")
    ctrl_c_when(lambda: len(slow_server.requests) >= 20)
    with agent, pytest.raises(AuditInterrupted) as caught:
        audit_untrusted_credentials(agent, range(1, MANY), "imap", concurrency=CONCURRENCY)
    at_return = len(slow_server.requests)
    time.sleep(5 * DELAY)
    assert len(slow_server.requests) == at_return
    report = caught.value.report
    assert 20 <= len(report.users) < 200
    assert caught.value.total == MANY - 1
    assert any(user.associate_id == 5 and user.credentials for user in report.users)


def test_ctrl_c_in_a_rotate_says_where_it_stopped() -> None:
    with FaultServer(stand_in_replies(hang_on="SaveUntrustedCredentialsForAssociate")) as server:
        agent = UserAgent(server.url + PATH, ticket=DEMO_TICKET, soap_version="1.1")
        ctrl_c_when(lambda: any(operation_of(r).startswith("Save") for r in server.requests))
        with agent, pytest.raises(RotationInterrupted) as caught:
            rotate_untrusted_credential(
                agent, 5, "imap", "jane.doe@example.com", "n3w-secret", new_public_value="j@x"
            )
    error = caught.value.error
    assert error.step == "save"
    assert "outcome is unknown" in error.state
    assert error.finish is not None
    assert error.undo is not None
    assert "interrupted" in error.problem


# ----------------------------------------------------------------------------------------------
# Real processes


def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUPEROFFICE_")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "superoffice_soap", *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**environment(), "ROTATE_SECRET": "n3w-secret"},
    )


def test_ctrl_c_stops_the_audit_command(slow_server: FaultServer) -> None:
    process = start(
        "audit",
        "--url",
        slow_server.url + PATH,
        "--ticket",
        DEMO_TICKET,
        "--soap-version",
        "1.1",
        "--type",
        "imap",
        "--associates",
        f"1-{MANY}",
        "--concurrency",
        str(CONCURRENCY),
    )
    try:
        wait_for(lambda: len(slow_server.requests) >= 20)
        process.send_signal(signal.SIGINT)
        signalled = time.monotonic()
        at_signal = len(slow_server.requests)
        out, err = process.communicate(timeout=TIMEOUT)
        took = time.monotonic() - signalled
    finally:
        process.kill()
    assert process.returncode == 130, err
    assert took < 5.0  # generous: one request's time is 0.05 s
    assert len(slow_server.requests) <= at_signal + CONCURRENCY
    assert "Traceback" not in err
    assert "interrupted after " in err
    assert f"of {MANY} users: the report above is partial" in err
    assert "jane.doe@example.com" in out  # associate 5, read before the interruption


def test_ctrl_c_in_the_rotate_command_prints_the_state_and_the_commands() -> None:
    with FaultServer(stand_in_replies(hang_on="SaveUntrustedCredentialsForAssociate")) as server:
        process = start(
            "rotate",
            "--url",
            server.url + PATH,
            "--ticket",
            DEMO_TICKET,
            "--soap-version",
            "1.1",
            "--associate-id",
            "5",
            "--type",
            "imap",
            "--public-value",
            "jane.doe@example.com",
            "--new-public-value",
            "jane@example.com",
            "--secret-env",
            "ROTATE_SECRET",
        )
        try:
            wait_for(lambda: any(operation_of(r).startswith("Save") for r in server.requests))
            process.send_signal(signal.SIGINT)
            _, err = process.communicate(timeout=TIMEOUT)
        finally:
            process.kill()
    assert process.returncode == 130, err
    assert "Traceback" not in err
    assert "rotate stopped at the save: interrupted (Ctrl-C)" in err
    assert "outcome is unknown" in err
    assert "To finish: superoffice-soap rotate" in err
    assert "To undo: superoffice-soap remove-untrusted-credentials" in err
    assert "n3w-secret" not in err
