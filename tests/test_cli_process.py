"""The command line as a real process (``python -m superoffice_soap``): a reader that goes away
after one line (``| head -1``) with more output than a pipe holds, stdin closed or empty, Ctrl-C
while the server keeps silent, and fake-server ports it cannot use. Each ends with a documented
exit code, one error line at most (plus the --help pointer for a usage error), no traceback and
no "Exception ignored" message at interpreter exit.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from datetime import datetime, timezone
from typing import Optional

import pytest

from superoffice_soap.models import UntrustedCredentials
from superoffice_soap.testing import (
    DEMO_ASSOCIATE_ID,
    DEMO_TICKET,
    DEMO_USERNAME,
    FakeNetServer,
    RunningServer,
)

PREFIX = "superoffice-soap: error: "
HELP_POINTER = re.compile(r"Run 'superoffice-soap(?: [a-z-]+)? --help' for usage\.")
PIPE_BUFFER = 64 * 1024
MANY = 800  # credentials: every output form is several pipe buffers long
TIMEOUT = 60


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "superoffice_soap", *args]


def environment() -> dict[str, str]:
    """This environment without SUPEROFFICE_*: only the arguments decide."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUPEROFFICE_")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def assert_clean(stderr: str) -> None:
    assert "Traceback" not in stderr, stderr
    assert "Exception ignored" not in stderr, stderr


