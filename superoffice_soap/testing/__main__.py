"""Command line: run a demo ``FakeNetServer`` over HTTP until Ctrl-C.

``python -m superoffice_soap.testing [--host 127.0.0.1] [--port 8086] [--soap12]
[--services Services86]`` starts the stand-in with demo data and prints the service URLs, the demo
ticket and login, and a ready-to-run curl command. The demo ticket and password are made-up
values, printed on purpose; this module must never print any other ticket, token or secret, and
builds the example request with lxml, never by formatting XML.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from collections.abc import Sequence
from typing import Optional

from lxml import etree

from .._namespaces import SOAP11
from ..operations import DEFAULT_SERVICES, SERVICES_VERSIONS
from ..operations import namespace as services_namespace
from ._contract import REQUESTS
from ._server import DEMO_ASSOCIATE_ID, DEMO_PASSWORD, DEMO_TICKET, DEMO_USERNAME, FakeNetServer

__all__ = ["build_parser", "example_request", "main"]

_OPERATION = REQUESTS[("User", "GetUntrustedCredentialsForAssociate")]


def _action(services: str) -> str:
    return f"{services_namespace(services)}/{_OPERATION.service}/{_OPERATION.name}"


def build_parser() -> argparse.ArgumentParser:
    """The command-line parser (``--host``, ``--port``, ``--soap12``, ``--services``)."""
    parser = argparse.ArgumentParser(
        prog="python -m superoffice_soap.testing",
        description="Serve fake SuperOffice NetServer User and SoPrincipal endpoints with demo data.",
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to bind (default: %(default)s)"
    )
    parser.add_argument(
        "--port",
        type=int,
        default=8086,
        help="port to bind, 0 for any free one (default: %(default)s)",
    )
    parser.add_argument(
        "--soap12",
        action="store_true",
        help="also accept SOAP 1.2 (application/soap+xml); the real binding answers 415",
    )
    parser.add_argument(
        "--services",
        choices=SERVICES_VERSIONS,
        default=DEFAULT_SERVICES,
        help="the Services version to serve (default: %(default)s)",
    )
    return parser


def example_request(
    ticket: str,
    associate_id: int,
    credential_type: str,
    *,
    xml_declaration: bool = True,
    services: str = DEFAULT_SERVICES,
) -> bytes:
    """A SOAP 1.1 GetUntrustedCredentialsForAssociate request, built with lxml (one line)."""
    ns = services_namespace(services)
    envelope = etree.Element(f"{{{SOAP11}}}Envelope", nsmap={"s": SOAP11, "ns": ns})
    header = etree.SubElement(envelope, f"{{{SOAP11}}}Header")
    credentials = etree.SubElement(header, f"{{{ns}}}Credentials")
    etree.SubElement(credentials, f"{{{ns}}}Ticket").text = ticket
    body = etree.SubElement(envelope, f"{{{SOAP11}}}Body")
    request = etree.SubElement(body, f"{{{ns}}}{_OPERATION.name}")
    etree.SubElement(request, f"{{{ns}}}AssociateId").text = str(associate_id)
    etree.SubElement(request, f"{{{ns}}}Type").text = credential_type
    data: bytes = etree.tostring(envelope, xml_declaration=xml_declaration, encoding="utf-8")
    return data


def _wait_forever() -> None:
    while True:
        time.sleep(3600)


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the demo server until Ctrl-C; returns the exit status."""
    args = build_parser().parse_args(argv)
    fake = FakeNetServer.with_demo_data(accept_soap12=args.soap12, services=args.services)
    try:
        serving = fake.serve(args.host, args.port)
        running = serving.__enter__()
    except OSError as exc:
        print(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    try:
        command = shlex.join(
            [
                "curl",
                "-sS",
                "-H",
                "Content-Type: text/xml; charset=utf-8",
                "-H",
                f'SOAPAction: "{_action(args.services)}"',
                "--data-binary",
                example_request(
                    DEMO_TICKET,
                    DEMO_ASSOCIATE_ID,
                    "imap",
                    xml_declaration=False,
                    services=args.services,
                ).decode("utf-8"),
                running.url,
            ]
        )
        print(f"FakeNetServer listening; base URL: {running.base_url}")
        print(f"SoPrincipal:   {running.so_principal_url}")
        print(f"User service:  {running.url}")
        print(f"Demo ticket:   {DEMO_TICKET}  (associate {DEMO_ASSOCIATE_ID})")
        print(f"Demo login:    {DEMO_USERNAME} / {DEMO_PASSWORD}")
        print(f"Try:\n  {command}")
        print("Press Ctrl-C to stop.", flush=True)
        _wait_forever()
    except KeyboardInterrupt:
        pass
    finally:
        serving.__exit__(None, None, None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
