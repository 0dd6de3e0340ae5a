"""The command line and the examples, against the stand-in over loopback."""

from __future__ import annotations

import csv
import io
import json
import runpy
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from superoffice_soap import __version__
from superoffice_soap.cli import main
from superoffice_soap.testing import DEMO_TICKET, FakeNetServer, RunningServer

ROOT = Path(__file__).resolve().parents[1]
SECRETS = ("demo-imap-password", "demo-old-imap-password", DEMO_TICKET)


@pytest.fixture
def running(monkeypatch: pytest.MonkeyPatch) -> Iterator[RunningServer]:
    for name in ("SUPEROFFICE_URL", "SUPEROFFICE_TICKET", "SUPEROFFICE_APPLICATION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    with FakeNetServer.with_demo_data().serve() as running:
        yield running


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
    assert "NetServerError" in err
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
    assert "associate_id" in err


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
    assert "TransportError" in err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
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


def test_demo_example(capsys: pytest.CaptureFixture[str]) -> None:
    module = runpy.run_path(str(ROOT / "examples" / "demo.py"))
    assert module["run"]() == 0
    out = capsys.readouterr().out
    assert "jane.doe@example.com" in out
    assert "application/soap+xml, text/xml" in out
    assert all(secret not in out for secret in SECRETS[:2])


def test_quickstart_example(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SUPEROFFICE_URL", raising=False)
    module = runpy.run_path(str(ROOT / "examples" / "quickstart.py"))
    assert module["main"]() == 0
    out = capsys.readouterr().out
    assert "2 imap credential(s) for associate 5" in out
    assert "demo-imap-password" not in out
