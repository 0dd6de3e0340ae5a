"""The generator (``superoffice_soap.generate``) on the 13 reference WSDLs and on small WSDLs
written here: every operation generates and imports, the modules are clean under the project's
ruff, ruff format and ``mypy --strict``, generation is deterministic, and the module says what
the WSDL says (names, enumerations, flags, arrays, dictionaries, extensions, secrets,
documentation, which calls are repeated) or refuses with an error that names the problem."""

from __future__ import annotations

import enum
import inspect
import re
import subprocess
import sys
import typing
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Optional

import attrs
import pytest
from lxml import etree

from superoffice_soap import InvalidRequestError, Operation
from superoffice_soap.envelope import build_envelope
from superoffice_soap.generate import GenerationError, generate
from superoffice_soap.operations import secret_arguments
from superoffice_soap.types import (
    SECRET_STRING,
    STRING,
    ArrayOf,
    DictionaryOf,
    Enumeration,
    Flags,
    Struct,
    resolve,
)

from ._generated import WSDLS, load, module, module_name, source
from ._tiny_wsdl import NS, write_tiny_wsdl

REPO = Path(__file__).resolve().parents[1]
WSDL_NS = "http://schemas.xmlsoap.org/wsdl/"
XS = "http://www.w3.org/2001/XMLSchema"


def _tree(key: str) -> etree._Element:
    root: etree._Element = etree.parse(str(WSDLS[key])).getroot()
    return root


def _operation_names(key: str) -> list[str]:
    """The portType's operations, in document order, read here with lxml."""
    return [
        op.get("name", "")
        for op in _tree(key).iterfind(f"{{{WSDL_NS}}}portType/{{{WSDL_NS}}}operation")
    ]


def _complex_type(key: str, name: str) -> etree._Element:
    (found,) = _tree(key).iterfind(f".//{{{XS}}}schema/{{{XS}}}complexType[@name='{name}']")
    return found


def _sequence_names(node: etree._Element) -> list[str]:
    return [e.get("name", "") for e in node.iterfind(f".//{{{XS}}}sequence/{{{XS}}}element")]


# ------------------------------------------------------------------------------------------------
# Every operation of every reference WSDL


@pytest.mark.parametrize("key", sorted(WSDLS))
def test_every_operation_generates_and_imports(key: str) -> None:
    generated = module(key)
    names = _operation_names(key)
    assert names, key
    assert list(generated.OPERATIONS) == names  # every operation, in the WSDL's order
    for name, operation in generated.OPERATIONS.items():
        assert isinstance(operation, Operation)
        assert operation.name == name
        assert operation.service is generated.SERVICE
        assert operation.signature is not None
        assert getattr(generated, name_constant(name)) is operation
        for param in operation.params:  # every declaration resolves to a value type
            resolve(param.type)
        if operation.result is not None:
            resolve(operation.result)
    assert set(generated.__all__) <= set(vars(generated))


def name_constant(name: str) -> str:
    """UPPER_SNAKE_CASE of an operation name, written here again (GetUserInfo → GET_USER_INFO)."""
    out = ""
    for index, char in enumerate(name):
        before = name[index - 1] if index else ""
        after = name[index + 1] if index + 1 < len(name) else ""
        after_lower_or_digit = bool(index) and (before.islower() or before.isdigit())
        if char.isupper() and (after_lower_or_digit or (before.isupper() and after.islower())):
            out += "_"
        out += char.upper()
    return out


@pytest.fixture(scope="module")
def generated_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every reference WSDL's module (all operations) written to one directory."""
    directory = tmp_path_factory.mktemp("generated")
    for key in WSDLS:
        (directory / f"{module_name(key)}.py").write_text(source(key), encoding="utf-8")
    return directory


def _run(*command: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, timeout=300, check=False
    )


def test_generated_modules_pass_ruff(generated_dir: Path) -> None:
    """With the project's configuration (run from the repository, so that superoffice_soap is
    first-party for the import order)."""
    files = sorted(str(path) for path in generated_dir.glob("*.py"))
    assert len(files) == len(WSDLS)
    ruff = str(Path(sys.executable).with_name("ruff"))
    checked = _run(ruff, "check", "--no-cache", "--config", "pyproject.toml", *files)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    formatted = _run(ruff, "format", "--check", "--no-cache", "--config", "pyproject.toml", *files)
    assert formatted.returncode == 0, formatted.stdout + formatted.stderr


