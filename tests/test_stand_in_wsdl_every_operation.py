"""Every operation of every reference WSDL, generated and served by the stand-in from the
same WSDL: random arguments pass the stand-in's WSDL-driven request reader, and random answers
written by its own writer are read back equal by the client (the 9 User operations the stand-in
serves itself left out).

The two sides share nothing but the WSDL: the client uses the generated declarations, the
stand-in reads the WSDL itself. A difference in element names, order, namespaces or the lexical
form of any XSD type the three services use fails here.
"""

from __future__ import annotations

import decimal
import importlib.util
import random
import sys
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Optional

import httpx
import pytest

from superoffice_soap import UserAgent
from superoffice_soap.generate import generate
from superoffice_soap.testing import DEMO_TICKET, FakeNetServer
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

from .conftest import reference_file

#: Every reference WSDL, as (Services version, service).
SERVICES = tuple(
    (path.parent.name, path.stem)
    for path in sorted(Path(__file__).resolve().parent.glob("reference/wsdl/Services*/*.wsdl"))
)
#: The services ``make quick`` runs too (``make test`` runs them all).
QUICK = {("Services86", "User"), ("Services86", "Associate"), ("Services86", "Person")}
ROUNDS = 3
#: The User operations the stand-in serves itself (``answer`` refuses them).
BUILT_IN = {
    ("User", name)
    for name in (
        "GetUntrustedCredentials",
        "GetUntrustedCredentialsForAssociate",
        "SaveUntrustedCredentials",
        "SaveUntrustedCredentialsForAssociate",
        "RemoveUntrustedCredentials",
        "RemoveUntrustedCredentialsForAssociate",
        "CreateDefaultUntrustedCredentials",
        "GetCredentialTypes",
        "GetCredentialTypesForUserType",
    )
}
_ALPHABET = "abcXYZ019 _-.:/@æøåé€"


def _text(rng: random.Random) -> str:
    return "".join(rng.choice(_ALPHABET) for _ in range(rng.randrange(0, 12)))


_SCALARS: dict[str, Callable[[random.Random], object]] = {
    "int": lambda r: r.randint(-(2**31), 2**31 - 1),
    "short": lambda r: r.randint(-(2**15), 2**15 - 1),
    "long": lambda r: r.randint(-(2**63), 2**63 - 1),
    "byte": lambda r: r.randint(-128, 127),
    "unsignedByte": lambda r: r.randint(0, 255),
    "unsignedShort": lambda r: r.randint(0, 2**16 - 1),
    "unsignedInt": lambda r: r.randint(0, 2**32 - 1),
    "unsignedLong": lambda r: r.randint(0, 2**64 - 1),
    "boolean": lambda r: r.random() < 0.5,
    "double": lambda r: r.choice([0.0, -1.5, 1e300, r.uniform(-1e6, 1e6)]),
    "float": lambda r: r.choice([0.0, 0.25, -3.5, 1e30]),
    "decimal": lambda r: decimal.Decimal(r.randint(-(10**12), 10**12)).scaleb(-r.randint(0, 6)),
    "dateTime": lambda r: datetime(
        r.randint(1, 9999),
        r.randint(1, 12),
        r.randint(1, 28),
        r.randint(0, 23),
        r.randint(0, 59),
        r.randint(0, 59),
        r.choice([0, r.randint(1, 999_999)]),
        tzinfo=r.choice([None, timezone.utc, timezone(timedelta(hours=-5, minutes=-30))]),
    ),
    "duration": lambda r: timedelta(
        days=r.randint(-3, 400), seconds=r.randint(0, 86_399), microseconds=r.randint(0, 999_999)
    ),
    "guid": lambda r: uuid.UUID(int=r.getrandbits(128)),
    "char": lambda r: r.choice("aZ0 é€"),
    "base64Binary": lambda r: r.randbytes(r.randrange(0, 9)),
    "string": _text,
    "anyURI": lambda r: r.choice(["", "https://example.com/a?b=c", "urn:x"]),
    "QName": lambda r: r.choice(["a", "ns:local", "x_1.y-z"]),
}


