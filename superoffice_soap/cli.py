"""The ``superoffice-soap`` command line (argparse only).

Each command calls one or two public methods of the agents. What a person meets is decided here:

* a failure is one line on stderr, ``superoffice-soap: error: …``, naming what was wrong and what
  to do in the CLI's own terms (flags and environment variables, never Python keywords); a usage
  error adds one line pointing at ``--help``. No traceback, whatever the input: an unexpected
  exception is reported in one line too, with exit code 1;
* empty answers are answers: the table says in words that there is nothing, ``--json`` prints
  ``[]`` and ``--csv`` the header;
* secrets (passwords, access tokens, secret values) are read from stdin or an environment
  variable, never from a flag that would show in the process list; they are masked in output
  unless ``--show-secrets``, which only the commands that can print one offer;
* a closed stdout (``| head``) ends the command quietly; Ctrl-C ends it with exit code 130.

Exit codes (``EXIT_CODES``): 0 success; 1 an unexpected error, a port, file or module that cannot
be used (a WSDL that cannot be read or generated, a module ``call`` cannot import), or output that
cannot be written (stdout closed, a full disk); 2 usage or invalid argument (an unknown operation or
parameter, a file named by an option that cannot be read too); 3 NetServer error (a refused login
too); 4 SOAP fault; 5 HTTP or transport error; 6 response parse error; 7 ``audit --fail-on`` found
what it names (``EXIT_FINDINGS``); 8 ``rotate`` refused (the entry is absent or ambiguous) or the
server did not store what was sent (``EXIT_ROTATION``); 130 interrupted (Ctrl-C). ``audit`` and
``rotate`` stopped by an error exit with that error's code.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import csv
import enum
import io
import json
import os
import re
import sys
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Callable, NoReturn, Optional, TextIO, Union, cast

import attrs

from . import operations as _operations
from ._cli_commands import misplaced_options
from ._cli_output import cli_words, closed_output, finding, unwritable
from ._version import __version__
from .envelope import build_envelope
from .errors import (
    AuthenticationError,
    HTTPStatusError,
    InvalidRequestError,
    NetServerError,
    ResponseParseError,
    SoapFault,
    SuperOfficeSoapError,
    TransportError,
)
from .models import NEVER_EXPIRES, UntrustedCredentials, UserType
from .operations import (
    CREATE_DEFAULT_UNTRUSTED_CREDENTIALS,
    DEFAULT_SERVICES,
    GET_CREDENTIAL_TYPES,
    GET_CREDENTIAL_TYPES_FOR_USER_TYPE,
    GET_UNTRUSTED_CREDENTIALS,
    GET_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE,
    REMOVE_UNTRUSTED_CREDENTIALS,
    REMOVE_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE,
    SAVE_UNTRUSTED_CREDENTIALS,
    SAVE_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE,
    SERVICES_VERSIONS,
    Operation,
)
from .protocol import SoapVersionSetting
from .xsd import ScalarError, parse_datetime

if TYPE_CHECKING:
    # The agents (and httpx with them) load when a command makes one: `--help`, usage errors
    # and `generate` never pay for them.
    from .client import SoPrincipal, UserAgent
    from .jobs import AuditProgress, RecoveryStep, RotationError

__all__ = [
    "EXIT_CODES",
    "EXIT_FINDINGS",
    "EXIT_INTERRUPTED",
    "EXIT_OTHER",
    "EXIT_ROTATION",
    "main",
]

PROG = "superoffice-soap"
#: The stand-in's demo login, for fake-server's help without importing the stand-in (a test
#: keeps them equal to superoffice_soap.testing's).
DEMO_TICKET_TEXT, DEMO_USERNAME_TEXT, DEMO_PASSWORD_TEXT = (
    "7T:demo-ticket-0001",
    "jane.doe",
    "demo-password",
)
MASKED = "********"
_SECRET_FIELDS = frozenset({"secret_value", "ticket"})
#: How an OAuth access token begins: such a value is refused from --ticket.
_ACCESS_TOKEN_PREFIX = "8A:"
#: Options whose value is a secret (as typed; -stdin and -env forms extend the last three).
_SECRET_OPTIONS = ("--ticket", "--application-token", "--password", "--access-token", "--secret")
_TRACE_EXCHANGES = 50
_WIDE = 100  # a table cell longer than this is cut (--json shows every value whole)
_MAX_TIMEOUT = 86400  # seconds; far larger values overflow the socket layer's clock

#: Exit code for each error class (the first match wins).
EXIT_CODES: tuple[tuple[type[BaseException], int], ...] = (
    (InvalidRequestError, 2),
    (NetServerError, 3),
    (SoapFault, 4),
    (HTTPStatusError, 5),
    (TransportError, 5),
    (ResponseParseError, 6),
    (SuperOfficeSoapError, 1),
)
#: An unexpected error, a port, file or module that cannot be used, or output that cannot be
#: written.
EXIT_OTHER = 1
EXIT_USAGE = 2
#: ``audit --fail-on``: at least one of the named findings.
EXIT_FINDINGS = 7
#: ``rotate`` refused (the entry is absent or ambiguous) or found the save not stored as sent.
EXIT_ROTATION = 8
#: Ctrl-C (128 + SIGINT, as shells report it).
EXIT_INTERRUPTED = 130

_EPILOG_CODES = (
    "exit codes: 0 ok, 1 other failure, 2 usage, 3 NetServer error (a refused login too), "
    "4 SOAP fault, 5 HTTP/transport error, 6 response parse error, 7 audit --fail-on findings, "
    "8 rotate refused or not verified, 130 interrupted"
)
_SOAP_VERSIONS = ("auto", "1.1", "1.2")

_CREDENTIAL_COLUMNS = (
    "public_value",
    "secret_value",
    "is_active",
    "valid_from",
    "valid_to",
    "comment",
)
_CREDENTIAL_TYPE_COLUMNS = (
    "type",
    "display_type",
    "value_control",
    "can_create_person",
    "is_user_name_supported",
    "description",
)

#: Library keywords (in InvalidRequestError.argument and in hints) and what a CLI user types.
_CLI_TERMS = {
    "associate_id": "--associate-id",
    "associate_ids": "--associate-id",
    "credential_type": "--type",
    "public_value": "--public-value",
    "comment": "--comment",
    "secret_value": "the secret (--secret-stdin / --secret-env)",
    "valid_from": "--valid-from",
    "valid_to": "--valid-to",
    "url": "--url (or SUPEROFFICE_URL)",
    "ticket": "--ticket (or SUPEROFFICE_TICKET)",
    "application_token": "--application-token (or SUPEROFFICE_APPLICATION_TOKEN)",
    "services": "--services",
    "soap_version": "--soap-version (or SUPEROFFICE_SOAP_VERSION)",
    "timeout": "--timeout",
    "username": "--username (or SUPEROFFICE_USERNAME)",
    "password": "the password (--password-stdin / --password-env, or SUPEROFFICE_PASSWORD)",
    "access_token": "the access token (--access-token-stdin / --access-token-env)",
    "user_type": "--user-type",
}


def main(
    argv: Optional[Sequence[str]] = None,
    *,
    stdout: Optional[TextIO] = None,
    stdin: Optional[TextIO] = None,
    stderr: Optional[TextIO] = None,
) -> int:
    """Run the command line and return its exit code; never raises, never exits (``--help`` and
    ``--version`` return 0)."""
    # A stream closed before the start (``>&-``, ``2>&-``) is None in sys: writing to stdout is
    # then an error the environment made, and stderr is simply not there to tell.
    out = stdout if stdout is not None else (sys.stdout or closed_output("standard output"))
    err = stderr if stderr is not None else (sys.stderr or io.StringIO())
    arguments = list(sys.argv[1:] if argv is None else argv)
    try:
        code = _run(arguments, out, err, stdin if stdin is not None else sys.stdin)
        out.flush()  # a closed pipe shows here, inside the try, not at interpreter exit
        return code
    except BrokenPipeError:  # the reader went away (``| head``): nothing more is wanted
        _detach(out)
        return 0
    except OSError as exc:  # stdout closed, a full disk (/dev/full), an I/O error
        if not unwritable(exc, out):
            return _unexpected(err, exc)
        _detach(out)
        _say(err, f"cannot write the output: {exc.strerror or exc}")
        return EXIT_OTHER
    except KeyboardInterrupt:
        _say(err, "interrupted")
        return EXIT_INTERRUPTED
    except Exception as exc:  # a bug: still one line, never a traceback
        return _unexpected(err, exc)


def _unexpected(err: TextIO, exc: Exception) -> int:
    _say(err, f"unexpected {type(exc).__name__}: {_one_line(str(exc))} (please report this)")
    return EXIT_OTHER


def _run(arguments: list[str], out: TextIO, err: TextIO, stdin: Optional[TextIO]) -> int:
    parser = _parser()
    command = PROG
    try:
        misplaced = misplaced_options(parser, arguments, PROG)
        if misplaced is not None:
            raise _UsageError(*misplaced)
        try:
            args, unknown = parser.parse_known_args(arguments)
        except SystemExit as done:  # --help and --version
            return 0 if done.code is None else int(done.code) if isinstance(done.code, int) else 2
        command = f"{PROG} {args.command}"
        if unknown:
            raise _UsageError(f"unrecognized arguments: {' '.join(unknown)}", command)
        args.stdin = stdin
        args.err = err
        args.agents = []
        try:
            return int(args.handler(args, out))
        finally:
            if getattr(args, "trace", False):
                _print_trace(args.agents, err)
    except _UsageError as exc:
        _say(err, _masked(str(exc), _secret_values(arguments)))
        _help_pointer(err, exc.command or command)
        return EXIT_USAGE
    except SuperOfficeSoapError as exc:
        _say(err, _explain(exc, command))
        code = next(code for cls, code in EXIT_CODES if isinstance(exc, cls))
        if code == EXIT_USAGE:  # every usage error ends with the pointer, whoever found it
            _help_pointer(err, command)
        return code


def _help_pointer(err: TextIO, command: str) -> None:
    with contextlib.suppress(OSError, ValueError):
        err.write(f"Run '{command} --help' for usage.\n")


def _say(err: TextIO, message: str) -> None:
    try:
        err.write(f"{PROG}: error: {_printable(message)}\n")
        err.flush()
    except (OSError, ValueError):  # stderr itself is closed: nothing left to tell
        pass


def _secret_option(name: str) -> bool:
    """An option whose value is a secret: one of them, an abbreviation of one (three letters at
    least) or one with a suffix (``--password-stdin=…``); not ``-env``, whose value names a
    variable."""
    if not name.startswith("--") or len(name) < 5 or name.endswith("-env"):
        return False
    return any(option.startswith(name) or name.startswith(option) for option in _SECRET_OPTIONS)


def _secret_values(arguments: Sequence[str]) -> list[str]:
    """What the arguments give to secret options, even where there is no such option (a ticket
    passed to system-info): a usage error repeats unknown arguments, and must not show these."""
    values = []
    for index, token in enumerate(arguments):
        name, equals, value = token.partition("=")
        if not _secret_option(name):
            continue
        if not equals and index + 1 < len(arguments) and arguments[index + 1][:1] != "-":
            value = arguments[index + 1]
        if value.strip():
            values.append(value)
    return sorted(values, key=len, reverse=True)


def _masked(message: str, secrets: Sequence[str]) -> str:
    """``message`` with each secret, as given or as repr shows it, replaced by MASKED (only where
    it stands as a whole argument, so a short one does not eat into words)."""
    for secret in secrets:
        for shown in dict.fromkeys((secret, repr(secret)[1:-1])):
            message = re.sub(rf"(?<![^\s='\"]){re.escape(shown)}(?![^\s'\",])", MASKED, message)
    return message


def _printable(text: str) -> str:
    """One line whatever an argument held: line breaks and other control characters escaped."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _detach(out: TextIO) -> None:
    """After a closed pipe: point stdout at /dev/null so the interpreter's last flush is quiet."""
    if out is sys.stdout:
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):
            pass


