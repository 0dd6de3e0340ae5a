"""The main job, end to end, with no SuperOffice installation.

Starts the NetServer stand-in on a free loopback port, then runs the command line against it over
real HTTP: SOAP version negotiation (the stand-in, like NetServer, speaks only SOAP 1.1), the
GetUntrustedCredentialsForAssociate call, and the credentials printed as a table.

    make demo          # or: python examples/demo.py
"""

from __future__ import annotations

import os

from superoffice_soap.cli import main
from superoffice_soap.testing import DEMO_ASSOCIATE_ID, DEMO_TICKET, FakeNetServer


def run() -> int:
    server = FakeNetServer.with_demo_data()
    with server.serve() as running:
        print(f"NetServer stand-in listening on {running.base_url}\n")
        os.environ["SUPEROFFICE_TICKET"] = DEMO_TICKET
        status = 0
        for credential_type in ("imap", "smtp"):
            print(
                f"$ superoffice-soap untrusted-credentials --url {running.base_url} "
                f"--associate-id {DEMO_ASSOCIATE_ID} --type {credential_type}"
            )
            status |= main(
                [
                    "untrusted-credentials",
                    "--url",
                    running.base_url,
                    "--associate-id",
                    str(DEMO_ASSOCIATE_ID),
                    "--type",
                    credential_type,
                ]
            )
            print()
        kinds = [r.headers.get("content-type", "?").split(";")[0] for r in server.requests]
        print(f"The stand-in received {len(kinds)} requests: {', '.join(kinds)}")
        print("(each command negotiated: SOAP 1.2 first, HTTP 415, then SOAP 1.1)")
    return status


if __name__ == "__main__":
    raise SystemExit(run())
