"""Hostile XML: each answer is parsed correctly where XML allows it, or refused with
ResponseParseError, in bounded time, without touching a file or the network."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from superoffice_soap import ResponseParseError, UntrustedCredentials, parse_response
from superoffice_soap._namespaces import NS, SOAP11
from superoffice_soap.operations import GET_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE as OP

from .faultserver import FaultServer, Reply

XML = {"Content-Type": "text/xml; charset=utf-8"}
LIMIT_SECONDS = 5.0


def answer(
    comment_xml: bytes, *, prolog: bytes = b'<?xml version="1.0" encoding="utf-8"?>'
) -> bytes:
    """A valid answer whose one credential's Comment element holds ``comment_xml`` verbatim.

    Hostile input has to be written as bytes: a parser-built tree cannot carry it.
    """
    return (
        prolog
        + b'<s:Envelope xmlns:s="'
        + SOAP11.encode()
        + b'"><s:Body>'
        + b'<GetUntrustedCredentialsForAssociateResponse xmlns="'
        + NS.encode()
        + b'">'
        + b"<Response><UntrustedCredentials><Comment>"
        + comment_xml
        + b"</Comment>"
        + b"</UntrustedCredentials></Response></GetUntrustedCredentialsForAssociateResponse>"
        + b"</s:Body></s:Envelope>"
    )


def parse(content: bytes) -> Any:
    started = time.perf_counter()
    try:
        return parse_response(OP, 200, XML, content)
    finally:
        assert time.perf_counter() - started < LIMIT_SECONDS


def comment_of(content: bytes) -> Any:
    result = parse(content)
    assert isinstance(result, list)
    assert len(result) == 1
    assert isinstance(result[0], UntrustedCredentials)
    return result[0].comment


def refused(content: bytes) -> ResponseParseError:
    with pytest.raises(ResponseParseError) as info:
        parse(content)
    return info.value


def test_the_frame_is_valid() -> None:
    assert comment_of(answer(b"plain")) == "plain"


def test_external_file_entity(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("FILE-CONTENT-MUST-NOT-LEAK")
    doctype = b'<!DOCTYPE s:Envelope [<!ENTITY x SYSTEM "' + secret.as_uri().encode() + b'">]>'
    error = refused(answer(b"&x;", prolog=b'<?xml version="1.0"?>' + doctype))
    assert "FILE-CONTENT" not in str(error)


def test_external_http_entity_and_dtd_are_never_fetched() -> None:
    with FaultServer([Reply(body=b"<!ENTITY y 'NETWORK'>")]) as server:
        entity = b'<!DOCTYPE s:Envelope [<!ENTITY x SYSTEM "' + server.url.encode() + b'/e">]>'
        refused(answer(b"&x;", prolog=b'<?xml version="1.0"?>' + entity))
        dtd = b'<!DOCTYPE s:Envelope SYSTEM "' + server.url.encode() + b'/d.dtd">'
        refused(answer(b"x", prolog=b'<?xml version="1.0"?>' + dtd))
        parameter = (
            b'<!DOCTYPE s:Envelope [<!ENTITY % p SYSTEM "' + server.url.encode() + b'/p"> %p;]>'
        )
        refused(answer(b"x", prolog=b'<?xml version="1.0"?>' + parameter))
        assert server.requests == []
        assert server.connections == 0


def test_billion_laughs() -> None:
    entities = b"".join(b'<!ENTITY l%d "%s">' % (i, b"&l%d;" % (i - 1) * 10) for i in range(1, 10))
    doctype = b'<!DOCTYPE s:Envelope [<!ENTITY l0 "lol">' + entities + b"]>"
    error = refused(answer(b"&l9;", prolog=b'<?xml version="1.0"?>' + doctype))
    assert "lollol" not in str(error)


def test_quadratic_blowup() -> None:
    big = b"A" * 50_000
    doctype = b'<!DOCTYPE s:Envelope [<!ENTITY a "' + big + b'">]>'
    refused(answer(b"&a;" * 20_000, prolog=b'<?xml version="1.0"?>' + doctype))


def test_xinclude_is_not_processed(tmp_path: Path) -> None:
    secret = tmp_path / "included.txt"
    secret.write_text("INCLUDED-CONTENT")
    include = (
        b'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" parse="text" href="'
        + secret.as_uri().encode()
        + b'"/>'
    )
    error = refused(answer(include))
    assert "INCLUDED-CONTENT" not in str(error)
    assert "include" in str(error)


def test_deep_nesting() -> None:
    deep = b"<a>" * 100_000 + b"</a>" * 100_000
    refused(answer(deep))


def test_a_ten_megabyte_text_node() -> None:
    # Refused by libxml2's text-node limit (no huge_tree): no value can grow without bound.
    assert "Text node too long" in str(refused(answer(b"x" * (10 * 1024 * 1024))))
    below = b"y" * 1_000_000
    assert comment_of(answer(below)) == below.decode()


def test_invalid_utf8() -> None:
    assert "malformed XML" in str(refused(answer(b"\xff\xfe\xfd")))
    assert "malformed XML" in str(refused(answer(b"\xc3\x28")))


def test_utf16_with_bom() -> None:
    content = answer("blåbær".encode(), prolog=b"").decode("utf-8")
    encoded = ('<?xml version="1.0" encoding="UTF-16"?>' + content).encode("utf-16")
    assert encoded.startswith((b"\xff\xfe", b"\xfe\xff"))
    assert comment_of(encoded) == "blåbær"


def test_utf16_without_bom() -> None:
    content = answer("blåbær".encode(), prolog=b"").decode("utf-8")
    encoded = ('<?xml version="1.0" encoding="UTF-16LE"?>' + content).encode("utf-16-le")
    # XML wants a BOM for UTF-16, but the declaration names the byte order: libxml2 reads it.
    assert comment_of(encoded) == "blåbær"


def test_xml_11_declaration() -> None:
    # libxml2 reads an XML 1.1 document as 1.0; nothing in it differs here.
    assert comment_of(answer(b"eleven", prolog=b'<?xml version="1.1"?>')) == "eleven"


@pytest.mark.parametrize(
    ("inside", "expected"),
    [
        (b"ab<!-- a comment -->cd", "abcd"),
        (b"ab<?pi instruction?>cd", "abcd"),
        (b"<![CDATA[<not-markup> & more]]>", "<not-markup> & more"),
        (b"a&amp;b&lt;c&#x263A;", "a&b<c\u263a"),
    ],
)
def test_comments_pis_and_cdata_inside_values(inside: bytes, expected: str) -> None:
    assert comment_of(answer(inside)) == expected


def test_an_undefined_entity() -> None:
    refused(answer(b"&undefined;"))
