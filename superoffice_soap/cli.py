"""The ``superoffice-soap`` command line (argparse only).

Every operation of the operation table is reachable: each command names its operations and the
options come from their declared parameters. Secrets are masked unless ``--show-secrets``;
passwords and secret values are read from stdin or an environment variable, never from a flag that
would show in the process list. An error is one line on stderr.

Exit codes: 0 success; 2 usage or invalid argument; 3 NetServer error (AuthenticationError too);
4 SOAP fault; 5 HTTP or transport error; 6 response parse error; 1 any other library error.
"""

from __future__ import annotations

import argparse
import base64
import csv
import enum
import io
import json
import os
import sys
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Callable, Optional, TextIO

import attrs

from ._version import __version__
from .client import SoPrincipal, UserAgent
from .errors import (
    HTTPStatusError,
    InvalidRequestError,
    NetServerError,
    ResponseParseError,
    SoapFault,
    SuperOfficeSoapError,
    TransportError,
)
from .models import (
    UntrustedCredentials,
    UserType,
)
from .operations import (
    AUTHENTICATE_USERNAME_PASSWORD,
    AUTHENTICATE_WITH_ACCESS_TOKEN,
    CREATE_DEFAULT_UNTRUSTED_CREDENTIALS,
    GET_CREDENTIAL_TYPES,
    GET_CREDENTIAL_TYPES_FOR_USER_TYPE,
    GET_SYSTEM_INFO,
    GET_UNTRUSTED_CREDENTIALS,
    GET_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE,
    REMOVE_UNTRUSTED_CREDENTIALS,
    REMOVE_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE,
    SAVE_UNTRUSTED_CREDENTIALS,
    SAVE_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE,
    SERVICES_VERSIONS,
    Operation,
)
from .xsd import ScalarError, parse_datetime

if TYPE_CHECKING:
    from .principal import Authentication

__all__ = ["EXIT_CODES", "main"]

PROG = "superoffice-soap"
MASKED = "********"
_SECRET_FIELDS = frozenset({"secret_value", "ticket"})
_TRACE_EXCHANGES = 50

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


def main(
    argv: Optional[Sequence[str]] = None,
    *,
    stdout: Optional[TextIO] = None,
    stdin: Optional[TextIO] = None,
) -> int:
    """Run the command line; returns the exit code instead of exiting."""
    out = stdout if stdout is not None else sys.stdout
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["fake-server"]:  # its options are the stand-in's own
        from .testing.__main__ import main as serve

        return serve(arguments[1:])
    parser = _parser()
    args = parser.parse_args(arguments)
    args.stdin = stdin if stdin is not None else sys.stdin
    args.agents = []
    try:
        return int(args.handler(args, out))
    except _UsageError as exc:
        parser.print_usage(sys.stderr)
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    except SuperOfficeSoapError as exc:
        print(f"{PROG}: {type(exc).__name__}: {_one_line(str(exc))}", file=sys.stderr)
        return next(code for cls, code in EXIT_CODES if isinstance(exc, cls))
    finally:
        if getattr(args, "trace", False):
            _print_trace(args.agents)


def _print_trace(agents: Sequence[Any]) -> None:
    """The exchanges of every agent the command used, secrets masked, on stderr."""
    for agent in agents:
        for exchange in agent.history:
            status = exchange.status_code if exchange.status_code is not None else exchange.error
            print(
                f"--> POST {exchange.url} ({exchange.operation}, SOAP {exchange.soap_version})",
                file=sys.stderr,
            )
            for key, value in exchange.request_headers.items():
                print(f"{key}: {value}", file=sys.stderr)
            print(f"\n{exchange.request_body}\n", file=sys.stderr)
            print(f"<-- {status} in {exchange.duration * 1000:.1f} ms", file=sys.stderr)
            for key, value in exchange.response_headers.items():
                print(f"{key}: {value}", file=sys.stderr)
            if exchange.response_body:
                print(f"\n{exchange.response_body}\n", file=sys.stderr)


class _UsageError(Exception):
    pass


# ------------------------------------------------------------------------------------------------
# Commands


def _untrusted_credentials(args: argparse.Namespace, out: TextIO) -> int:
    with _user_agent(args) as agent:
        if args.associate_id is None:
            result = agent._call(GET_UNTRUSTED_CREDENTIALS, {"credential_type": args.type})
        else:
            arguments = {"associate_id": args.associate_id, "credential_type": args.type}
            result = agent._call(GET_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE, arguments)
    _print(result, args, out, columns=_CREDENTIAL_COLUMNS, empty="(no credentials)")
    return 0


