"""``superoffice-soap audit`` and ``superoffice-soap rotate``, in process through ``main``: output
forms, exit codes, the progress line, bad input, and every rotate failure point injected on the
wire with the state printed and the printed recovery command run as printed."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shlex
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Optional

import pytest

from superoffice_soap import NEVER_EXPIRES, UntrustedCredentials
from superoffice_soap.cli import EXIT_FINDINGS, EXIT_ROTATION, main
from superoffice_soap.testing import DEMO_TICKET, FakeNetServer, RunningServer
from superoffice_soap.testing._demo import demo_credentials

from ._proxy import DROP, Proxy, Rule, netserver_error
from .faultserver import FaultServer

DEMO_SECRETS = tuple(c.secret_value for _, c in demo_credentials() if c.secret_value)
NEW_SECRET = "cli-n3w-s3cret"
OLD = "jane.doe@example.com"
NEW = "jane.doe@new.example.com"
GET = "GetUntrustedCredentialsForAssociate"
SAVE = "SaveUntrustedCredentialsForAssociate"
REMOVE = "RemoveUntrustedCredentialsForAssociate"
SUMMARY = re.compile(r"^superoffice-soap: audited \d+ users?: \d+ imap credentials? \(")


class Terminal(io.StringIO):
    """A stderr that says it is a terminal."""

    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "SUPEROFFICE_URL",
        "SUPEROFFICE_TICKET",
        "SUPEROFFICE_APPLICATION_TOKEN",
        "SUPEROFFICE_USERNAME",
        "SUPEROFFICE_PASSWORD",
        "SUPEROFFICE_SOAP_VERSION",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ROTATE_TICKET", DEMO_TICKET)


def cli(
    *args: str,
    url: str = "",
    stdin: str = "",
    stderr: Optional[io.StringIO] = None,
) -> tuple[int, str, str]:
    """Run the command line against ``url`` with the demo ticket: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), stderr if stderr is not None else io.StringIO()
    connection = (
        ["--url", url, "--ticket-env", "ROTATE_TICKET", "--soap-version", "1.1"] if url else []
    )
    code = main([*args, *connection], stdout=out, stdin=io.StringIO(stdin), stderr=err)
    text = out.getvalue() + err.getvalue()
    for secret in (*DEMO_SECRETS, NEW_SECRET, DEMO_TICKET):
        assert secret not in text
    assert "Traceback" not in text
    return code, out.getvalue(), err.getvalue()


def audit_fake() -> FakeNetServer:
    """The demo data, and associates 10 (expires in 10 days), 11 (expired yesterday), 12 (not yet
    valid), 13 (none stored)."""
    fake = FakeNetServer.with_demo_data()
    now = datetime.now(timezone.utc).replace(microsecond=0)
    for associate_id, valid_from, valid_to in (
        (10, None, now + timedelta(days=10)),
        (11, None, now - timedelta(days=1)),
        (12, now + timedelta(days=2), NEVER_EXPIRES),
    ):
        fake.add_credentials(
            associate_id,
            "imap",
            UntrustedCredentials(
                public_value=f"user{associate_id}@example.com",
                secret_value=f"secret-{associate_id}",
                valid_from=valid_from,
                valid_to=valid_to,
            ),
        )
    return fake


@pytest.fixture
def served() -> Iterator[tuple[FakeNetServer, RunningServer]]:
    fake = audit_fake()
    with fake.serve() as running:
        yield fake, running


# ------------------------------------------------------------------------------------------------
# audit: output forms


