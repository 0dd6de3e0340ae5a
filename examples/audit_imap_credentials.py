"""Audit many users' imap credentials into a CSV: who has one, is it active, does it expire.

A thin caller of ``superoffice_soap.jobs.audit_untrusted_credentials_async`` (the bulk helper:
bounded concurrency over one connection pool, the agent's retries); a user that fails is reported
in the CSV instead of stopping the audit. Secrets are never written: the report holds none.
Runs against the stand-in unless SUPEROFFICE_URL etc. are set (see _target.py).

    python examples/audit_imap_credentials.py [audit.csv]
"""

from __future__ import annotations

import asyncio
import csv
import sys
from typing import Optional, TextIO

from _target import target

from superoffice_soap import AsyncUserAgent, AuditReport, audit_untrusted_credentials_async
from superoffice_soap.jobs import error_phrase

FIELDS = ("associate_id", "public_value", "is_active", "valid_from", "valid_to", "status", "error")


async def audit() -> AuditReport:
    with target("SUPEROFFICE_TICKET", "SUPEROFFICE_ASSOCIATE_IDS") as where:
        async with AsyncUserAgent(
            where.url, ticket=where.ticket, application_token=where.application_token
        ) as agent:
            return await audit_untrusted_credentials_async(agent, where.associate_ids, "imap")


def write(report: AuditReport, out: TextIO) -> int:
    writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    rows = 0
    for user in report.users:
        if user.error is not None:
            writer.writerow(
                {
                    "associate_id": user.associate_id,
                    "status": "error",
                    "error": error_phrase(user.error),
                }
            )
            rows += 1
        for found in user.credentials:
            writer.writerow(
                {
                    "associate_id": user.associate_id,
                    "public_value": found.public_value,
                    "is_active": found.is_active,
                    "valid_from": found.valid_from.isoformat() if found.valid_from else "",
                    "valid_to": found.valid_to.isoformat() if found.valid_to else "",
                    "status": found.status.value,
                }
            )
            rows += 1
    return rows


def main(argv: Optional[list[str]] = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    report = asyncio.run(audit())
    if args:
        with open(args[0], "w", newline="", encoding="utf-8") as out:
            rows = write(report, out)
        print(f"wrote {rows} rows to {args[0]}")
    else:
        write(report, sys.stdout)
    print(report.summary(), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
