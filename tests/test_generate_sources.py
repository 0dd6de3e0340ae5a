"""Where ``generate`` reads a WSDL from: a file, a ``?singleWsdl`` URL, or WCF's ``?wsdl`` answer
that imports its parts (``?wsdl=wsdl0``, ``?xsd=xsd0``…), with the library's HTTP rules."""

from __future__ import annotations

import base64
import copy
from pathlib import Path

import httpx
import pytest
from lxml import etree

from superoffice_soap import generate as generate_module
from superoffice_soap.errors import HTTPStatusError, ResponseTooLargeError, TransportError
from superoffice_soap.generate import GenerationError, describe, generate, load_wsdl

from .conftest import reference_file

WSDL_NS = "http://schemas.xmlsoap.org/wsdl/"
XS = "http://www.w3.org/2001/XMLSchema"
BASE = "https://host.example/Cust1/Remote/Services86/User.svc"
SINGLE = reference_file("user-credentials.wsdl")
OPERATIONS = ["GetUntrustedCredentialsForAssociate", "GetCredentialTypes"]


def split_wsdl() -> dict[str, bytes]:
    """The single WSDL cut the way WCF's ``?wsdl`` answers: the portType and messages in an
    imported WSDL, each schema in an imported XSD, the main document holding the rest."""
    root = etree.fromstring(SINGLE.read_bytes())
    documents: dict[str, bytes] = {}
    types = root.find(f"{{{WSDL_NS}}}types")
    assert types is not None
    imports = etree.Element(f"{{{XS}}}schema", targetNamespace="urn:imports")
    for index, schema in enumerate(list(types)):
        location = f"{BASE}?xsd=xsd{index}"
        documents[location] = etree.tostring(schema)
        etree.SubElement(
            imports,
            f"{{{XS}}}import",
            namespace=schema.get("targetNamespace", ""),
            schemaLocation=location,
        )
        types.remove(schema)
    types.append(imports)
    part = etree.Element(
        f"{{{WSDL_NS}}}definitions", nsmap=root.nsmap, targetNamespace=root.get("targetNamespace")
    )
    for child in list(root):
        if etree.QName(child).localname in ("message", "portType"):
            part.append(copy.deepcopy(child))
            root.remove(child)
    documents[f"{BASE}?wsdl=wsdl0"] = etree.tostring(part)
    root.insert(
        0,
        etree.Element(
            f"{{{WSDL_NS}}}import",
            namespace=root.get("targetNamespace", ""),
            location="User.svc?wsdl=wsdl0",  # relative, as some servers write it
        ),
    )
    documents[f"{BASE}?wsdl"] = etree.tostring(root)
    return documents


def serving(documents: dict[str, bytes], seen: list[httpx.Request]) -> httpx.MockTransport:
    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        body = documents.get(str(request.url))
        if body is None:
            return httpx.Response(404, text="<html>Not Found</html>")
        return httpx.Response(200, content=body, headers={"content-type": "text/xml"})

    return httpx.MockTransport(answer)


def test_a_file_and_a_single_wsdl_url_give_the_same_module() -> None:
    seen: list[httpx.Request] = []
    url = f"{BASE}?singleWsdl"
    transport = serving({url: SINGLE.read_bytes()}, seen)
    from_url = generate(url, OPERATIONS, transport=transport)
    from_file = generate(str(SINGLE), OPERATIONS)
    assert _body(from_url) == _body(from_file)
    assert [request.method for request in seen] == ["GET"]
    assert seen[0].headers["user-agent"].startswith("superoffice-soap/")


def test_wcf_wsdl_with_imports_is_read_whole() -> None:
    seen: list[httpx.Request] = []
    documents = split_wsdl()
    transport = serving(documents, seen)
    text = generate(f"{BASE}?wsdl", OPERATIONS, transport=transport)
    assert _body(text) == _body(generate(str(SINGLE), OPERATIONS))
    assert {str(request.url) for request in seen} == set(documents)


def test_an_import_that_cannot_be_fetched_says_which() -> None:
    documents = split_wsdl()
    del documents[f"{BASE}?xsd=xsd0"]
    with pytest.raises(HTTPStatusError, match=r"HTTP 404 fetching the WSDL at .*\?xsd=xsd0"):
        load_wsdl(f"{BASE}?wsdl", transport=serving(documents, []))


def test_an_imported_document_of_the_wrong_kind_is_refused() -> None:
    documents = split_wsdl()
    documents[f"{BASE}?xsd=xsd0"] = b"<html><body>login</body></html>"
    with pytest.raises(GenerationError, match=r"\?xsd=xsd0 \(imported by .*\) is not a schema"):
        load_wsdl(f"{BASE}?wsdl", transport=serving(documents, []))