def _mypy(*files: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``mypy --strict`` with the project's configuration, its cache in ``cwd``."""
    return _run(
        sys.executable,
        "-m",
        "mypy",
        "--strict",
        "--config-file",
        str(REPO / "pyproject.toml"),
        "--cache-dir",
        str(cwd / ".mypy_cache"),
        "--no-error-summary",
        "--hide-error-context",
        *files,
        cwd=cwd,
    )


def test_generated_modules_pass_mypy_strict(generated_dir: Path) -> None:
    files = sorted(path.name for path in generated_dir.glob("*.py"))
    checked = _mypy(*files, cwd=generated_dir)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout == ""


# ------------------------------------------------------------------------------------------------
# Deterministic


def test_same_wsdl_and_options_give_the_same_bytes() -> None:
    path = WSDLS["Services86/User"]
    options: dict[str, Any] = {"safe": ["SetPassword"], "unsafe": ["GetUserInfo"]}
    first = generate(path, ["GetUserInfo", "SetPassword", "GetUser"], **options)
    assert generate(path, ["GetUserInfo", "SetPassword", "GetUser"], **options) == first
    # The order the names are given in does not matter (nor repeating one): the module follows
    # the WSDL's order, and so does the command its docstring shows.
    again = generate(
        path,
        ["GetUser", "SetPassword", "GetUserInfo", "GetUser"],
        safe=("SetPassword",),
        unsafe={"GetUserInfo"},
    )
    assert again == first
    wsdl_order = [name for name in _operation_names("Services86/User") if name in first]
    shown = re.findall(r"--operation (\w+)", first)
    assert [name for name in wsdl_order if name in shown] == shown
    assert list(load(first, "generated_order_check").OPERATIONS) == [
        name for name in wsdl_order if name in ("GetUserInfo", "SetPassword", "GetUser")
    ]
    # Another set of operations is another module.
    assert generate(path, ["GetUserInfo", "GetUser"], **options) != first


def test_whole_wsdl_is_deterministic() -> None:
    path = WSDLS["Services86/Appointment"]
    assert generate(path) == generate(path) == source("Services86/Appointment")


# ------------------------------------------------------------------------------------------------
# Names


@pytest.mark.parametrize(
    ("wire", "python"),
    [
        ("UserInfoId", "user_info_id"),
        ("EMail", "e_mail"),
        ("URLAddress", "url_address"),
        ("URL", "url"),
        ("URLName", "url_name"),
        ("PersonId", "person_id"),
        ("Number1", "number1"),
        ("UIHintMandatory", "ui_hint_mandatory"),
        ("EjUserId", "ej_user_id"),
    ],
)
def test_snake_case_of_element_names(wire: str, python: str) -> None:
    from superoffice_soap._codegen import snake_case

    assert snake_case(wire) == python


def test_names_in_the_generated_modules() -> None:
    contact = module("Services86/Contact")
    assert ("URL", "url") in _fields(contact.CONTACT)
    assert ("URLName", "url_name") in _fields(contact.CONTACT)
    appointment = module("Services86/Appointment")
    e_mail = [
        pair
        for name in appointment.__all__
        if isinstance(getattr(appointment, name), Struct)
        for pair in _fields(getattr(appointment, name))
        if pair[0] == "EMail"
    ]
    assert e_mail
    assert {attr for _, attr in e_mail} == {"e_mail"}
    user = module("Services86/User")
    assert [(p.element, p.name) for p in user.GET_USER_INFO.params] == [
        ("UserInfoId", "user_info_id")
    ]
    assert user.GET_USER_INFO is user.OPERATIONS["GetUserInfo"]
    assert user.GET_USER_INFO_LIST.name == "GetUserInfoList"


def _fields(struct: Struct) -> list[tuple[str, Optional[str]]]:
    return [(f.element, f.attr) for f in struct.fields]


THING = """
<xs:complexType name="Thing">
  <xs:annotation><xs:documentation>A thing, with   a
    secret or two.</xs:documentation></xs:annotation>
  <xs:sequence>
    <xs:element minOccurs="0" name="From" nillable="true" type="xs:string"/>
    <xs:element minOccurs="0" name="Class" type="xs:int"/>
    <xs:element minOccurs="0" name="Str" nillable="true" type="xs:string"/>
    <xs:element minOccurs="0" name="Datetime" type="xs:dateTime"/>
    <xs:element minOccurs="0" name="Password" nillable="true" type="xs:string"/>
    <xs:element minOccurs="0" name="SecretValue" nillable="true" type="xs:string"/>
    <xs:element minOccurs="0" name="Ticket" nillable="true" type="xs:string"/>
    <xs:element minOccurs="0" name="AccessToken" nillable="true" type="xs:string"/>
    <xs:element minOccurs="0" name="TicketId" type="xs:int"/>
    <xs:element minOccurs="0" name="TicketStatus" nillable="true" type="xs:string"/>
    <xs:element minOccurs="0" name="PasswordLength" type="xs:int"/>
    <xs:element minOccurs="0" name="Kind" type="tns:Kind"/>
  </xs:sequence>
</xs:complexType>
<xs:element name="Thing" nillable="true" type="tns:Thing"/>
<xs:simpleType name="Kind">
  <xs:annotation><xs:documentation>What kind of thing.</xs:documentation></xs:annotation>
  <xs:restriction base="xs:string">
    <xs:enumeration value="Plain"/>
    <xs:enumeration value="URLBased"/>
    <xs:enumeration value="None"/>
  </xs:restriction>
</xs:simpleType>
<xs:element name="Kind" nillable="true" type="tns:Kind"/>
"""
THING_OPERATIONS = {
    "GetThing": (
        '<xs:element minOccurs="0" name="From" type="xs:int"/>'
        '<xs:element minOccurs="0" name="Password" nillable="true" type="xs:string"/>',
        '<xs:element minOccurs="0" name="Response" nillable="true" type="tns:Thing"/>',
    ),
    "SaveThing": (
        '<xs:element minOccurs="0" name="Thing" nillable="true" type="tns:Thing"/>',
        '<xs:element minOccurs="0" name="Response" type="xs:boolean"/>',
    ),
}


#: Quotes and backslashes a docstring must escape, and a quote next to its closing quotes.
SAVE_THING_DOC = 'Saves a "thing" \\ with """ in it and a final "quote"'


@pytest.fixture
def thing(tmp_path: Path) -> Any:
    """A generated module of a small WSDL: keywords, shadowing names, secrets, docs."""
    path = write_tiny_wsdl(
        tmp_path,
        THING,
        THING_OPERATIONS,
        docs={"GetThing": "Gets a thing by   its From.", "SaveThing": SAVE_THING_DOC},
    )
    text = generate(path)
    (tmp_path / "thing_module.py").write_text(text, encoding="utf-8")
    return load(text, f"generated_thing_{tmp_path.name}")


def test_keywords_and_shadowing_names_get_a_trailing_underscore(thing: Any) -> None:
    assert _fields(thing.THING)[:4] == [
        ("From", "from_"),
        ("Class", "class_"),
        # an attribute named str or datetime would hide the type from the class's annotations
        ("Str", "str_"),
        ("Datetime", "datetime_"),
    ]
    assert [(p.element, p.name) for p in thing.GET_THING.params] == [
        ("From", "from_"),
        ("Password", "password"),
    ]
    value = thing.Thing(from_="a", class_=1, str_="b", datetime_=datetime(2024, 1, 2))
    body = build_envelope(thing.SAVE_THING, {"thing": value}, soap_version="1.1")
    written = etree.fromstring(body).find(f".//{{{NS}}}Thing")
    assert written is not None
    assert [(etree.QName(e).localname, e.text) for e in written] == [
        ("From", "a"),
        ("Class", "1"),
        ("Str", "b"),
        ("Datetime", "2024-01-02T00:00:00"),
    ]


def test_small_module_passes_mypy_strict(thing: Any, tmp_path: Path) -> None:
    checked = _mypy("thing_module.py", cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr


# ------------------------------------------------------------------------------------------------
# Types


def _tokens(key: str, name: str) -> list[str]:
    (simple,) = _tree(key).iterfind(f".//{{{XS}}}schema/{{{XS}}}simpleType[@name='{name}']")
    return [e.get("value", "") for e in simple.iterfind(f".//{{{XS}}}enumeration")]


def test_enumerations_are_str_enums_named_as_the_type() -> None:
    user = module("Services86/User")
    user_type = user.UserType
    assert issubclass(user_type, enum.Enum)
    assert issubclass(user_type, str)
    assert [m.value for m in user_type] == _tokens("Services86/User", "UserType")
    assert user_type.INTERNAL_ASSOCIATE.value == "InternalAssociate"
    assert user_type["ANONYMOUS_ASSOCIATE"] is user_type("AnonymousAssociate")
    assert isinstance(user.USER_TYPE, Enumeration)
    assert user.USER_TYPE.enum is user_type


def test_enumeration_members_from_a_small_wsdl(thing: Any) -> None:
    assert [(m.name, m.value) for m in thing.Kind] == [
        ("PLAIN", "Plain"),
        ("URL_BASED", "URLBased"),
        ("NONE", "None"),
    ]
    assert inspect.getdoc(thing.Kind) == "What kind of thing."


def test_dotnet_flags_are_enum_flags() -> None:
    user = module("Services86/User")
    flags = user.E_TABLE_RIGHT
    flag_class: Any = user.ETableRight
    assert isinstance(flags, Flags)
    assert issubclass(flag_class, enum.Flag)
    tokens = _tokens("Services86/User", "ETableRight")
    assert list(flags.tokens) == tokens
    assert [m.value for m in flag_class] == [1 << i for i in range(len(tokens))]
    assert flag_class.RESTRICTED_UPDATE.value == 1 << tokens.index("RestrictedUpdate")
    assert _optional(typing.get_type_hints(user.TableRight)["mask"]) is flag_class
    assert flags.flag is flag_class


def _optional(hint: Any) -> Any:
    """The X of an ``Optional[X]`` annotation (and that it is one)."""
    assert typing.get_origin(hint) is typing.Union
    inner, none = typing.get_args(hint)
    assert none is type(None)
    return inner


def test_arrays_are_lists_and_dictionaries_dicts() -> None:
    user = module("Services86/User")
    hints = typing.get_type_hints(user.UserInfo)
    assert _optional(hints["granted_licenses"]) == list[str]
    properties_hint = _optional(hints["field_properties"])
    assert typing.get_origin(properties_hint) is dict
    assert typing.get_args(properties_hint) == (str, user.FieldProperty)
    licenses = resolve(dict((f.attr, f.type) for f in user.USER_INFO.fields)["granted_licenses"])
    assert isinstance(licenses, ArrayOf)
    assert (licenses.item, licenses.namespace) == (
        "string",
        "http://schemas.microsoft.com/2003/10/Serialization/Arrays",
    )
    properties = resolve(dict((f.attr, f.type) for f in user.USER_INFO.fields)["field_properties"])
    assert isinstance(properties, DictionaryOf)
    assert resolve(properties.value) is user.FIELD_PROPERTY
    listed = user.GET_USER_INFO_LIST
    assert isinstance(listed.result, ArrayOf)
    assert resolve(listed.result.type) is user.USER_INFO
    signature = typing.get_type_hints(listed.signature)
    assert signature["user_info_ids"] == list[int]
    assert typing.get_origin(signature["return"]) is list
    assert typing.get_args(signature["return"]) == (user.UserInfo,)
    assert set(signature) == {"user_info_ids", "return"}


def test_complex_content_extension_carries_its_base_fields_first() -> None:
    person = module("Services86/Person")
    entity = _complex_type("Services86/Person", "PersonEntity")
    (extension,) = entity.iterfind(f"{{{XS}}}complexContent/{{{XS}}}extension")
    base = extension.get("base", "").partition(":")[2]
    expected = _sequence_names(_complex_type("Services86/Person", base)) + _sequence_names(entity)
    assert base == "Carrier"
    assert [f.element for f in person.PERSON_ENTITY.fields] == expected
    assert [a.name for a in attrs.fields(person.PersonEntity)][:3] == [
        "table_right",
        "field_properties",
        "person_id",
    ]


def test_only_what_the_operations_reach_is_generated() -> None:
    user = module("Services86/User", ("GetUserInfo",))
    assert list(user.OPERATIONS) == ["GetUserInfo"]
    structs = {
        getattr(user, name).name for name in user.__all__ if isinstance(getattr(user, name), Struct)
    }
    assert structs == {"UserInfo", "TableRight", "FieldRight", "FieldProperty"}
    assert not hasattr(user, "PersonEntity")
    assert not hasattr(user, "GET_USER")


# ------------------------------------------------------------------------------------------------
# Secrets


def test_secret_fields_are_masked(thing: Any) -> None:
    secret_fields = {f.element for f in thing.THING.fields if resolve(f.type) is SECRET_STRING}
    assert secret_fields == {"Password", "SecretValue", "Ticket", "AccessToken"}
    assert resolve(dict((f.element, f.type) for f in thing.THING.fields)["TicketStatus"]) is STRING
    value = thing.Thing(
        password="pw-1",
        secret_value="sv-2",
        ticket="tk-3",
        access_token="at-4",
        ticket_status="open",
    )
    shown = repr(value)
    for secret in ("pw-1", "sv-2", "tk-3", "at-4"):
        assert secret not in shown
    assert "password=***" in shown
    assert "ticket_status='open'" in shown
    assert "ticket=***" in shown
    assert secret_arguments(thing.SAVE_THING, {"thing": value}) == ("pw-1", "sv-2", "tk-3", "at-4")
    assert thing.GET_THING.params[1].type is SECRET_STRING
    with pytest.raises(InvalidRequestError) as caught:
        build_envelope(thing.GET_THING, {"from_": 1, "password": "bad\x00pw"}, soap_version="1.1")
    assert "bad" not in str(caught.value)


def test_reference_secrets_are_masked() -> None:
    user = module("Services86/User")
    credentials = user.UntrustedCredentials(secret_value="s3cr3t", public_value="visible")
    assert "s3cr3t" not in repr(credentials)
    assert "visible" in repr(credentials)
    secret_params = {
        (name, p.element)
        for name, op in user.OPERATIONS.items()
        for p in op.params
        if p.type is SECRET_STRING
    }
    assert {element for _, element in secret_params} == {"Password", "OldPassword", "NewPassword"}
    assert ("SetPassword", "Password") in secret_params
    principal = module("soprincipal")
    assert principal.AUTHENTICATE_WITH_ACCESS_TOKEN.params[0].type is SECRET_STRING
    carrier = principal.SoCredentials(ticket="7T:secret")
    assert "7T:secret" not in repr(carrier)


# ------------------------------------------------------------------------------------------------
# Documentation


def test_operation_documentation_becomes_the_signature_docstring() -> None:
    user = module("Services86/User")
    documented = 0
    for op in _tree("Services86/User").iterfind(f"{{{WSDL_NS}}}portType/{{{WSDL_NS}}}operation"):
        doc = op.find(f"{{{WSDL_NS}}}documentation")
        operation = user.OPERATIONS[op.get("name")]
        if doc is None or not "".join(doc.itertext()).strip():
            assert operation.signature.__doc__ is None
            continue
        documented += 1
        expected = " ".join("".join(doc.itertext()).split())
        assert " ".join((operation.signature.__doc__ or "").split()) == expected
    assert documented > 50


def test_type_and_service_documentation_become_docstrings(thing: Any) -> None:
    assert inspect.getdoc(thing.Thing) == "A thing, with a secret or two."
    assert inspect.getdoc(thing.GET_THING.signature) == "Gets a thing by its From."
    assert inspect.getdoc(thing.SAVE_THING.signature) == SAVE_THING_DOC
    assert "The Demo service." in (thing.__doc__ or "")
    user = module("Services86/User")
    assert "Declaration of Wcf web services for User" in (user.__doc__ or "")


# ------------------------------------------------------------------------------------------------
# Which calls are repeated


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("GetUserInfo", True),
        ("FindCredentialsGroups", True),
        ("IsPasswordValidWithReason", True),
        ("CreateDefaultUser", True),
        ("CanChangePassword", True),
        ("SaveUser", False),
        ("SetPassword", False),
        ("DeleteUser", False),
        ("CreateExternalUser", False),
        ("GenerateNewPasswordForExternalUser", False),
        ("ExecuteUserCommand", False),
        ("ResolveUserFromInfo", False),
    ],
)
def test_retry_safe_by_name(name: str, safe: bool) -> None:
    assert module("Services86/User").OPERATIONS[name].retry_safe is safe


