"""The ``superoffice-soap`` command line (argparse only).

Exit codes: 0 success; 2 usage or invalid argument; 3 NetServer error; 4 SOAP fault;
5 HTTP or transport error; 6 response parse error. Secrets are masked unless ``--show-secrets``;
an error is one line on stderr.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Optional, TextIO

from ._version import __version__
from .client import UserAgent
from .errors import (
    HTTPStatusError,
    InvalidRequestError,
    NetServerError,
    ResponseParseError,
    SoapFault,
    SuperOfficeSoapError,
    TransportError,
)
from .models import UntrustedCredentials

__all__ = ["EXIT_CODES", "main"]

PROG = "superoffice-soap"
MASKED = "********"

#: Exit code for each error class (the most specific match wins).
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


def main(argv: Optional[Sequence[str]] = None, *, stdout: Optional[TextIO] = None) -> int:
    """Run the command line; returns the exit code instead of exiting."""
    out = stdout if stdout is not None else sys.stdout
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args, out))
    except _UsageError as exc:
        parser.print_usage(sys.stderr)
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    except SuperOfficeSoapError as exc:
        print(f"{PROG}: {type(exc).__name__}: {_one_line(str(exc))}", file=sys.stderr)
        return next(code for cls, code in EXIT_CODES if isinstance(exc, cls))


class _UsageError(Exception):
    pass


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Talk to SuperOffice NetServer's SOAP services.",
        epilog="Exit codes: 0 ok, 2 usage, 3 NetServer error, 4 SOAP fault, "
        "5 HTTP/transport error, 6 response parse error.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    commands = parser.add_subparsers(title="commands", dest="command", required=True)

    creds = commands.add_parser(
        "untrusted-credentials",
        help="list a user's stored external credentials (GetUntrustedCredentialsForAssociate)",
        description="List the stored credentials of one type for one user.",
        epilog="example: superoffice-soap untrusted-credentials "
        "--url https://host/Cust1/Remote/Services86 --associate-id 5 --type imap --json",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _connection_options(creds)
    creds.add_argument("--associate-id", type=int, required=True, help="the user's associate id")
    creds.add_argument(
        "--type", dest="credential_type", required=True, help='credential type, e.g. "imap"'
    )
    _output_options(creds)
    creds.set_defaults(handler=_untrusted_credentials)
    return parser


def _connection_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--url",
        default=os.environ.get("SUPEROFFICE_URL"),
        help="services base URL (…/Remote/Services86) or …/User.svc; default $SUPEROFFICE_URL",
    )
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
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds (default 30)")


def _output_options(parser: argparse.ArgumentParser) -> None:
    form = parser.add_mutually_exclusive_group()
    form.add_argument("--json", action="store_true", help="print a JSON array")
    form.add_argument("--csv", action="store_true", help="print CSV with a header row")
    parser.add_argument(
        "--show-secrets", action="store_true", help="print secret values instead of masking them"
    )


def _agent(args: argparse.Namespace) -> UserAgent:
    if not args.url:
        raise _UsageError("--url is required (or set SUPEROFFICE_URL)")
    ticket = args.ticket or os.environ.get("SUPEROFFICE_TICKET")
    if not ticket:
        raise _UsageError("a ticket is required: --ticket or SUPEROFFICE_TICKET")
    token = args.application_token or os.environ.get("SUPEROFFICE_APPLICATION_TOKEN") or None
    return UserAgent(
        args.url,
        ticket=ticket,
        application_token=token,
        soap_version=args.soap_version,
        timeout=args.timeout,
    )


def _untrusted_credentials(args: argparse.Namespace, out: TextIO) -> int:
    with _agent(args) as agent:
        credentials = agent.get_untrusted_credentials_for_associate(
            args.associate_id, args.credential_type
        )
    rows = [_credential_row(c, show_secrets=args.show_secrets) for c in credentials]
    _print_rows(rows, _CREDENTIAL_COLUMNS, args, out)
    return 0


def _credential_row(cred: UntrustedCredentials, *, show_secrets: bool) -> dict[str, Any]:
    secret = cred.secret_value
    if secret is not None and not show_secrets:
        secret = MASKED
    return {
        "public_value": cred.public_value,
        "secret_value": secret,
        "is_active": cred.is_active,
        "valid_from": _iso(cred.valid_from),
        "valid_to": _iso(cred.valid_to),
        "comment": cred.comment,
    }


def _iso(value: Optional[datetime]) -> Optional[str]:
    return None if value is None else value.isoformat()


def _print_rows(
    rows: list[dict[str, Any]], columns: Sequence[str], args: argparse.Namespace, out: TextIO
) -> None:
    if args.json:
        json.dump(rows, out, indent=2, ensure_ascii=False)
        out.write("\n")
    elif args.csv:
        writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    else:
        out.write(_table(rows, columns))


def _table(rows: list[dict[str, Any]], columns: Sequence[str]) -> str:
    def cell(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return "yes" if value else "no"
        return _one_line(str(value))

    header = [c.replace("_", " ").upper() for c in columns]
    body = [[cell(row[c]) for c in columns] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in body)) for i, h in enumerate(header)]
    buffer = io.StringIO()
    for line in [header, *body]:
        buffer.write("  ".join(v.ljust(w) for v, w in zip(line, widths)).rstrip() + "\n")
    if not rows:
        buffer.write("(no credentials)\n")
    return buffer.getvalue()


def _one_line(text: str) -> str:
    return " ".join(text.split())
