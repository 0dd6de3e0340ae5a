"""The command line and the examples, against the stand-in over loopback."""

from __future__ import annotations

import argparse
import csv
import io
import json
import runpy
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from superoffice_soap import OPERATIONS, __version__
from superoffice_soap.cli import _parser, main
from superoffice_soap.testing import DEMO_TICKET, FakeNetServer, RunningServer

ROOT = Path(__file__).resolve().parents[1]
SECRETS = ("demo-imap-password", "demo-old-imap-password", DEMO_TICKET)


@pytest.fixture
def running(monkeypatch: pytest.MonkeyPatch) -> Iterator[RunningServer]:
    for name in (
        "SUPEROFFICE_URL",
        "SUPEROFFICE_TICKET",
        "SUPEROFFICE_APPLICATION_TOKEN",
        "SUPEROFFICE_USERNAME",
        "SUPEROFFICE_PASSWORD",
    ):
        monkeypatch.delenv(name, raising=False)
    with FakeNetServer.with_demo_data().serve() as running:
        yield running


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    out = io.StringIO()
    code = main(args, stdout=out)
    captured = capsys.readouterr()
    return code, out.getvalue() + captured.out, captured.err


def creds_args(running: RunningServer, *extra: str, ticket: str = DEMO_TICKET) -> list[str]:
    return [
        "untrusted-credentials",
        "--url",
        running.base_url,
        "--ticket",
        ticket,
        "--associate-id",
        "5",
        "--type",
        "imap",
        *extra,
    ]


