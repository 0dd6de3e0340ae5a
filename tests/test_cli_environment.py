"""The one-line promise where the environment, not the user or the server, is at fault: stdout
closed before the start (``>&-``), a full disk (``> /dev/full``), stderr closed (``2>&-``: the
exit code stays the error's), Ctrl-D at a prompt, more than one line on ``--…-stdin``. Each has
a documented exit code and never says "please report this"."""

from __future__ import annotations

import io
import os
import pty
import select
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from superoffice_soap.cli import main
from superoffice_soap.testing import DEMO_TICKET, DEMO_USERNAME, FakeNetServer, RunningServer

TIMEOUT = 60


@pytest.fixture(scope="module")
def running() -> Iterator[RunningServer]:
    with FakeNetServer.with_demo_data().serve() as served:
        yield served


def environment(**more: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUPEROFFICE_")}
    env.pop("PYTHONUNBUFFERED", None)
    env.update(more)
    return env


def shell(command: str, **more: str) -> subprocess.CompletedProcess[str]:
    python = f"{sys.executable} -m superoffice_soap"
    return subprocess.run(
        ["bash", "-c", command.replace("superoffice-soap", python)],
        env=environment(**more),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


def assert_one_line(stderr: str, text: str) -> None:
    assert "Traceback" not in stderr, stderr
    assert "Exception ignored" not in stderr, stderr
    assert "please report" not in stderr, stderr
    assert stderr.splitlines() == [f"superoffice-soap: error: {text}"], stderr


@pytest.mark.parametrize("buffered", [True, False], ids=["buffered", "unbuffered"])
def test_stdout_closed_before_the_start(running: RunningServer, buffered: bool) -> None:
    more = {} if buffered else {"PYTHONUNBUFFERED": "1"}
    result = shell(f"superoffice-soap system-info --url {running.base_url} >&-", **more)
    assert result.returncode == 1
    assert_one_line(result.stderr, "cannot write the output: standard output is closed")


@pytest.mark.parametrize("buffered", [True, False], ids=["buffered", "unbuffered"])
def test_a_full_disk(running: RunningServer, buffered: bool) -> None:
    more = {} if buffered else {"PYTHONUNBUFFERED": "1"}
    result = shell(f"superoffice-soap system-info --url {running.base_url} > /dev/full", **more)
    assert result.returncode == 1
    assert_one_line(result.stderr, "cannot write the output: No space left on device")


@pytest.mark.parametrize(
    ("arguments", "code"),
    [
        ("credential-types --ticket 7T:unknown", 3),  # NetServer error
        ("credential-types --ticket 7T:x --timeout -1", 2),  # usage
        ("credential-types --ticket 7T:x --services Services99", 2),
        (f"credential-types --ticket {DEMO_TICKET}", 0),
    ],
)
def test_stderr_closed_keeps_the_exit_code(
    running: RunningServer, arguments: str, code: int
) -> None:
    result = shell(f"superoffice-soap {arguments} --url {running.base_url} 2>&-")
    assert result.returncode == code
    assert result.stderr == ""


def test_ctrl_d_at_the_password_prompt_is_a_usage_error(running: RunningServer) -> None:
    argv = [
        sys.executable, "-m", "superoffice_soap", "login", "--url", running.base_url,
        "--username", DEMO_USERNAME, "--password-stdin",
    ]  # fmt: skip
    pid, terminal = pty.fork()
    if pid == 0:  # the child: the pty is its controlling terminal, stdin, stdout and stderr
        os.execve(sys.executable, argv, environment())
    output = b""
    deadline = time.monotonic() + TIMEOUT
    sent = False
    while time.monotonic() < deadline:
        ready, _, _ = select.select([terminal], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(terminal, 4096)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            output += chunk
        if not sent and b"password: " in output:
            os.write(terminal, b"\x04")  # Ctrl-D
            sent = True
    _, status = os.waitpid(pid, 0)
    os.close(terminal)
    text = output.decode(errors="replace")
    assert sent, text
    assert os.waitstatus_to_exitcode(status) == 2, text
    assert "no password was entered (end of input at the prompt)" in text
    assert "please report" not in text
    assert "Traceback" not in text


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_ctrl_d_in_process(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def end_of_input(prompt: str = "") -> str:
        raise EOFError

    monkeypatch.setattr("getpass.getpass", end_of_input)
    code = main(
        ["login", "--url", "http://h/C/Remote/Services86", "--username", "u", "--password-stdin"],
        stdin=Terminal(),
        stdout=io.StringIO(),
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "--password-stdin: no password was entered" in err


@pytest.mark.parametrize("text", ["one\ntwo", "one\r\ntwo\r\n", "one\n\n", "a\rb"])
def test_stdin_secrets_take_one_line(text: str, capsys: pytest.CaptureFixture[str]) -> None:
    server = FakeNetServer.with_demo_data()
    code = main(
        [
            "save-untrusted-credentials",
            "--url",
            "http://h/C/Remote/Services86",
            "--ticket",
            DEMO_TICKET,
            "--type",
            "imap",
            "--public-value",
            "p",
            "--secret-stdin",
        ],
        stdin=io.StringIO(text),
        stdout=io.StringIO(),
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "--secret-stdin: takes one line, and standard input holds more" in err
    assert server.requests == []


@pytest.mark.parametrize("text", ["s3cret", "s3cret\n", "s3cret\r\n"])
def test_one_line_is_taken_without_its_line_end(
    running: RunningServer, text: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "save-untrusted-credentials",
            "--url",
            running.base_url,
            "--ticket",
            DEMO_TICKET,
            "--associate-id",
            "77",
            "--type",
            "imap",
            "--public-value",
            "p",
            "--secret-stdin",
        ],
        stdin=io.StringIO(text),
        stdout=io.StringIO(),
    )
    assert code == 0, capsys.readouterr().err