def test_retry_safe_by_prefix_over_a_whole_wsdl() -> None:
    prefixes = ("Get", "Find", "Is", "Can", "CreateDefault", "Validate")
    writes = ("Save", "Set", "Delete", "Create", "Remove", "Add", "Update", "Send")
    for key in ("Services86/User", "Services86/Appointment", "Services86/List"):
        for name, operation in module(key).OPERATIONS.items():
            if any(name.startswith(p) and name[len(p) : len(p) + 1].isupper() for p in prefixes):
                assert operation.retry_safe, name
            elif any(name.startswith(p) for p in writes) and not name.startswith("CreateDefault"):
                assert not operation.retry_safe, name


def test_retry_safe_options(tmp_path: Path) -> None:
    path = WSDLS["Services86/User"]
    text = generate(
        path, ["GetUserInfo", "SetPassword", "GetUser"], safe=["SetPassword"], unsafe=["GetUser"]
    )
    marked = load(text, "generated_user_marked")
    assert marked.SET_PASSWORD.retry_safe is True
    assert marked.GET_USER.retry_safe is False
    assert marked.GET_USER_INFO.retry_safe is True
    assert "--safe SetPassword --unsafe GetUser" in text
    with pytest.raises(GenerationError, match=r"SetPasword.*did you mean SetPassword"):
        generate(path, ["GetUserInfo"], safe=["SetPasword"])


