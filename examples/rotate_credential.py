"""Rotate a stored credential without leaving the user without a working one.

A thin caller of ``superoffice_soap.jobs.rotate_untrusted_credential``: it reads the current
entries, saves the new one, reads it back and verifies it, and only then removes the old one. If a
step fails it says what the server holds now and what finishes or undoes the job.

The new secret comes from NEW_SECRET (the stand-in run makes one up). Against a real server set
SUPEROFFICE_URL etc. (see _target.py), OLD_PUBLIC_VALUE and NEW_PUBLIC_VALUE.

    NEW_SECRET=... python examples/rotate_credential.py
"""

from __future__ import annotations

import os
import secrets

from _target import target

from superoffice_soap import RotationError, UserAgent, rotate_untrusted_credential

KIND = "imap"


def main() -> int:
    old = os.environ.get("OLD_PUBLIC_VALUE", "jane.doe@old.example.com")
    new_name = os.environ.get("NEW_PUBLIC_VALUE", "jane.doe@new.example.com")
    new_secret = os.environ.get("NEW_SECRET") or secrets.token_urlsafe(16)
    with (
        target("SUPEROFFICE_TICKET", "SUPEROFFICE_ASSOCIATE_ID") as where,
        UserAgent(
            where.url, ticket=where.ticket, application_token=where.application_token
        ) as agent,
    ):
        try:
            done = rotate_untrusted_credential(
                agent, where.associate_id, KIND, old, new_secret, new_public_value=new_name
            )
        except RotationError as failed:
            print(f"rotation NOT done: {failed}")
            return 1
        stored = agent.get_untrusted_credentials_for_associate(where.associate_id, KIND)
    print(done.describe())
    print(f"now stored: {[cred.public_value for cred in stored]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