def test_the_table_and_the_summary(served: tuple[FakeNetServer, RunningServer]) -> None:
    _, running = served
    code, out, err = cli("audit", "--type", "imap", "--associates", "5,10-13", url=running.base_url)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == [
        "ASSOCIATE",
        "ID",
        "PUBLIC",
        "VALUE",
        "IS",
        "ACTIVE",
        "VALID",
        "FROM",
        "VALID",
        "TO",
        "STATUS",
        "ERROR",
    ]
    assert re.match(
        r"5 +jane\.doe@example\.com +yes +2021-03-25T21:36:23\+02:00 +never +ok$", lines[1]
    )
    statuses = [(line.split()[0], line.split()[-1]) for line in lines[1:]]
    assert statuses[1:] == [
        ("5", "inactive"),
        ("10", "expiring"),
        ("11", "expired"),
        ("12", "valid"),  # "not yet valid", the last word
        ("13", "none"),
    ]
    assert err.splitlines() == [
        "superoffice-soap: audited 5 users: 5 imap credentials (1 ok, 1 inactive, 1 expired, "
        "1 not yet valid, 1 expiring; expiring = within 30d), 1 without any, 0 failed; times "
        "without an offset read as UTC"
    ]
    assert "secret-1" not in out


def test_json_and_csv(served: tuple[FakeNetServer, RunningServer]) -> None:
    _, running = served
    code, out, _ = cli(
        "audit", "--type", "imap", "--associates", "5,13", "--json", url=running.base_url
    )
    assert code == 0
    data = json.loads(out)
    assert set(data) == {
        "credential_type",
        "checked_at",
        "expiring_within_seconds",
        "times_without_offset",
        "summary",
        "rows",
    }
    assert data["times_without_offset"] == "read as UTC"
    assert data["expiring_within_seconds"] == 30 * 86400
    assert datetime.fromisoformat(data["checked_at"]).utcoffset() == timedelta(0)
    assert data["summary"] == {
        "users": 2,
        "credentials": 2,
        "ok": 1,
        "inactive": 1,
        "expired": 0,
        "not yet valid": 0,
        "expiring": 0,
        "none": 1,
        "failed": 0,
    }
    assert data["rows"][0] == {
        "associate_id": 5,
        "public_value": OLD,
        "is_active": True,
        "valid_from": "2021-03-25T21:36:23+02:00",
        "valid_to": "9999-12-31T23:59:59.999999",
        "status": "ok",
        "error": None,
    }
    assert data["rows"][2] == {
        "associate_id": 13,
        "public_value": None,
        "is_active": None,
        "valid_from": None,
        "valid_to": None,
        "status": "none",
        "error": None,
    }
    code, out, _ = cli(
        "audit", "--type", "imap", "--associates", "5,13", "--csv", url=running.base_url
    )
    rows = list(csv.DictReader(io.StringIO(out)))
    assert (
        out.splitlines()[0]
        == "associate_id,public_value,is_active,valid_from,valid_to,status,error"
    )
    assert [(r["associate_id"], r["status"], r["is_active"]) for r in rows] == [
        ("5", "ok", "true"),
        ("5", "inactive", "false"),
        ("13", "none", ""),
    ]


def test_expiring_within(served: tuple[FakeNetServer, RunningServer]) -> None:
    _, running = served
    for within, status in (("2w", "expiring"), ("240h", "expiring"), ("1w", "ok"), ("9d", "ok")):
        code, out, _ = cli(
            "audit", "--type", "imap", "--associate-id", "10", "--expiring-within", within,
            "--csv", url=running.base_url,
        )  # fmt: skip
        assert code == 0
        assert out.splitlines()[1].split(",")[5] == status, within


def test_secrets_are_never_shown_and_cannot_be_asked_for(
    served: tuple[FakeNetServer, RunningServer],
) -> None:
    fake, running = served
    code, _, err = cli(
        "audit", "--type", "imap", "--associate-id", "5", "--show-secrets", url=running.base_url
    )
    assert code == 2
    assert err.splitlines()[0] == "superoffice-soap: error: unrecognized arguments: --show-secrets"
    assert fake.requests == []


# ------------------------------------------------------------------------------------------------
# audit: exit codes


