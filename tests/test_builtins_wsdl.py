"""The built-in operations are what the generator makes of the reference WSDLs.

``_builtin_user`` and ``_builtin_principal`` are regenerated from ``tests/reference`` with the
choices in ``_builtins`` and must be byte for byte what is checked in. And the choices change
nothing on the wire: every built-in declaration (``operations.OPERATIONS``) is compared with a
plain generation (no choices) on the wire (service, headers, operation and element names, order,
XSD types, nillability, arrays, answer wrapper, whether the call is repeated) and in Python
(every parameter and attribute name), where only the table of names may differ.
"""

from __future__ import annotations

import sys
import types as pytypes
from pathlib import Path
from typing import Any

import pytest

from superoffice_soap import _builtins
from superoffice_soap.generate import generate
from superoffice_soap.operations import OPERATIONS, Operation
from superoffice_soap.types import (
    ArrayOf,
    DictionaryOf,
    Enumeration,
    Flags,
    Scalar,
    Struct,
    TypeRef,
    resolve,
)

from .conftest import REFERENCE, reference_file

#: What the library names differently from the generator's snake_case: (type or operation,
#: element) → the built-in's name. Everything else is the element's snake_case.
PYTHON_NAMES = {
    # "type" is a builtin's name and says less than the credential type it is
    ("GetUntrustedCredentials", "Type"): "credential_type",
    ("GetUntrustedCredentialsForAssociate", "Type"): "credential_type",
    ("SaveUntrustedCredentials", "Type"): "credential_type",
    ("SaveUntrustedCredentialsForAssociate", "Type"): "credential_type",
    ("RemoveUntrustedCredentials", "Type"): "credential_type",
    ("RemoveUntrustedCredentialsForAssociate", "Type"): "credential_type",
    # one word in SuperOffice's own UI and docs
    ("AuthenticateUsernamePassword", "UserName"): "username",
    ("SoPrincipalCarrier", "EMailAddress"): "email_address",
    # Authentication says what the answer means, not how it is wrapped
    ("AuthenticateResponse", "Response"): "principal",
    ("AuthenticateResponse", "Credentials"): "ticket",
    ("AuthenticateResponse", "AuthenticationSucceeded"): "succeeded",
}
#: Where the built-in's wire declaration differs (element path → built-in, generated): nowhere.
WIRE: dict[str, tuple[Any, Any]] = {}


def _module(wsdl: str, service: str, name: str) -> pytypes.ModuleType:
    names = [operation for (svc, operation) in OPERATIONS if svc == service]
    text = generate(str(reference_file(wsdl)), names)
    module = pytypes.ModuleType(name)
    sys.modules[name] = module  # attrs resolves annotations through the module
    exec(compile(text, name, "exec"), module.__dict__)
    return module


@pytest.fixture(scope="module")
def generated() -> dict[str, Any]:
    user = _module("user-credentials.wsdl", "User", "_regenerated_user")
    principal = _module("soprincipal.wsdl", "SoPrincipal", "_regenerated_principal")
    return {"User": user.OPERATIONS, "SoPrincipal": principal.OPERATIONS}


def _shape(ref: TypeRef, path: str, differences: dict[str, tuple[Any, Any]], side: int) -> Any:
    kind = resolve(ref)
    if isinstance(kind, Scalar):
        found: Any = ("scalar", kind.name, kind.secret)
        if path in WIRE:
            differences.setdefault(path, (None, None))
            pair = list(differences[path])
            pair[side] = found
            differences[path] = (pair[0], pair[1])
            return "differs as declared"
        return found
    if isinstance(kind, Enumeration):
        return ("enum", kind.name, tuple(member.value for member in kind.enum))
    if isinstance(kind, Flags):
        return ("flags", kind.name, kind.tokens)
    if isinstance(kind, ArrayOf):
        return ("array", kind.item, kind.namespace, _shape(kind.type, path, differences, side))
    if isinstance(kind, DictionaryOf):
        return ("dict", kind.pair, _shape(kind.value, path, differences, side))
    assert isinstance(kind, Struct), kind
    return (
        "struct",
        kind.name,
        kind.namespace,
        tuple(
            (
                field.element,
                field.nillable,
                _shape(field.type, f"{kind.name}/{field.element}", differences, side),
            )
            for field in kind.fields
        ),
    )


