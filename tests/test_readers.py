"""The readers written as code per declaration (``superoffice_soap/_readers.py``) return exactly
what the table walk they replaced returns (``benchmarks/table_reader.py``, kept as the
reference): the same values on valid answers, the same ResponseParseError (message and path) on
broken ones.

On three sets of answers: the GetUntrustedCredentialsForAssociate answers of
``test_xpath_reader`` (fixed, random and one-change mutants, where the XPath reader is held to
the same results); every example answer of the documentation kept in ``tests/reference``, read
with the operation the generator writes from its service's WSDL, random thinnings of them (any
element left out or made nil) and each of their one-change mutants; and small declarations made here for what the reference answers do not have (a field
kept by no attribute, attributes that are no Python keyword arguments, an empty struct, a type
that contains itself, dictionary entries without a Key or a Value).
"""

from __future__ import annotations

import enum
import sys
import threading
import time
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from superoffice_soap import (
    GET_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE,
    UntrustedCredentials,
    parse_response,
)
from superoffice_soap._readers import Problem, reader
from superoffice_soap.generate import generate
from superoffice_soap.operations import Operation
from superoffice_soap.types import (
    BOOLEAN,
    DATETIME,
    INT,
    STRING,
    ArrayOf,
    DictionaryOf,
    Enumeration,
    Field,
    Flags,
    Struct,
)

from ._responses import to_bytes
from .test_xpath_reader import (
    MUTANTS,
    MUTATIONS,
    VALID,
    Outcome,
    _answer,
    _exact,
    _payload_elements,
    outcome,
)
from .test_zeep_differential import Drawn, models

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import table_reader  # benchmarks/, by the path entry above

REFERENCE = Path(__file__).resolve().parent / "reference"
HEADERS = {"Content-Type": "text/xml; charset=utf-8"}
NS = "http://www.superoffice.net/ws/crm/NetServer/Services86"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
OPERATION = GET_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE


def _library(operation: Operation[..., Any]) -> Callable[[bytes], Any]:
    return lambda data: parse_response(operation, 200, HEADERS, data)


def _walk(operation: Operation[..., Any]) -> Callable[[bytes], Any]:
    return lambda data: table_reader.parse_table_walk(operation, 200, HEADERS, data)


def assert_same(operation: Operation[..., Any], data: bytes) -> Outcome:
    result = outcome(_library(operation), data)
    assert outcome(_walk(operation), data) == result
    return result


# --------------------------------------------------------------------------------------------
# The credentials answers (those the XPath reader is held to as well)
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(VALID))
def test_valid_credentials_read_alike(name: str) -> None:
    kind, *_ = assert_same(OPERATION, VALID[name])
    assert kind == "value"


@settings(max_examples=60, deadline=None)
@given(
    items=st.lists(models(UntrustedCredentials), max_size=3),
    style=st.sampled_from(["datacontract", "prefixed"]),
    data=st.data(),
)
def test_random_credentials_read_alike(
    items: list[UntrustedCredentials], style: Any, data: st.DataObject
) -> None:
    kind, *_ = assert_same(OPERATION, _answer(items, style=style, lex=Drawn(data.draw)))
    assert kind == "value"


def test_every_changed_credentials_answer_reads_alike() -> None:
    errors = 0
    for label, data in MUTANTS:
        result = outcome(_library(OPERATION), data)
        assert outcome(_walk(OPERATION), data) == result, label
        errors += result[0] == "error"
    assert len(MUTANTS) > 400
    assert errors > len(MUTANTS) * 3 // 4


# --------------------------------------------------------------------------------------------
# The documentation's example answers, read with generated operations
# --------------------------------------------------------------------------------------------


def _examples() -> list[Path]:
    return sorted(REFERENCE.glob("examples/*/*.response.xml"))


def _wsdl(service: str) -> Path:
    full = REFERENCE / "wsdl" / "Services86" / f"{service}.wsdl"
    return full if full.is_file() else REFERENCE / f"{service.lower()}.wsdl"


_GENERATED: dict[tuple[str, str], Operation[..., Any]] = {}


def generated(path: Path) -> Operation[..., Any]:
    """The operation of an example answer, as the generator writes it from the WSDL."""
    service, name = path.parent.name, path.name.split(".")[0]
    found = _GENERATED.get((service, name))
    if found is None:
        module = types.ModuleType(f"generated_{service}_{name}")
        text = generate(_wsdl(service), [name])
        exec(compile(text, module.__name__, "exec"), module.__dict__)
        found = _GENERATED[(service, name)] = module.OPERATIONS[name]
    return found


EXAMPLES = {f"{p.parent.name}/{p.name.split('.')[0]}": p for p in _examples()}


def test_every_example_is_there() -> None:
    assert len(EXAMPLES) >= 28
    assert {"Person/GetPersonEntity", "Contact/GetContactEntity", "User/GetUser"} <= set(EXAMPLES)


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_example_answers_read_alike(name: str) -> None:
    path = EXAMPLES[name]
    kind, *_ = assert_same(generated(path), path.read_bytes())
    assert kind == "value"


