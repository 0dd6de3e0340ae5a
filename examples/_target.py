"""Where the examples connect: a real NetServer named by environment variables, or else a
NetServer stand-in started on loopback with demo data.

Real server:
    SUPEROFFICE_URL=https://sod.superoffice.com/Cust12345/Remote/Services86
    SUPEROFFICE_TICKET=7T:...             (or an 8A:... access token)
    SUPEROFFICE_APPLICATION_TOKEN=...     (SuperOffice Online only)
    SUPEROFFICE_USERNAME / SUPEROFFICE_PASSWORD   (for the login example)
    SUPEROFFICE_ASSOCIATE_ID=5            SUPEROFFICE_ASSOCIATE_IDS=1-200,305
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Optional

import attrs

from superoffice_soap import UntrustedCredentials
from superoffice_soap.testing import (
    DEMO_ASSOCIATE_ID,
    DEMO_PASSWORD,
    DEMO_TICKET,
    DEMO_USERNAME,
    FakeNetServer,
)

#: Associates the stand-in's audit data covers (the demo user is one of them).
DEMO_AUDIT_IDS = range(1, 41)


@attrs.frozen
class Target:
    url: str
    ticket: str = attrs.field(repr=False)
    associate_id: int
    associate_ids: tuple[int, ...]
    username: str
    password: str = attrs.field(repr=False)
    application_token: Optional[str] = attrs.field(default=None, repr=False)


@contextlib.contextmanager
def target(*needs: str) -> Iterator[Target]:
    """The real server from the environment when SUPEROFFICE_URL and every variable in
    ``needs`` are set; else a stand-in for as long as the block runs (and, when some of them are
    set, a line on stderr saying which are missing)."""
    names = ("SUPEROFFICE_URL", *needs)
    missing = [name for name in names if not os.environ.get(name)]
    if missing and len(missing) < len(names):
        print(
            f"{Path(sys.argv[0]).name}: using the built-in stand-in: {', '.join(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} not set (a real server needs "
            f"{', '.join(names)})",
            file=sys.stderr,
        )
    if not missing:
        url = os.environ["SUPEROFFICE_URL"]
        yield Target(
            url=url,
            ticket=os.environ.get("SUPEROFFICE_TICKET", ""),
            associate_id=int(os.environ.get("SUPEROFFICE_ASSOCIATE_ID", "0")),
            associate_ids=_id_ranges(os.environ.get("SUPEROFFICE_ASSOCIATE_IDS", "")),
            username=os.environ.get("SUPEROFFICE_USERNAME", ""),
            password=os.environ.get("SUPEROFFICE_PASSWORD", ""),
            application_token=os.environ.get("SUPEROFFICE_APPLICATION_TOKEN") or None,
        )
        return
    server = FakeNetServer.with_demo_data()
    for associate_id in DEMO_AUDIT_IDS:
        if associate_id != DEMO_ASSOCIATE_ID:
            server.add_credentials(associate_id, "imap", _audit_entry(associate_id))
    with server.serve() as running:
        yield Target(
            url=running.base_url,
            ticket=DEMO_TICKET,
            associate_id=DEMO_ASSOCIATE_ID,
            associate_ids=tuple(DEMO_AUDIT_IDS),
            username=DEMO_USERNAME,
            password=DEMO_PASSWORD,
        )


def _audit_entry(associate_id: int) -> UntrustedCredentials:
    from datetime import datetime, timezone

    expired = associate_id % 7 == 0
    return UntrustedCredentials(
        valid_from=datetime(2023, 1, 1, tzinfo=timezone.utc),
        valid_to=datetime(2024, 1, 1, tzinfo=timezone.utc)
        if expired
        else datetime(9999, 12, 31, 23, 59, 59, 999999),
        comment="demo mailbox",
        secret_value=f"demo-secret-{associate_id}",
        public_value=f"user{associate_id}@example.com",
        is_active=associate_id % 5 != 0,
    )


def _id_ranges(text: str) -> tuple[int, ...]:
    ids: list[int] = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        first, _, last = part.partition("-")
        ids.extend(range(int(first), int(last or first) + 1))
    return tuple(ids)