@pytest.mark.parametrize(
    ("fail_on", "code", "line"),
    [
        ([], 0, None),
        (["--fail-on", "expired"], EXIT_FINDINGS, "found 1 expired (--fail-on expired)"),
        (
            ["--fail-on", "expired,expiring,inactive,error"],
            EXIT_FINDINGS,
            "found 1 expired, 1 expiring, 1 inactive (--fail-on expired,expiring,inactive,error)",
        ),
        (
            ["--fail-on", "not-yet-valid,none"],
            EXIT_FINDINGS,
            "found 1 not-yet-valid, 1 user without any imap credential",
        ),
        (["--fail-on", "error"], 0, None),
    ],
)
def test_fail_on(
    served: tuple[FakeNetServer, RunningServer], fail_on: list[str], code: int, line: Optional[str]
) -> None:
    _, running = served
    got, out, err = cli(
        "audit", "--type", "imap", "--associates", "5,10-13", *fail_on, url=running.base_url
    )
    assert got == code
    assert out  # the report is printed whatever the exit code
    lines = err.splitlines()
    assert SUMMARY.match(lines[0])
    if line is None:
        assert len(lines) == 1
    else:
        assert len(lines) == 2
        assert lines[1].startswith(f"superoffice-soap: error: {line}")


def test_a_mix_of_successes_and_failures() -> None:
    fake = audit_fake()

    def reply(request: Any) -> Any:
        if b">11<" in request.body:
            return netserver_error(GET, "Associate 11 is gone")
        if b">12<" in request.body:
            return DROP  # a read is retried, then given up
        return proxy(request)

    proxy = Proxy(fake)
    with FaultServer(reply) as server:
        url = f"{server.url}/Cust12345/Remote/Services86"
        code, out, err = cli("audit", "--type", "imap", "--associates", "5,10-13", "--csv", url=url)
        assert code == 0
        rows = {r["associate_id"]: r for r in csv.DictReader(io.StringIO(out))}
        assert rows["11"]["status"] == "error"
        assert rows["11"]["error"] == "SoDatabaseException: Associate 11 is gone"
        assert rows["12"]["error"] == "transport error (protocol)"
        assert rows["10"]["status"] == "expiring"
        assert ", 2 failed;" in err
        code, _, err = cli(
            "audit", "--type", "imap", "--associates", "5,10-13", "--fail-on", "error", url=url
        )
        assert code == EXIT_FINDINGS
        assert err.splitlines()[1] == (
            "superoffice-soap: error: found 2 users whose credentials could not be read "
            "(--fail-on error)"
        )


def test_when_every_user_fails_the_exit_code_is_the_errors(
    served: tuple[FakeNetServer, RunningServer],
) -> None:
    _, running = served
    out, err = io.StringIO(), io.StringIO()
    args = ["audit", "--type", "imap", "--associates", "5-6", "--url", running.base_url]
    code = main([*args, "--ticket", "7T:wrong"], stdout=out, stderr=err)
    assert code == 3
    lines = err.getvalue().splitlines()
    assert len(lines) == 2
    assert ", 2 failed;" in lines[0]
    assert lines[1].startswith("superoffice-soap: error: every user failed; the first: NetServer")
    assert lines[1].endswith(
        "(check --ticket or SUPEROFFICE_TICKET; 'superoffice-soap login' gets a new one)"
    )


# ------------------------------------------------------------------------------------------------
# audit: progress, and what users type