def _save_untrusted_credentials(args: argparse.Namespace, out: TextIO) -> int:
    credentials = UntrustedCredentials(
        valid_from=_datetime_option("--valid-from", args.valid_from),
        valid_to=_datetime_option("--valid-to", args.valid_to),
        comment=args.comment,
        secret_value=_secret(args, "secret"),
        public_value=args.public_value,
        is_active=args.active,
    )
    arguments: dict[str, object] = {"credential_type": args.type, "credentials": credentials}
    with _user_agent(args) as agent:
        if args.associate_id is None:
            agent._call(SAVE_UNTRUSTED_CREDENTIALS, arguments)
        else:
            arguments["associate_id"] = args.associate_id
            agent._call(SAVE_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE, arguments)
    _print_done(args, out, f"Saved {args.type} credentials {args.public_value!r}.")
    return 0


def _remove_untrusted_credentials(args: argparse.Namespace, out: TextIO) -> int:
    arguments: dict[str, object] = {"credential_type": args.type, "public_value": args.public_value}
    with _user_agent(args) as agent:
        if args.associate_id is None:
            agent._call(REMOVE_UNTRUSTED_CREDENTIALS, arguments)
        else:
            arguments["associate_id"] = args.associate_id
            agent._call(REMOVE_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE, arguments)
    _print_done(args, out, f"Removed {args.type} credentials {args.public_value!r}.")
    return 0


def _default_untrusted_credentials(args: argparse.Namespace, out: TextIO) -> int:
    with _user_agent(args) as agent:
        result = agent._call(CREATE_DEFAULT_UNTRUSTED_CREDENTIALS, {})
    _print(result, args, out, columns=_CREDENTIAL_COLUMNS)
    return 0


def _credential_types(args: argparse.Namespace, out: TextIO) -> int:
    with _user_agent(args) as agent:
        if args.user_type is None:
            result = agent._call(GET_CREDENTIAL_TYPES, {})
        else:
            result = agent._call(GET_CREDENTIAL_TYPES_FOR_USER_TYPE, {"user_type": args.user_type})
    _print(result, args, out, columns=_CREDENTIAL_TYPE_COLUMNS, empty="(no credential types)")
    return 0


def _login(args: argparse.Namespace, out: TextIO) -> int:
    with _principal(args) as principal:
        if args.username is not None:
            password = _secret(args, "password")
            if password is None:
                raise _UsageError("a password is required: --password-env NAME or --password-stdin")
            arguments = {"username": args.username, "password": password}
            result: Authentication = principal._call(AUTHENTICATE_USERNAME_PASSWORD, arguments)
        else:
            token = _secret(args, "access_token")
            if token is None:
                raise _UsageError(
                    "give --username (with a password) or --access-token-env/--access-token-stdin"
                )
            result = principal._call(AUTHENTICATE_WITH_ACCESS_TOKEN, {"access_token": token})
    if args.json:
        _print(result, args, out)
        return 0
    who = result.principal
    if who is not None:
        out.write(f"Authenticated as {who.associate} (associate id {who.associate_id}).\n")
    if args.show_secrets:
        out.write(f"{result.ticket}\n")
    else:
        out.write(
            "The ticket is not shown. Run again with --show-secrets to print it, e.g.\n"
            f"  export SUPEROFFICE_TICKET=$({PROG} login ... --show-secrets | tail -n 1)\n"
        )
    return 0


def _system_info(args: argparse.Namespace, out: TextIO) -> int:
    with _principal(args) as principal:
        result = principal._call(GET_SYSTEM_INFO, {})
    _print(result, args, out)
    return 0