def assert_usage_error(result: subprocess.CompletedProcess[str], *named: str) -> str:
    assert result.returncode == 2, result
    assert result.stdout == "", result
    assert_clean(result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 2, result.stderr
    assert lines[0].startswith(PREFIX), result.stderr
    assert HELP_POINTER.fullmatch(lines[1]), result.stderr
    for name in named:
        assert name in lines[0], result.stderr
    return lines[0][len(PREFIX) :]


@pytest.fixture(scope="module")
def big() -> Iterator[tuple[FakeNetServer, RunningServer]]:
    """The demo stand-in with MANY more imap credentials for the demo associate."""
    fake = FakeNetServer.with_demo_data()
    for index in range(MANY):
        fake.add_credentials(
            DEMO_ASSOCIATE_ID,
            "imap",
            UntrustedCredentials(
                public_value=f"user{index}@example.com",
                secret_value=f"big-secret-{index}",
                comment=f"mailbox {index} " + "x" * 200,
                valid_from=datetime(2024, 1, 1, tzinfo=timezone.utc),
            ),
        )
    with fake.serve() as running:
        yield fake, running


def listing(running: RunningServer, *extra: str) -> list[str]:
    return command(
        "untrusted-credentials",
        "--url",
        running.base_url,
        "--ticket",
        DEMO_TICKET,
        "--associate-id",
        str(DEMO_ASSOCIATE_ID),
        "--type",
        "imap",
        *extra,
    )


# ------------------------------------------------------------------------------------------------
# stdout closed by its reader


@pytest.mark.parametrize("form", [["--json"], ["--csv"], []], ids=["json", "csv", "table"])
def test_a_reader_that_leaves_after_one_line(
    big: tuple[FakeNetServer, RunningServer], form: list[str]
) -> None:
    _, running = big
    full = subprocess.run(
        listing(running, *form), capture_output=True, text=True, timeout=TIMEOUT, env=environment()
    )
    assert full.returncode == 0, full.stderr
    assert len(full.stdout.encode()) > 2 * PIPE_BUFFER  # the break happens mid-output

    process = subprocess.Popen(
        listing(running, *form),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=environment(),
    )
    assert process.stdout is not None
    assert process.stderr is not None
    first = process.stdout.readline()
    process.stdout.close()  # like `| head -1`: the reader is gone, the writer is mid-way
    stderr = process.stderr.read().decode()
    code = process.wait(timeout=TIMEOUT)
    assert first.decode() == full.stdout.splitlines(keepends=True)[0]
    assert code == 0, stderr
    assert stderr == ""


def test_piped_into_head(big: tuple[FakeNetServer, RunningServer]) -> None:
    _, running = big
    script = '"$@" | head -1; exit "${PIPESTATUS[0]}"'
    result = subprocess.run(
        ["bash", "-c", script, "bash", *listing(running, "--json")],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        env=environment(),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "[\n"
    assert result.stderr == ""


# ------------------------------------------------------------------------------------------------
# stdin closed or empty


@pytest.fixture(scope="module")
def demo() -> Iterator[tuple[FakeNetServer, RunningServer]]:
    fake = FakeNetServer.with_demo_data()
    with fake.serve() as running:
        yield fake, running


SECRET_READERS = [
    ("login", "--username", DEMO_USERNAME, "--password-stdin"),
    ("login", "--access-token-stdin"),
    ("save-untrusted-credentials", "--ticket", DEMO_TICKET, "--type", "imap", "--public-value",
     "bob", "--secret-stdin"),
]  # fmt: skip


@pytest.mark.parametrize("args", SECRET_READERS, ids=["password", "access-token", "secret"])
def test_stdin_closed(demo: tuple[FakeNetServer, RunningServer], args: Sequence[str]) -> None:
    fake, running = demo
    before = len(fake.requests)
    argv = command(args[0], "--url", running.base_url, *args[1:])
    result = subprocess.run(
        ["bash", "-c", 'exec "$@" <&-', "bash", *argv],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        env=environment(),
    )
    flag = args[-1]
    message = assert_usage_error(result, flag)
    assert message == f"{flag}: standard input is closed"
    assert len(fake.requests) == before


@pytest.mark.parametrize("args", SECRET_READERS, ids=["password", "access-token", "secret"])
def test_stdin_empty(demo: tuple[FakeNetServer, RunningServer], args: Sequence[str]) -> None:
    fake, running = demo
    before = len(fake.requests)
    result = subprocess.run(
        command(args[0], "--url", running.base_url, *args[1:]),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        env=environment(),
    )
    flag = args[-1]
    message = assert_usage_error(result, flag)
    assert message.startswith(f"{flag}: standard input is empty")
    assert len(fake.requests) == before


# ------------------------------------------------------------------------------------------------
# Ctrl-C


def interruptible(argv: Sequence[str], stdin: Optional[int] = None) -> subprocess.Popen[str]:
    """Start ``argv`` with SIGINT at its default, so that Python turns it into
    KeyboardInterrupt even when this test runner was started with SIGINT ignored."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        return subprocess.Popen(
            argv,
            stdin=stdin,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=environment(),
        )
    finally:
        signal.signal(signal.SIGINT, previous)


def interrupt(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=TIMEOUT)
    return process.returncode, out, err


def read_request(connection: socket.socket) -> bytes:
    """The request's head: the client is now waiting for an answer."""
    connection.settimeout(TIMEOUT)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


@pytest.mark.parametrize(
    "args",
    [("system-info",), ("untrusted-credentials", "--ticket", DEMO_TICKET, "--type", "imap")],
    ids=["system-info", "untrusted-credentials"],
)
def test_ctrl_c_while_the_server_keeps_silent(args: Sequence[str]) -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        silent.settimeout(TIMEOUT)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/Cust1/Remote/Services86"
        process = interruptible(command(args[0], "--url", url, "--timeout", "300", *args[1:]))
        connection: Optional[socket.socket] = None
        try:
            connection, _ = silent.accept()
            assert read_request(connection).startswith(b"POST ")
            code, out, err = interrupt(process)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
            if connection is not None:
                connection.close()
    assert code == 130, err
    assert out == ""
    assert err == f"{PREFIX}interrupted\n"


def wait_until_reading_a_pipe(pid: int) -> None:
    """Until the process sleeps in a pipe read (Linux's /proc/PID/wchan tells)."""
    wchan = f"/proc/{pid}/wchan"
    if not os.path.exists(wchan):
        pytest.skip("needs /proc/PID/wchan to know when the process waits on stdin")
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        with open(wchan) as file:
            if "pipe" in file.read():
                return
        time.sleep(0.02)
    pytest.fail("the process never waited on stdin")


def test_ctrl_c_while_reading_the_password() -> None:
    process = interruptible(
        command(
            "login",
            "--url",
            "http://127.0.0.1:9/Cust1/Remote/Services86",
            "--username",
            DEMO_USERNAME,
            "--password-stdin",
        ),
        stdin=subprocess.PIPE,  # open and never written to: the read waits
    )
    try:
        wait_until_reading_a_pipe(process.pid)
        code, out, err = interrupt(process)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert code == 130, err
    assert out == ""
    assert err == f"{PREFIX}interrupted\n"


# ------------------------------------------------------------------------------------------------
# fake-server ports


@pytest.mark.parametrize("port", ["99999", "abc", "-1", "65536"])
def test_fake_server_refuses_a_port_outside_1_to_65535(port: str) -> None:
    result = subprocess.run(
        command("fake-server", "--port", port),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        env=environment(),
    )
    message = assert_usage_error(result, "--port")
    assert message.startswith("argument --port: ")


def test_fake_server_on_a_port_in_use() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = subprocess.run(
            command("fake-server", "--port", str(port)),
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            env=environment(),
        )
    assert result.returncode == 1, result
    assert result.stdout == ""
    assert_clean(result.stderr)
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"{PREFIX}cannot listen on 127.0.0.1:{port}: ")
    assert result.stderr.rstrip().endswith("try another --port")
