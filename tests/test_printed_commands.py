"""Every command the command line prints for a person to run works as printed: rotate's "To
finish" / "To undo" (with every connection option given, and no secret's value) and
fake-server's, each run verbatim by a shell with no SUPEROFFICE_* variable set."""

from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from superoffice_soap import cli as cli_module
from superoffice_soap.cli import main
from superoffice_soap.testing import (
    DEMO_PASSWORD,
    DEMO_TICKET,
    DEMO_USERNAME,
    FakeNetServer,
)

from ._proxy import Proxy, Rule, netserver_error
from .faultserver import FaultServer

TOKEN = "app-token-0815"
NEW_SECRET = "n3w-s3cret!"
OLD, NEW = "jane.doe@example.com", "jane@example.com"
REMOVE = "RemoveUntrustedCredentialsForAssociate"
BIN = str(Path(sys.executable).parent)
TIMEOUT = 60


def shell_environment(**variables: str) -> dict[str, str]:
    """No SUPEROFFICE_* variable; the package's command first on PATH; ``variables``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUPEROFFICE_")}
    env["PATH"] = BIN + os.pathsep + env.get("PATH", "")
    env.update(variables)
    return env


def shell(command: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", command],
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


PRINTED = re.compile(r"To finish: (?P<finish>superoffice-soap [^;]*); To undo: (?P<undo>.*)$")


@pytest.mark.slow
def test_rotate_recovery_commands_run_as_printed_with_every_connection_option() -> None:
    fake = FakeNetServer.with_demo_data(application_token=TOKEN, services="Services88")
    proxy = Proxy(fake, Rule(REMOVE, before=netserver_error(REMOVE)))
    env = shell_environment(MY_TICKET=DEMO_TICKET, MY_TOKEN=TOKEN, MY_SECRET=NEW_SECRET)
    with FaultServer(proxy) as server:
        url = f"{server.url}/Cust12345/Remote/Services88"
        typed = (
            f"superoffice-soap rotate --url {url} --services Services88 --soap-version 1.1 "
            "--application-token-env MY_TOKEN --ticket-env MY_TICKET --timeout 20 "
            f"--associate-id 5 --type imap --public-value {OLD} --new-public-value {NEW} "
            "--secret-env MY_SECRET"
        )
        stopped = shell(typed, env)
        assert stopped.returncode == 6, stopped.stderr  # a Services86 error to a Services88 call
        assert "rotate stopped at the remove" in stopped.stderr
        for secret in (DEMO_TICKET, TOKEN, NEW_SECRET):
            assert secret not in stopped.stderr
        printed = PRINTED.search(stopped.stderr.strip())
        assert printed, stopped.stderr
        for option in (
            f"--url {url}",
            "--services Services88",
            "--soap-version 1.1",
            "--application-token-env MY_TOKEN",
            "--ticket-env MY_TICKET",
            "--timeout 20",
        ):
            assert option in printed["finish"]
            assert option in printed["undo"]
        assert "First:" not in stopped.stderr  # nothing to export: every source is named
        proxy.rules = ()  # the server is healthy again
        finished = shell(printed["finish"], env)
        assert finished.returncode == 0, finished.stderr
    assert [c.public_value for c in fake.stored_credentials(5, "imap")] == [
        "jane.doe@old.example.com",
        NEW,
    ]


def test_a_secret_given_as_a_flag_is_named_never_printed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in list(os.environ):
        if name.startswith("SUPEROFFICE_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("MY_SECRET", NEW_SECRET)
    fake = FakeNetServer.with_demo_data(application_token=TOKEN)
    proxy = Proxy(fake, Rule(REMOVE, before=netserver_error(REMOVE)))
    with FaultServer(proxy) as server:
        err = io.StringIO()
        code = main(
            [
                "rotate",
                "--url",
                f"{server.url}/Cust1/Remote/Services86",
                "--ticket",
                DEMO_TICKET,
                "--application-token",
                TOKEN,
                "--associate-id",
                "5",
                "--type",
                "imap",
                "--public-value",
                OLD,
                "--new-public-value",
                NEW,
                "--secret-env",
                "MY_SECRET",
            ],
            stdout=io.StringIO(),
            stderr=err,
        )
    text = err.getvalue()
    assert code == 3, text
    assert DEMO_TICKET not in text
    assert TOKEN not in text
    assert "--ticket-env SUPEROFFICE_TICKET" in text
    assert "--application-token-env SUPEROFFICE_APPLICATION_TOKEN" in text
    assert (
        "(First: export SUPEROFFICE_APPLICATION_TOKEN=<the application token given with "
        "--application-token>; export SUPEROFFICE_TICKET=<the ticket given with --ticket>.)"
    ) in text


@pytest.mark.slow
def test_fake_server_on_a_free_port_prints_commands_that_run_as_printed() -> None:
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        server = subprocess.Popen(
            [sys.executable, "-m", "superoffice_soap", "fake-server", "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=shell_environment(),
        )
    finally:
        signal.signal(signal.SIGINT, previous)
    try:
        assert server.stdout is not None
        lines = []
        for line in server.stdout:
            lines.append(line.rstrip("\n"))
            if line.startswith("Press Ctrl-C"):
                break
        listening = re.search(r"listening on http://127\.0\.0\.1:(\d+)/", lines[0])
        assert listening, lines
        assert int(listening[1]) > 0
        start = lines.index("In another shell:") + 1
        commands = [line.strip() for line in lines[start:-1]]
        assert any(DEMO_USERNAME in command for command in commands)
        pasted = shell("set -e\n" + "\n".join(commands), shell_environment())
        assert pasted.returncode == 0, pasted.stderr
        assert "jane.doe@example.com" in pasted.stdout
        assert f"Authenticated as {DEMO_USERNAME}" in pasted.stdout
    finally:
        server.send_signal(signal.SIGINT)
        server.communicate(timeout=TIMEOUT)


def test_fake_server_help_names_the_demo_login_that_exists(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["fake-server", "--help"]) == 0
    text = capsys.readouterr().out
    assert f"--username {DEMO_USERNAME}" in " ".join(text.split())
    assert "--username demo " not in text
    assert (
        cli_module.DEMO_TICKET_TEXT,
        cli_module.DEMO_USERNAME_TEXT,
        cli_module.DEMO_PASSWORD_TEXT,
    ) == (DEMO_TICKET, DEMO_USERNAME, DEMO_PASSWORD)