# ------------------------------------------------------------------------------------------------
# What cannot be generated


UNSUPPORTED = {
    "choice": (
        '<xs:complexType name="Either"><xs:choice>'
        '<xs:element name="A" type="xs:int"/><xs:element name="B" type="xs:string"/>'
        "</xs:choice></xs:complexType>",
        "tns:Either",
        r"GetOdd: the type Either \(.*\) has an xs:choice",
    ),
    "anyType": (
        '<xs:complexType name="Holder"><xs:sequence>'
        '<xs:element minOccurs="0" name="Value" nillable="true" type="xs:anyType"/>'
        "</xs:sequence></xs:complexType>",
        "tns:Holder",
        r"GetOdd: the type xs:anyType \(Holder\.Value\) is not supported",
    ),
    "attribute": (
        '<xs:complexType name="Tagged"><xs:sequence>'
        '<xs:element minOccurs="0" name="Value" type="xs:int"/></xs:sequence>'
        '<xs:attribute name="Ref" type="xs:string"/></xs:complexType>',
        "tns:Tagged",
        r"GetOdd: the type Tagged \(.*\) has attributes",
    ),
    "repeated element": (
        '<xs:complexType name="Many"><xs:sequence>'
        '<xs:element minOccurs="0" name="Id" type="xs:int"/>'
        '<xs:element minOccurs="0" maxOccurs="unbounded" name="Item" type="xs:int"/>'
        "</xs:sequence></xs:complexType>",
        "tns:Many",
        r"GetOdd: Many\.Item repeats outside an array",
    ),
    "unknown XSD type": (
        '<xs:complexType name="Timed"><xs:sequence>'
        '<xs:element minOccurs="0" name="Day" type="xs:gDay"/>'
        "</xs:sequence></xs:complexType>",
        "tns:Timed",
        r"GetOdd: the type xs:gDay \(Timed\.Day\) is not supported",
    ),
}