def test_progress_only_on_a_terminal(served: tuple[FakeNetServer, RunningServer]) -> None:
    _, running = served
    terminal = Terminal()
    code, out, err = cli(
        "audit", "--type", "imap", "--associates", "1-20", url=running.base_url, stderr=terminal
    )
    assert code == 0
    updates = err.split("\r")
    assert updates[1].startswith("superoffice-soap audit: 0/20 users, 0 failed, ")
    assert re.match(r"superoffice-soap audit: 20/20 users, 0 failed, \d+\.\d s", updates[-3])
    assert updates[-2].strip() == ""  # the line is cleared before the summary
    assert SUMMARY.match(updates[-1])
    assert "\r" not in out
    _, _, plain = cli("audit", "--type", "imap", "--associates", "1-20", url=running.base_url)
    assert "\r" not in plain
    assert len(plain.splitlines()) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--associates", "1-5,x"], "--associates: not an associate id: 'x'"),
        (["--associates", "9-3"], "--associates: range '9-3' runs backwards (write 3-9)"),
        (["--associate-id", "0"], "argument --associate-id: associate id out of range: '0'"),
        ([], "which users? give --associate-id N (repeatable), --associates 1-500,731 or"),
        (
            ["--associate-id", "5", "--expiring-within", "30"],
            "argument --expiring-within: not a duration: '30'",
        ),
        (
            ["--associate-id", "5", "--fail-on", "stale"],
            "argument --fail-on: unknown finding 'stale'",
        ),
        (["--associate-id", "5", "--concurrency", "0"], "argument --concurrency: must be a whole"),
        (["--associate-id", "5", "--concurrency", "65"], "argument --concurrency: must be a whole"),
        (["--associate-id", "5", "--json", "--csv"], "argument --csv: not allowed with argument"),
    ],
)
def test_usage_errors_send_nothing(
    served: tuple[FakeNetServer, RunningServer], args: list[str], message: str
) -> None:
    fake, running = served
    code, out, err = cli("audit", "--type", "imap", *args, url=running.base_url)
    assert code == 2
    assert out == ""
    lines = err.splitlines()
    assert lines[0].startswith(f"superoffice-soap: error: {message}")
    assert lines[1] == "Run 'superoffice-soap audit --help' for usage."
    assert fake.requests == []


def test_ids_from_a_file_and_from_stdin(
    served: tuple[FakeNetServer, RunningServer], tmp_path: Path
) -> None:
    fake, running = served
    ids = tmp_path / "ids.txt"
    ids.write_text("# the mailbox users\n5\n\n10\n5\n", encoding="utf-8")
    code, out, _ = cli(
        "audit", "--type", "imap", "--associates-from", str(ids), "--associate-id", "13",
        "--csv", url=running.base_url,
    )  # fmt: skip
    assert code == 0
    assert [row.split(",")[0] for row in out.splitlines()[1:]] == ["13", "5", "5", "10"]
    code, out, _ = cli(
        "audit", "--type", "imap", "--associates-from", "-", "--csv",
        url=running.base_url, stdin="12\r\n11\n",
    )  # fmt: skip
    assert [row.split(",")[0] for row in out.splitlines()[1:]] == ["12", "11"]
    requests = len(fake.requests)
    ids.write_text("5\n10\nten\n", encoding="utf-8")
    code, _, err = cli(
        "audit", "--type", "imap", "--associates-from", str(ids), url=running.base_url
    )
    assert code == 2
    assert err.splitlines()[0] == (
        f"superoffice-soap: error: --associates-from: {ids}, line 3: not an associate id: 'ten' "
        "(a whole number from 1 to 2147483647)"
    )
    code, _, err = cli(
        "audit", "--type", "imap", "--associates-from", str(tmp_path / "nope"), url=running.base_url
    )
    assert code == 2  # a usage error: the file named cannot be used
    assert err == (
        f"superoffice-soap: error: --associates-from: cannot read {tmp_path / 'nope'}: "
        "No such file or directory\nRun 'superoffice-soap audit --help' for usage.\n"
    )
    assert len(fake.requests) == requests


@pytest.mark.slow
def test_a_thousand_users_with_one_negotiation() -> None:
    fake = FakeNetServer.with_demo_data()
    for associate_id in range(1000, 2000):
        fake.add_credentials(
            associate_id,
            "imap",
            UntrustedCredentials(public_value=f"u{associate_id}", secret_value="s"),
        )
    with fake.serve() as running:
        out, err = io.StringIO(), io.StringIO()
        args = ["audit", "--type", "imap", "--associates", "1000-1999", "--json"]
        code = main(
            [*args, "--url", running.base_url, "--ticket", DEMO_TICKET], stdout=out, stderr=err
        )
    assert code == 0, err.getvalue()
    assert json.loads(out.getvalue())["summary"]["ok"] == 1000
    kinds = [r.headers["content-type"].split(";")[0] for r in fake.requests]
    assert kinds.count("application/soap+xml") == 1  # auto: one SOAP 1.2 probe, then 1.1
    assert kinds.count("text/xml") == 1000