_CHOICES = st.sampled_from(["keep"] * 6 + ["drop", "nil"])


@settings(max_examples=60, deadline=None)
@given(name=st.sampled_from(sorted(EXAMPLES)), data=st.data())
def test_random_thinnings_of_examples_read_alike(name: str, data: st.DataObject) -> None:
    """Random answers from the examples: any element below the response wrapper left out or
    made nil (what a server writes for an absent value), the rest as it was."""
    path = EXAMPLES[name]
    root = etree.fromstring(path.read_bytes())
    elements = _payload_elements(root)[1:]
    choices = data.draw(st.lists(_CHOICES, min_size=len(elements), max_size=len(elements)))
    for element, choice in zip(elements, choices):
        if choice == "drop" and element.getparent() is not None:
            element.getparent().remove(element)
        elif choice == "nil":
            element[:] = []
            element.text = None
            element.set(f"{{{XSI}}}nil", "true")
    assert_same(generated(path), to_bytes(root))


def example_mutants(path: Path, stride: int) -> Iterator[tuple[str, bytes]]:
    """One changed answer per (mutation, every ``stride``-th element of the Body payload); each
    mutation starts at another element, so that a sample still meets every element."""
    data = path.read_bytes()
    count = len(_payload_elements(etree.fromstring(data)))
    for start, (name, mutate) in enumerate(MUTATIONS.items()):
        for index in range(start % stride, count, stride):
            root = etree.fromstring(data)
            element = _payload_elements(root)[index]
            if mutate(element):
                yield f"{path.name}/{name}@{index}:{etree.QName(element).localname}", to_bytes(root)


def _sweep(stride: int) -> tuple[int, int]:
    total = errors = 0
    for path in EXAMPLES.values():
        operation = generated(path)
        for label, data in example_mutants(path, stride):
            result = outcome(_library(operation), data)
            assert outcome(_walk(operation), data) == result, label
            total += 1
            errors += result[0] == "error"
    return total, errors


def test_changed_examples_read_alike_sample() -> None:
    """Every seventh element of every example, each change (the quick loop's share)."""
    total, errors = _sweep(7)
    assert total > 1_000
    assert errors > total // 2


@pytest.mark.slow
def test_every_changed_example_reads_alike() -> None:
    """Every element of every example, each change: about 10,000 answers."""
    total, errors = _sweep(1)
    assert total > 8_000
    assert errors > total // 2


# --------------------------------------------------------------------------------------------
# Declarations the reference answers do not have
# --------------------------------------------------------------------------------------------


class Colour(enum.Enum):
    RED = "Red"
    GREEN = "Green"


def _record(**values: Any) -> dict[str, Any]:
    return values


NODE: Struct = Struct(
    "Node",
    _record,
    (
        Field("Name", "name", STRING),
        Field("Skipped", None, INT),  # read and checked, kept nowhere
        Field("Class", "class", BOOLEAN),  # a Python keyword as attribute
        Field("Odd-Name", "odd-name", DATETIME),  # no identifier either
        Field("Colour", "colour", Enumeration(Colour)),
        Field("Mask", "mask", Flags("EMask", ("A", "B"))),
        Field("Children", "children", ArrayOf("Node", lambda: NODE)),
        Field("Next", "next", lambda: NODE),  # a type that contains itself
        Field("Table", "table", DictionaryOf("Pair", INT)),
        Field("Empty", "empty", Struct("Nothing", _record, ())),
    ),
)
#: A struct whose two fields keep the same attribute: the later element's value wins.
TWICE = Struct("Twice", _record, (Field("A", "same", INT), Field("B", "same", INT)))
#: A struct whose two fields have the same element: the walk's table keeps the later one.
SAME_ELEMENT = Struct("Same", _record, (Field("A", "first", INT), Field("A", "second", STRING)))


def _element(xml: str) -> etree._Element:
    return etree.fromstring(f'<n:Root xmlns:n="{NS}" xmlns:i="{XSI}">{xml}</n:Root>')


def _read(declaration: Any, module: Any, xml: str) -> Outcome:
    element = _element(xml)
    try:
        return ("value", _exact(module(declaration, NS)(element)))
    except Problem as problem:
        return ("error", problem.message, problem.path("Root"))