@pytest.mark.parametrize("case", sorted(UNSUPPORTED))
def test_an_unsupported_construct_names_the_type_and_the_operation(
    case: str, tmp_path: Path
) -> None:
    schema, type_name, message = UNSUPPORTED[case]
    operations = {
        "GetOdd": (
            '<xs:element minOccurs="0" name="Id" type="xs:int"/>',
            f'<xs:element minOccurs="0" name="Response" nillable="true" type="{type_name}"/>',
        ),
        "GetPlain": (
            '<xs:element minOccurs="0" name="Id" type="xs:int"/>',
            '<xs:element minOccurs="0" name="Response" nillable="true" type="xs:string"/>',
        ),
    }
    path = write_tiny_wsdl(tmp_path, schema, operations)
    with pytest.raises(GenerationError, match=message):
        generate(path)
    with pytest.raises(GenerationError, match=message):
        generate(path, ["GetOdd"])
    # An operation that does not reach the type generates.
    plain = load(generate(path, ["GetPlain"]), f"generated_plain_{case.replace(' ', '_')}")
    assert list(plain.OPERATIONS) == ["GetPlain"]


def test_an_unknown_operation_says_did_you_mean() -> None:
    with pytest.raises(GenerationError) as caught:
        generate(WSDLS["Services86/User"], ["GetUserInfo", "GetUsrInfoList"])
    assert str(caught.value) == (
        "the User service has no operation 'GetUsrInfoList'; did you mean GetUserInfoList?"
    )
    with pytest.raises(GenerationError) as far:
        generate(WSDLS["Services86/User"], ["Xyzzy"])
    assert str(far.value) == "the User service has no operation 'Xyzzy'"


# ------------------------------------------------------------------------------------------------
# Typed calls: what mypy says of a program that calls generated operations

CALLS = """\
from superoffice_soap import AsyncUserAgent, UserAgent

from user_ops import GET_USER_INFO, GET_USER_INFO_LIST, SET_PASSWORD


def sync_calls(agent: UserAgent) -> None:
    info = agent.call(GET_USER_INFO, user_info_id=0)
    reveal_type(info)
    reveal_type(agent.call(GET_USER_INFO_LIST, user_info_ids=[1, 2]))
    reveal_type(agent.call(SET_PASSWORD, associate_id=1, password="x"))
    agent.call(GET_USER_INFO, user_info=0)
    agent.call(GET_USER_INFO, user_info_id="0")
    agent.call(GET_USER_INFO)


async def async_calls(agent: AsyncUserAgent) -> None:
    info = await agent.call(GET_USER_INFO, user_info_id=0)
    reveal_type(info)
    reveal_type(await agent.call(GET_USER_INFO_LIST, user_info_ids=[]))
    await agent.call(GET_USER_INFO, user_info_idd=0)
    await agent.call(GET_USER_INFO_LIST, user_info_ids=["1"])
"""
_OPTIONAL_USER_INFO = (
    r"(user_ops\.UserInfo \| None|Union\[user_ops\.UserInfo, None\]|Optional\[user_ops\.UserInfo\])"
)


def _notes(output: str) -> dict[int, list[tuple[str, str]]]:
    """mypy's lines of calls.py by line number: (severity, message)."""
    found: dict[int, list[tuple[str, str]]] = {}
    for line in output.splitlines():
        match = re.match(r"calls\.py:(\d+): (error|note): (.*)", line)
        if match:
            found.setdefault(int(match[1]), []).append((match[2], match[3]))
    return found