def value_of(declaration: TypeRef, rng: random.Random, depth: int = 0) -> Any:
    """A random value of a declared type (structs only a few levels deep)."""
    kind = resolve(declaration)
    if isinstance(kind, Scalar):
        return _SCALARS[kind.name](rng)
    if isinstance(kind, Enumeration):
        return rng.choice(list(kind.enum))
    if isinstance(kind, Flags):
        chosen = [token for token in kind.tokens if rng.random() < 0.3]
        if kind.flag is None:
            return frozenset(chosen)
        members = list(kind.flag)
        value = kind.flag(0)
        for member in members:
            if member.name is not None and rng.random() < 0.3:
                value |= member
        return value
    if isinstance(kind, ArrayOf):
        return kind.into([value_of(kind.type, rng, depth + 1) for _ in range(rng.randrange(3))])
    if isinstance(kind, DictionaryOf):
        key = kind.key.name if kind.key is not None else "string"
        return {
            _SCALARS[key](rng): value_of(kind.value, rng, depth + 1)
            for _ in range(rng.randrange(3))
        }
    if isinstance(kind, Struct):
        fields: dict[str, Any] = {}
        for field in kind.fields:
            if field.attr is None:
                continue
            nested = isinstance(resolve(field.type), (Struct, ArrayOf, DictionaryOf))
            if rng.random() < 0.25 or (nested and depth >= 2):
                fields[field.attr] = None
            else:
                fields[field.attr] = value_of(field.type, rng, depth + 1)
        return kind.model(**fields)
    raise AssertionError(f"no random values of {kind!r}")


def _load(services: str, service: str, directory: Path) -> ModuleType:
    name = f"every_operation_{services.lower()}_{service.lower()}"
    path = directory / f"{name}.py"
    path.write_text(generate(reference_file("wsdl", services, f"{service}.wsdl")), "utf-8")
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[name]
    return module


@pytest.mark.parametrize(
    ("services", "service"),
    [
        pytest.param(*entry, marks=() if entry in QUICK else pytest.mark.slow, id="-".join(entry))
        for entry in SERVICES
    ],
)
def test_every_operation_round_trips_through_the_stand_in(
    services: str, service: str, tmp_path: Path
) -> None:
    module = _load(services, service, tmp_path)
    server = FakeNetServer.with_demo_data(services=services)
    server.serve_wsdl(reference_file("wsdl", services, f"{service}.wsdl"))
    rng = random.Random(f"stand-in {service}")
    checked: list[str] = []
    with (
        httpx.Client(transport=server.transport()) as http,
        UserAgent(
            f"http://netserver.test/Cust1/Remote/{services}",
            ticket=DEMO_TICKET,
            soap_version="1.1",
            http_client=http,
        ) as agent,
    ):
        for name, operation in module.OPERATIONS.items():
            if (service, name) in BUILT_IN:
                continue  # the stand-in's own operations, answered from its state
            for _ in range(ROUNDS):
                arguments = {p.name: value_of(p.type, rng) for p in operation.params}
                answer = _answer(operation, rng)
                server.answer(operation, answer)
                got = agent.call(operation, **arguments)
                assert got == _expected(operation, answer), name
                received = server.received(operation)[-1]
                assert set(received) == {k for k, v in arguments.items() if v is not None}, name
            checked.append(name)
    assert len(checked) == len(module.OPERATIONS) - (len(BUILT_IN) if service == "User" else 0)


def _answer(operation: Any, rng: random.Random) -> Optional[object]:
    if operation.result is None:
        return None
    if operation.result_nillable and rng.random() < 0.2:
        return None
    value: object = value_of(operation.result, rng)
    return value


def _expected(operation: Any, answer: Optional[object]) -> object:
    """What the client reads: an absent or nil array is an empty one."""
    if answer is None and operation.result is not None:
        kind = resolve(operation.result)
        if isinstance(kind, ArrayOf):
            return kind.into([])
    return answer


def test_values_cover_every_scalar_kind_the_services_use(tmp_path: Path) -> None:
    """The random values reach every type the operations of the reference WSDLs use (so that the
    test above is not silently narrower than the WSDLs; the XSD types no operation uses are
    checked in tests/test_stand_in_wsdl.py)."""
    seen: set[str] = set()

    def walk(declaration: TypeRef, visited: set[int]) -> None:
        kind = resolve(declaration)
        if id(kind) in visited:
            return
        visited.add(id(kind))
        if isinstance(kind, Scalar):
            seen.add(kind.name)
        elif isinstance(kind, Struct):
            for field in kind.fields:
                walk(field.type, visited)
        elif isinstance(kind, ArrayOf):
            walk(kind.type, visited)
        elif isinstance(kind, DictionaryOf):
            walk(kind.value, visited)
            if kind.key is not None:
                walk(kind.key, visited)
        elif isinstance(kind, (Enumeration, Flags)):
            seen.add(type(kind).__name__)

    visited: set[int] = set()
    for services, service in SERVICES:
        for operation in _load(services, service, tmp_path).OPERATIONS.values():
            for param in operation.params:
                walk(param.type, visited)
            if operation.result is not None:
                walk(operation.result, visited)
    assert seen <= set(_SCALARS) | {"Enumeration", "Flags"}
    used = {"base64Binary", "boolean", "dateTime", "double", "duration", "int", "short", "string"}
    assert seen == used | {"Enumeration", "Flags"}