NODE_CASES = [
    "",
    "<n:Name>a</n:Name><n:Skipped>4</n:Skipped><n:Class>true</n:Class>",
    "<n:Odd-Name>2024-01-02T03:04:05Z</n:Odd-Name><n:Colour> Red </n:Colour><n:Mask>A B</n:Mask>",
    "<n:Children><n:Node><n:Name>x</n:Name></n:Node><n:Node i:nil='true'/><n:Node/></n:Children>",
    "<n:Next><n:Next><n:Next><n:Name>deep</n:Name></n:Next></n:Next></n:Next>",
    "<n:Table><n:Pair><n:Key>k</n:Key><n:Value>1</n:Value></n:Pair>"
    "<n:Pair><n:Key>m</n:Key><n:Value i:nil='1'/></n:Pair></n:Table><n:Empty/>",
    # failures
    "<n:Skipped>x</n:Skipped>",
    "<n:Skipped></n:Skipped>",
    "<n:Class>true</n:Class><n:Name>a</n:Name>",
    "<n:Name>a</n:Name><n:Name>b</n:Name>",
    "<n:Colour>Blue</n:Colour>",
    "<n:Mask>A C</n:Mask>",
    "<n:Name>a<n:X/></n:Name>",
    "<n:Next><n:Next><n:Bad/></n:Next></n:Next>",
    "<n:Next><n:Next><n:Class>maybe</n:Class></n:Next></n:Next>",
    "<n:Children><n:Node/><n:Other/></n:Children>",
    "<n:Children><n:Node><n:Class>2</n:Class></n:Node></n:Children>",
    "<n:Table><n:Pair><n:Value>1</n:Value></n:Pair></n:Table>",
    "<n:Table><n:Pair><n:Key>k</n:Key></n:Pair></n:Table>",
    "<n:Table><n:Pair><n:Key>k</n:Key><n:Value>1</n:Value></n:Pair>"
    "<n:Pair><n:Key>k</n:Key><n:Value>2</n:Value></n:Pair></n:Table>",
    "<n:Table><n:Pair><n:Value>1</n:Value><n:Key>k</n:Key></n:Pair></n:Table>",
    "<n:Empty><n:Name>a</n:Name></n:Empty>",
    "<n:Empty>text</n:Empty>",
    "stray<n:Name>a</n:Name>",
    "<n:Name>a</n:Name>stray",
    "<n:Name>a</n:Name>\u00a0<n:Class>1</n:Class>",  # a no-break space is whitespace
    "<n:Name i:nil='true'>a</n:Name>",
    "<n:Name i:nil='yes'/>",
    "<n:Class i:nil='false'>0</n:Class>",
    "<Name>no namespace</Name>",
    "<n:Next><n:Skipped>1</n:Skipped><n:Skipped>2</n:Skipped></n:Next>",
]


@pytest.mark.parametrize("xml", NODE_CASES)
def test_declarations_read_alike(xml: str) -> None:
    expected = _read(NODE, table_reader.reader, xml)
    assert _read(NODE, reader, xml) == expected


def test_the_cases_cover_values_and_failures() -> None:
    kinds = [_read(NODE, reader, xml)[0] for xml in NODE_CASES]
    assert kinds.count("value") >= 8
    assert kinds.count("error") >= 20


@pytest.mark.parametrize(
    ("declaration", "xml"),
    [
        (TWICE, "<n:A>1</n:A><n:B>2</n:B>"),
        (TWICE, "<n:A>1</n:A>"),
        (TWICE, "<n:B>2</n:B><n:A>1</n:A>"),
        (SAME_ELEMENT, "<n:A>text</n:A>"),
        (SAME_ELEMENT, "<n:A>1</n:A><n:A>2</n:A>"),
    ],
)
def test_odd_declarations_read_alike(declaration: Struct, xml: str) -> None:
    expected = _read(declaration, table_reader.reader, xml)
    assert _read(declaration, reader, xml) == expected


def test_a_reader_is_written_once_per_declaration_and_namespace() -> None:
    first = reader(NODE, NS)
    assert reader(NODE, NS) is first
    assert reader(NODE, "urn:other") is not first
    assert first.__name__ == "read_Node"


def test_a_failing_declaration_leaves_nothing_behind() -> None:
    """A type whose field cannot be compiled raises, and raises again: no half-made reader is
    kept for it."""
    broken = Struct("Broken", _record, (Field("X", "x", lambda: 42),))  # type: ignore[arg-type,return-value]
    for _ in range(2):
        with pytest.raises(TypeError, match="not a value type"):
            reader(broken, NS)


def test_types_that_reach_each_other_compile_safely_from_many_threads() -> None:
    """Eight threads ask at once for the reader of a fresh pair of types that contain each
    other, while finding the inner type takes a while (its declaration is a slow callable): each
    gets a working reader — none finds one whose partner is still being written — and all get
    the same one."""

    def slowly() -> Struct:
        time.sleep(0.05)  # other threads run meanwhile
        return inner

    outer: Struct = Struct(
        "Outer", _record, (Field("Name", "name", STRING), Field("Inner", "inner", slowly))
    )
    inner: Struct = Struct(
        "Inner", _record, (Field("Outer", "outer", outer), Field("Count", "count", INT))
    )
    xml = (
        "<n:Name>a</n:Name><n:Inner><n:Outer><n:Name>b</n:Name></n:Outer>"
        "<n:Count>2</n:Count></n:Inner>"
    )
    start = threading.Barrier(8)
    results: list[Outcome] = []
    readers: list[object] = []

    def work() -> None:
        start.wait()
        try:
            found = reader(outer, NS)
            readers.append(found)
            results.append(("value", _exact(found(_element(xml)))))
        except Exception as error:
            results.append(("raised", type(error).__name__, str(error)))

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    expected = _read(outer, table_reader.reader, xml)
    assert expected[0] == "value"
    assert results == [expected] * 8
    assert all(found is readers[0] for found in readers)