def _explain(exc: SuperOfficeSoapError, command: str) -> str:
    """One line, in a CLI user's terms."""
    if isinstance(exc, InvalidRequestError):
        name = exc.argument.rsplit(".", 1)[-1].split("[", 1)[0]
        return f"{_CLI_TERMS.get(name, name)}: {exc.problem}"
    message = _one_line(exc.describe(cli_words))
    if isinstance(exc, AuthenticationError):
        if command.endswith(" login"):
            return f"{message} (check --username and the password, or the access token)"
        return f"{message} (check SUPEROFFICE_USERNAME and SUPEROFFICE_PASSWORD)"
    if isinstance(exc, NetServerError) and _about_the_ticket(exc):
        return f"{message} (check --ticket or SUPEROFFICE_TICKET; '{PROG} login' gets a new one)"
    if isinstance(exc, HTTPStatusError) and exc.status_code == 415 and not exc.hints:
        return (
            f"{message} (the server refused the SOAP version sent: check --soap-version or "
            "SUPEROFFICE_SOAP_VERSION; NetServer takes 1.1, auto finds it)"
        )
    if isinstance(exc, TransportError) and exc.kind in ("connect", "connect timeout"):
        return f"{message} (check --url or SUPEROFFICE_URL, and that the server is up)"
    return message


def _about_the_ticket(error: NetServerError) -> bool:
    kind = (error.exception_type or "").lower()
    return any(word in kind for word in ("ticket", "session", "security"))


def _print_trace(agents: Sequence[Union[UserAgent, SoPrincipal]], err: TextIO) -> None:
    """The exchanges of every agent the command used, secrets masked, on stderr."""
    for agent in agents:
        for exchange in agent.history:
            status = exchange.status_code if exchange.status_code is not None else exchange.error
            lines = [
                f"--> POST {exchange.url} ({exchange.operation}, SOAP {exchange.soap_version})",
                *(f"{key}: {value}" for key, value in exchange.request_headers.items()),
                f"\n{exchange.request_body}\n",
                f"<-- {status} in {exchange.duration * 1000:.1f} ms",
                *(f"{key}: {value}" for key, value in exchange.response_headers.items()),
            ]
            if exchange.response_body:
                lines.append(f"\n{exchange.response_body}\n")
            err.write("\n".join(lines) + "\n")


class _UsageError(Exception):
    """A usage error: the message, and the command whose ``--help`` helps."""

    def __init__(self, message: str, command: str = "") -> None:
        super().__init__(message)
        self.command = command


class _Parser(argparse.ArgumentParser):
    """argparse, but an error is raised (one line, then a pointer to --help), not printed with
    the whole usage block."""

    def error(self, message: str) -> NoReturn:
        raise _UsageError(message, self.prog)


# ------------------------------------------------------------------------------------------------
# Commands


def _untrusted_credentials(args: argparse.Namespace, out: TextIO) -> int:
    call = _call(args, GET_UNTRUSTED_CREDENTIALS, GET_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE)
    with _user_agent(args, call) as agent:
        if args.associate_id is None:
            result = agent.get_untrusted_credentials(args.type)
            whose = "for the signed-in user"
        else:
            result = agent.get_untrusted_credentials_for_associate(args.associate_id, args.type)
            whose = f"for associate {args.associate_id}"
    empty = f"No {args.type} credentials are stored {whose}."
    _print_rows(result, args, out, columns=_CREDENTIAL_COLUMNS, empty=empty)
    return 0