def test_calls_of_generated_operations_are_type_checked(tmp_path: Path) -> None:
    """``agent.call(GET_USER_INFO, user_info_id=0)`` and its async twin: the answer's type is
    known (Optional where the WSDL lets the answer be nil, a list for an array), and a
    misspelled, wrongly typed or missing keyword is a mypy error."""
    operations = ["GetUserInfo", "GetUserInfoList", "SetPassword"]
    (tmp_path / "user_ops.py").write_text(generate(WSDLS["Services86/User"], operations))
    (tmp_path / "calls.py").write_text(CALLS)
    checked = _mypy("calls.py", "user_ops.py", cwd=tmp_path)
    output = checked.stdout + checked.stderr
    assert checked.returncode == 1, output
    assert all(line.startswith("calls.py:") for line in output.splitlines()), output
    notes = _notes(output)
    revealed = {
        number: message.removeprefix("Revealed type is ").strip('"')
        for number, entries in notes.items()
        for severity, message in entries
        if severity == "note" and message.startswith("Revealed type")
    }
    assert re.fullmatch(_OPTIONAL_USER_INFO, revealed.pop(8))
    assert revealed.pop(9) == "list[user_ops.UserInfo]"
    assert revealed.pop(10) == "bool"
    assert re.fullmatch(_OPTIONAL_USER_INFO, revealed.pop(18))
    assert revealed.pop(19) == "list[user_ops.UserInfo]"
    assert revealed == {}
    errors = {
        number: [message for severity, message in entries if severity == "error"]
        for number, entries in notes.items()
    }
    errors = {number: messages for number, messages in errors.items() if messages}
    assert set(errors) == {11, 12, 13, 20, 21}, output
    assert 'Unexpected keyword argument "user_info"' in errors[11][0]
    assert 'did you mean "user_info_id"' in errors[11][0]
    assert 'Argument "user_info_id"' in errors[12][0]
    assert 'incompatible type "str"; expected "int"' in errors[12][0]
    assert 'Missing named argument "user_info_id"' in errors[13][0]
    assert 'Unexpected keyword argument "user_info_idd"' in errors[20][0]
    assert 'List item 0 has incompatible type "str"; expected "int"' in errors[21][0]


# ------------------------------------------------------------------------------------------------
# The documentation's example answers, read into the generated models

EXAMPLES = REPO / "tests" / "reference" / "examples"
EXAMPLE_CASES = sorted(
    (path.parent.name, path.name.partition(".")[0]) for path in EXAMPLES.glob("*/*.response.xml")
)
SOAP12_HEADERS = {"Content-Type": "application/soap+xml; charset=utf-8"}


def _example_key(service: str) -> str:
    return "soprincipal" if service == "SoPrincipal" else f"Services86/{service}"


def read_example(service: str, name: str) -> tuple[Any, etree._Element, Operation[..., Any]]:
    """An example answer read by the generated operation: (value, the answer's payload, op).

    The documentation's envelopes use SOAP 1.2 and put their headers straight under Envelope;
    ``read_envelope`` takes them as they are and ``decode_payload`` reads the Body."""
    from superoffice_soap.operations import namespace
    from superoffice_soap.parser import decode_payload, read_envelope

    operation = module(_example_key(service)).OPERATIONS[name]
    content = (EXAMPLES / service / f"{name}.response.xml").read_bytes()
    envelope = read_envelope(200, SOAP12_HEADERS, content)
    value = decode_payload(envelope, operation, namespace("Services86"))
    return value, envelope.payload, operation


def _assert_everything_read(element: etree._Element, declaration: Any, value: Any) -> int:
    """Every element of the example is a value of the model (nothing dropped), a nil one None
    (the examples write nil even where the schema does not allow it): the number of values."""
    kind = resolve(declaration)
    if element.get("{http://www.w3.org/2001/XMLSchema-instance}nil") == "true":
        assert value is None, etree.QName(element).localname
        return 0
    assert value is not None, etree.QName(element).localname
    if isinstance(kind, Struct):
        by_element = {f.element: f for f in kind.fields}
        count = 0
        for child in element:
            item = by_element[etree.QName(child).localname]
            assert item.attr is not None
            count += _assert_everything_read(child, item.type, getattr(value, item.attr))
        return count
    if isinstance(kind, ArrayOf):
        assert len(value) == len(element)
        return sum(
            _assert_everything_read(child, kind.type, item) for child, item in zip(element, value)
        )
    if isinstance(kind, DictionaryOf):
        assert len(value) == len(element)
        return len(value)
    return 1


@pytest.mark.parametrize(
    ("service", "name"), EXAMPLE_CASES, ids=[f"{s}/{n}" for s, n in EXAMPLE_CASES]
)
def test_documented_example_answers_parse_into_generated_models(service: str, name: str) -> None:
    value, payload, operation = read_example(service, name)
    if operation.result is None:
        assert value is None
        assert len(payload) == 0
        return
    if operation.unwrapped:
        assert _assert_everything_read(payload, operation.result, value) > 5
        return
    (child,) = payload
    assert etree.QName(child).localname == operation.result_element
    assert _assert_everything_read(child, operation.result, value) >= 1


def test_documented_example_values() -> None:
    utc = timezone.utc
    user = module("Services86/User")
    info, _, _ = read_example("User", "GetUserInfo")
    assert isinstance(info, user.UserInfo)
    assert info.user_type is user.UserType.UNKNOWN
    assert info.granted_licenses == [""]
    assert (info.deleted, info.rank, info.user_name, info.table_right) == (False, 0, "", None)
    listed, _, _ = read_example("User", "GetUserInfoList")
    assert len(listed) == 1
    assert isinstance(listed[0], user.UserInfo)
    found, _, _ = read_example("User", "GetUser")
    assert isinstance(found, user.User)
    assert found.lastlogin == datetime(2023, 3, 1, 11, 10, 32, tzinfo=utc)
    assert found.credentials[0].type.value_control is user.CredentialControlType.STATIC
    validity, _, _ = read_example("User", "IsPasswordValidWithReason")
    assert (validity.result, validity.reason) == (False, "")
    groups, _, _ = read_example("User", "GetAllUserGroups")
    assert [type(g) for g in groups] == [user.UserGroup]
    credentials, _, _ = read_example("User", "GetUntrustedCredentials")
    assert credentials[0].valid_from == datetime(2021, 3, 25, 21, 36, 23, tzinfo=utc)
    assert "secret_value=" in repr(credentials[0])
    person = module("Services86/Person")
    entity, _, _ = read_example("Person", "GetPersonEntity")
    assert isinstance(entity, person.PersonEntity)
    assert entity.birth_date == datetime(2023, 3, 1, 11, 9, 54, tzinfo=utc)
    assert isinstance(entity.created_by, person.Associate)
    assert entity.created_by.type is person.UserType.UNKNOWN
    contact = module("Services86/Contact")
    company, _, _ = read_example("Contact", "GetContactEntity")
    assert isinstance(company, contact.ContactEntity)
    assert company.updated_date == datetime(2023, 3, 1, 11, 9, 5, tzinfo=utc)
    assert [type(e) for e in company.emails] == [contact.EntityElement]
    associates, _, _ = read_example("Associate", "GetAssociateList")
    assert [a.type for a in associates] == [module("Services86/Associate").UserType.UNKNOWN]