# ------------------------------------------------------------------------------------------------
# The parser


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Talk to SuperOffice NetServer's SOAP services.",
        epilog="Exit codes: 0 ok, 2 usage, 3 NetServer error, 4 SOAP fault, "
        "5 HTTP/transport error, 6 response parse error.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    commands = parser.add_subparsers(title="commands", dest="command", required=True)

    def command(
        name: str,
        handler: Callable[[argparse.Namespace, TextIO], int],
        operations: Sequence[Operation[Any]],
        description: str,
        example: str,
    ) -> argparse.ArgumentParser:
        names = " / ".join(op.name for op in operations)
        sub = commands.add_parser(
            name,
            help=f"{description} ({names})",
            description=f"{description}.\nSOAP operations: {names}.",
            epilog=f"example:\n  {example}",
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
    _output_options(creds)

    save = command(
        "save-untrusted-credentials",
        _save_untrusted_credentials,
        (SAVE_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE, SAVE_UNTRUSTED_CREDENTIALS),
        "Store a credential (an entry with the same public value is replaced)",
        f'printf %s "$NEW_PASSWORD" | {PROG} save-untrusted-credentials --associate-id 5 '
        "--type imap --public-value jane@example.com --secret-stdin --active",
    )
    _associate_option(save)
    _type_option(save)
    save.add_argument("--public-value", required=True, help="the entry's public value (user name)")
    _secret_options(save, "secret", "the secret value (password)")
    save.add_argument("--comment", help="a comment")
    save.add_argument("--valid-from", help="ISO 8601 date-time, e.g. 2025-01-01T00:00:00Z")
    save.add_argument("--valid-to", help="ISO 8601 date-time; leave out for .NET's MinValue")
    active = save.add_mutually_exclusive_group()
    active.add_argument("--active", dest="active", action="store_const", const=True)
    active.add_argument("--inactive", dest="active", action="store_const", const=False)
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
    remove.add_argument("--public-value", required=True, help="which entry to remove")
    _output_options(remove, table=False)

    default = command(
        "default-untrusted-credentials",
        _default_untrusted_credentials,
        (CREATE_DEFAULT_UNTRUSTED_CREDENTIALS,),
        "Show a new credential with the server's defaults (not stored)",
        f"{PROG} default-untrusted-credentials --json",
    )
    _output_options(default)

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
        (AUTHENTICATE_USERNAME_PASSWORD, AUTHENTICATE_WITH_ACCESS_TOKEN),
        "Get a ticket from SoPrincipal with a user name and password or an access token",
        f'printf %s "$PASSWORD" | {PROG} login --url https://host/Cust1/Remote/Services86 '
        "--username jane --password-stdin --show-secrets",
    )
    login.add_argument("--username", help="the user's login name")
    _secret_options(login, "password", "the password")
    _secret_options(login, "access_token", "an OAuth access token (8A:…)")
    _output_options(login, table=False)

    info = command(
        "system-info",
        _system_info,
        (GET_SYSTEM_INFO,),
        "Show the installation's version, license and database facts",
        f"{PROG} system-info --url https://host/Cust1/Remote/Services86 --json",
    )
    _output_options(info)

    fake = commands.add_parser(
        "fake-server",
        help="run the built-in NetServer stand-in for local experiments",
        description="Run the NetServer stand-in (demo user, ticket and credentials) on loopback.",
        epilog=f"example:\n  {PROG} fake-server --port 8086",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    del fake  # listed for --help; main() hands its arguments to the stand-in's own parser
    return parser


def _connection_options(parser: argparse.ArgumentParser, *, user: bool) -> None:
    parser.add_argument(
        "--url",
        default=os.environ.get("SUPEROFFICE_URL"),
        help="services base URL (…/Remote/Services86) or a ….svc URL; default $SUPEROFFICE_URL",
    )
    if user:
        parser.add_argument(
            "--ticket",
            default=None,
            help="ticket (7T:…) or access token (8A:…); default $SUPEROFFICE_TICKET",
        )
    parser.add_argument(
        "--application-token",
        default=None,
        help="application token (SuperOffice Online); default $SUPEROFFICE_APPLICATION_TOKEN",
    )
    parser.add_argument(
        "--soap-version", choices=("auto", "1.1", "1.2"), default="auto", help="default: auto"
    )
    parser.add_argument(
        "--services",
        choices=SERVICES_VERSIONS,
        default=None,
        help="Services version; default: from the URL, else Services86",
    )
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds (default 30)")
    parser.add_argument(
        "--trace",
        action="store_true",
        help="print the request and response envelopes (secrets masked) to stderr",
    )


def _associate_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--associate-id", type=int, default=None, help="the user's associate id (default: caller)"
    )


def _type_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--type", required=True, help='credential type, e.g. "imap"')


def _secret_options(parser: argparse.ArgumentParser, name: str, what: str) -> None:
    flag = name.replace("_", "-")
    group = parser.add_mutually_exclusive_group()
    group.add_argument(f"--{flag}-env", metavar="NAME", help=f"read {what} from $NAME")
    group.add_argument(f"--{flag}-stdin", action="store_true", help=f"read {what} from stdin")