def _save_untrusted_credentials(args: argparse.Namespace, out: TextIO) -> int:
    valid_from = _datetime_option("--valid-from", args.valid_from)
    valid_to = _datetime_option("--valid-to", args.valid_to)
    if valid_from is None:
        valid_from = datetime.now(timezone.utc).replace(microsecond=0)
    if valid_to is not None:
        _check_order(valid_from, valid_to, explicit_from=args.valid_from is not None)
    secret = _secret(args, "secret", allow_empty=args.allow_empty_secret)
    if secret is None:
        raise _UsageError("a secret is required: --secret-stdin or --secret-env NAME")
    credentials = UntrustedCredentials(
        public_value=args.public_value,
        secret_value=secret,
        comment=args.comment,
        valid_from=valid_from,
        valid_to=NEVER_EXPIRES if valid_to is None else valid_to,
        is_active=args.active,
    )
    call = _call(
        args,
        SAVE_UNTRUSTED_CREDENTIALS,
        SAVE_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE,
        credentials=credentials,
    )
    with _user_agent(args, call) as agent:
        if args.associate_id is None:
            agent.save_untrusted_credentials(args.type, credentials)
        else:
            agent.save_untrusted_credentials_for_associate(
                args.associate_id, args.type, credentials
            )
    until = "never expires" if valid_to is None else f"valid to {valid_to.isoformat()}"
    state = "active" if args.active else "inactive"
    _print_done(
        args,
        out,
        f"Saved {args.type} credentials {args.public_value!r}{_for(args)}: {state}, valid from "
        f"{valid_from.isoformat()}, {until}.",
    )
    return 0


def _remove_untrusted_credentials(args: argparse.Namespace, out: TextIO) -> int:
    call = _call(
        args,
        REMOVE_UNTRUSTED_CREDENTIALS,
        REMOVE_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE,
        public_value=args.public_value,
    )
    with _user_agent(args, call) as agent:
        if args.associate_id is None:
            agent.remove_untrusted_credentials(args.type, args.public_value)
        else:
            agent.remove_untrusted_credentials_for_associate(
                args.associate_id, args.type, args.public_value
            )
    _print_done(
        args,
        out,
        f"Removed {args.type} credentials {args.public_value!r}{_for(args)} "
        "(NetServer does not say whether there was one).",
    )
    return 0


def _default_untrusted_credentials(args: argparse.Namespace, out: TextIO) -> int:
    with _user_agent(args) as agent:
        result = agent.create_default_untrusted_credentials()
    _print_record(result, args, out)
    return 0


def _credential_types(args: argparse.Namespace, out: TextIO) -> int:
    with _user_agent(args) as agent:
        if args.user_type is None:
            result = agent.get_credential_types()
            empty = "No credential types are defined."
        else:
            result = agent.get_credential_types_for_user_type(args.user_type)
            empty = f"No credential types are defined for user type {args.user_type}."
    _print_rows(result, args, out, columns=_CREDENTIAL_TYPE_COLUMNS, empty=empty)
    return 0


def _login(args: argparse.Namespace, out: TextIO) -> int:
    token = _secret(args, "access_token")
    if token is not None:
        if args.username is not None:
            raise _UsageError("give either --username (with a password) or an access token")
        with _principal(args) as principal:
            result = principal.authenticate_with_access_token(token)
    else:
        username, password = _login_pair(args, flags=True)
        if username is None or password is None:
            raise _UsageError(
                "give --username (or SUPEROFFICE_USERNAME) and a password (--password-stdin, "
                "--password-env NAME or SUPEROFFICE_PASSWORD), or an access token "
                "(--access-token-stdin / --access-token-env NAME)"
            )
        with _principal(args) as principal:
            result = principal.authenticate_username_password(username, password)
    if args.json:
        _print_record(result, args, out)
        return 0
    who = result.principal
    if who is not None:
        out.write(f"Authenticated as {who.associate} (associate id {who.associate_id}).\n")
    if args.show_secrets:
        out.write(f"{result.ticket}\n")
    else:
        out.write(
            "The ticket is not shown: add --show-secrets to print it as the last line, then "
            "export SUPEROFFICE_TICKET=<that line>.\n"
        )
    return 0


def _system_info(args: argparse.Namespace, out: TextIO) -> int:
    with _principal(args) as principal:
        result = principal.get_system_info()
    _print_record(result, args, out)
    return 0


def _fake_server(args: argparse.Namespace, out: TextIO) -> int:
    from .testing import DEMO_ASSOCIATE_ID, DEMO_PASSWORD, DEMO_TICKET, DEMO_USERNAME, FakeNetServer

    fake = FakeNetServer.with_demo_data(accept_soap12=args.soap12, services=args.services)
    served = []
    for path in args.wsdl:
        try:
            served.append(fake.serve_wsdl(path))
        except (OSError, ValueError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc)
            _say(args.err, f"--wsdl {path}: {reason}")
            return EXIT_OTHER
    try:
        serving = fake.serve(args.host, args.port)
        running = serving.__enter__()
    except OSError as exc:  # the port is checked already: taken, not allowed, a bad --host
        reason = getattr(exc, "strerror", None) or str(exc)
        err: TextIO = args.err
        _say(
            err,
            f"cannot listen on {args.host}:{args.port}: {reason}; try another --port",
        )
        return EXIT_OTHER
    try:
        out.write(
            f"NetServer stand-in listening on {running.base_url} (SOAP 1.1"
            f"{' and 1.2' if args.soap12 else ' only, like NetServer'}, {args.services}).\n"
            f"Demo ticket {DEMO_TICKET} (associate {DEMO_ASSOCIATE_ID}); "
            f"demo login {DEMO_USERNAME} / {DEMO_PASSWORD}.\n"
            + "".join(
                f"Also serving {name}.svc from {path} (its operations answer "
                "NotImplementedException until a test sets an answer).\n"
                for name, path in zip(served, args.wsdl)
            )
            + "In another shell:\n"
            f"  export SUPEROFFICE_URL={running.base_url}\n"
            f"  export SUPEROFFICE_TICKET={DEMO_TICKET}\n"
            f"  {PROG} untrusted-credentials --associate-id {DEMO_ASSOCIATE_ID} --type imap\n"
            f"  printf %s {DEMO_PASSWORD} | {PROG} login --username {DEMO_USERNAME} "
            "--password-stdin\n"
            "Press Ctrl-C to stop.\n"
        )
        out.flush()
        _wait_forever()
    except KeyboardInterrupt:
        out.write("Stopped.\n")
    finally:
        serving.__exit__(None, None, None)
    return 0


def _wait_forever() -> None:
    import threading

    threading.Event().wait()


# ------------------------------------------------------------------------------------------------
# Jobs: audit and rotate (superoffice_soap.jobs does the work; here only what a person meets)

_AUDIT_COLUMNS = (
    "associate_id",
    "public_value",
    "is_active",
    "valid_from",
    "valid_to",
    "status",
    "error",
)


