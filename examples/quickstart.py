"""Quickstart: read a user's stored credentials.

Against the built-in stand-in (default):      python examples/quickstart.py
Against a real NetServer, set the environment:
    SUPEROFFICE_URL=https://sod.superoffice.com/Cust12345/Remote/Services86
    SUPEROFFICE_TICKET=7T:...            (or an 8A:... access token)
    SUPEROFFICE_APPLICATION_TOKEN=...    (SuperOffice Online only)
    SUPEROFFICE_ASSOCIATE_ID=5  SUPEROFFICE_CREDENTIAL_TYPE=imap
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

from superoffice_soap import SuperOfficeSoapError, UserAgent
from superoffice_soap.testing import DEMO_ASSOCIATE_ID, DEMO_TICKET, FakeNetServer


@contextlib.contextmanager
def connection() -> Iterator[tuple[str, str, int]]:
    """(url, ticket, associate id) from the environment, or from a stand-in started here."""
    url = os.environ.get("SUPEROFFICE_URL")
    if url:
        yield url, os.environ["SUPEROFFICE_TICKET"], int(os.environ["SUPEROFFICE_ASSOCIATE_ID"])
        return
    with FakeNetServer.with_demo_data().serve() as running:
        yield running.base_url, DEMO_TICKET, DEMO_ASSOCIATE_ID


def main() -> int:
    credential_type = os.environ.get("SUPEROFFICE_CREDENTIAL_TYPE", "imap")
    with connection() as (url, ticket, associate_id):
        token = os.environ.get("SUPEROFFICE_APPLICATION_TOKEN")
        try:
            with UserAgent(url, ticket=ticket, application_token=token) as agent:
                credentials = agent.get_untrusted_credentials_for_associate(
                    associate_id, credential_type
                )
        except SuperOfficeSoapError as exc:
            print(f"failed: {exc}")
            return 1
    for cred in credentials:
        state = "active" if cred.is_active else "inactive"
        print(f"{cred.public_value}  ({state}, valid until {cred.valid_to})")
    print(f"{len(credentials)} {credential_type} credential(s) for associate {associate_id}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
