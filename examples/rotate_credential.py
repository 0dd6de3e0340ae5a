"""Rotate a stored credential: save the new one, remove the old one, verify what is stored.

The new secret comes from NEW_SECRET (the stand-in run makes one up). Against a real server set
SUPEROFFICE_URL etc. (see _target.py), OLD_PUBLIC_VALUE and NEW_PUBLIC_VALUE.

    NEW_SECRET=... python examples/rotate_credential.py
"""

from __future__ import annotations

import os
import secrets
from datetime import datetime, timezone

from _target import target

from superoffice_soap import UntrustedCredentials, UserAgent

KIND = "imap"


def main() -> int:
    old = os.environ.get("OLD_PUBLIC_VALUE", "jane.doe@old.example.com")
    new_name = os.environ.get("NEW_PUBLIC_VALUE", "jane.doe@new.example.com")
    new_secret = os.environ.get("NEW_SECRET") or secrets.token_urlsafe(16)
    with (
        target() as where,
        UserAgent(
            where.url, ticket=where.ticket, application_token=where.application_token
        ) as agent,
    ):
        new = UntrustedCredentials(
            public_value=new_name,
            secret_value=new_secret,
            valid_from=datetime.now(timezone.utc).replace(microsecond=0),
            valid_to=datetime(9999, 12, 31, 23, 59, 59, 999999),  # never expires
            comment="rotated",
            is_active=True,
        )
        agent.save_untrusted_credentials_for_associate(where.associate_id, KIND, new)
        agent.remove_untrusted_credentials_for_associate(where.associate_id, KIND, old)
        stored = agent.get_untrusted_credentials_for_associate(where.associate_id, KIND)

    names = [cred.public_value for cred in stored]
    saved = [cred for cred in stored if cred.public_value == new_name]
    if old in names or len(saved) != 1 or saved[0].secret_value != new_secret:
        print(f"rotation NOT verified: stored {names}")
        return 1
    print(f"rotated {KIND}: removed {old!r}, stored {new_name!r}; now stored: {names}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