def _audit(args: argparse.Namespace, out: TextIO) -> int:
    from .jobs import AuditInterrupted, audit_untrusted_credentials, error_phrase

    ids = _audit_ids(args)
    err: TextIO = args.err
    check: _Call = (
        GET_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE,
        {"associate_id": ids[0], "credential_type": args.type},
    )
    progress = _ProgressLine(err) if _is_terminal(err) else None
    interrupted: Optional[AuditInterrupted] = None
    try:
        with _user_agent(args, check) as agent:
            report = audit_untrusted_credentials(
                agent,
                ids,
                args.type,
                expiring_within=args.expiring_within,
                concurrency=args.concurrency,
                progress=progress,
            )
    except AuditInterrupted as stopped:  # Ctrl-C: the users read so far, said to be partial
        report, interrupted = stopped.report, stopped
    finally:
        if progress is not None:
            progress.clear()
    rows: list[dict[str, Any]] = []
    for user in report.users:
        if user.error is not None:
            rows.append({"associate_id": user.associate_id, "status": "error"})
            rows[-1]["error"] = error_phrase(user.error)
        elif not user.credentials:
            rows.append({"associate_id": user.associate_id, "status": "none"})
        for found in user.credentials:
            row = _plain(found, show_secrets=False)
            rows.append({**row, "associate_id": user.associate_id, "status": found.status.value})
    rows = [{column: row.get(column) for column in _AUDIT_COLUMNS} for row in rows]
    if args.json:
        counts = {status.value: n for status, n in report.counts().items()}
        summary = {"users": len(report.users), "credentials": len(report.credentials), **counts}
        summary.update({"none": report.found("none"), "failed": len(report.failures)})
        _write_json(
            {
                "credential_type": report.credential_type,
                "checked_at": report.checked_at.isoformat(),
                "expiring_within_seconds": int(report.expiring_within.total_seconds()),
                "times_without_offset": f"read as {report.naive_times}",
                "summary": summary,
                "rows": rows,
                **({"partial": True} if interrupted is not None else {}),
            },
            out,
        )
    elif args.csv:
        _write_csv(rows, _AUDIT_COLUMNS, out)
    else:
        out.write(_table(rows, _AUDIT_COLUMNS))
    out.flush()  # the report first, then the summary and any error line
    if interrupted is not None:
        err.write(
            f"{PROG}: interrupted after {len(report.users)} of {interrupted.total} users: the "
            f"report above is partial; {report.summary()}\n"
        )
        return EXIT_INTERRUPTED
    err.write(f"{PROG}: {report.summary()}\n")
    if len(report.failures) == len(report.users):  # nothing was read: say why, as any command
        failed = report.failures[0].error
        assert failed is not None
        _say(err, f"every user failed; the first: {_explain(failed, f'{PROG} audit')}")
        return next(code for cls, code in EXIT_CODES if isinstance(failed, cls))
    findings = [
        finding(kind, report.found(kind), report.credential_type)
        for kind in args.fail_on
        if report.found(kind)
    ]
    if findings:
        _say(err, f"found {', '.join(findings)} (--fail-on {','.join(args.fail_on)})")
        return EXIT_FINDINGS
    return 0


def _audit_ids(args: argparse.Namespace) -> list[int]:
    """The associate ids of --associate-id, --associates and --associates-from, in that order."""
    from .jobs import parse_associate_ids, read_associate_ids

    ids: list[int] = list(args.associate_id or [])
    for text in args.associates or []:
        try:
            ids += parse_associate_ids(text)
        except ValueError as exc:
            raise _UsageError(f"--associates: {exc}") from None
    source = args.associates_from
    if source is not None:
        if source == "-":
            ids += _read_ids(read_associate_ids, _stdin_lines(args.stdin), "standard input")
        else:
            try:
                with open(source, encoding="utf-8") as lines:
                    ids += _read_ids(read_associate_ids, lines, source)
            except (OSError, UnicodeDecodeError) as exc:
                reason = getattr(exc, "strerror", None) or "not UTF-8 text"
                raise _UsageError(f"--associates-from: cannot read {source}: {reason}") from None
    if not ids:
        raise _UsageError(
            "which users? give --associate-id N (repeatable), --associates 1-500,731 or "
            "--associates-from FILE (one id per line; - for stdin)"
        )
    return ids


def _read_ids(read: Callable[[Any, str], list[int]], lines: Any, source: str) -> list[int]:
    try:
        return read(lines, source)
    except ValueError as exc:
        raise _UsageError(f"--associates-from: {exc}") from None


def _stdin_lines(stdin: Optional[TextIO]) -> list[str]:
    if stdin is None or stdin.closed:
        raise _UsageError("--associates-from -: standard input is closed")
    try:
        return stdin.readlines()
    except (UnicodeDecodeError, OSError, ValueError):
        raise _UsageError("--associates-from -: standard input is not readable text") from None


class _ProgressLine:
    """One updating line on a terminal's stderr: users done of all, failures, time so far."""

    def __init__(self, err: TextIO) -> None:
        self.err = err
        self.width = 0

    def __call__(self, progress: AuditProgress) -> None:
        text = (
            f"{PROG} audit: {progress.done}/{progress.total} users, {progress.failures} failed, "
            f"{progress.elapsed:.1f} s"
        )
        self.err.write("\r" + text.ljust(self.width))
        self.err.flush()
        self.width = len(text)

    def clear(self) -> None:
        if self.width:
            self.err.write("\r" + " " * self.width + "\r")
            self.err.flush()


def _is_terminal(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, OSError, ValueError):
        return False


def _rotate(args: argparse.Namespace, out: TextIO) -> int:
    from .jobs import RotationError, RotationInterrupted, rotate_untrusted_credential

    valid_to = _datetime_option("--valid-to", args.valid_to)
    if valid_to is not None and valid_to <= datetime.now(timezone.utc):
        raise _UsageError(f"--valid-to {valid_to.isoformat()} is not in the future")
    secret = _secret(args, "secret")
    if secret is None and not args.dry_run:
        raise _UsageError("the new secret is required: --secret-stdin or --secret-env NAME")
    new_public_value = args.new_public_value or args.public_value
    entry = UntrustedCredentials(
        public_value=new_public_value, secret_value=secret or "", comment=args.comment
    )
    check: _Call = (
        SAVE_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE,
        {"associate_id": args.associate_id, "credential_type": args.type, "credentials": entry},
    )
    try:
        with _user_agent(args, check) as agent:
            result = rotate_untrusted_credential(
                agent,
                args.associate_id,
                args.type,
                args.public_value,
                secret or "",
                new_public_value=args.new_public_value,
                comment=args.comment,
                valid_to=valid_to,
                dry_run=args.dry_run,
            )
    except RotationInterrupted as interrupted:  # Ctrl-C: where it stopped, as any failure
        _say(args.err, _rotation_stopped(interrupted.error, args))
        return EXIT_INTERRUPTED
    except RotationError as stopped:
        _say(args.err, _rotation_stopped(stopped, args))
        cause = stopped.cause
        if cause is None:
            return EXIT_ROTATION
        return next(code for cls, code in EXIT_CODES if isinstance(cause, cls))
    plan = result.plan
    if args.json:
        data = _plain(plan, show_secrets=False)
        data.update(attrs.asdict(result, filter=lambda field, _: field.name != "plan"))
        _write_json({**data, "steps": plan.steps()}, out)
    elif result.dry_run:
        out.write(
            f"Dry run, nothing was written. Rotating {plan.credential_type} credentials of "
            f"associate {plan.associate_id} would:\n"
            + "".join(f"  {n}. {step}\n" for n, step in enumerate(plan.steps(), 1))
        )
    else:
        out.write(result.describe() + "\n")
    return 0


