"""The smaller promises of the command line, the library and the README, one test each: rotate
names its user, associate ids follow one rule everywhere, options go after the command, every
usage error points at --help, --fail-on's line reads as words, an over-large duration is "too
large", ``agent.call`` names a missing argument, the examples say why they use the stand-in, and
the README's Python examples pass ``mypy --strict`` as written."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

import httpx
import pytest

from superoffice_soap import (
    GET_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE,
    InvalidRequestError,
    UserAgent,
    audit_untrusted_credentials,
    rotate_untrusted_credential,
)
from superoffice_soap.cli import main
from superoffice_soap.testing import DEMO_TICKET, FakeNetServer

from .test_readme import generated_modules

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
URL = "http://netserver.invalid/Cust1/Remote/Services86"
HELP = re.compile(r"Run 'superoffice-soap(?: [a-z-]+)? --help' for usage\.")


def cli(*args: str, stdin: str = "") -> tuple[int, str]:
    err = io.StringIO()
    code = main(list(args), stdout=io.StringIO(), stdin=io.StringIO(stdin), stderr=err)
    return code, err.getvalue()


def test_rotate_names_its_user_as_the_readme_says() -> None:
    code, err = cli(
        "rotate", "--url", URL, "--ticket", "7T:x", "--type", "imap", "--public-value", "p",
        "--secret-env", "HOME",
    )  # fmt: skip
    assert code == 2
    assert "--associate-id" in err.splitlines()[0]
    assert HELP.fullmatch(err.splitlines()[1])
    assert "`rotate` and `audit` name their users" in README


# ----------------------------------------------------------------------------------------------
# One rule for associate ids

BAD_IDS: list[object] = [0, -1, 2**31, True, "5", 5.0, None]


def library_calls(agent: UserAgent) -> list[Callable[[Any], object]]:
    return [
        lambda bad: agent.get_untrusted_credentials_for_associate(bad, "imap"),
        lambda bad: agent.remove_untrusted_credentials_for_associate(bad, "imap", "p"),
        lambda bad: agent.get_untrusted_credentials_for_associates([5, bad], "imap"),
        lambda bad: audit_untrusted_credentials(agent, [bad], "imap"),
        lambda bad: rotate_untrusted_credential(agent, bad, "imap", "p", "s"),
    ]


@pytest.mark.parametrize("bad", BAD_IDS, ids=repr)
def test_the_library_refuses_the_same_ids_everywhere(bad: object) -> None:
    sent: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(500)

    client = httpx.Client(transport=httpx.MockTransport(record))
    with UserAgent(URL, ticket="7T:x", http_client=client) as agent:
        for call in library_calls(agent):
            with pytest.raises(InvalidRequestError, match="associate"):
                call(bad)
    assert sent == []


@pytest.mark.parametrize("text", ["0", "-1", "2147483648", "+5", "5.0", "٥", " "])
@pytest.mark.parametrize("command", ["untrusted-credentials", "audit", "rotate"])
def test_the_cli_refuses_the_same_ids_everywhere(command: str, text: str) -> None:
    extra = ["--public-value", "p", "--secret-env", "HOME"] if command == "rotate" else []
    code, err = cli(command, "--url", URL, "--ticket", "7T:x", "--type", "imap",
                    f"--associate-id={text}", *extra)  # fmt: skip
    assert code == 2, err
    assert "argument --associate-id: " in err
    assert "associate id" in err.splitlines()[0]
    assert HELP.fullmatch(err.splitlines()[1])


# ----------------------------------------------------------------------------------------------
# Usage errors


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--url", URL, "system-info"], "--url comes before the command: options go after it"),
        (["--ticket=7T:secret", "credential-types"], "--ticket comes before the command"),
        (["--json"], "--json comes before any command"),
    ],
)
def test_options_before_the_command_are_pointed_after_it(args: list[str], says: str) -> None:
    code, err = cli(*args)
    assert code == 2
    assert says in err
    assert "7T:secret" not in err
    assert HELP.fullmatch(err.splitlines()[1])


@pytest.mark.parametrize(
    "args",
    [
        ["credential-types", "--url", URL, "--ticket", "7T:x", "--timeout", "-1"],  # argparse
        [
            "untrusted-credentials",
            "--url",
            URL,
            "--ticket",
            "7T:x",
            "--type",
            "im\x01ap",
        ],  # library
        ["audit", "--url", URL, "--ticket", "7T:x", "--type", "imap"],  # the command
        ["credential-types", "--url", "ftp://host/x", "--ticket", "7T:x"],  # the agent's check
        ["credential-types", "--ticket", "7T:x"],  # no --url
    ],
)
def test_every_usage_error_ends_with_the_help_pointer(
    args: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SUPEROFFICE_URL", raising=False)
    code, err = cli(*args)
    assert code == 2, err
    lines = err.splitlines()
    assert len(lines) == 2, err
    assert HELP.fullmatch(lines[1]), err


def test_fail_on_none_reads_as_words() -> None:
    server = FakeNetServer.with_demo_data()
    with server.serve() as running:
        code, err = cli(
            "audit", "--url", running.base_url, "--ticket", DEMO_TICKET, "--type", "imap",
            "--associates", "1-10", "--fail-on", "none",
        )  # fmt: skip
    assert code == 7
    assert "found 9 users without any imap credential (--fail-on none)" in err
    assert "9 none" not in err


@pytest.mark.parametrize("value", ["99999999999d", "36501d", "5300w", "999999999999999999s"])
def test_an_over_large_expiring_within_is_too_large(value: str) -> None:
    code, err = cli("audit", "--url", URL, "--ticket", "7T:x", "--type", "imap",
                    "--associate-id", "5", "--expiring-within", value)  # fmt: skip
    assert code == 2
    assert "too large" in err
    assert "not a duration" not in err


def test_agent_call_names_a_missing_argument() -> None:
    with UserAgent(URL, ticket="7T:x") as agent, pytest.raises(InvalidRequestError) as caught:
        # mypy refuses this call already (the operation's signature); at run time it is refused too
        agent.call(GET_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE, credential_type="imap")  # type: ignore[call-arg]
    assert caught.value.argument == "associate_id"
    assert "missing" in str(caught.value)


# ----------------------------------------------------------------------------------------------
# Examples and the README


@pytest.mark.slow
def test_an_example_says_which_variable_keeps_it_on_the_stand_in() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUPEROFFICE_")}
    env["SUPEROFFICE_URL"] = "https://sod.superoffice.com/Cust12345/Remote/Services86"
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "quickstart.py")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert (
        "using the built-in stand-in: SUPEROFFICE_TICKET, SUPEROFFICE_ASSOCIATE_ID are not set"
        in result.stderr
    )
    assert "jane.doe@example.com" in result.stdout


#: The names the README's examples use without defining them (its text says what they are).
PREAMBLE = """\
from typing import Any
url: str = ""
base_url: str = ""
ticket: str = ""
token: str = ""
password: str = ""
new_password: str = ""
def my_http_post(url: str, headers: Any, content: bytes) -> tuple[int, dict[str, str], bytes]:
    raise NotImplementedError
"""


@pytest.mark.slow
def test_the_readme_python_examples_pass_mypy_strict(tmp_path: Path) -> None:
    found = re.findall(r"^```python\n(.*?)^```", README, re.MULTILINE | re.DOTALL)
    assert len(found) >= 6
    checked = tmp_path / "readme"
    checked.mkdir()
    for number, text in enumerate(found):
        body = text if "async with" not in text or "async def" in text else (
            "async def _example() -> None:\n" + "".join(f"    {line}\n" for line in text.splitlines())
        )  # fmt: skip
        (checked / f"readme_{number}.py").write_text(PREAMBLE + body, encoding="utf-8")
    generated = tmp_path / "generated"  # the modules the README says were generated, as written
    generated.mkdir()
    generated_modules(generated)
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(checked)],
        env={**os.environ, "MYPYPATH": str(generated)},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