# ------------------------------------------------------------------------------------------------
# rotate


@pytest.fixture
def fake() -> FakeNetServer:
    return FakeNetServer.with_demo_data()


def rotate_args(*extra: str) -> list[str]:
    return [
        "rotate", "--associate-id", "5", "--type", "imap", "--public-value", OLD,
        "--new-public-value", NEW, "--secret-stdin", *extra,
    ]  # fmt: skip


def stored(fake: FakeNetServer) -> list[Optional[str]]:
    return [c.public_value for c in fake.stored_credentials(5, "imap")]


def test_rotate_with_a_new_public_value(fake: FakeNetServer) -> None:
    with fake.serve() as running:
        code, out, err = cli(*rotate_args(), url=running.base_url, stdin=NEW_SECRET + "\n")
    assert (code, err) == (0, "")
    assert out == (
        f"Rotated imap credentials of associate 5: saved '{NEW}' (active, never expires, comment "
        f"'Work mailbox'), read it back and verified it, removed '{OLD}'.\n"
    )
    assert stored(fake) == ["jane.doe@old.example.com", NEW]
    assert fake.stored_credentials(5, "imap")[1].secret_value == NEW_SECRET


def test_rotate_the_secret_only_as_json(
    fake: FakeNetServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ROTATE_SECRET", NEW_SECRET)
    args = ["rotate", "--associate-id", "5", "--type", "imap", "--public-value", OLD]
    with fake.serve() as running:
        code, out, _ = cli(
            *args,
            "--secret-env",
            "ROTATE_SECRET",
            "--comment",
            "cron",
            "--json",
            url=running.base_url,
        )
    assert code == 0
    data = json.loads(out)
    assert {
        k: data[k]
        for k in ("public_value", "new_public_value", "comment", "saved", "verified", "removed_old")
    } == {
        "public_value": OLD,
        "new_public_value": OLD,
        "comment": "cron",
        "saved": True,
        "verified": True,
        "removed_old": False,
    }
    assert stored(fake) == [OLD, "jane.doe@old.example.com"]
    assert fake.stored_credentials(5, "imap")[0].secret_value == NEW_SECRET


def test_a_dry_run_sends_no_write(fake: FakeNetServer) -> None:
    before = fake.stored_credentials(5, "imap")
    with fake.serve() as running:
        code, out, _ = cli(*rotate_args("--dry-run"), url=running.base_url, stdin=NEW_SECRET)
        code_without_secret, _, _ = cli(
            *[a for a in rotate_args("--dry-run") if a != "--secret-stdin"], url=running.base_url
        )
    assert code == code_without_secret == 0
    assert out == (
        "Dry run, nothing was written. Rotating imap credentials of associate 5 would:\n"
        f"  1. save '{NEW}' (active, never expires, comment 'Work mailbox')\n"
        "  2. read it back and check that the server stored what was sent\n"
        f"  3. remove '{OLD}'\n"
    )
    assert {r.operation for r in fake.requests} == {GET}
    assert fake.stored_credentials(5, "imap") == before


def test_an_absent_or_ambiguous_entry_is_refused(fake: FakeNetServer) -> None:
    with fake.serve() as running:
        args = [a if a != OLD else "nobody@example.com" for a in rotate_args()]
        code, out, err = cli(*args, url=running.base_url, stdin=NEW_SECRET)
        assert (code, out) == (EXIT_ROTATION, "")
        assert err == (
            "superoffice-soap: error: rotate stopped at the read: there is no imap entry "
            "'nobody@example.com' of associate 5 (stored: 'jane.doe@example.com', "
            "'jane.doe@old.example.com'). Now nothing was changed.\n"
        )
        fake.add_credentials(5, "imap", UntrustedCredentials(public_value=OLD, secret_value="x"))
        code, _, err = cli(*rotate_args(), url=running.base_url, stdin=NEW_SECRET)
    assert code == EXIT_ROTATION
    assert "is stored 2 times, so which one to rotate is ambiguous" in err
    assert SAVE not in {r.operation for r in fake.requests}


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (rotate_args(), "", "--secret-stdin: standard input is empty"),
        ([a for a in rotate_args() if a != "--secret-stdin"], "", "the new secret is required"),
        (
            rotate_args("--valid-to", "2020-01-01"),
            "x",
            "--valid-to 2020-01-01T00:00:00+00:00 is not in the future",
        ),
        (rotate_args("--valid-to", "soon"), "x", "--valid-to: not an ISO 8601 date"),
        (
            [a for a in rotate_args() if a not in ("--associate-id", "5")],
            "x",
            "the following arguments are required: --associate-id",
        ),
    ],
)
def test_rotate_usage_errors_send_nothing(
    fake: FakeNetServer, args: list[str], stdin: str, message: str
) -> None:
    with fake.serve() as running:
        code, _, err = cli(*args, url=running.base_url, stdin=stdin)
    assert code == 2
    assert err.splitlines()[0].startswith(f"superoffice-soap: error: {message}")
    assert fake.requests == []