def _rotation_stopped(stopped: RotationError, args: argparse.Namespace) -> str:
    """One line: what failed, what the server holds now, the commands that finish or undo it
    (each runnable as printed: ``_cli_commands``)."""
    from ._cli_commands import connection_words, printed_command

    problem = stopped.problem
    if stopped.cause is not None:
        problem = _explain(stopped.cause, f"{PROG} rotate")
    line = f"rotate stopped at the {stopped.step}: {problem}. Now {stopped.state}."

    connection, notes = connection_words(args, _url(args), _soap_version(args))

    def command(step: RecoveryStep) -> str:
        where = ["--associate-id", str(args.associate_id), "--type", args.type, *connection]
        if step.action == "remove":
            words = [PROG, "remove-untrusted-credentials", *where, "--public-value"]
            return printed_command([*words, step.public_value or ""])
        words = [PROG, "rotate", *where, "--public-value", args.public_value]
        for flag, value in (
            ("--new-public-value", args.new_public_value),
            ("--comment", args.comment),
            ("--valid-to", args.valid_to),
            ("--secret-env", args.secret_env),
        ):
            if value is not None:
                words += [flag, value]
        if args.secret_env is None:
            words.append("--secret-stdin")
        return printed_command(words)

    if stopped.finish is not None:
        line += f" To finish: {command(stopped.finish)}"
    if stopped.undo is not None:
        line += f"{';' if stopped.finish else ''} To undo: {command(stopped.undo)}"
    if notes and (stopped.finish is not None or stopped.undo is not None):
        line += f" (First: {'; '.join(notes)}.)"
    return line


def _job_commands(command: Callable[..., argparse.ArgumentParser]) -> None:
    """The parsers of ``audit`` and ``rotate``."""
    audit = command(
        "audit",
        _audit,
        (GET_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE,),
        "Audit the credentials of one type across users: ok, inactive, expired, not yet valid, "
        "expiring",
        f"{PROG} audit --type imap --associates 1-500,731 --fail-on expired,expiring,error --csv",
    )
    audit.description = (
        "Audit the stored credentials of one type across users. Each credential is inactive, "
        "expired, not yet valid, expiring (within --expiring-within) or ok, the first that "
        "applies; users with none and users that fail are listed too. Times are compared in UTC; "
        "times without an offset are read as UTC. A summary goes to stderr (and a progress line, "
        "on a terminal); secrets are never shown."
    )
    audit.description = _wrapped(audit.description, (GET_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE,))
    _type_option(audit)
    users = audit.add_argument_group("which users (any mix; duplicates are audited once)")
    users.add_argument(
        "--associate-id",
        action="append",
        type=_associate_id,
        metavar="N",
        help="an associate id (repeatable)",
    )
    users.add_argument(
        "--associates",
        action="append",
        metavar="RANGES",
        help="ids and ranges, e.g. 1-500,731 (repeatable)",
    )
    users.add_argument(
        "--associates-from",
        metavar="FILE",
        help="a file of ids, one per line (blank lines and # comments skipped); - for stdin",
    )
    audit.add_argument(
        "--expiring-within",
        type=_duration,
        default="30d",
        metavar="DURATION",
        help="'expiring' means valid_to within this, e.g. 30d, 12h, 2w (default: %(default)s)",
    )
    audit.add_argument(
        "--concurrency",
        type=_concurrency,
        default=8,
        metavar="N",
        help="calls at a time over one connection, 1-64 (default: %(default)s)",
    )
    audit.add_argument(
        "--fail-on",
        type=_findings,
        default=(),
        metavar="FINDINGS",
        help=f"exit {EXIT_FINDINGS} when any is found, comma separated: expired, expiring, "
        "inactive, not-yet-valid, none (users without any), error (users that failed)",
    )
    _output_options(audit)

    rotate = command(
        "rotate",
        _rotate,
        (
            GET_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE,
            SAVE_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE,
            REMOVE_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE,
        ),
        "Replace a user's secret (and public value) safely: read, save, verify, then remove the "
        "old entry",
        f'printf %s "$NEW_PASSWORD" | {PROG} rotate --associate-id 5 --type imap '
        "--public-value jane@old.example.com --new-public-value jane@example.com --secret-stdin",
    )
    rotate.description = (
        "Replace a user's secret (and, with --new-public-value, its public value) without "
        "leaving the user without a working credential: read the entries (refusing when "
        "--public-value is absent or not unique), save the new one (active, never expiring "
        "unless --valid-to, the old comment unless --comment), read it back and verify it, and "
        "only then remove the old one. A failed step says what the server holds now and the "
        "command that finishes or undoes it."
    )
    rotate.description = _wrapped(
        rotate.description,
        (
            GET_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE,
            SAVE_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE,
            REMOVE_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE,
        ),
    )
    rotate.add_argument("--associate-id", required=True, type=_associate_id, help="the user")
    _type_option(rotate)
    rotate.add_argument(
        "--public-value", required=True, type=_text(), help="the entry to rotate (must be unique)"
    )
    rotate.add_argument(
        "--new-public-value", type=_text(), help="a new public value (default: keep it)"
    )
    _secret_options(rotate, "secret", "the new secret value")
    rotate.add_argument("--comment", help="the new entry's comment (default: the old one's)")
    rotate.add_argument(
        "--valid-to",
        metavar="WHEN",
        help="ISO 8601 date or date-time (a date is 00:00 UTC); default: never expires",
    )
    rotate.add_argument(
        "--dry-run", action="store_true", help="read and print the plan; write nothing"
    )
    _output_options(rotate, table=False)


def _wrapped(text: str, operations: Sequence[Operation[..., Any]]) -> str:
    """A long description, wrapped (the formatter keeps line breaks), and its SOAP operations."""
    import textwrap

    names = " / ".join(op.name for op in operations)
    return textwrap.fill(text, 79) + "\n" + textwrap.fill(f"SOAP operations: {names}.", 79)


