"""The sans-IO core with your own HTTP stack: here the standard library's urllib.

`build_request` gives the URL, headers and bytes to POST; `parse_response` takes the status,
headers and bytes of the answer. Nothing else of the library touches the network.

    python examples/sans_io.py
"""

from __future__ import annotations

import urllib.error
import urllib.request

from _target import target

from superoffice_soap import (
    GET_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE,
    UntrustedCredentials,
    build_request,
    parse_response,
)


def post(url: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, dict(answer.headers.items()), answer.read()
    except urllib.error.HTTPError as error:  # 4xx/5xx still carry a (SOAP fault) body
        return error.code, dict(error.headers.items()), error.read()


def main() -> int:
    with target("SUPEROFFICE_TICKET", "SUPEROFFICE_ASSOCIATE_ID") as where:
        request = build_request(
            GET_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE,
            {"associate_id": where.associate_id, "credential_type": "imap"},
            url=where.url,
            soap_version="1.1",  # NetServer's binding; no negotiation without the agents
            ticket=where.ticket,
            application_token=where.application_token,
        )
        status, headers, body = post(request.url, dict(request.headers), request.content)
    credentials: list[UntrustedCredentials] = parse_response(
        GET_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE,
        status,
        headers,
        body,
        redact=[where.ticket, where.application_token],
    )
    for cred in credentials:
        print(cred.public_value, "active" if cred.is_active else "inactive")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