# Every failure point: (rules, exit code, the state printed, finish command, undo command, what
# the server holds afterwards). {rotate} is the rotate command as typed; {remove} a removal.
FAILURES = {
    "the first read": (
        [Rule(GET, before=netserver_error(GET))],
        3,
        "Now nothing was changed.",
        "rotate",
        None,
        [OLD, "jane.doe@old.example.com"],
    ),
    "the save, refused": (
        [Rule(SAVE, before=netserver_error(SAVE))],
        3,
        f"Now the server reports the save failed; the entry '{OLD}' is unchanged.",
        "rotate",
        None,
        [OLD, "jane.doe@old.example.com"],
    ),
    "the save, sent and its answer lost": (
        [Rule(SAVE, after=DROP)],
        5,
        f"Now the save was sent but its outcome is unknown: the new entry '{NEW}' may or may not "
        f"be stored; the old entry '{OLD}' is still present.",
        "rotate",
        NEW,
        [OLD, "jane.doe@old.example.com", NEW],
    ),
    "the read back": (
        [Rule(GET, occurrence=1, before=netserver_error(GET))],
        3,
        f"Now the new entry '{NEW}' is saved; the old entry '{OLD}' is still present (not "
        "verified).",
        "rotate",
        NEW,
        [OLD, "jane.doe@old.example.com", NEW],
    ),
    "the verification": (
        [Rule(SAVE, alter=lambda body: body.replace(NEW_SECRET.encode(), b"cut"))],
        EXIT_ROTATION,
        f"Now the new entry '{NEW}' was saved but does not read back as sent; the old entry "
        f"'{OLD}' is still present.",
        "rotate",
        NEW,
        [OLD, "jane.doe@old.example.com", NEW],
    ),
    "the remove": (
        [Rule(REMOVE, before=netserver_error(REMOVE))],
        3,
        f"Now the new entry '{NEW}' is saved and verified; the old entry '{OLD}' is still present.",
        OLD,
        NEW,
        [OLD, "jane.doe@old.example.com", NEW],
    ),
    "the remove, sent and its answer lost": (
        [Rule(REMOVE, after=DROP)],
        5,
        f"Now the new entry '{NEW}' is saved and verified; the old entry '{OLD}' may still be "
        "present.",
        OLD,
        NEW,
        ["jane.doe@old.example.com", NEW],
    ),
}
PRINTED = re.compile(
    r"^superoffice-soap: error: rotate stopped at the [a-z ]+: (?P<problem>.*?)\. (?P<state>Now .*?)"
    r"(?: To finish: (?P<finish>superoffice-soap [^;]*?))?(?:;? To undo: (?P<undo>superoffice-soap .*))?$"
)


@pytest.mark.parametrize("point", list(FAILURES))
def test_every_failure_point_says_the_state_and_how_to_finish_or_undo(
    fake: FakeNetServer, point: str
) -> None:
    rules = FAILURES[point][0]
    proxy = Proxy(fake, *rules)
    with FaultServer(proxy) as server:
        url = f"{server.url}/Cust12345/Remote/Services86"
        code, out, err = cli(*rotate_args(), url=url, stdin=NEW_SECRET)
        proxy.rules = ()  # healthy again, at the same URL
        check_failure_point(fake, proxy, url, code, out, err, point)