def _associate_id(value: str) -> int:
    """``--associate-id`` of every command: the rule of ``models.check_associate_id``."""
    from .jobs import parse_associate_id

    try:
        return parse_associate_id(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _duration(value: str) -> timedelta:
    from .jobs import parse_duration

    try:
        return parse_duration(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _concurrency(value: str) -> int:
    if not re.fullmatch(r"\d{1,3}", value) or not 1 <= int(value) <= 64:
        raise argparse.ArgumentTypeError(f"must be a whole number from 1 to 64, got {value!r}")
    return int(value)


def _findings(value: str) -> tuple[str, ...]:
    from .jobs import FINDINGS

    kinds = tuple(dict.fromkeys(kind.strip() for kind in value.split(",") if kind.strip()))
    wrong = [kind for kind in kinds if kind not in FINDINGS]
    if wrong or not kinds:
        raise argparse.ArgumentTypeError(
            f"unknown finding {', '.join(map(repr, wrong)) or repr(value)}; choose from "
            f"{', '.join(FINDINGS)}"
        )
    return kinds


# ------------------------------------------------------------------------------------------------
# The parser


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="Talk to SuperOffice NetServer's SOAP services.",
        epilog=_EPILOG_CODES,
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    commands = parser.add_subparsers(
        title="commands", dest="command", required=True, metavar="COMMAND"
    )

    def command(
        name: str,
        handler: Callable[[argparse.Namespace, TextIO], int],
        operations: Sequence[Operation[..., Any]],
        description: str,
        example: str,
    ) -> argparse.ArgumentParser:
        names = " / ".join(op.name for op in operations)
        sub = commands.add_parser(
            name,
            help=f"{description} ({names})",
            description=f"{description}.\nSOAP operations: {names}.",
            epilog=f"example:\n  {example}\n\n{_EPILOG_CODES}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        _connection_options(sub, user=operations[0].service.sends_ticket)
        sub.set_defaults(handler=handler)
        return sub

    creds = command(
        "untrusted-credentials",
        _untrusted_credentials,
        (GET_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE, GET_UNTRUSTED_CREDENTIALS),
        "List stored credentials of one type: a user's (--associate-id) or the caller's",
        f"{PROG} untrusted-credentials --url https://host/Cust1/Remote/Services86 "
        "--associate-id 5 --type imap --json",
    )
    _associate_option(creds)
    _type_option(creds)
    _output_options(creds, secrets=True)

    save = command(
        "save-untrusted-credentials",
        _save_untrusted_credentials,
        (SAVE_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE, SAVE_UNTRUSTED_CREDENTIALS),
        "Store a credential, active and never expiring unless told otherwise (an entry with the "
        "same public value is replaced)",
        f'printf %s "$NEW_PASSWORD" | {PROG} save-untrusted-credentials --associate-id 5 '
        "--type imap --public-value jane@example.com --secret-stdin",
    )
    _associate_option(save)
    _type_option(save)
    save.add_argument("--public-value", required=True, type=_text(), help="user name or address")
    _secret_options(save, "secret", "the secret value (password)")
    save.add_argument(
        "--allow-empty-secret",
        action="store_true",
        help="store an empty secret when stdin or the variable is empty (refused otherwise)",
    )
    save.add_argument("--comment", help="a comment")
    save.add_argument(
        "--valid-from",
        metavar="WHEN",
        help="ISO 8601 date or date-time (a date is 00:00 UTC; no offset is UTC); default: now",
    )
    save.add_argument(
        "--valid-to",
        metavar="WHEN",
        help="ISO 8601 date or date-time, like --valid-from; default: never expires",
    )
    active = save.add_mutually_exclusive_group()
    active.add_argument(
        "--active", dest="active", action="store_true", default=True, help="active (default)"
    )
    active.add_argument("--inactive", dest="active", action="store_false", help="store inactive")
    _output_options(save, table=False)

    remove = command(
        "remove-untrusted-credentials",
        _remove_untrusted_credentials,
        (REMOVE_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE, REMOVE_UNTRUSTED_CREDENTIALS),
        "Remove the credential of a type with a public value",
        f"{PROG} remove-untrusted-credentials --associate-id 5 --type imap "
        "--public-value jane@old.example.com",
    )
    _associate_option(remove)
    _type_option(remove)
    remove.add_argument("--public-value", required=True, type=_text(), help="which entry to remove")
    _output_options(remove, table=False)

    default = command(
        "default-untrusted-credentials",
        _default_untrusted_credentials,
        (CREATE_DEFAULT_UNTRUSTED_CREDENTIALS,),
        "Show a new credential with the server's defaults (not stored)",
        f"{PROG} default-untrusted-credentials --json",
    )
    _output_options(default, secrets=True)

    types = command(
        "credential-types",
        _credential_types,
        (GET_CREDENTIAL_TYPES, GET_CREDENTIAL_TYPES_FOR_USER_TYPE),
        "List credential types, all or those a user type may have (--user-type)",
        f"{PROG} credential-types --user-type InternalAssociate",
    )
    types.add_argument(
        "--user-type", choices=[member.value for member in UserType], help="filter by user type"
    )
    _output_options(types)

    login = command(
        "login",
        _login,
        (_operations.AUTHENTICATE_USERNAME_PASSWORD, _operations.AUTHENTICATE_WITH_ACCESS_TOKEN),
        "Get a ticket from SoPrincipal with a user name and password or an access token "
        "(default: SUPEROFFICE_USERNAME and SUPEROFFICE_PASSWORD)",
        f'printf %s "$PASSWORD" | {PROG} login --url https://host/Cust1/Remote/Services86 '
        "--username jane --password-stdin --show-secrets",
    )
    login.add_argument(
        "--username",
        type=_text(),
        default=None,
        help="the user's login name; default $SUPEROFFICE_USERNAME",
    )
    secrets = login.add_mutually_exclusive_group()
    _secret_options(login, "password", "the password (default $SUPEROFFICE_PASSWORD)", secrets)
    _secret_options(login, "access_token", "an OAuth access token (8A:…)", secrets)
    _output_options(login, table=False, secrets=True)

    info = command(
        "system-info",
        _system_info,
        (_operations.GET_SYSTEM_INFO,),
        "Show the installation's version, licence and database facts",
        f"{PROG} system-info --url https://host/Cust1/Remote/Services86 --json",
    )
    _output_options(info)

    _job_commands(command)

    from ._cli_codegen import Shell, add_commands  # generate, describe and call

    add_commands(
        commands,
        Shell(
            epilog=_EPILOG_CODES,
            say=_say,
            exit_code=lambda exc: next(code for cls, code in EXIT_CODES if isinstance(exc, cls)),
            seconds=_seconds,
            connection_options=_connection_options,
            output_options=_output_options,
            user_agent=_user_agent,
            principal=_principal,
            flatten=_flatten,
            table=_table,
            key_values=_key_values,
            write_json=_write_json,
            write_csv=_write_csv,
        ),
    )

    fake = commands.add_parser(
        "fake-server",
        help="run the built-in NetServer stand-in (demo data) on loopback",
        description="Run the NetServer stand-in, with demo data, on loopback until Ctrl-C.",
        epilog=(
            "At start it prints its URL and the commands to use it, ready to paste: the demo\n"
            f"ticket (export SUPEROFFICE_TICKET={DEMO_TICKET_TEXT}) or the demo user\n"
            f"(printf %s {DEMO_PASSWORD_TEXT} | {PROG} login --username {DEMO_USERNAME_TEXT}\n"
            "--password-stdin). --port 0 picks a free port.\n\n"
            f"example:\n  {PROG} fake-server --port 8086\n\n{_EPILOG_CODES}"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    fake.add_argument("--host", default="127.0.0.1", help="address to bind (default: %(default)s)")
    fake.add_argument(
        "--port",
        type=_port,
        default=8086,
        help="port to bind, 1–65535, or 0 for a free one (default: %(default)s)",
    )
    fake.add_argument(
        "--soap12",
        action="store_true",
        help="also accept SOAP 1.2 (application/soap+xml); NetServer itself answers 415",
    )
    fake.add_argument(
        "--services",
        choices=SERVICES_VERSIONS,
        default=DEFAULT_SERVICES,
        help="the Services version to serve (default: %(default)s)",
    )
    fake.add_argument(
        "--wsdl",
        action="append",
        default=[],
        metavar="FILE",
        help="also serve the operations of this NetServer WSDL (repeatable); an operation "
        "answers NotImplementedException until a test sets its answer",
    )
    fake.set_defaults(handler=_fake_server)
    return parser


def _connection_options(parser: argparse.ArgumentParser, *, user: bool) -> None:
    parser.add_argument(
        "--url",
        default=None,
        help="services base URL (…/Remote/Services86) or a ….svc URL; default $SUPEROFFICE_URL",
    )
    if user:
        parser.add_argument(
            "--ticket",
            default=None,
            help="ticket (7T:…); default $SUPEROFFICE_TICKET (which may also hold an access token, "
            "8A:…, never read from a flag), or log in with $SUPEROFFICE_USERNAME and "
            "$SUPEROFFICE_PASSWORD",
        )
        parser.add_argument(
            "--ticket-env",
            metavar="NAME",
            default=None,
            help="read the ticket (or an access token) from environment variable NAME",
        )
    parser.add_argument(
        "--application-token",
        default=None,
        help="application token (SuperOffice Online); default $SUPEROFFICE_APPLICATION_TOKEN",
    )
    parser.add_argument(
        "--application-token-env",
        metavar="NAME",
        default=None,
        help="read the application token from environment variable NAME",
    )
    parser.add_argument(
        "--soap-version",
        choices=_SOAP_VERSIONS,
        default=None,
        help="default $SUPEROFFICE_SOAP_VERSION, else auto; 1.1 saves a round trip against "
        "a standard NetServer",
    )
    parser.add_argument(
        "--services",
        choices=SERVICES_VERSIONS,
        default=None,
        help="Services version; default: from the URL, else Services86",
    )
    parser.add_argument(
        "--timeout",
        type=_seconds,
        default=30.0,
        metavar="SECONDS",
        help=f"seconds > 0, at most {_MAX_TIMEOUT} (default 30)",
    )
    parser.add_argument(
        "--trace",
        action="store_true",
        help="print the request and response envelopes (secrets masked) to stderr",
    )


def _associate_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--associate-id",
        type=_associate_id,
        default=None,
        help="the user's associate id (default: caller)",
    )


def _type_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--type",
        required=True,
        type=_credential_type,
        help=f'credential type, e.g. "imap" ({PROG} credential-types lists them)',
    )


def _secret_options(
    parser: argparse.ArgumentParser,
    name: str,
    what: str,
    group: Optional[argparse._MutuallyExclusiveGroup] = None,
) -> None:
    flag = name.replace("_", "-")
    group = group if group is not None else parser.add_mutually_exclusive_group()
    group.add_argument(f"--{flag}-env", metavar="NAME", help=f"read {what} from $NAME")
    group.add_argument(
        f"--{flag}-stdin",
        action="store_true",
        help=f"read {what} from stdin (one line, more is refused; a terminal prompts without echo)",
    )


def _output_options(
    parser: argparse.ArgumentParser, *, table: bool = True, secrets: bool = False
) -> None:
    form = parser.add_mutually_exclusive_group()
    form.add_argument("--json", action="store_true", help="print JSON")
    if table:
        form.add_argument("--csv", action="store_true", help="print CSV with a header row")
    parser.set_defaults(csv=False, show_secrets=False)
    if secrets:
        parser.add_argument(
            "--show-secrets",
            action="store_true",
            help="print secrets (secret values, tickets) instead of masking them",
        )


# Option types: each raises argparse's error, shown as one line naming the option.


def _seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {value!r}") from None
    if not 0 < seconds <= _MAX_TIMEOUT:
        raise argparse.ArgumentTypeError(
            f"must be a number of seconds > 0 and at most {_MAX_TIMEOUT} (a day), got {value!r}"
        )
    return seconds


def _port(value: str) -> int:
    try:
        if not value.strip().isascii():
            raise ValueError(value)
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {value!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(
            f"must be a port from 1 to 65535, or 0 for a free one, got {value}"
        )
    return port


def _credential_type(value: str) -> str:
    if not value.strip():
        raise argparse.ArgumentTypeError(
            f"must not be empty; '{PROG} credential-types' lists the types (imap, smtp, …)"
        )
    return value


def _text() -> Callable[[str], str]:
    def check(value: str) -> str:
        if not value.strip():
            raise argparse.ArgumentTypeError("must not be empty")
        return value

    return check


# ------------------------------------------------------------------------------------------------
# Helpers


_Call = tuple[Operation[..., Any], dict[str, object]]


def _call(
    args: argparse.Namespace,
    caller: Operation[..., Any],
    for_associate: Operation[..., Any],
    **more: object,
) -> _Call:
    """The operation a credentials command calls and its arguments, by the library's names."""
    arguments: dict[str, object] = {"credential_type": args.type, **more}
    if args.associate_id is None:
        return caller, arguments
    return for_associate, {"associate_id": args.associate_id, **arguments}


def _user_agent(args: argparse.Namespace, call: Optional[_Call] = None) -> UserAgent:
    """An agent with the ticket from --ticket / SUPEROFFICE_TICKET, or logged in with
    SUPEROFFICE_USERNAME and SUPEROFFICE_PASSWORD. Before such a login, ``call`` (the command's
    operation and arguments) is checked, so that an invalid argument sends nothing at all."""
    url = _url(args)
    options: dict[str, Any] = {
        "application_token": _application_token(args),
        "soap_version": _soap_version(args),
        "timeout": args.timeout,
        "services": args.services,
        "history": _TRACE_EXCHANGES if args.trace else 0,
    }
    if args.ticket and args.ticket.strip().upper().startswith(_ACCESS_TOKEN_PREFIX):
        raise _UsageError(
            "--ticket takes a ticket (7T:…), not an access token: access tokens are never read "
            "from a flag, where the process list shows them; set SUPEROFFICE_TICKET to it, or "
            f"get a ticket with '{PROG} login --access-token-stdin'"
        )
    ticket = _from_variable(args, "ticket") or args.ticket or os.environ.get("SUPEROFFICE_TICKET")
    from .client import UserAgent

    agent: UserAgent
    if ticket:
        agent = UserAgent(url, ticket=ticket, **options)
    else:
        username, password = _login_pair(args, flags=False)
        if username is None or password is None:
            raise _UsageError(
                "a ticket is required: --ticket or SUPEROFFICE_TICKET, or set "
                f"SUPEROFFICE_USERNAME and SUPEROFFICE_PASSWORD to log in (see '{PROG} login')"
            )
        if call is not None:
            services = args.services or DEFAULT_SERVICES
            build_envelope(call[0], call[1], soap_version="1.1", services=services)
        agent = UserAgent.login(url, username, password, **options)
    args.agents.append(agent)
    return agent


def _login_pair(args: argparse.Namespace, *, flags: bool) -> tuple[Optional[str], Optional[str]]:
    """The user name and password: from --username and --password-* (``flags``), else from
    SUPEROFFICE_USERNAME and SUPEROFFICE_PASSWORD. Half a pair is a usage error naming the
    missing half."""
    username = (args.username if flags else None) or os.environ.get("SUPEROFFICE_USERNAME") or None
    password = _secret(args, "password") if flags else None
    if password is None:
        password = os.environ.get("SUPEROFFICE_PASSWORD")
        if password == "":
            raise _UsageError("SUPEROFFICE_PASSWORD is set but empty")
    if username is not None and password is None:
        given = "--username" if flags and args.username else "SUPEROFFICE_USERNAME"
        how = "--password-stdin, --password-env NAME or " if flags else ""
        raise _UsageError(f"{given} is set but no password: give {how}SUPEROFFICE_PASSWORD")
    if password is not None and username is None:
        how = "--username or " if flags else ""
        given = (
            "the password"
            if flags and _secret_given(args, "password")
            else ("SUPEROFFICE_PASSWORD")
        )
        raise _UsageError(f"{given} is set but no user name: give {how}SUPEROFFICE_USERNAME")
    return username, password


def _secret_given(args: argparse.Namespace, name: str) -> bool:
    return bool(getattr(args, f"{name}_env", None) or getattr(args, f"{name}_stdin", False))


def _principal(args: argparse.Namespace) -> SoPrincipal:
    from .client import SoPrincipal

    principal = SoPrincipal(
        _url(args),
        application_token=_application_token(args),
        soap_version=_soap_version(args),
        timeout=args.timeout,
        services=args.services,
        history=_TRACE_EXCHANGES if args.trace else 0,
    )
    args.agents.append(principal)
    return principal


def _url(args: argparse.Namespace) -> str:
    url: Optional[str] = args.url or os.environ.get("SUPEROFFICE_URL")
    if not url:
        raise _UsageError(
            "--url is required (or set SUPEROFFICE_URL), e.g. https://host/Cust1/Remote/Services86"
        )
    return url


def _soap_version(args: argparse.Namespace) -> SoapVersionSetting:
    if args.soap_version is not None:
        version: SoapVersionSetting = args.soap_version
        return version
    from_environment = os.environ.get("SUPEROFFICE_SOAP_VERSION", "").strip()
    if not from_environment:
        return "auto"
    if from_environment in _SOAP_VERSIONS:
        return cast(SoapVersionSetting, from_environment)
    raise _UsageError(
        f"SUPEROFFICE_SOAP_VERSION must be auto, 1.1 or 1.2, got {from_environment!r}"
    )


def _application_token(args: argparse.Namespace) -> Optional[str]:
    named = _from_variable(args, "application_token")
    if named is not None:
        return named
    token: Optional[str] = args.application_token or os.environ.get("SUPEROFFICE_APPLICATION_TOKEN")
    return token or None


def _from_variable(args: argparse.Namespace, name: str) -> Optional[str]:
    """The value of ``--<name>-env NAME``'s variable (None without the option); a usage error
    when it is given with ``--<name>`` or its variable is unset or empty."""
    variable = getattr(args, f"{name}_env", None)
    if variable is None:
        return None
    flag = "--" + name.replace("_", "-")
    if getattr(args, name, None):
        raise _UsageError(f"{flag} and {flag}-env are alternatives: give one")
    value = os.environ.get(variable)
    if not value:
        raise _UsageError(f"{flag}-env: environment variable {variable} is not set or empty")
    return value


def _secret(args: argparse.Namespace, name: str, *, allow_empty: bool = False) -> Optional[str]:
    """A secret from ``--<name>-env NAME`` or ``--<name>-stdin`` (one line, its line end
    dropped); None when neither was given. Empty is refused unless ``allow_empty``."""
    flag = name.replace("_", "-")
    variable = getattr(args, f"{name}_env", None)
    if variable is not None:
        value = os.environ.get(variable)
        if value is None:
            raise _UsageError(f"--{flag}-env: environment variable {variable} is not set")
        source = f"--{flag}-env: environment variable {variable}"
    elif getattr(args, f"{name}_stdin", False):
        value = _read_stdin(args.stdin, f"--{flag}-stdin", name.replace("_", " "))
        source = f"--{flag}-stdin: standard input"
    else:
        return None
    if value == "" and not allow_empty:
        extra = "; add --allow-empty-secret to store an empty one" if name == "secret" else ""
        raise _UsageError(f"{source} is empty{extra}")
    return value


def _read_stdin(stdin: Optional[TextIO], flag: str, what: str) -> str:
    if stdin is None or stdin.closed:
        raise _UsageError(f"{flag}: standard input is closed")
    try:
        if stdin.isatty():
            import getpass

            return getpass.getpass(f"{what}: ")
        text = stdin.read()
    except EOFError:  # Ctrl-D at the prompt: nothing was entered
        raise _UsageError(f"{flag}: no {what} was entered (end of input at the prompt)") from None
    except UnicodeDecodeError:
        raise _UsageError(f"{flag}: standard input is not valid text") from None
    except (OSError, ValueError) as exc:
        raise _UsageError(f"{flag}: cannot read standard input ({exc})") from None
    if text.endswith("\r\n"):
        text = text[:-2]
    elif text.endswith(("\n", "\r")):
        text = text[:-1]
    if "\n" in text or "\r" in text:
        raise _UsageError(f"{flag}: takes one line, and standard input holds more")
    return text


def _datetime_option(flag: str, value: Optional[str]) -> Optional[datetime]:
    """An ISO 8601 date or date-time; a date is 00:00 UTC, a date-time without offset is UTC."""
    if value is None:
        return None
    text = value.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            day = date.fromisoformat(text)
            return datetime(day.year, day.month, day.day, tzinfo=timezone.utc)
        parsed = parse_datetime(text)
    except (ScalarError, ValueError):
        raise _UsageError(
            f"{flag}: not an ISO 8601 date or date-time: {value!r} "
            "(e.g. 2025-01-01 or 2025-01-01T08:00:00Z)"
        ) from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=timezone.utc)


def _check_order(valid_from: datetime, valid_to: datetime, *, explicit_from: bool) -> None:
    if valid_from > valid_to:
        since = "--valid-from" if explicit_from else "now (the default --valid-from)"
        raise _UsageError(f"--valid-to {valid_to.isoformat()} is before {since}")


def _for(args: argparse.Namespace) -> str:
    return "" if args.associate_id is None else f" of associate {args.associate_id}"


def _print_done(args: argparse.Namespace, out: TextIO, message: str) -> None:
    if args.json:
        out.write('{"ok": true}\n')
    else:
        out.write(message + "\n")


def _print_rows(
    result: Sequence[Any],
    args: argparse.Namespace,
    out: TextIO,
    *,
    columns: Sequence[str],
    empty: str,
) -> None:
    """A list answer: one row per item, the same keys in every form; nothing is an answer too."""
    rows = [_plain(item, show_secrets=args.show_secrets) for item in result]
    rows = [{column: row.get(column) for column in columns} for row in rows]
    if args.json:
        _write_json(rows, out)
    elif args.csv:
        _write_csv(rows, columns, out)
    elif rows:
        out.write(_table(rows, columns))
    else:
        out.write(empty + "\n")


def _print_record(result: Any, args: argparse.Namespace, out: TextIO) -> None:
    """One answer: JSON as it is; the table and CSV flatten nested values into dotted keys."""
    data = _plain(result, show_secrets=args.show_secrets)
    if args.json:
        _write_json(data, out)
        return
    flat = dict(_flatten(data))
    if args.csv:
        _write_csv([flat], list(flat), out)
    else:
        out.write(_key_values(flat))


def _write_json(data: Any, out: TextIO) -> None:
    json.dump(data, out, indent=2, ensure_ascii=False)
    out.write("\n")


def _write_csv(rows: Sequence[Mapping[str, Any]], columns: Sequence[str], out: TextIO) -> None:
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows({c: _csv_cell(row.get(c)) for c in columns} for row in rows)


def _plain(value: Any, *, show_secrets: bool, name: str = "") -> Any:
    """JSON-ready data: attrs → dict, enums → value, dates → ISO, bytes → base64, secrets masked."""
    if name in _SECRET_FIELDS and value is not None and not show_secrets:
        return MASKED
    if attrs.has(type(value)):
        return {
            field.name: _plain(
                getattr(value, field.name), show_secrets=show_secrets, name=field.name
            )
            for field in attrs.fields(type(value))
        }
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, (frozenset, set)):
        return sorted(value)
    if isinstance(value, Mapping):
        return {k: _plain(v, show_secrets=show_secrets) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v, show_secrets=show_secrets) for v in value]
    return value


def _flatten(data: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Nested dicts and lists as ``a.b[0].c`` keys, so each value gets a line of its own."""
    if isinstance(data, Mapping) and data:
        for key, value in data.items():
            yield from _flatten(value, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(data, list) and data and any(isinstance(v, (Mapping, list)) for v in data):
        for index, value in enumerate(data):
            yield from _flatten(value, f"{prefix}[{index}]")
    else:
        yield prefix, data


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value == NEVER_EXPIRES.isoformat():
        return "never"
    if isinstance(value, list):
        text = ", ".join(_cell(v) for v in value)
    elif isinstance(value, dict):
        text = json.dumps(value, ensure_ascii=False) if value else ""
    else:
        text = _one_line(str(value))
    if len(text) > _WIDE:
        return f"{text[: _WIDE - 30]}… ({len(text)} characters; --json shows all)"
    return text


def _table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> str:
    header = [c.replace("_", " ").upper() for c in columns]
    body = [[_cell(row.get(c)) for c in columns] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in body)) for i, h in enumerate(header)]
    buffer = io.StringIO()
    for line in [header, *body]:
        buffer.write("  ".join(v.ljust(w) for v, w in zip(line, widths)).rstrip() + "\n")
    return buffer.getvalue()


def _key_values(data: Mapping[str, Any]) -> str:
    width = max((len(k) for k in data), default=0)
    return "".join(
        f"{key.ljust(width)}  {_cell(value)}".rstrip() + "\n" for key, value in data.items()
    )


def _one_line(text: str) -> str:
    return " ".join(text.split())