def test_table_masks_secrets(running: RunningServer, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(creds_args(running), capsys)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split() == [
        "PUBLIC",
        "VALUE",
        "SECRET",
        "VALUE",
        "IS",
        "ACTIVE",
        "VALID",
        "FROM",
        "VALID",
        "TO",
        "COMMENT",
    ]
    assert "jane.doe@example.com" in out
    assert "********" in out
    assert all(secret not in out + err for secret in SECRETS)


def test_json_is_an_array_of_objects(
    running: RunningServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(creds_args(running, "--json"), capsys)
    assert code == 0
    data = json.loads(out)
    assert isinstance(data, list)
    assert len(data) == 2
    assert list(data[0]) == [
        "public_value",
        "secret_value",
        "is_active",
        "valid_from",
        "valid_to",
        "comment",
    ]
    assert data[0]["public_value"] == "jane.doe@example.com"
    assert data[0]["secret_value"] == "********"
    assert data[0]["valid_to"] == "9999-12-31T23:59:59.999999"
    assert data[0]["is_active"] is True
    assert all(secret not in out for secret in SECRETS)


def test_show_secrets(running: RunningServer, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(creds_args(running, "--json", "--show-secrets"), capsys)
    assert code == 0
    assert [row["secret_value"] for row in json.loads(out)] == [
        "demo-imap-password",
        "demo-old-imap-password",
    ]


def test_csv(running: RunningServer, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(creds_args(running, "--csv"), capsys)
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["public_value"] for r in rows] == ["jane.doe@example.com", "jane.doe@old.example.com"]
    assert {r["secret_value"] for r in rows} == {"********"}


def test_environment_supplies_url_and_ticket(
    running: RunningServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUPEROFFICE_URL", running.base_url)
    monkeypatch.setenv("SUPEROFFICE_TICKET", DEMO_TICKET)
    code, out, _ = run(
        ["untrusted-credentials", "--associate-id", "5", "--type", "smtp", "--json"], capsys
    )
    assert code == 0
    assert json.loads(out)[0]["public_value"] == "jane.doe"


def test_unknown_ticket_exits_3_with_one_line(
    running: RunningServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(creds_args(running, ticket="7T:wrong-ticket"), capsys)
    assert code == 3
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert err.startswith("superoffice-soap: error: NetServer error SoSecurityException: ")
    assert "7T:wrong-ticket" not in err


def test_missing_ticket_is_a_usage_error(
    running: RunningServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(
        [
            "untrusted-credentials",
            "--url",
            running.base_url,
            "--associate-id",
            "5",
            "--type",
            "imap",
        ],
        capsys,
    )
    assert code == 2
    assert "SUPEROFFICE_TICKET" in err


def test_invalid_argument_exits_2(
    running: RunningServer, capsys: pytest.CaptureFixture[str]
) -> None:
    args = creds_args(running)
    args[args.index("--associate-id") + 1] = str(2**31)
    code, _, err = run(args, capsys)
    assert code == 2
    assert err.startswith("superoffice-soap: error: argument --associate-id: ")
    assert err.endswith("Run 'superoffice-soap untrusted-credentials --help' for usage.\n")
    assert "associate_id" not in err  # the CLI's terms, not the library's


def test_transport_error_exits_5(capsys: pytest.CaptureFixture[str]) -> None:
    with FakeNetServer().serve() as gone:
        url = gone.base_url
    code, _, err = run(
        [
            "untrusted-credentials",
            "--url",
            url,
            "--ticket",
            DEMO_TICKET,
            "--associate-id",
            "5",
            "--type",
            "imap",
        ],
        capsys,
    )
    assert code == 5
    assert "connect error" in err
    assert len(err.strip().splitlines()) == 1


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert __version__ in capsys.readouterr().out


def test_python_dash_m(running: RunningServer) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "superoffice_soap", *creds_args(running, "--json")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)[0]["public_value"] == "jane.doe@example.com"


def test_quickstart_example(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SUPEROFFICE_URL", raising=False)
    monkeypatch.syspath_prepend(str(ROOT / "examples"))
    module = runpy.run_path(str(ROOT / "examples" / "quickstart.py"))
    assert module["main"]() == 0
    out = capsys.readouterr().out
    assert "2 imap credential(s) for associate 5" in out
    assert "demo-imap-password" not in out


# ----------------------------------------------------------------------------------------------
# The other commands


def run_with(
    args: list[str], capsys: pytest.CaptureFixture[str], stdin: str = ""
) -> tuple[int, str, str]:
    out = io.StringIO()
    code = main(args, stdout=out, stdin=io.StringIO(stdin))
    captured = capsys.readouterr()
    return code, out.getvalue() + captured.out, captured.err


def user_args(running: RunningServer, command: str, *extra: str) -> list[str]:
    return [command, "--url", running.base_url, "--ticket", DEMO_TICKET, *extra]


def listed(running: RunningServer, capsys: pytest.CaptureFixture[str], *extra: str) -> Any:
    code, out, err = run_with(
        user_args(running, "untrusted-credentials", "--type", "imap", "--json", *extra), capsys
    )
    assert code == 0, err
    return json.loads(out)


def test_save_reads_the_secret_from_stdin_and_replaces_by_public_value(
    running: RunningServer, capsys: pytest.CaptureFixture[str]
) -> None:
    args = user_args(
        running,
        "save-untrusted-credentials",
        "--associate-id",
        "5",
        "--type",
        "imap",
        "--public-value",
        "jane.doe@example.com",
        "--secret-stdin",
        "--active",
        "--valid-from",
        "2025-01-01T00:00:00Z",
        "--comment",
        "rotated",
    )
    code, out, err = run_with(args, capsys, stdin="brand-new-secret\n")
    assert code == 0, err
    assert "Saved imap credentials" in out
    assert "brand-new-secret" not in out + err
    rows = listed(running, capsys, "--associate-id", "5", "--show-secrets")
    assert len(rows) == 2
    assert rows[0]["secret_value"] == "brand-new-secret"
    assert rows[0]["comment"] == "rotated"
    assert rows[0]["valid_from"] == "2025-01-01T00:00:00+00:00"


def test_save_reads_the_secret_from_an_environment_variable(
    running: RunningServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEW_SECRET", "env-secret")
    args = user_args(
        running,
        "save-untrusted-credentials",
        "--type",
        "imap",
        "--public-value",
        "bob",
        "--secret-env",
        "NEW_SECRET",
        "--json",
    )
    code, out, _ = run_with(args, capsys)
    assert code == 0
    assert json.loads(out) == {"ok": True}
    rows = listed(running, capsys, "--show-secrets")
    assert rows[-1]["public_value"] == "bob"
    assert rows[-1]["secret_value"] == "env-secret"
    # no dates given: valid from now, never expiring
    assert abs(datetime.fromisoformat(rows[-1]["valid_from"]) - datetime.now(timezone.utc)) < (
        timedelta(minutes=1)
    )
    assert rows[-1]["valid_to"] == "9999-12-31T23:59:59.999999"
    assert rows[-1]["is_active"] is True


def test_save_with_a_missing_environment_variable_is_a_usage_error(
    running: RunningServer, capsys: pytest.CaptureFixture[str]
) -> None:
    args = user_args(
        running,
        "save-untrusted-credentials",
        "--type",
        "imap",
        "--public-value",
        "x",
        "--secret-env",
        "NO_SUCH_VARIABLE_HERE",
    )
    code, _, err = run_with(args, capsys)
    assert code == 2
    assert "NO_SUCH_VARIABLE_HERE" in err


def test_save_with_a_bad_date_is_a_usage_error(
    running: RunningServer, capsys: pytest.CaptureFixture[str]
) -> None:
    args = user_args(
        running,
        "save-untrusted-credentials",
        "--type",
        "imap",
        "--public-value",
        "x",
        "--valid-to",
        "tomorrow",
    )
    code, _, err = run_with(args, capsys)
    assert code == 2
    assert "--valid-to" in err


def test_remove(running: RunningServer, capsys: pytest.CaptureFixture[str]) -> None:
    args = user_args(
        running,
        "remove-untrusted-credentials",
        "--associate-id",
        "5",
        "--type",
        "imap",
        "--public-value",
        "jane.doe@old.example.com",
    )
    code, out, err = run_with(args, capsys)
    assert code == 0, err
    assert "Removed" in out
    assert [r["public_value"] for r in listed(running, capsys)] == ["jane.doe@example.com"]


def test_default_untrusted_credentials(
    running: RunningServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_with(user_args(running, "default-untrusted-credentials", "--json"), capsys)
    assert code == 0
    data = json.loads(out)
    assert data["valid_to"] == "9999-12-31T23:59:59.999999"
    assert data["is_active"] is True
    code, out, _ = run_with(user_args(running, "default-untrusted-credentials"), capsys)
    assert code == 0
    assert "valid_to" in out


def test_credential_types(running: RunningServer, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_with(user_args(running, "credential-types", "--json"), capsys)
    assert code == 0
    every = json.loads(out)
    assert {"imap", "smtp"} <= {row["type"] for row in every}
    assert list(every[0]) == [
        "type",
        "display_type",
        "value_control",
        "can_create_person",
        "is_user_name_supported",
        "description",
    ]
    code, out, _ = run_with(
        user_args(running, "credential-types", "--user-type", "ExternalAssociate", "--json"),
        capsys,
    )
    assert code == 0
    assert {row["type"] for row in json.loads(out)} < {row["type"] for row in every}
    code, out, _ = run_with(user_args(running, "credential-types"), capsys)
    assert "VALUE CONTROL" in out


def test_login_hides_the_ticket_unless_asked(
    running: RunningServer, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["login", "--url", running.base_url, "--username", "jane.doe", "--password-stdin"]
    code, out, err = run_with(base, capsys, stdin="demo-password")
    assert code == 0, err
    assert "Authenticated as jane.doe (associate id 5)" in out
    assert "7T:" not in out
    assert "--show-secrets" in out
    code, out, _ = run_with([*base, "--show-secrets"], capsys, stdin="demo-password")
    assert code == 0
    ticket = out.strip().splitlines()[-1]
    assert ticket.startswith("7T:")
    code, out, _ = run_with(
        ["untrusted-credentials", "--url", running.base_url, "--ticket", ticket, "--type", "imap"],
        capsys,
    )
    assert code == 0
    code, out, _ = run_with([*base, "--json"], capsys, stdin="demo-password")
    assert json.loads(out)["ticket"] == "********"


def test_login_with_a_wrong_password_exits_3(
    running: RunningServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PW", "wrong-password-value")
    args = ["login", "--url", running.base_url, "--username", "jane.doe", "--password-env", "PW"]
    code, out, err = run_with(args, capsys)
    assert code == 3
    assert "Invalid user name or password" in err
    assert "check --username and the password" in err
    assert "wrong-password-value" not in out + err


def test_login_needs_a_secret(running: RunningServer, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_with(["login", "--url", running.base_url, "--username", "jane.doe"], capsys)
    assert code == 2
    assert "password" in err


def test_system_info(running: RunningServer, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_with(["system-info", "--url", running.base_url, "--json"], capsys)
    assert code == 0
    data = json.loads(out)
    assert data["build_type"] == "Release"
    assert data["license"]["module_licenses"]
    code, out, _ = run_with(["system-info", "--url", running.base_url], capsys)
    assert "build_type" in out


def _commands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    commands: dict[str, argparse.ArgumentParser] = action.choices
    return commands


def _named_operations(parser: argparse.ArgumentParser) -> set[str]:
    """The operation names the commands' descriptions list on their ``SOAP operations: A / B.``
    lines (fake-server has none), taken whole: a name that begins a longer one is not found
    inside it."""
    names: set[str] = set()
    for command in _commands(parser).values():
        for line in (command.description or "").splitlines():
            if line.startswith("SOAP operations: "):
                listed = line.removeprefix("SOAP operations: ").removesuffix(".")
                names.update(listed.split(" / "))
    return names


def _unreachable(parser: argparse.ArgumentParser) -> list[str]:
    """The operations (``Service.Name``) no command names."""
    named = _named_operations(parser)
    return [f"{service}.{name}" for service, name in OPERATIONS if name not in named]


def test_every_operation_is_reachable() -> None:
    assert _unreachable(_parser()) == []


def _without(description: str, name: str) -> str:
    """``description`` with ``name`` taken off its ``SOAP operations:`` line."""
    lines = []
    for line in description.splitlines():
        if line.startswith("SOAP operations: "):
            listed = line.removeprefix("SOAP operations: ").removesuffix(".").split(" / ")
            line = "SOAP operations: " + " / ".join(n for n in listed if n != name) + "."
        lines.append(line)
    return "\n".join(lines)


@pytest.mark.parametrize("name", ["GetUntrustedCredentials", "GetCredentialTypes"])
def test_reachability_sees_a_missing_operation(name: str) -> None:
    """A command that stops listing an operation whose name begins a longer one's
    (GetUntrustedCredentials / GetUntrustedCredentialsForAssociate, GetCredentialTypes /
    GetCredentialTypesForUserType) is found missing, though the longer name still contains it."""
    parser = _parser()
    for command in _commands(parser).values():
        command.description = _without(command.description or "", name)
    text = "".join(command.format_help() for command in _commands(parser).values())
    assert name in text  # a substring match would still find it
    (service,) = (s for s, n in OPERATIONS if n == name)
    assert _unreachable(parser) == [f"{service}.{name}"]


# ----------------------------------------------------------------------------------------------
# --trace, logging in from the environment, the stand-in command


def test_trace_prints_masked_envelopes_to_stderr(
    running: RunningServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_with(
        user_args(running, "untrusted-credentials", "--type", "imap", "--trace"), capsys
    )
    assert code == 0
    assert "--> POST" in err
    assert "<-- 415" in err  # the negotiation's first try
    assert "<-- 200" in err
    assert "GetUntrustedCredentials" in err
    assert "<SecretValue>***</SecretValue>" in err
    assert "<User:Ticket>***</User:Ticket>" in err
    for secret in SECRETS:
        assert secret not in out + err
    code, _, err = run_with(user_args(running, "untrusted-credentials", "--type", "imap"), capsys)
    assert "-->" not in err


def test_trace_on_failure(running: RunningServer, capsys: pytest.CaptureFixture[str]) -> None:
    args = [
        "untrusted-credentials",
        "--url",
        running.base_url,
        "--ticket",
        "7T:nope",
        "--type",
        "imap",
        "--trace",
    ]
    code, _, err = run_with(args, capsys)
    assert code == 3
    assert "<-- 200" in err
    assert "SoSecurityException" in err
    assert "7T:nope" not in err


def test_user_commands_log_in_from_the_environment(
    running: RunningServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUPEROFFICE_USERNAME", "jane.doe")
    monkeypatch.setenv("SUPEROFFICE_PASSWORD", "demo-password")
    args = ["untrusted-credentials", "--url", running.base_url, "--type", "smtp", "--json"]
    code, out, err = run_with(args, capsys)
    assert code == 0, err
    assert json.loads(out)[0]["public_value"] == "jane.doe"
    monkeypatch.setenv("SUPEROFFICE_PASSWORD", "wrong")
    code, out, err = run_with(args, capsys)
    assert code == 3
    assert "wrong" not in err.replace("wrong password", "")


def test_fake_server_command(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "superoffice_soap", "fake-server", "--port", str(free_port())],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert first.startswith("NetServer stand-in listening on http://127.0.0.1:")
        base = first.split(" on ")[1].split()[0]
        out = io.StringIO()
        code = main(
            ["untrusted-credentials", "--url", base, "--ticket", DEMO_TICKET, "--type", "imap"],
            stdout=out,
        )
        assert code == 0
        assert "jane.doe@example.com" in out.getvalue()
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_fake_server_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fake-server", "--help"]) == 0
    text = capsys.readouterr().out
    assert "--port" in text
    assert "SUPEROFFICE_TICKET" in text
    assert "login" in text
