"""``generate`` and ``call`` as real processes (``python -m superoffice_soap``): a module written
to a file and called over loopback, failures as exit codes and one line, a reader that goes away."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from superoffice_soap.generate import generate
from superoffice_soap.testing import DEMO_TICKET, FakeNetServer, RunningServer
from tests.conftest import reference_file
from tests.test_cli_codegen import CREDENTIALS_WSDL, SECRETS, one_line


@pytest.fixture
def running() -> Iterator[RunningServer]:
    with FakeNetServer.with_demo_data().serve() as running:
        yield running


def connection(running: RunningServer) -> list[str]:
    return ["--url", running.base_url, "--ticket", DEMO_TICKET]


def cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUPEROFFICE_")}
    return subprocess.run(
        [sys.executable, "-m", "superoffice_soap", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def test_generate_then_call_as_processes(running: RunningServer, tmp_path: Path) -> None:
    target = tmp_path / "creds.py"
    done = cli("generate", CREDENTIALS_WSDL, "--output", str(target))
    assert (done.returncode, done.stderr) == (0, "")
    assert target.read_text(encoding="utf-8") == generate(CREDENTIALS_WSDL)
    done = cli(
        "call",
        str(target),
        "GetUntrustedCredentialsForAssociate",
        *connection(running),
        "--arg",
        "AssociateId=5",
        "--arg",
        "Type=imap",
        "--json",
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert len(json.loads(done.stdout)) == 2
    assert not any(secret in done.stdout for secret in SECRETS)
    broken = tmp_path / "broken.py"
    broken.write_text("def (:\n", encoding="utf-8")
    done = cli("call", str(broken), "X", *connection(running))
    assert (done.returncode, done.stdout) == (1, "")
    one_line(done.stderr, "cannot import", "SyntaxError")
    done = cli("generate", CREDENTIALS_WSDL, "--operation", "Nope")
    assert done.returncode == 2
    assert len(done.stderr.splitlines()) == 2
    assert "Traceback" not in done.stderr


def test_generate_into_a_reader_that_goes_away_is_quiet() -> None:
    """``generate … | head -1``: a module far larger than a pipe holds, a reader that stops."""
    wsdl = str(reference_file("wsdl", "Services86", "List.wsdl"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUPEROFFICE_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "superoffice_soap", "generate", wsdl],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert process.stdout is not None
    assert process.stderr is not None
    first = process.stdout.readline()
    process.stdout.close()
    assert process.wait(timeout=60) == 0
    assert process.stderr.read() == b""
    process.stderr.close()
    assert first.startswith(b'"""NetServer\'s List service')