def _output_options(parser: argparse.ArgumentParser, *, table: bool = True) -> None:
    form = parser.add_mutually_exclusive_group()
    form.add_argument("--json", action="store_true", help="print JSON")
    if table:
        form.add_argument("--csv", action="store_true", help="print CSV with a header row")
    parser.set_defaults(csv=False)
    parser.add_argument(
        "--show-secrets", action="store_true", help="print secret values instead of masking them"
    )


# ------------------------------------------------------------------------------------------------
# Helpers


def _user_agent(args: argparse.Namespace) -> UserAgent:
    """An agent with the ticket from --ticket / SUPEROFFICE_TICKET, or logged in with
    SUPEROFFICE_USERNAME and SUPEROFFICE_PASSWORD."""
    url = _url(args)
    options: dict[str, Any] = {
        "application_token": _application_token(args),
        "soap_version": args.soap_version,
        "timeout": args.timeout,
        "services": args.services,
        "history": _TRACE_EXCHANGES if args.trace else 0,
    }
    ticket = args.ticket or os.environ.get("SUPEROFFICE_TICKET")
    username = os.environ.get("SUPEROFFICE_USERNAME")
    password = os.environ.get("SUPEROFFICE_PASSWORD")
    agent: UserAgent
    if ticket:
        agent = UserAgent(url, ticket=ticket, **options)
    elif username and password is not None:
        agent = UserAgent.login(url, username, password, **options)
    else:
        raise _UsageError(
            "a ticket is required: --ticket or SUPEROFFICE_TICKET, or SUPEROFFICE_USERNAME and "
            "SUPEROFFICE_PASSWORD to log in (see: login)"
        )
    args.agents.append(agent)
    return agent


def _principal(args: argparse.Namespace) -> SoPrincipal:
    principal = SoPrincipal(
        _url(args),
        application_token=_application_token(args),
        soap_version=args.soap_version,
        timeout=args.timeout,
        services=args.services,
        history=_TRACE_EXCHANGES if args.trace else 0,
    )
    args.agents.append(principal)
    return principal


def _url(args: argparse.Namespace) -> str:
    if not args.url:
        raise _UsageError("--url is required (or set SUPEROFFICE_URL)")
    url: str = args.url
    return url


def _application_token(args: argparse.Namespace) -> Optional[str]:
    token: Optional[str] = args.application_token or os.environ.get("SUPEROFFICE_APPLICATION_TOKEN")
    return token or None


def _secret(args: argparse.Namespace, name: str) -> Optional[str]:
    variable = getattr(args, f"{name}_env")
    if variable is not None:
        value = os.environ.get(variable)
        if value is None:
            raise _UsageError(f"environment variable {variable} is not set")
        return value
    if getattr(args, f"{name}_stdin"):
        text: str = args.stdin.read()
        return text[:-1] if text.endswith("\n") else text
    return None


def _datetime_option(flag: str, value: Optional[str]) -> Optional[datetime]:
    if value is None:
        return None
    try:
        return parse_datetime(value)
    except ScalarError:
        raise _UsageError(f"{flag}: not an ISO 8601 date-time: {value!r}") from None


def _print_done(args: argparse.Namespace, out: TextIO, message: str) -> None:
    if args.json:
        out.write('{"ok": true}\n')
    else:
        out.write(message + "\n")


def _print(
    result: Any,
    args: argparse.Namespace,
    out: TextIO,
    *,
    columns: Sequence[str] = (),
    empty: str = "",
) -> None:
    data = _plain(result, show_secrets=args.show_secrets)
    if columns:  # stable keys, in this order, for tables, CSV and JSON alike
        data = (
            [{c: row[c] for c in columns} for row in data]
            if isinstance(data, list)
            else {c: data[c] for c in columns}
        )
    if args.json:
        json.dump(data, out, indent=2, ensure_ascii=False)
        out.write("\n")
        return
    rows = data if isinstance(data, list) else [data]
    if args.csv:
        fields = list(rows[0]) if rows else list(columns)
        writer = csv.DictWriter(out, fieldnames=fields, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: _cell(row.get(k)) for k in fields} for row in rows)
    elif isinstance(data, list):
        out.write(_table(rows, columns))
        if not rows:
            out.write(f"{empty}\n")
    else:
        out.write(_key_values(data))


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


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return _one_line(str(value))


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
    return "".join(f"{key.ljust(width)}  {_cell(value)}\n" for key, value in data.items())


def _one_line(text: str) -> str:
    return " ".join(text.split())