# ------------------------------------------------------------------------------------------------
# Names the module itself uses


CLASHING = """
<xs:complexType name="Service"><xs:sequence>
  <xs:element minOccurs="0" name="Name" nillable="true" type="xs:string"/>
</xs:sequence></xs:complexType>
<xs:complexType name="Operations"><xs:sequence>
  <xs:element minOccurs="0" name="Count" type="xs:int"/>
</xs:sequence></xs:complexType>
<xs:complexType name="String"><xs:sequence>
  <xs:element minOccurs="0" name="Text" nillable="true" type="xs:string"/>
</xs:sequence></xs:complexType>
<xs:simpleType name="Mode"><xs:restriction base="xs:string">
  <xs:enumeration value="1st"/><xs:enumeration value="class"/>
  <xs:enumeration value="Read"/><xs:enumeration value="READ"/><xs:enumeration value=""/>
</xs:restriction></xs:simpleType>
"""
CLASHING_OPERATIONS = {
    "GetService": (
        '<xs:element minOccurs="0" name="Mode" type="tns:Mode"/>'
        '<xs:element minOccurs="0" name="Text" nillable="true" type="tns:String"/>',
        '<xs:element minOccurs="0" name="Response" nillable="true" type="tns:Service"/>',
    ),
    "GetOperations": (
        "",
        '<xs:element minOccurs="0" name="Response" nillable="true" type="tns:Operations"/>',
    ),
}