def _wire(op: Operation[..., Any], differences: dict[str, tuple[Any, Any]], side: int) -> Any:
    return (
        op.service.name,
        op.service.sends_ticket,
        op.name,
        tuple((p.element, _shape(p.type, p.element, differences, side)) for p in op.params),
        op.result_element,
        op.response_element,
        op.unwrapped,
        None if op.result is None else _shape(op.result, "", differences, side),
        op.retry_safe,
    )


def _names(op: Operation[..., Any]) -> dict[tuple[str, str], str]:
    found = {(op.name, param.element): param.name for param in op.params}

    def walk(ref: TypeRef, seen: set[int]) -> None:
        kind = resolve(ref)
        if isinstance(kind, (ArrayOf, DictionaryOf)):
            walk(kind.type if isinstance(kind, ArrayOf) else kind.value, seen)
        elif isinstance(kind, Struct) and id(kind) not in seen:
            seen.add(id(kind))
            for field in kind.fields:
                assert field.attr is not None
                found[(kind.name, field.element)] = field.attr
                walk(field.type, seen)

    if op.result is not None:
        walk(op.result, set())
    return found


@pytest.mark.parametrize("key", sorted(OPERATIONS), ids=lambda key: key[1])
def test_a_builtin_is_its_wsdl_on_the_wire(generated: dict[str, Any], key: tuple[str, str]) -> None:
    builtin = OPERATIONS[key]
    regenerated = generated[key[0]][key[1]]
    differences: dict[str, tuple[Any, Any]] = {}
    assert _wire(builtin, differences, 0) == _wire(regenerated, differences, 1)
    for path, (ours, theirs) in differences.items():
        assert (ours, theirs) == WIRE[path], path


@pytest.mark.parametrize("key", sorted(OPERATIONS), ids=lambda key: key[1])
def test_a_builtin_names_what_the_generator_names(
    generated: dict[str, Any], key: tuple[str, str]
) -> None:
    builtin = _names(OPERATIONS[key])
    regenerated = _names(generated[key[0]][key[1]])
    assert builtin.keys() == regenerated.keys()
    for where, name in builtin.items():
        assert name == PYTHON_NAMES.get(where, regenerated[where]), where


def test_the_table_is_the_generators_table() -> None:
    """The names above are the choices the built-in modules are generated with."""
    table = {**_builtins.USER_CHOICES.names, **_builtins.PRINCIPAL_CHOICES.names}
    assert table == PYTHON_NAMES


@pytest.mark.parametrize("module", [entry[0] for entry in _builtins.MODULES])
def test_the_builtin_modules_are_regenerated_exactly(module: str) -> None:
    """``make regenerate`` would change nothing: the checked-in module is the generator's."""
    regenerated = _builtins.regenerate(REFERENCE)[module]
    checked_in = (Path(_builtins.__file__).parent / module).read_text("utf-8")
    assert regenerated == checked_in, f"{module} differs from its WSDL: run make regenerate"


def test_a_hand_edit_is_caught() -> None:
    """One changed default in the generated text is a difference the test above sees."""
    regenerated = _builtins.regenerate(REFERENCE)["_builtin_user.py"]
    edited = regenerated.replace(
        "is_active: Optional[bool] = True", "is_active: Optional[bool] = False"
    )
    assert edited != regenerated


def test_the_table_of_choices_is_used() -> None:
    """Every row of the table names something a built-in has (no stale rows)."""
    names: dict[tuple[str, str], str] = {}
    for op in OPERATIONS.values():
        names.update(_names(op))
    for where, name in PYTHON_NAMES.items():
        assert names[where] == name, where


def test_a_changed_builtin_is_caught(generated: dict[str, Any]) -> None:
    """The comparison sees one element renamed in a copy of a built-in declaration."""
    key = ("User", "GetUntrustedCredentialsForAssociate")
    builtin = OPERATIONS[key]
    params = (builtin.params[0], type(builtin.params[1])("credential_type", "Kind", STRING_TYPE))
    changed: Operation[..., Any] = Operation(
        builtin.service, builtin.name, params, builtin.result, retry_safe=builtin.retry_safe
    )
    regenerated = generated["User"][key[1]]
    assert _wire(changed, {}, 0) != _wire(regenerated, {}, 1)


STRING_TYPE = resolve(OPERATIONS[("User", "GetUntrustedCredentials")].params[0].type)
