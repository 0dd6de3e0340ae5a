"""The command line's rules, in process through ``main``: drawn invocations, then one test per rule.

Drawn: every command with valid, invalid, missing and extra options (bad and huge numbers, empty
strings, unicode, control characters, unknown flags, flags without values, secrets given where
they do not belong), the SUPEROFFICE_* environment set, unset and wrong, stdin empty, closed,
missing, undecodable or holding a value, stdout open or a closed pipe, against the stand-in with
demo data, a bare ``FakeNetServer()``, one with a login but nothing stored, and an unreachable URL.
Whatever is drawn:

* ``main`` returns a documented exit code and never reports an unexpected error;
* no traceback; a failure prints nothing on stdout and exactly one ``superoffice-soap: error:``
  line on stderr (a usage error may add one line pointing at ``--help``; ``--trace`` output comes
  before it); a success prints nothing on stderr but the trace;
* ``--json`` output parses, an empty list answer is still an answer in every form;
* no secret (demo secret values, tickets, passwords, tokens) shows unless ``--show-secrets``;
* a usage error sends nothing to any server.

``fake-server`` is drawn only with arguments that cannot start it (a bad port, an unknown flag,
``--help`` …): if it ever tried to serve, the test fails instead of hanging.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import socket
import sys
import time
import types
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Optional, TextIO, Union

import attrs
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import superoffice_soap.client
from superoffice_soap import cli
from superoffice_soap.cli import main
from superoffice_soap.models import UserType
from superoffice_soap.testing import (
    DEMO_ASSOCIATE_ID,
    DEMO_PASSWORD,
    DEMO_TICKET,
    DEMO_USERNAME,
    FakeNetServer,
)
from superoffice_soap.testing._demo import demo_credentials

PREFIX = "superoffice-soap: error: "
HELP_POINTER = re.compile(r"Run 'superoffice-soap(?: [a-z-]+)? --help' for usage\.")
DOCUMENTED_CODES = frozenset({0, 1, 2, 3, 4, 5, 6, 7, 8, 130})
#: audit's one-line summary on stderr, which is not an error.
SUMMARY = "superoffice-soap: audited "

#: Placeholders in drawn arguments and environment values, replaced by the servers' URLs.
DEMO_URL = "<demo-url>"
BARE_URL = "<bare-url>"
BLANK_URL = "<blank-url>"
DOWN_URL = "<down-url>"

ACCESS_TOKEN = "8A:property-access-token"
APP_TOKEN = "property-application-token"
NEW_SECRET = "property-new-secret-value"
WRONG_PASSWORD = "property-wrong-password"
DEMO_SECRETS = tuple(c.secret_value for _, c in demo_credentials() if c.secret_value)
#: Secrets the drawn input carries, and the demo data's: none may show without --show-secrets.
SECRETS = (*DEMO_SECRETS, DEMO_TICKET, DEMO_PASSWORD, ACCESS_TOKEN, APP_TOKEN, NEW_SECRET)
SECRETS_WITH_WRONG = (*SECRETS, WRONG_PASSWORD)

#: The variables a drawn environment may set; every other one is left alone.
MANAGED = (
    "SUPEROFFICE_URL",
    "SUPEROFFICE_TICKET",
    "SUPEROFFICE_USERNAME",
    "SUPEROFFICE_PASSWORD",
    "SUPEROFFICE_APPLICATION_TOKEN",
    "SUPEROFFICE_SOAP_VERSION",
    "CLI_TEST_SECRET",
    "CLI_TEST_EMPTY",
    "CLI_TEST_UNSET",
)

LIST_COLUMNS = {
    "untrusted-credentials": ",".join(cli._CREDENTIAL_COLUMNS),
    "credential-types": ",".join(cli._CREDENTIAL_TYPE_COLUMNS),
}


# ------------------------------------------------------------------------------------------------
# Servers (once per module) and isolation (once per example)


@attrs.frozen
class Servers:
    demo: FakeNetServer
    bare: FakeNetServer
    blank: FakeNetServer
    urls: Mapping[str, str]

    def requests(self) -> int:
        return len(self.demo.requests) + len(self.bare.requests) + len(self.blank.requests)

    def issued_tickets(self) -> list[str]:
        return [*self.demo.issued_tickets(), *self.blank.issued_tickets()]


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/Cust1/Remote/Services86"


class _NoWaitTime(types.SimpleNamespace):
    """``time`` for the client module with retry waits skipped: an unreachable URL costs
    milliseconds, not the seconds of jittered back-off."""

    def __init__(self) -> None:
        super().__init__(monotonic=time.monotonic, perf_counter=time.perf_counter)

    @staticmethod
    def sleep(seconds: float) -> None:
        del seconds

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)


class MustNotServe(BaseException):
    """Raised if fake-server got past its arguments in process (main never catches it)."""


@pytest.fixture(scope="module")
def servers() -> Iterator[Servers]:
    demo = FakeNetServer.with_demo_data()
    demo.add_access_token(ACCESS_TOKEN, DEMO_ASSOCIATE_ID)
    bare = FakeNetServer()
    blank = FakeNetServer()  # a login and a ticket, nothing stored, no credential types
    blank.add_ticket(DEMO_TICKET, DEMO_ASSOCIATE_ID)
    blank.add_user(DEMO_USERNAME, DEMO_PASSWORD, DEMO_ASSOCIATE_ID)

    def must_not_serve(args: Any, out: TextIO) -> int:
        raise MustNotServe(f"fake-server would have started in process: {args!r}")

    with contextlib.ExitStack() as stack, pytest.MonkeyPatch.context() as patch:
        patch.setattr(superoffice_soap.client, "time", _NoWaitTime())
        patch.setattr(cli, "_fake_server", must_not_serve)
        urls = {
            DEMO_URL: stack.enter_context(demo.serve()).base_url,
            BARE_URL: stack.enter_context(bare.serve()).base_url,
            BLANK_URL: stack.enter_context(blank.serve()).base_url,
            DOWN_URL: closed_port_url(),
        }
        yield Servers(demo=demo, bare=bare, blank=blank, urls=urls)


@contextlib.contextmanager
def environment(values: Mapping[str, str]) -> Iterator[None]:
    """Exactly ``values`` among MANAGED for the block (others unset), then what was there."""
    assert set(values) <= set(MANAGED)
    saved = {name: os.environ.get(name) for name in MANAGED}
    try:
        for name in MANAGED:
            os.environ.pop(name, None)
        os.environ.update(values)
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextlib.contextmanager
def system_stdin(value: Optional[TextIO]) -> Iterator[None]:
    saved = sys.stdin
    sys.stdin = value  # None: how Python starts with file descriptor 0 closed
    try:
        yield
    finally:
        sys.stdin = saved


class BrokenPipeOut(io.StringIO):
    """A stdout whose reader went away (``| head``): every write fails."""

    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")


# ------------------------------------------------------------------------------------------------
# What to draw
#
# Half of the draws are clean (valid options, a valid environment, a valid secret on stdin), so
# that answers, server errors and transport errors are reached as often as usage errors; the other
# half mixes in invalid, missing and unknown options, odd environments and odd stdin.

Tokens = st.SearchStrategy[list[str]]


def one(*values: str) -> st.SearchStrategy[str]:
    return st.sampled_from(values)


UNICODE = one("", " ", "\t", "\x00", "\x01", "\x7f", "\r\n", "ünïcödé", "\udcff", "—", "-", "--")
TEXT = st.one_of(UNICODE, st.text(max_size=6))
INTS = one("5", "5", "0", "-1", "2147483647", "7")
BAD_INTS = one("2147483648", "-2147483649", "9" * 40, "abc", "", "1.5", "0x10", " 5", "٥", "5\x00")
TYPES = one("imap", "imap", "smtp", "ldap", "openid", "IMAP", "none", "x" * 300)
URLS = one(DEMO_URL, DEMO_URL, DEMO_URL, BLANK_URL, BARE_URL, DOWN_URL)
BAD_URLS = one("", " ", "not a url", "ftp://example.com/x", "http://[::1", "http://h:99999/x")
TICKETS = one(DEMO_TICKET, DEMO_TICKET, DEMO_TICKET, ACCESS_TOKEN, "7T:wrong")
BAD_TICKETS = st.one_of(one("", " ", "7T:\x01"), TEXT)
TIMEOUTS = one("30", "5", "0.5", "1e-9", "86400")
BAD_TIMEOUTS = one("0", "-1", "nan", "inf", "-inf", "abc", "", "1e10", "1e300", "9" * 400)
DATES = one(
    "2025-01-01",
    "2025-01-01T08:00:00Z",
    "2025-01-01T08:00:00+14:00",
    "0001-01-01",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31",
    "9999-12-31T23:59:59-14:00",
)
BAD_DATES = one("2020-01-01", "2025-02-30", "2025-13-01", "tomorrow", "", "ünï", "1e5")
#: Secret values (stdin, variables): right and wrong ones, then empty and odd ones.
SECRETS_GOOD = one(DEMO_PASSWORD, DEMO_PASSWORD, ACCESS_TOKEN, NEW_SECRET, WRONG_PASSWORD)
SECRETS_ODD = one("", " ", "\r\n", "\x01", "ünï")
ENDINGS = one("", "\n", "\r\n", "\r", "\n\n")
VARIABLES = one("CLI_TEST_SECRET", "CLI_TEST_EMPTY", "CLI_TEST_UNSET", "", "=")


def option(flag: str, values: st.SearchStrategy[str]) -> Tokens:
    """``--flag value`` or ``--flag=value``."""
    return st.tuples(values, st.booleans()).map(
        lambda pair: [f"{flag}={pair[0]}"] if pair[1] else [flag, pair[0]]
    )


def flags(*names: str) -> Tokens:
    """Each flag alone: for a value-taking option, the flag without its value."""
    return st.sampled_from([[name] for name in names])


def forms(*names: str, secrets: bool = False) -> Part:
    """The output options: one form or none (both is the invalid form), --show-secrets or not."""
    form = st.sampled_from([[], *([name] for name in names)])
    both = st.just(list(names)) if len(names) > 1 else MISSING
    shown = st.sampled_from([[], ["--show-secrets"]] if secrets else [[]])
    join = st.tuples(form, shown).map(lambda pair: [*pair[0], *pair[1]])
    return Part(join, st.tuples(both, shown).map(lambda pair: [*pair[0], *pair[1]]))


MISSING: Tokens = st.just([])


@attrs.frozen
class Part:
    """One required-ish part of a command line: how it looks valid, and otherwise."""

    valid: Tokens
    invalid: Tokens = MISSING


URL = Part(option("--url", URLS), st.one_of(option("--url", BAD_URLS), MISSING))
TICKET = Part(option("--ticket", TICKETS), st.one_of(option("--ticket", BAD_TICKETS), MISSING))
TYPE = Part(option("--type", TYPES), st.one_of(option("--type", UNICODE), MISSING))
PUBLIC_VALUE = Part(
    option("--public-value", one("jane.doe@example.com", "bob", "jane.doe")),
    st.one_of(option("--public-value", TEXT), MISSING),
)


def secret_source(name: str) -> Tokens:
    return st.one_of(st.just([f"--{name}-stdin"]), st.just([f"--{name}-env", "CLI_TEST_SECRET"]))


def odd_secret_source(name: str) -> Tokens:
    return st.one_of(
        option(f"--{name}-env", VARIABLES),
        st.just([f"--{name}-stdin", f"--{name}-env", "CLI_TEST_SECRET"]),  # exclusive
    )


LOGIN = Part(
    st.one_of(
        st.tuples(
            option("--username", one(DEMO_USERNAME, "JANE.DOE", "nobody")),
            secret_source("password"),
        ).map(lambda pair: [*pair[0], *pair[1]]),
        secret_source("access-token"),
        MISSING,  # SUPEROFFICE_USERNAME and SUPEROFFICE_PASSWORD, if the environment has them
    ),
    st.one_of(
        option("--username", TEXT),
        odd_secret_source("password"),
        odd_secret_source("access-token"),
        st.tuples(option("--username", TEXT), secret_source("access-token")).map(
            lambda pair: [*pair[0], *pair[1]]
        ),
    ),
)


def connection(user: bool) -> tuple[list[Tokens], list[Tokens]]:
    """Valid and invalid connection options."""
    valid = [
        option("--application-token", one(APP_TOKEN)),
        option("--soap-version", one("auto", "1.1", "1.2")),
        option("--services", one("Services86", "Services84", "Services88")),
        option("--timeout", TIMEOUTS),
        st.just(["--trace"]),
    ]
    invalid = [
        option("--application-token", one("", "\x01", "ünï")),
        option("--soap-version", one("2", "", "1.1 ")),
        option("--services", one("Services99", "")),
        option("--timeout", BAD_TIMEOUTS),
        flags("--url", "--application-token", "--timeout", "--soap-version", "--services"),
    ]
    if user:
        invalid.append(flags("--ticket"))
    else:  # where --ticket is no option: an echoed value would show the ticket
        invalid.append(option("--ticket", one(DEMO_TICKET, ACCESS_TOKEN)))
    return valid, invalid


#: Anywhere, in messy draws: unknown flags, stray words, help, and secrets handed to options that
#: do not exist (or are abbreviated, or take no value).
NOISE: list[Tokens] = [
    st.sampled_from(
        [
            ["--nope"],
            ["--nope", "x"],
            ["--nope=1"],
            ["-x"],
            ["-"],
            ["--"],
            ["extra"],
            ["ünï"],
            ["\x01"],
            ["line\nbreak"],
            ["--help"],
            ["-h"],
            ["--password", DEMO_PASSWORD],
            [f"--password={DEMO_PASSWORD}"],
            [f"--password-stdin={DEMO_PASSWORD}"],
            [f"--secret={NEW_SECRET}"],
            [f"--secret-stdin={NEW_SECRET}"],
            ["--access-token", ACCESS_TOKEN],
            [f"--access-token={ACCESS_TOKEN}"],
            [f"--ticket={DEMO_TICKET}"],
            ["--tick", DEMO_TICKET],
            ["--app", APP_TOKEN],
        ]
    ),
    option("--associate-id", st.one_of(INTS, BAD_INTS)),
    option("--type", st.one_of(TYPES, TEXT)),
]


@st.composite
def command_line(
    draw: st.DrawFn,
    command: str,
    parts: Sequence[Part],
    valid: Sequence[Tokens],
    invalid: Sequence[Tokens],
) -> tuple[bool, list[str]]:
    """(clean, argv): parts in their valid form and valid extras only, or anything goes."""
    clean = draw(st.booleans())
    groups: list[list[str]] = []
    for part in parts:
        groups.append(draw(part.valid if clean else st.one_of(part.valid, part.invalid)))
    extras = list(valid) if clean else [*valid, *invalid, *NOISE]
    groups += draw(st.lists(st.one_of(*extras), max_size=3 if clean else 4))
    groups = draw(st.permutations(groups))
    return clean, [command, *(token for group in groups for token in group)]


def user_command(
    command: str, parts: Sequence[Part], valid: Sequence[Tokens], invalid: Sequence[Tokens]
) -> st.SearchStrategy[tuple[bool, list[str]]]:
    connection_valid, connection_invalid = connection(user=True)
    return command_line(
        command,
        [URL, TICKET, *parts],
        [*connection_valid, *valid],
        [*connection_invalid, *invalid],
    )


ASSOCIATE = option("--associate-id", INTS)
BAD_ASSOCIATE = option("--associate-id", BAD_INTS)

USER_COMMANDS: dict[str, st.SearchStrategy[tuple[bool, list[str]]]] = {
    "untrusted-credentials": user_command(
        "untrusted-credentials",
        [TYPE, forms("--json", "--csv", secrets=True)],
        [ASSOCIATE],
        [BAD_ASSOCIATE, flags("--type", "--associate-id")],
    ),
    "save-untrusted-credentials": user_command(
        "save-untrusted-credentials",
        [
            TYPE,
            PUBLIC_VALUE,
            Part(secret_source("secret"), st.one_of(odd_secret_source("secret"), MISSING)),
        ],
        [
            ASSOCIATE,
            st.just(["--allow-empty-secret"]),
            option("--comment", one("rotated", "ünï", "")),
            option("--valid-from", DATES),
            option("--valid-to", DATES),
            st.sampled_from([["--active"], ["--inactive"], ["--json"], ["--active", "--json"]]),
        ],
        [
            BAD_ASSOCIATE,
            option("--comment", TEXT),
            option("--valid-from", BAD_DATES),
            option("--valid-to", BAD_DATES),
            flags("--public-value", "--valid-to", "--comment", "--secret-env"),
            st.just(["--active", "--inactive"]),
        ],
    ),
    "remove-untrusted-credentials": user_command(
        "remove-untrusted-credentials",
        [TYPE, PUBLIC_VALUE, forms("--json")],
        [ASSOCIATE],
        [BAD_ASSOCIATE, flags("--public-value", "--associate-id")],
    ),
    "default-untrusted-credentials": user_command(
        "default-untrusted-credentials",
        [forms("--json", "--csv", secrets=True)],
        [],
        [],
    ),
    "credential-types": user_command(
        "credential-types",
        [forms("--json", "--csv")],
        [option("--user-type", one(*(t.value for t in UserType)))],
        [option("--user-type", one("Nope", "", "unknown")), flags("--user-type")],
    ),
}

JOB_COMMANDS: dict[str, st.SearchStrategy[tuple[bool, list[str]]]] = {
    "audit": user_command(
        "audit",
        [
            TYPE,
            Part(
                st.one_of(
                    option("--associate-id", INTS),
                    option("--associates", one("1-6", "5", "1-3,5,5", "4-5")),
                ),
                st.one_of(option("--associates", one("1-x", "", "5-1", "0-3", ",")), MISSING),
            ),
            forms("--json", "--csv"),
        ],
        [
            option("--expiring-within", one("30d", "12h", "2w", "90m")),
            option("--concurrency", one("1", "8")),
            option("--fail-on", one("expired", "expiring,inactive", "error", "none")),
        ],
        [
            option("--expiring-within", one("30x", "", "-1d", "d")),
            option("--concurrency", one("0", "abc", "65")),
            option("--fail-on", one("nope", "", "expired,")),
            flags("--associates", "--fail-on", "--show-secrets"),
        ],
    ),
    "rotate": user_command(
        "rotate",
        [
            TYPE,
            Part(ASSOCIATE, st.one_of(BAD_ASSOCIATE, MISSING)),
            Part(
                option("--public-value", one("jane.doe@example.com", "nobody@example.com")),
                st.one_of(option("--public-value", TEXT), MISSING),
            ),
            Part(secret_source("secret"), st.one_of(odd_secret_source("secret"), MISSING)),
        ],
        [
            st.just(["--dry-run"]),
            st.just(["--json"]),
            option("--new-public-value", one("jane.new@example.com", "jane.doe@example.com")),
            option("--comment", one("rotated", "")),
            option("--valid-to", one("2099-01-01", "2099-01-01T00:00:00Z")),
        ],
        [
            option("--valid-to", BAD_DATES),
            option("--new-public-value", TEXT),
            flags("--public-value", "--secret-env", "--show-secrets"),
        ],
    ),
}

_PRINCIPAL_VALID, _PRINCIPAL_INVALID = connection(user=False)
PRINCIPAL_COMMANDS: dict[str, st.SearchStrategy[tuple[bool, list[str]]]] = {
    "login": command_line(
        "login",
        [URL, LOGIN, forms("--json", secrets=True)],
        _PRINCIPAL_VALID,
        [*_PRINCIPAL_INVALID, LOGIN.valid, flags("--username", "--password-env")],
    ),
    "system-info": command_line(
        "system-info",
        [URL, forms("--json", "--csv")],
        _PRINCIPAL_VALID,
        _PRINCIPAL_INVALID,
    ),
}

#: fake-server arguments that never get it serving: each draw holds at least one of these.
BAD_PORTS = ("65536", "99999", "-1", "abc", "", "8086.0", "1e3", "٠", "9" * 30, "0x50")
FAKE_SERVER_SPOILERS: list[Tokens] = [
    option("--port", one(*BAD_PORTS)),
    st.just(["--port"]),
    option("--services", one("Services99", "", "services86")),
    st.just(["--help"]),
    st.just(["-h"]),
    st.just(["--nope"]),
    st.just([f"--application-token={APP_TOKEN}"]),
    st.just(["--ticket", DEMO_TICKET]),
    st.just(["--password", DEMO_PASSWORD]),
]
FAKE_SERVER_EXTRAS: list[Tokens] = [
    option("--port", one("8086", "1", "65535", " 80 ")),
    option("--host", one("127.0.0.1", "", "ünï", "\x01")),
    st.just(["--soap12"]),
    option("--services", one("Services84", "Services88")),
    flags("--host", "--services"),
]


@st.composite
def fake_server_line(draw: st.DrawFn) -> list[str]:
    groups = [draw(st.one_of(*FAKE_SERVER_SPOILERS))]
    groups += draw(st.lists(st.one_of(*FAKE_SERVER_EXTRAS, *FAKE_SERVER_SPOILERS), max_size=4))
    groups = draw(st.permutations(groups))
    return ["fake-server", *(token for group in groups for token in group)]


TOP_LEVEL = st.sampled_from(
    [[], ["--version"], ["--help"], ["-h"], ["nope"], ["--nope"], ["--version", "nope"], [""]]
)


@st.composite
def environments(draw: st.DrawFn, clean: bool) -> dict[str, str]:
    """A few SUPEROFFICE_* variables (valid ones when clean) and CLI_TEST_SECRET for -env."""
    valid: dict[str, st.SearchStrategy[str]] = {
        "SUPEROFFICE_URL": URLS,
        "SUPEROFFICE_TICKET": TICKETS,
        "SUPEROFFICE_USERNAME": one(DEMO_USERNAME, "nobody"),
        "SUPEROFFICE_PASSWORD": one(DEMO_PASSWORD, DEMO_PASSWORD, WRONG_PASSWORD),
        "SUPEROFFICE_APPLICATION_TOKEN": one(APP_TOKEN),
        "SUPEROFFICE_SOAP_VERSION": one("auto", "1.1", "1.2", " 1.2 ", ""),
    }
    odd: dict[str, st.SearchStrategy[str]] = {
        "SUPEROFFICE_URL": BAD_URLS,
        "SUPEROFFICE_TICKET": one("", " ", "7T:\x01"),
        "SUPEROFFICE_USERNAME": one("", " ", "\x01"),
        "SUPEROFFICE_PASSWORD": one("", " "),
        "SUPEROFFICE_APPLICATION_TOKEN": one("", "\x01"),
        "SUPEROFFICE_SOAP_VERSION": one("2", "ünï", "1.1\n"),
    }
    values = {"CLI_TEST_EMPTY": "", "CLI_TEST_SECRET": draw(SECRETS_GOOD)}
    if not clean:
        values["CLI_TEST_SECRET"] = draw(st.one_of(SECRETS_GOOD, SECRETS_ODD))
    for name in draw(st.lists(st.sampled_from(sorted(valid)), unique=True, max_size=4)):
        values[name] = draw(valid[name] if clean else st.one_of(valid[name], odd[name]))
    return values


StdinKind = Union[str, None]  # the text on stdin, "<closed>", "<undecodable>", or None


@st.composite
def stdins(draw: st.DrawFn, clean: bool) -> StdinKind:
    kind = draw(st.integers(0, 9))
    if clean or kind > 3:
        return draw(SECRETS_GOOD) + draw(ENDINGS)
    if kind == 0:
        return None  # sys.stdin is None: how Python starts with file descriptor 0 closed
    if kind == 1:
        return "<closed>"
    if kind == 2:
        return "<undecodable>"
    return draw(st.one_of(SECRETS_ODD, one("", "two\nlines\n", "\n\n", "\x01\n")))


@attrs.frozen
class Drawn:
    argv: list[str]
    env: dict[str, str]
    stdin: StdinKind
    broken_stdout: bool


@st.composite
def invocations(
    draw: st.DrawFn, commands: Mapping[str, st.SearchStrategy[tuple[bool, list[str]]]]
) -> Drawn:
    name = draw(st.sampled_from(sorted(commands)))
    clean, argv = draw(commands[name])
    return Drawn(
        argv=argv,
        env=draw(environments(clean)),
        stdin=draw(stdins(clean)),
        broken_stdout=draw(st.integers(0, 7)) == 0,
    )


# ------------------------------------------------------------------------------------------------
# Running one drawn invocation and checking it


@attrs.frozen
class Outcome:
    argv: list[str]
    code: int
    out: str
    err: str
    requests: int


def resolve(text: str, urls: Mapping[str, str]) -> str:
    for placeholder, url in urls.items():
        text = text.replace(placeholder, url)
    return text


def invoke(servers: Servers, drawn: Drawn) -> Outcome:
    argv = [resolve(token, servers.urls) for token in drawn.argv]
    env = {name: resolve(value, servers.urls) for name, value in drawn.env.items()}
    stdin = drawn.stdin
    stdin_file: Optional[TextIO]
    if stdin is None:
        stdin_file = None
    elif stdin == "<closed>":
        stdin_file = io.StringIO("ignored")
        stdin_file.close()
    elif stdin == "<undecodable>":
        stdin_file = io.TextIOWrapper(io.BytesIO(b"\xff\xfe\xfa\n"), encoding="utf-8")
    else:
        stdin_file = io.StringIO(stdin)
    out = BrokenPipeOut() if drawn.broken_stdout else io.StringIO()
    err = io.StringIO()
    before = servers.requests()
    with environment(env), system_stdin(None):
        code = main(argv, stdout=out, stdin=stdin_file, stderr=err)
    if code == 5:  # a call cut short (--timeout 1e-9): its request may reach a server late
        _settle(servers)
    return Outcome(argv, code, out.getvalue(), err.getvalue(), servers.requests() - before)


def check(outcome: Outcome, servers: Servers, *, broken_stdout: bool = False) -> None:
    argv, code, out, err = outcome.argv, outcome.code, outcome.out, outcome.err
    event(f"{argv[0] if argv else '(nothing)'} exit {code}")
    where = f"{argv!r} -> {code}\nstdout: {out!r}\nstderr: {err!r}"
    assert code in DOCUMENTED_CODES - {130}, where
    assert "Traceback" not in out + err, where
    assert "please report this" not in err, where
    assert "Exception ignored" not in err, where
    tokens = set(argv)
    traced = "--trace" in tokens
    helped = bool(tokens & {"--help", "-h", "--version"})
    lines = err.splitlines()
    if argv[:1] == ["audit"]:
        summaries = [line for line in lines if line.startswith(SUMMARY)]
        assert len(summaries) <= 1, where
        assert not summaries or code not in (1, 2), where  # a summary means a report was made
        lines = [line for line in lines if not line.startswith(SUMMARY)]
        err = "".join(f"{line}\n" for line in lines)
        if summaries and code != 0:  # --fail-on findings (7), or every user failed: a report too
            assert out.strip(), where
            if code == 7:  # the one line that says what was found (--trace adds the exchanges)
                found = [line for line in lines if line.startswith(PREFIX)]
                assert len(found) == 1, where
                assert found[0].startswith(f"{PREFIX}found "), where
                assert "(--fail-on " in found[0], where
                assert traced or lines == found, where
                return
            out = ""
    if code == 0:
        if not traced:
            assert err == "", where
        assert not any(line.startswith(PREFIX) for line in lines), where
        if not helped and not broken_stdout:
            check_answer(argv, out, where)
    else:
        assert out == "", where
        errors = [i for i, line in enumerate(lines) if line.startswith(PREFIX)]
        assert len(errors) == 1, where
        first = errors[0]
        assert traced or first == 0, where
        assert lines[first][len(PREFIX) :].strip(), where
        after = lines[first + 1 :]
        if not traced:  # --trace prints the exchanges on stderr too, around the error line
            assert len(after) <= (1 if code == 2 else 0), where
            assert all(HELP_POINTER.fullmatch(line) for line in after), where
    if code == 2:
        assert outcome.requests == 0, f"a usage error sent {outcome.requests} request(s)\n{where}"
    if "--show-secrets" not in tokens:
        secrets = [*SECRETS_WITH_WRONG, *servers.issued_tickets()]
        if argv[:1] == ["fake-server"]:  # its help names the demo login on purpose
            secrets.remove(DEMO_PASSWORD)
        shown = [secret for secret in secrets if secret in out + err]
        assert not shown, f"secret(s) {shown} shown\n{where}"


def check_answer(argv: Sequence[str], out: str, where: str) -> None:
    """A success: JSON parses; a list command answers in every form, empty or not."""
    command = argv[0]
    tokens = set(argv)
    if "--json" in tokens:
        data = json.loads(out)
        if command in LIST_COLUMNS:
            assert isinstance(data, list), where
        elif command in ("save-untrusted-credentials", "remove-untrusted-credentials"):
            assert data == {"ok": True}, where
        else:
            assert isinstance(data, dict), where
    elif "--csv" in tokens and command in LIST_COLUMNS:
        header = next(csv.reader(io.StringIO(out)))
        assert ",".join(header) == LIST_COLUMNS[command], where
    elif command in LIST_COLUMNS:
        first = out.splitlines()[0]
        headed = first.startswith(("PUBLIC VALUE", "TYPE"))
        assert headed or (first.startswith("No ") and first.endswith(".")), where
    else:
        assert out.strip(), where


PROPERTY = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@PROPERTY
@given(drawn=invocations(USER_COMMANDS))
def test_user_commands(servers: Servers, drawn: Drawn) -> None:
    outcome = invoke(servers, drawn)
    check(outcome, servers, broken_stdout=drawn.broken_stdout)


@settings(PROPERTY, max_examples=80)
@given(drawn=invocations(JOB_COMMANDS))
def test_audit_and_rotate(servers: Servers, drawn: Drawn) -> None:
    outcome = invoke(servers, drawn)
    check(outcome, servers, broken_stdout=drawn.broken_stdout)


@settings(PROPERTY, max_examples=80)
@given(drawn=invocations(PRINCIPAL_COMMANDS))
def test_login_and_system_info(servers: Servers, drawn: Drawn) -> None:
    outcome = invoke(servers, drawn)
    check(outcome, servers, broken_stdout=drawn.broken_stdout)


@settings(PROPERTY, max_examples=60)
@given(
    argv=st.one_of(fake_server_line(), TOP_LEVEL),
    clean=st.booleans(),
    data=st.data(),
)
def test_fake_server_and_no_command(
    servers: Servers, argv: list[str], clean: bool, data: st.DataObject
) -> None:
    drawn = Drawn(argv, data.draw(environments(clean)), data.draw(stdins(clean)), False)
    outcome = invoke(servers, drawn)
    check(outcome, servers)
    if argv[:1] == ["fake-server"] and not set(argv) & {"--help", "-h"}:
        assert outcome.code == 2, outcome


def test_the_bad_ports_are_bad() -> None:
    """The fake-server spoilers really are refused by the port check (else a draw could serve)."""
    import argparse

    for value in BAD_PORTS:
        with pytest.raises(argparse.ArgumentTypeError):
            cli._port(value)


# ------------------------------------------------------------------------------------------------
# The rules, one failing input each


@attrs.frozen
class Fresh:
    demo: FakeNetServer
    blank: FakeNetServer
    demo_url: str
    blank_url: str

    def requests(self) -> int:
        return len(self.demo.requests) + len(self.blank.requests)


@pytest.fixture(scope="module")
def fresh() -> Iterator[Fresh]:
    """Servers of their own: the drawn examples change the others' state. Shared by the tests
    below, which send nothing or only add credentials of their own."""

    def must_not_serve(args: Any, out: TextIO) -> int:
        raise MustNotServe(f"fake-server would have started in process: {args!r}")

    demo = FakeNetServer.with_demo_data()
    demo.add_access_token(ACCESS_TOKEN, DEMO_ASSOCIATE_ID)
    blank = FakeNetServer()
    blank.add_ticket(DEMO_TICKET, DEMO_ASSOCIATE_ID)
    blank.add_user(DEMO_USERNAME, DEMO_PASSWORD, DEMO_ASSOCIATE_ID)
    with pytest.MonkeyPatch.context() as patch, demo.serve() as on_demo, blank.serve() as on_blank:
        patch.setattr(cli, "_fake_server", must_not_serve)
        yield Fresh(demo, blank, on_demo.base_url, on_blank.base_url)


def run(
    fresh: Fresh,
    argv: Sequence[str],
    *,
    stdin: str = "",
    env: Optional[Mapping[str, str]] = None,
) -> Outcome:
    out, err = io.StringIO(), io.StringIO()
    before = fresh.requests()
    with environment(env or {}), system_stdin(None):
        code = main(list(argv), stdout=out, stdin=io.StringIO(stdin), stderr=err)
    if code == 5:  # a call cut short (--timeout 1e-9): its request may reach the server late
        _settle(fresh)
    return Outcome(list(argv), code, out.getvalue(), err.getvalue(), fresh.requests() - before)


def _settle(fresh: Union[Fresh, Servers], quiet: float = 0.3, longest: float = 3.0) -> None:
    """Until the servers have received nothing new for ``quiet`` seconds, so that a request that
    arrives after its client gave up is counted to its own example, not to the next one."""
    deadline = time.monotonic() + longest
    seen, since = fresh.requests(), time.monotonic()
    while time.monotonic() < deadline and time.monotonic() - since < quiet:
        time.sleep(0.02)
        now = fresh.requests()
        if now != seen:
            seen, since = now, time.monotonic()


def assert_usage_error(outcome: Outcome, *named: str) -> str:
    """Exit 2, nothing on stdout, one error line naming each of ``named`` and the --help pointer,
    nothing sent. Returns the error line without its prefix."""
    where = f"{outcome.argv!r} -> {outcome.code}\nstdout: {outcome.out!r}\nstderr: {outcome.err!r}"
    assert outcome.code == 2, where
    assert outcome.out == "", where
    lines = outcome.err.splitlines()
    assert len(lines) == 2, where
    assert lines[0].startswith(PREFIX), where
    assert HELP_POINTER.fullmatch(lines[1]), where
    for name in named:
        assert name in lines[0], f"{name!r} not named\n{where}"
    assert outcome.requests == 0, f"{outcome.requests} request(s) sent\n{where}"
    return lines[0][len(PREFIX) :]


def login_args(fresh: Fresh, *extra: str) -> list[str]:
    return ["login", "--url", fresh.demo_url, *extra]


def user_args(fresh: Fresh, command: str, *extra: str, url: str = "") -> list[str]:
    return [command, "--url", url or fresh.demo_url, "--ticket", DEMO_TICKET, *extra]


def save_args(fresh: Fresh, *extra: str) -> list[str]:
    return user_args(
        fresh, "save-untrusted-credentials", "--type", "imap", "--public-value", "bob", *extra
    )


# Rule 4: inputs are checked before anything is sent.


@pytest.mark.parametrize("stdin", ["", "\n", "\r\n"])
def test_an_empty_password_on_stdin_is_refused(fresh: Fresh, stdin: str) -> None:
    outcome = run(
        fresh, login_args(fresh, "--username", "jane.doe", "--password-stdin"), stdin=stdin
    )
    message = assert_usage_error(outcome, "--password-stdin")
    assert message == "--password-stdin: standard input is empty"


def test_an_empty_password_variable_is_refused(fresh: Fresh) -> None:
    args = login_args(fresh, "--username", "jane.doe", "--password-env", "CLI_TEST_EMPTY")
    message = assert_usage_error(run(fresh, args, env={"CLI_TEST_EMPTY": ""}), "--password-env")
    assert message == "--password-env: environment variable CLI_TEST_EMPTY is empty"


@pytest.mark.parametrize("command", ["login", "untrusted-credentials"])
def test_an_empty_superoffice_password_is_refused(fresh: Fresh, command: str) -> None:
    args = [command, "--url", fresh.demo_url]
    if command != "login":
        args += ["--type", "imap"]
    env = {"SUPEROFFICE_USERNAME": DEMO_USERNAME, "SUPEROFFICE_PASSWORD": ""}
    message = assert_usage_error(run(fresh, args, env=env), "SUPEROFFICE_PASSWORD")
    assert message == "SUPEROFFICE_PASSWORD is set but empty"


@pytest.mark.parametrize("stdin", ["", "\n", "\r\n"])
def test_an_empty_access_token_on_stdin_is_refused(fresh: Fresh, stdin: str) -> None:
    outcome = run(fresh, login_args(fresh, "--access-token-stdin"), stdin=stdin)
    message = assert_usage_error(outcome, "--access-token-stdin")
    assert message == "--access-token-stdin: standard input is empty"


@pytest.mark.parametrize("stdin", ["", "\n", "\r\n"])
def test_an_empty_secret_needs_allow_empty_secret(fresh: Fresh, stdin: str) -> None:
    before = fresh.demo.stored_credentials(DEMO_ASSOCIATE_ID, "imap")
    outcome = run(fresh, save_args(fresh, "--secret-stdin"), stdin=stdin)
    message = assert_usage_error(outcome, "--secret-stdin", "--allow-empty-secret")
    assert message == (
        "--secret-stdin: standard input is empty; add --allow-empty-secret to store an empty one"
    )
    assert fresh.demo.stored_credentials(DEMO_ASSOCIATE_ID, "imap") == before
    stored = run(fresh, save_args(fresh, "--secret-stdin", "--allow-empty-secret"), stdin=stdin)
    assert stored.code == 0, stored
    bob = [
        c
        for c in fresh.demo.stored_credentials(DEMO_ASSOCIATE_ID, "imap")
        if c.public_value == "bob"
    ]
    assert [c.secret_value for c in bob] == [""]


def test_a_crlf_line_end_is_stripped(fresh: Fresh) -> None:
    args = user_args(
        fresh, "save-untrusted-credentials", "--type", "smtp", "--public-value", "carol"
    )
    saved = run(fresh, [*args, "--secret-stdin"], stdin="s3cret\r\n")
    assert saved.code == 0, saved
    stored = fresh.demo.stored_credentials(DEMO_ASSOCIATE_ID, "smtp")
    assert [c.secret_value for c in stored if c.public_value == "carol"] == ["s3cret"]
    args = login_args(fresh, "--username", DEMO_USERNAME, "--password-stdin")
    logged_in = run(fresh, args, stdin=f"{DEMO_PASSWORD}\r\n")
    assert logged_in.code == 0, logged_in
    assert logged_in.out.startswith(f"Authenticated as {DEMO_USERNAME} ")
    token = run(fresh, login_args(fresh, "--access-token-stdin"), stdin=f"{ACCESS_TOKEN}\r\n")
    assert token.code == 0, token


@pytest.mark.parametrize(
    ("command", "extra", "stdin", "named"),
    [
        ("untrusted-credentials", ["--type", "imap", "--json", "--csv"], "", ["--json", "--csv"]),
        ("credential-types", ["--csv", "--json"], "", ["--json", "--csv"]),
        ("save", ["--active", "--inactive", "--secret-stdin"], "x", ["--active", "--inactive"]),
        ("save", ["--secret-stdin", "--secret-env", "X"], "x", ["--secret-stdin", "--secret-env"]),
        (
            "login",
            ["--username", "jane.doe", "--password-stdin", "--access-token-stdin"],
            "x",
            ["--password-stdin", "--access-token-stdin"],
        ),
        (
            "login",
            ["--password-env", "X", "--access-token-env", "Y"],
            "",
            ["--password-env", "--access-token-env"],
        ),
        ("login", ["--username", "jane.doe", "--access-token-stdin"], "8A:x", ["--username"]),
    ],
)
def test_mutually_exclusive_options(
    fresh: Fresh, command: str, extra: list[str], stdin: str, named: list[str]
) -> None:
    if command == "save":
        args = save_args(fresh, *extra)
    elif command == "login":
        args = login_args(fresh, *extra)
    else:
        args = user_args(fresh, command, *extra)
    assert_usage_error(run(fresh, args, stdin=stdin), *named)


@pytest.mark.parametrize("value", ["", " ", "\t"])
@pytest.mark.parametrize(
    "command",
    ["untrusted-credentials", "save-untrusted-credentials", "remove-untrusted-credentials"],
)
def test_an_empty_type_is_refused(fresh: Fresh, command: str, value: str) -> None:
    args = user_args(fresh, command, "--type", value, "--public-value", "bob", "--secret-stdin")
    if command == "untrusted-credentials":
        args = user_args(fresh, command, "--type", value)
    message = assert_usage_error(run(fresh, args, stdin="x"), "--type", "credential-types")
    assert message.startswith("argument --type: must not be empty")


@pytest.mark.parametrize("port", ["65536", "99999", "-1", "abc", "", "1e3", "٠"])
def test_fake_server_ports_outside_1_to_65535(fresh: Fresh, port: str) -> None:
    message = assert_usage_error(run(fresh, ["fake-server", "--port", port]), "--port")
    assert message.startswith("argument --port: ")
    assert "1 to 65535" in message or "not a port number" in message


def test_login_reads_superoffice_username_and_password(fresh: Fresh) -> None:
    env = {"SUPEROFFICE_USERNAME": DEMO_USERNAME, "SUPEROFFICE_PASSWORD": DEMO_PASSWORD}
    outcome = run(fresh, login_args(fresh), env=env)
    assert outcome.code == 0, outcome
    assert outcome.out.startswith(f"Authenticated as {DEMO_USERNAME} (associate id 5).")
    assert DEMO_PASSWORD not in outcome.out + outcome.err


@pytest.mark.parametrize("command", ["login", "untrusted-credentials"])
@pytest.mark.parametrize(
    ("env", "given", "missing"),
    [
        ({"SUPEROFFICE_USERNAME": DEMO_USERNAME}, "SUPEROFFICE_USERNAME", "SUPEROFFICE_PASSWORD"),
        ({"SUPEROFFICE_PASSWORD": DEMO_PASSWORD}, "SUPEROFFICE_PASSWORD", "SUPEROFFICE_USERNAME"),
    ],
)
def test_a_half_set_login_names_the_missing_half(
    fresh: Fresh, command: str, env: dict[str, str], given: str, missing: str
) -> None:
    args = [command, "--url", fresh.demo_url]
    if command != "login":
        args += ["--type", "imap"]
    message = assert_usage_error(run(fresh, args, env=env), given, missing)
    assert message.startswith(f"{given} is set but no ")
    assert DEMO_PASSWORD not in message


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        (["--type", "im\x01ap"], "--type"),
        (["--type", "imap", "--associate-id", "2147483648"], "argument --associate-id"),
    ],
)
def test_an_invalid_argument_sends_not_even_the_login(
    fresh: Fresh, extra: list[str], named: str
) -> None:
    """Logging in from SUPEROFFICE_USERNAME/PASSWORD waits until the command's own arguments
    are known to be valid (the login used to go out first)."""
    env = {"SUPEROFFICE_USERNAME": DEMO_USERNAME, "SUPEROFFICE_PASSWORD": DEMO_PASSWORD}
    tickets = fresh.demo.issued_tickets()
    outcome = run(fresh, ["untrusted-credentials", "--url", fresh.demo_url, *extra], env=env)
    assert outcome.code == 2, outcome
    assert outcome.err.startswith(f"{PREFIX}{named}: "), outcome
    assert len(outcome.err.splitlines()) == 2, outcome  # and the --help pointer
    assert HELP_POINTER.fullmatch(outcome.err.splitlines()[1]), outcome
    assert outcome.requests == 0, outcome
    assert fresh.demo.issued_tickets() == tickets


@pytest.mark.parametrize(
    ("command", "extra"),
    [
        ("save-untrusted-credentials", ["--public-value", "x\x01", "--secret-stdin"]),
        (
            "save-untrusted-credentials",
            ["--public-value", "x", "--secret-stdin", "--comment", "\x02"],
        ),
        ("remove-untrusted-credentials", ["--public-value", "x\x01"]),
    ],
)
def test_an_invalid_save_or_remove_sends_not_even_the_login(
    fresh: Fresh, command: str, extra: list[str]
) -> None:
    env = {"SUPEROFFICE_USERNAME": DEMO_USERNAME, "SUPEROFFICE_PASSWORD": DEMO_PASSWORD}
    args = [command, "--url", fresh.demo_url, "--type", "imap", *extra]
    outcome = run(fresh, args, env=env, stdin="secret")
    assert outcome.code == 2, outcome
    assert len(outcome.err.splitlines()) == 2, outcome  # and the --help pointer
    assert outcome.requests == 0, outcome


# Rule 2: an empty answer is an answer, in every form.


@pytest.mark.parametrize(
    ("server", "extra", "table"),
    [
        (
            "demo",
            ["--associate-id", "5", "--type", "ldap"],
            "No ldap credentials are stored for associate 5.",
        ),
        ("blank", ["--type", "imap"], "No imap credentials are stored for the signed-in user."),
    ],
)
def test_no_credentials_is_an_answer(
    fresh: Fresh, server: str, extra: list[str], table: str
) -> None:
    url = fresh.demo_url if server == "demo" else fresh.blank_url
    args = user_args(fresh, "untrusted-credentials", *extra, url=url)
    assert_empty_answer(fresh, args, table, cli._CREDENTIAL_COLUMNS)


@pytest.mark.parametrize(
    ("extra", "table"),
    [
        ([], "No credential types are defined."),
        (
            ["--user-type", "InternalAssociate"],
            "No credential types are defined for user type InternalAssociate.",
        ),
    ],
)
def test_no_credential_types_is_an_answer(fresh: Fresh, extra: list[str], table: str) -> None:
    args = user_args(fresh, "credential-types", *extra, url=fresh.blank_url)
    assert_empty_answer(fresh, args, table, cli._CREDENTIAL_TYPE_COLUMNS)


def assert_empty_answer(fresh: Fresh, args: list[str], table: str, columns: Sequence[str]) -> None:
    forms = {"table": [], "json": ["--json"], "csv": ["--csv"]}
    expected = {"table": f"{table}\n", "json": "[]\n", "csv": ",".join(columns) + "\n"}
    for form, extra in forms.items():
        outcome = run(fresh, [*args, *extra])
        assert (outcome.code, outcome.out, outcome.err) == (0, expected[form], ""), (form, outcome)
        if form == "json":
            assert json.loads(outcome.out) == []


# ------------------------------------------------------------------------------------------------
# What the drawn examples found (each failed before the fix in cli.py)


@pytest.mark.parametrize("value", ["1e10", "1e300", "86401"])
def test_a_huge_timeout_is_a_usage_error(fresh: Fresh, value: str) -> None:
    """Was exit 1, "unexpected OverflowError: timestamp out of range for platform time_t"."""
    args = ["system-info", "--url", fresh.demo_url, "--timeout", value]
    message = assert_usage_error(run(fresh, args), "--timeout", "86400")
    assert message.startswith("argument --timeout: must be a number of seconds > 0 and at most")


@pytest.mark.parametrize(
    ("args", "secret"),
    [
        (["system-info", "--url", "<demo>", "--ticket", DEMO_TICKET], DEMO_TICKET),
        (["system-info", "--url", "<demo>", f"--ticket={DEMO_TICKET}"], DEMO_TICKET),
        (["login", "--url", "<demo>", "--ticket", DEMO_TICKET], DEMO_TICKET),
        (
            ["login", "--url", "<demo>", "--username", "x", f"--password={DEMO_PASSWORD}"],
            DEMO_PASSWORD,
        ),
        (["login", "--url", "<demo>", f"--password-stdin={DEMO_PASSWORD}"], DEMO_PASSWORD),
        (["login", "--url", "<demo>", f"--access-token={ACCESS_TOKEN}"], ACCESS_TOKEN),
        (["fake-server", "--application-token", APP_TOKEN], APP_TOKEN),
        (["fake-server", "--tick", DEMO_TICKET], DEMO_TICKET),
    ],
)
def test_a_secret_given_to_a_wrong_option_is_not_repeated(
    fresh: Fresh, args: list[str], secret: str
) -> None:
    """The usage error used to repeat it: "unrecognized arguments: --ticket 7T:demo-…"."""
    args = [fresh.demo_url if arg == "<demo>" else arg for arg in args]
    message = assert_usage_error(run(fresh, args))
    assert secret not in message
    assert cli.MASKED in message


def test_masking_leaves_other_words_alone(fresh: Fresh) -> None:
    args = ["system-info", "--url", fresh.demo_url, "--ticket", "a", "--bogus", "a"]
    message = assert_usage_error(run(fresh, args))
    assert message == f"unrecognized arguments: --ticket {cli.MASKED} --bogus {cli.MASKED}"
    variable = run(fresh, save_args(fresh, "--secret-env", "NO_SUCH_VARIABLE"))
    assert "NO_SUCH_VARIABLE" in assert_usage_error(variable)  # a variable's name is no secret


@pytest.mark.parametrize("value", ["\r\n", "a\nb", "\x1b[2J", "\u2028", "\x85"])
def test_control_characters_in_arguments_stay_on_one_line(fresh: Fresh, value: str) -> None:
    """An unknown argument holding a line break used to split the error over several lines."""
    args = login_args(fresh, "--username", "jane.doe", "--password-stdin", "--type", value)
    message = assert_usage_error(run(fresh, args, stdin="x"))
    assert message.startswith("unrecognized arguments: --type ")
    assert message.isprintable()


@pytest.mark.parametrize("how", ["flag", "environment"])
def test_a_refused_soap_version_says_what_to_change(fresh: Fresh, how: str) -> None:
    """NetServer answers SOAP 1.2 with HTTP 415; the error used to stop at "HTTP 415 with an
    empty body (content type none)"."""
    args = user_args(fresh, "credential-types")
    env = {"SUPEROFFICE_SOAP_VERSION": "1.2"} if how == "environment" else {}
    outcome = run(fresh, [*args, "--soap-version", "1.2"] if how == "flag" else args, env=env)
    assert outcome.code == 5, outcome
    assert outcome.err.startswith(f"{PREFIX}HTTP 415 "), outcome
    assert "pin --soap-version 1.1 (or SUPEROFFICE_SOAP_VERSION=1.1)" in outcome.err
    assert outcome.err.count("soap-version") == 1  # said once, not by the library and the CLI
    assert len(outcome.err.splitlines()) == 1
