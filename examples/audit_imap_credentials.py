"""Audit many users' imap credentials into a CSV: who has one, is it active, does it expire.

Uses the bulk helper (bounded concurrency over one connection pool, the agent's retries); an
associate that fails is reported in the CSV instead of stopping the audit. Secrets are never
written. Runs against the stand-in unless SUPEROFFICE_URL etc. are set (see _target.py).

    python examples/audit_imap_credentials.py [audit.csv]
"""

from __future__ import annotations

import asyncio
import csv
import sys
from datetime import datetime, timezone
from typing import Optional, TextIO

from _target import target

from superoffice_soap import AsyncUserAgent, SuperOfficeSoapError

FIELDS = ("associate_id", "public_value", "is_active", "valid_from", "valid_to", "expired", "error")


def expired(valid_to: Optional[datetime], now: datetime) -> bool:
    if valid_to is None:
        return False
    moment = valid_to if valid_to.tzinfo else valid_to.replace(tzinfo=timezone.utc)
    return moment < now


async def audit(out: TextIO) -> int:
    now = datetime.now(timezone.utc)
    writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    rows = 0
    with target() as where:
        async with AsyncUserAgent(
            where.url, ticket=where.ticket, application_token=where.application_token
        ) as agent:
            results = await agent.get_untrusted_credentials_for_associates(
                where.associate_ids, "imap", concurrency=8, errors="collect"
            )
    for associate_id, result in results.items():
        if isinstance(result, SuperOfficeSoapError):
            writer.writerow({"associate_id": associate_id, "error": type(result).__name__})
            rows += 1
            continue
        for cred in result:
            writer.writerow(
                {
                    "associate_id": associate_id,
                    "public_value": cred.public_value,
                    "is_active": cred.is_active,
                    "valid_from": cred.valid_from.isoformat() if cred.valid_from else "",
                    "valid_to": cred.valid_to.isoformat() if cred.valid_to else "",
                    "expired": expired(cred.valid_to, now),
                    "error": "",
                }
            )
            rows += 1
    return rows


def main(argv: Optional[list[str]] = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args:
        with open(args[0], "w", newline="", encoding="utf-8") as out:
            rows = asyncio.run(audit(out))
        print(f"wrote {rows} rows to {args[0]}")
    else:
        asyncio.run(audit(sys.stdout))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