def test_a_file_that_imports_reads_its_neighbours(tmp_path: Path) -> None:
    documents = split_wsdl()
    for url, content in documents.items():
        name = url.rpartition("?")[2].replace("=", "_") + ".xml"
        (tmp_path / name).write_bytes(content)
    main = etree.fromstring(documents[f"{BASE}?wsdl"])
    for node in main.iter(f"{{{WSDL_NS}}}import", f"{{{XS}}}import"):
        attribute = "location" if node.tag.startswith(f"{{{WSDL_NS}}}") else "schemaLocation"
        node.set(attribute, node.get(attribute, "").rpartition("?")[2].replace("=", "_") + ".xml")
    (tmp_path / "main.wsdl").write_bytes(etree.tostring(main))
    text = generate(str(tmp_path / "main.wsdl"), OPERATIONS)
    assert _body(text) == _body(generate(str(SINGLE), OPERATIONS))


def test_a_missing_file_names_it(tmp_path: Path) -> None:
    with pytest.raises(GenerationError, match=r"cannot read .*nothing\.wsdl"):
        generate(str(tmp_path / "nothing.wsdl"))


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "is not XML"),
        (b"<html><body>Sign in</body></html>", "its root element is 'html', not wsdl:definitions"),
        (
            b'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"/>',
            "its root element is 'schema'",
        ),
        (b'<!DOCTYPE x [<!ENTITY e "x">]><x>&e;</x>', "not"),
    ],
)
def test_a_file_that_is_not_a_wsdl_is_refused(tmp_path: Path, content: bytes, problem: str) -> None:
    path = tmp_path / "page.wsdl"
    path.write_bytes(content)
    with pytest.raises(GenerationError) as info:
        generate(str(path))
    assert problem in str(info.value)
    assert str(path) in str(info.value)


def test_an_unreachable_url_is_a_transport_error() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with pytest.raises(TransportError) as info:
        generate(f"{BASE}?wsdl", transport=httpx.MockTransport(refuse))
    assert info.value.kind == "connect"
    assert "connect error fetching the WSDL at https://host.example/" in str(info.value)


def test_a_redirect_is_not_followed_and_says_so() -> None:
    transport = httpx.MockTransport(
        lambda request: httpx.Response(302, headers={"location": "https://login.example/"})
    )
    with pytest.raises(HTTPStatusError, match="a redirect: pass the URL it points to") as info:
        generate(f"{BASE}?wsdl", transport=transport)
    assert info.value.status_code == 302


def test_a_password_in_the_url_is_sent_as_basic_auth_and_never_shown() -> None:
    seen: list[httpx.Request] = []
    url = f"{BASE}?singleWsdl"
    secret_url = url.replace("https://", "https://jane:s3cr3t-pw@")
    text = generate(secret_url, OPERATIONS, transport=serving({url: SINGLE.read_bytes()}, seen))
    expected = base64.b64encode(b"jane:s3cr3t-pw").decode()
    assert seen[0].headers["authorization"] == f"Basic {expected}"
    assert "s3cr3t-pw" not in text
    assert "jane:***@" in text  # the command that made it, without the password
    with pytest.raises(HTTPStatusError) as info:
        generate(secret_url.replace("singleWsdl", "wsdl"), transport=serving({}, []))
    assert "s3cr3t-pw" not in str(info.value)


def test_an_oversized_wsdl_stops_at_the_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(generate_module, "MAX_WSDL_BYTES", 1000)
    url = f"{BASE}?singleWsdl"
    with pytest.raises(ResponseTooLargeError):
        load_wsdl(url, transport=serving({url: SINGLE.read_bytes()}, []))


def test_describe_lists_every_operation_in_order() -> None:
    service, operations = describe(str(SINGLE))
    assert service == "User"
    names = [operation.name for operation in operations]
    assert names[0] == "CreateDefaultUntrustedCredentials"
    assert len(names) == 9
    (found,) = [op for op in operations if op.name == "GetUntrustedCredentialsForAssociate"]
    assert found.parameters == (("AssociateId", "int"), ("Type", "string"))
    assert found.answer == "ArrayOfUntrustedCredentials"
    assert found.retry_safe
    assert found.constant == "GET_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE"
    (save,) = [op for op in operations if op.name == "SaveUntrustedCredentials"]
    assert not save.retry_safe
    assert save.answer == "nothing"


def _body(text: str) -> str:
    """A module without its docstring (which names the source it came from)."""
    return text.split('"""', 2)[2]


def test_a_generated_secret_is_masked_in_the_history_as_the_librarys_own() -> None:
    """A secret the generator declares by its element's name (``NewPassword``) is masked in the
    debug history of request and answer, as SecretValue is."""
    from superoffice_soap._mask import mask_tree

    root = etree.fromstring(
        b"<a><NewPassword>hunter2-new</NewPassword><OldPassword>old</OldPassword>"
        b"<ClientSecret>s</ClientSecret><RefreshToken>r</RefreshToken>"
        b"<PasswordHint><Text>kept</Text></PasswordHint><TicketId>12</TicketId><Name>n</Name></a>"
    )
    mask_tree(root, [])
    texts = {child.tag: child.text for child in root}
    assert texts["NewPassword"] == texts["OldPassword"] == "***"
    assert texts["ClientSecret"] == texts["RefreshToken"] == "***"
    assert texts["TicketId"] == "12"  # an id, not a ticket
    assert texts["Name"] == "n"
    assert root.find("PasswordHint/Text") is not None  # a structure is walked, its leaves judged
