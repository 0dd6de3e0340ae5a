"""Quickstart: read a user's stored credentials.

Runs against the built-in stand-in; set SUPEROFFICE_URL, SUPEROFFICE_TICKET (and
SUPEROFFICE_APPLICATION_TOKEN for Online) and SUPEROFFICE_ASSOCIATE_ID for a real NetServer,
SUPEROFFICE_CREDENTIAL_TYPE for another type than imap.

    python examples/quickstart.py
"""

from __future__ import annotations

import os

from _target import target

from superoffice_soap import SuperOfficeSoapError, UserAgent


def main() -> int:
    credential_type = os.environ.get("SUPEROFFICE_CREDENTIAL_TYPE", "imap")
    with target("SUPEROFFICE_TICKET", "SUPEROFFICE_ASSOCIATE_ID") as where:
        try:
            with UserAgent(
                where.url, ticket=where.ticket, application_token=where.application_token
            ) as agent:
                credentials = agent.get_untrusted_credentials_for_associate(
                    where.associate_id, credential_type
                )
        except SuperOfficeSoapError as exc:
            print(f"failed: {exc}")
            return 1
    for cred in credentials:
        state = "active" if cred.is_active else "inactive"
        print(f"{cred.public_value}  ({state}, valid until {cred.valid_to})")
    print(f"{len(credentials)} {credential_type} credential(s) for associate {where.associate_id}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