def test_types_named_like_the_modules_own_names(tmp_path: Path) -> None:
    """A type named Service, Operations or String keeps the module's SERVICE, OPERATIONS and the
    imported STRING: its constant takes a suffix, its class an underscore where it would hide
    an import; the module still type-checks."""
    path = write_tiny_wsdl(tmp_path, CLASHING, CLASHING_OPERATIONS)
    text = generate(path)
    (tmp_path / "clashing.py").write_text(text, encoding="utf-8")
    clashing = load(text, f"generated_clashing_{tmp_path.name}")
    assert clashing.SERVICE.name == "Demo"
    assert list(clashing.OPERATIONS) == ["GetService", "GetOperations"]
    assert clashing.GET_SERVICE.service is clashing.SERVICE
    assert isinstance(clashing.SERVICE_TYPE, Struct)
    assert clashing.SERVICE_TYPE.name == "Service"
    assert clashing.SERVICE_TYPE.model is clashing.Service_
    assert inspect.getdoc(clashing.Service_) == "NetServer's ``Service``."
    assert clashing.GET_SERVICE.result is clashing.SERVICE_TYPE
    assert clashing.GET_OPERATIONS.result is clashing.OPERATIONS_TYPE
    assert clashing.STRING_TYPE.name == "String"
    assert clashing.GET_SERVICE.params[1].type is clashing.STRING_TYPE
    assert [(m.name, m.value) for m in clashing.Mode] == [
        ("_1ST", "1st"),
        ("CLASS", "class"),
        ("READ", "Read"),
        ("READ_", "READ"),
        ("EMPTY", ""),
    ]
    body = build_envelope(
        clashing.GET_SERVICE,
        {"mode": clashing.Mode.READ_, "text": clashing.String(text="t")},
        soap_version="1.1",
    )
    assert b"<Demo:Mode>READ</Demo:Mode>" in body
    checked = _mypy("clashing.py", cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not xml at all", r"is not XML"),
        (b"<root/>", r"is not a WSDL: its root element is 'root', not wsdl:definitions"),
        (
            b'<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"/>',
            r"declares no portType and binding",
        ),
    ],
)
def test_a_file_that_is_not_a_wsdl(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "some.wsdl"
    path.write_bytes(content)
    with pytest.raises(GenerationError, match=message):
        generate(path)
    with pytest.raises(GenerationError, match=r"cannot read .*missing\.wsdl"):
        generate(tmp_path / "missing.wsdl")


def test_module_docstring_keeps_backslashes_and_quotes(tmp_path: Path) -> None:
    """The module's docstring quotes the source path (a Windows path has backslashes) and the
    service's documentation (which may hold quotes) as they are."""
    directory = tmp_path / "wsdl\\Users"
    directory.mkdir()
    operations = {"GetX": ("", '<xs:element minOccurs="0" name="Response" type="xs:int"/>')}
    path = write_tiny_wsdl(directory, "", operations)
    documented = path.read_text().replace(
        "The Demo service.", 'The "Demo" service \\ with """ quotes.'
    )
    path.write_text(documented)
    text = generate(path)
    loaded = load(text, f"generated_quoted_{tmp_path.name}")
    assert 'The "Demo" service \\ with """ quotes.' in (loaded.__doc__ or "")
    assert f"superoffice-soap generate {path}" in (loaded.__doc__ or "")


# ------------------------------------------------------------------------------------------------
# The shape of every generated module

ALLOWED_IMPORTS = {
    "__future__": {"annotations"},
    "enum": None,
    "attrs": None,
    "datetime": {"datetime", "timedelta"},
    "decimal": {"Decimal"},
    "uuid": {"UUID"},
    "typing": {"Any", "Optional"},
}


@pytest.mark.parametrize("key", sorted(WSDLS))
def test_modules_import_only_the_public_api(key: str) -> None:
    import ast

    import superoffice_soap
    import superoffice_soap.types

    public = {
        "superoffice_soap": set(superoffice_soap.__all__),
        "superoffice_soap.types": set(superoffice_soap.types.__all__),
    }
    tree = ast.parse(source(key))
    seen = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                assert alias.name in ALLOWED_IMPORTS, alias.name
                assert ALLOWED_IMPORTS[alias.name] is None, alias.name
                seen.add(alias.name)
        elif isinstance(node, ast.ImportFrom):
            assert node.module is not None
            names = {alias.name for alias in node.names}
            allowed = public.get(node.module, ALLOWED_IMPORTS.get(node.module))
            assert allowed is not None, node.module
            assert names <= allowed, (node.module, names - allowed)
            seen.add(node.module)
    assert {"superoffice_soap", "superoffice_soap.types", "attrs"} <= seen


@pytest.mark.parametrize("key", sorted(WSDLS))
def test_models_are_frozen_keyword_only_attrs_classes_named_as_the_type(key: str) -> None:
    generated = module(key)
    structs = [getattr(generated, n) for n in generated.__all__]
    structs = [s for s in structs if isinstance(s, Struct)]
    assert structs
    for struct in structs:
        model = struct.model
        assert attrs.has(model), struct.name
        assert model.__name__.rstrip("_") in (struct.name, struct.name + "Answer")
        assert getattr(generated, model.__name__) is model
        fields = attrs.fields(model)
        assert [a.name for a in fields] == [f.attr for f in struct.fields]
        assert all(a.kw_only and a.default is None for a in fields), struct.name
        value = model()
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            setattr(value, fields[0].name, None)
        if fields:
            with pytest.raises(TypeError):
                model(None)
    enumerations = [getattr(generated, n) for n in generated.__all__]
    for declaration in enumerations:
        if isinstance(declaration, Enumeration):
            assert getattr(generated, declaration.enum.__name__) is declaration.enum
            assert all(isinstance(m.value, str) for m in declaration.enum)
            assert all(m.name.isupper() or m.name.lstrip("_").isdigit() for m in declaration.enum)


# ------------------------------------------------------------------------------------------------
# Answers the WSDL lets be nil

NULLABLE_OPERATIONS = {
    "GetCount": ("", '<xs:element minOccurs="0" name="Response" nillable="true" type="xs:int"/>'),
    "GetKind": ("", '<xs:element minOccurs="0" name="Response" nillable="true" type="tns:Kind"/>'),
    "GetPlainCount": ("", '<xs:element minOccurs="0" name="Response" type="xs:int"/>'),
    "GetIds": (
        "",
        '<xs:element minOccurs="0" name="Response" nillable="true" type="tns:ArrayOfint"/>',
    ),
}
NULLABLE_SCHEMA = THING[THING.index('<xs:simpleType name="Kind">') :] + (
    '<xs:complexType name="ArrayOfint"><xs:sequence>'
    '<xs:element minOccurs="0" maxOccurs="unbounded" name="int" type="xs:int"/>'
    "</xs:sequence></xs:complexType>"
)


def _answer(operation: str, response: str) -> bytes:
    return (
        '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" '
        'xmlns:i="http://www.w3.org/2001/XMLSchema-instance">'
        f'<s:Body><{operation}Response xmlns="{NS}">{response}</{operation}Response>'
        "</s:Body></s:Envelope>"
    ).encode()


def test_a_nillable_value_answer_is_optional(tmp_path: Path) -> None:
    """A .NET Nullable answer (nillable xs:int, a nillable enumeration) reads None when nil or
    absent, and its type says so; a value the WSDL does not let be nil is an error when
    missing; an array reads an empty list."""
    from superoffice_soap import ResponseParseError, parse_response

    assert "Kind" in NULLABLE_SCHEMA
    path = write_tiny_wsdl(tmp_path, NULLABLE_SCHEMA, NULLABLE_OPERATIONS)
    text = generate(path)
    (tmp_path / "nullable.py").write_text(text, encoding="utf-8")
    nullable = load(text, f"generated_nullable_{tmp_path.name}")
    xml = {"Content-Type": "text/xml; charset=utf-8"}
    count, kind = nullable.GET_COUNT, nullable.GET_KIND
    assert (count.result_nillable, kind.result_nillable) == (True, True)
    assert _optional(typing.get_type_hints(count.signature)["return"]) is int
    assert _optional(typing.get_type_hints(kind.signature)["return"]) is nullable.Kind
    for operation, value, expected in (
        (count, "<Response>7</Response>", 7),
        (count, '<Response i:nil="true"/>', None),
        (count, "", None),
        (kind, "<Response>URLBased</Response>", nullable.Kind.URL_BASED),
        (kind, '<Response i:nil="true"/>', None),
    ):
        assert parse_response(operation, 200, xml, _answer(operation.name, value)) == expected
    plain = nullable.GET_PLAIN_COUNT
    assert plain.result_nillable is False
    assert typing.get_type_hints(plain.signature)["return"] is int
    assert parse_response(plain, 200, xml, _answer("GetPlainCount", "<Response>3</Response>")) == 3
    with pytest.raises(ResponseParseError, match="holds no Response"):
        parse_response(plain, 200, xml, _answer("GetPlainCount", ""))
    ids = nullable.GET_IDS
    assert typing.get_type_hints(ids.signature)["return"] == list[int]
    assert parse_response(ids, 200, xml, _answer("GetIds", '<Response i:nil="true"/>')) == []
    checked = _mypy("nullable.py", cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