def run_as_printed(command: str, stdin: str = "") -> tuple[int, str]:
    """A printed command, as printed (no option added), with no SUPEROFFICE_* variable set."""
    assert not any(name.startswith("SUPEROFFICE_") for name in os.environ)
    words = shlex.split(command)
    assert words[0] == "superoffice-soap"
    err = io.StringIO()
    code = main(words[1:], stdout=io.StringIO(), stdin=io.StringIO(stdin), stderr=err)
    return code, err.getvalue()


def check_failure_point(
    fake: FakeNetServer, proxy: Proxy, url: str, code: int, out: str, err: str, point: str
) -> None:
    _, exit_code, state, finish, undo, after = FAILURES[point]
    assert (code, out) == (exit_code, "")
    assert len(err.splitlines()) == 1
    printed = PRINTED.match(err.rstrip("\n"))
    assert printed, err
    assert printed["state"] == state
    assert stored(fake) == after
    writes = [op for op in proxy.operations if op in (SAVE, REMOVE)]
    assert writes == list(dict.fromkeys(writes))  # no write was ever sent twice
    where = (
        f"--associate-id 5 --type imap --url {url} --soap-version 1.1 --ticket-env ROTATE_TICKET"
    )
    rerun = (
        f"superoffice-soap rotate {where} --public-value {OLD} --new-public-value {NEW} "
        "--secret-stdin"
    )
    expected_finish = (
        rerun
        if finish == "rotate"
        else (f"superoffice-soap remove-untrusted-credentials {where} --public-value {finish}")
    )
    assert printed["finish"] == expected_finish
    expected_undo = (
        None if undo is None
        else f"superoffice-soap remove-untrusted-credentials {where} --public-value {undo}"
    )  # fmt: skip
    assert printed["undo"] == expected_undo

    # the printed command, run as printed against the healthy server, finishes the rotation
    code, err = run_as_printed(printed["finish"], stdin=NEW_SECRET)
    assert code == 0, err
    assert stored(fake) == ["jane.doe@old.example.com", NEW]
    assert fake.stored_credentials(5, "imap")[1].secret_value == NEW_SECRET


def test_undo_commands_undo(fake: FakeNetServer) -> None:
    proxy = Proxy(fake, Rule(REMOVE, before=netserver_error(REMOVE)))
    with FaultServer(proxy) as server:
        url = f"{server.url}/Cust12345/Remote/Services86"
        _, _, err = cli(*rotate_args(), url=url, stdin=NEW_SECRET)
        proxy.rules = ()
        printed = PRINTED.match(err.rstrip("\n"))
        assert printed
        assert printed["undo"]
        code, err = run_as_printed(printed["undo"])
    assert code == 0, err
    assert stored(fake) == [OLD, "jane.doe@old.example.com"]  # as before the rotation


def test_the_recovery_command_keeps_the_secret_source_and_options(
    fake: FakeNetServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ROTATE_SECRET", NEW_SECRET)
    args = [
        "rotate", "--associate-id", "5", "--type", "imap", "--public-value", OLD,
        "--secret-env", "ROTATE_SECRET", "--comment", "it's rotated", "--valid-to", "2099-01-01",
    ]  # fmt: skip
    proxy = Proxy(fake, Rule(SAVE, after=DROP))
    with FaultServer(proxy) as server:
        code, _, err = cli(*args, url=f"{server.url}/Cust12345/Remote/Services86")
    assert code == 5
    assert err.rstrip("\n").endswith(
        "To finish: superoffice-soap rotate --associate-id 5 --type imap --url "
        f"{server.url}/Cust12345/Remote/Services86 --soap-version 1.1 --ticket-env ROTATE_TICKET "
        f"--public-value {OLD} --comment 'it'\"'\"'s rotated' --valid-to 2099-01-01 --secret-env ROTATE_SECRET"
    )
    assert "holds the old secret or the new one" in err
