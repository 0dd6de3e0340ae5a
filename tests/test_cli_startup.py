"""What the command line loads before it does anything: `--help`, `--version` and a usage error
need neither the agents nor httpx (they load when a command makes an agent); a command that
calls a server loads them. Checked in fresh interpreters, by the modules they end up holding."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Sequence

import pytest

PROBE = """
import contextlib, io, json, sys
from superoffice_soap.cli import main
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    code = main({argv!r})
print(json.dumps({{"code": code, "httpx": "httpx" in sys.modules,
                  "client": "superoffice_soap.client" in sys.modules}}))
"""


def _loaded(argv: Sequence[str]) -> dict[str, object]:
    finished = subprocess.run(
        [sys.executable, "-c", PROBE.format(argv=list(argv))],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    result: dict[str, object] = json.loads(finished.stdout.strip().splitlines()[-1])
    return result


@pytest.mark.parametrize(
    ("argv", "code"),
    [
        (["--help"], 0),
        (["--version"], 0),
        (["untrusted-credentials", "--help"], 0),
        (["untrusted-credentials", "--no-such-option"], 2),
    ],
)
def test_help_and_usage_errors_load_no_agent(argv: list[str], code: int) -> None:
    assert _loaded(argv) == {"code": code, "httpx": False, "client": False}


def test_a_command_that_calls_loads_the_agent() -> None:
    """A call to a closed port: the agent is made (and fails to connect)."""
    result = _loaded(
        ["system-info", "--url", "http://127.0.0.1:9/Cust1/Remote/Services86", "--timeout", "1"]
    )
    assert result["client"] is True
    assert result["httpx"] is True
    assert result["code"] != 0
