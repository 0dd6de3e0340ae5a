"""The peers table of ``make bench``: this library against every Python SOAP stack a user could
pick instead, on the same bytes.

The peers, all development dependencies that the package never imports:

* **zeep** — loads the WSDL at run time and reads answers through its generic XSD type system;
* **suds-community** — the other classic client, also WSDL-driven at run time;
* **xsdata** — dataclasses generated ahead of time from the same WSDL (``xsdata generate``, run
  by this script into a temporary directory), read with its lxml event handler;
* **the floor** — what lxml and httpx cost alone: ``etree.fromstring`` for parsing, an httpx post
  of pre-built bytes plus ``etree.fromstring`` for a call.

Two operations: GetUntrustedCredentialsForAssociate (the seed operation, from
``tests/reference/user-credentials.wsdl``) answered with 1, 100 and 10,000 items, and
GetPersonEntity, a typical operation of the WSDL→Python generator (``superoffice_soap.generate``,
run here on ``tests/reference/wsdl/Services86/Person.wsdl``) whose answer nests structs three
levels deep: the documentation's example answer, moved to SOAP 1.1 and given NetServer's four
response headers.

Two measures each. **A call**: build the request, post it through one shared
``httpx.MockTransport`` client (the same client for every peer, answering the same bytes), read
the answer into objects. **A parse**: the answer's bytes into objects, nothing else. A peer that
cannot be loaded reads "n/a" with the reason; the rest still runs.

One thing was done for suds: it cannot read .NET's ``DateTime.MaxValue``
(``9999-12-31T23:59:59.9999999``, which it rounds up past year 9999 and fails on), so its
xs:dateTime reader is replaced by one that keeps such a value at the last microsecond, as this
library does; every suds user reading NetServer answers needs the same patch.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Optional

import httpx
from lxml import etree
from timing import Settings, Timing, compare, progress

from superoffice_soap import GET_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE, UserAgent, parse_response
from superoffice_soap.generate import generate
from superoffice_soap.operations import Operation

REPO = Path(__file__).resolve().parents[1]
CREDENTIALS_WSDL = REPO / "tests" / "reference" / "user-credentials.wsdl"
PERSON_WSDL = REPO / "tests" / "reference" / "wsdl" / "Services86" / "Person.wsdl"
PERSON_EXAMPLE = (
    REPO / "tests" / "reference" / "examples" / "Person" / "GetPersonEntity.response.xml"
)
SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
NS = "http://www.superoffice.net/ws/crm/NetServer/Services86"
BASE_URL = "https://sod.superoffice.com/Cust12345/Remote/Services86"
TICKET = "7T:bWVhc3VyZW1lbnQtdGlja2V0LTAwMDE="
ANSWER_HEADERS = {"Content-Type": "text/xml; charset=utf-8"}
PEERS = ("zeep", "suds", "xsdata")
#: The figures of a row, in the table's order.
VARIANTS = ("ours", "floor", *PEERS)


# ============================================================================ the operations


@dataclass(frozen=True)
class Spec:
    """One operation as every peer calls it."""

    name: str  # the wire name
    service: str  # the service's name (User, Person): xsdata's class prefix
    wsdl: Path
    arguments: Mapping[str, object]  # wire element name → value, for every peer but ours
    ours: Operation[..., Any]
    ours_arguments: Mapping[str, object]

    @property
    def path(self) -> str:
        return f"{self.service}.svc"


def credentials_spec() -> Spec:
    return Spec(
        "GetUntrustedCredentialsForAssociate",
        "User",
        CREDENTIALS_WSDL,
        {"AssociateId": 5, "Type": "imap"},
        GET_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE,
        {"associate_id": 5, "credential_type": "imap"},
    )


def person_spec(directory: Path) -> Spec:
    """GetPersonEntity as the generator writes it, loaded from the module text it returns."""
    text = generate(PERSON_WSDL, ["GetPersonEntity"])
    path = directory / "generated_person.py"
    path.write_text(text)
    module = _load(directory, "generated_person")
    return Spec(
        "GetPersonEntity",
        "Person",
        PERSON_WSDL,
        {"PersonEntityId": 5},
        module.GET_PERSON_ENTITY,
        {"person_entity_id": 5},
    )


def person_answer(headers: Sequence[etree._Element]) -> bytes:
    """The documentation's GetPersonEntity answer in a SOAP 1.1 envelope with ``headers``."""
    example = etree.fromstring(PERSON_EXAMPLE.read_bytes())
    (body,) = example.iter(f"{{{SOAP12}}}Body")
    (payload,) = body
    # the example's prefixes stay declared at the top: its xsi:type values use them
    namespaces = {prefix: uri for prefix, uri in example.nsmap.items() if uri != SOAP12}
    root = etree.Element(f"{{{SOAP11}}}Envelope", nsmap={**namespaces, "s": SOAP11})
    header = etree.SubElement(root, f"{{{SOAP11}}}Header")
    for block in headers:
        header.append(block)
    etree.SubElement(root, f"{{{SOAP11}}}Body").append(payload)
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="utf-8")
    return data


def _load(directory: Path, name: str) -> ModuleType:
    if str(directory) not in sys.path:
        sys.path.insert(0, str(directory))
    return importlib.import_module(name)


# ============================================================================ the peers


@dataclass
class Peer:
    """How one peer builds a request and reads an answer of one operation."""

    build: Callable[[], bytes]
    read: Callable[[bytes], object]


class _Reply:
    """The part of a ``requests.Response`` that zeep's ``process_reply`` reads."""

    def __init__(self, content: bytes) -> None:
        self.content = content
        self.status_code = 200
        self.encoding = "utf-8"
        self.headers = dict(ANSWER_HEADERS)


def zeep_peer(spec: Spec) -> Peer:
    zeep: Any = importlib.import_module("zeep")
    client = zeep.Client(str(spec.wsdl))
    (binding,) = client.wsdl.bindings.values()
    operation = binding.get(spec.name)
    headers = {"Credentials": {"Ticket": TICKET}}

    def build() -> bytes:
        message = client.create_message(
            client.service, spec.name, **spec.arguments, _soapheaders=headers
        )
        data: bytes = etree.tostring(message, xml_declaration=True, encoding="utf-8")
        return data

    def read(data: bytes) -> object:
        return binding.process_reply(client, operation, _Reply(data)).body.Response

    return Peer(build, read)


def suds_peer(spec: Spec) -> Peer:
    client = _suds_client(spec.wsdl)
    method = getattr(client.service, spec.name)
    contexts: list[Any] = [method(**spec.arguments)]

    def build() -> bytes:
        context = method(**spec.arguments)  # nosend: the request context, nothing sent
        contexts[0] = context
        data: bytes = context.envelope
        return data

    def read(data: bytes) -> object:
        return contexts[0].process_reply(data)

    return Peer(build, read)


def _suds_client(wsdl: Path) -> Any:
    suds_client: Any = importlib.import_module("suds.client")
    builtins: Any = importlib.import_module("suds.xsd.sxbuiltin")

    class NetDateTime(builtins.XDateTime):  # type: ignore[misc]
        """xs:dateTime, with .NET's DateTime.MaxValue kept at the last microsecond."""

        @staticmethod
        def translate(value: Any, topython: bool = True) -> Any:
            try:
                return builtins.XDateTime.translate(value, topython)
            except OverflowError:
                return dt.datetime(9999, 12, 31, 23, 59, 59, 999999)

    builtins.Factory.maptag("dateTime", NetDateTime)
    client = suds_client.Client(wsdl.as_uri(), nosend=True, prettyxml=False, cache=None)
    credentials = client.factory.create("Credentials")
    credentials.Ticket = TICKET
    client.set_options(soapheaders={"Credentials": credentials})
    return client


def generate_xsdata(wsdl: Path, package: str, directory: Path) -> ModuleType:
    """``xsdata generate`` of ``wsdl`` into ``directory``/``package``, imported."""
    environment = dict(os.environ)
    scripts = str(Path(sys.executable).parent)  # xsdata formats its output with ruff
    environment["PATH"] = scripts + os.pathsep + environment.get("PATH", "")
    command = shutil.which("xsdata", path=environment["PATH"])
    if command is None:
        raise ImportError("xsdata's command line is not installed")
    subprocess.run(
        [command, "generate", str(wsdl), "--package", package],
        cwd=directory,
        check=True,
        capture_output=True,
        env=environment,
    )
    return _load(directory, package)


def xsdata_peer(spec: Spec, generated: ModuleType) -> Peer:
    parsers: Any = importlib.import_module("xsdata.formats.dataclass.parsers")
    handlers: Any = importlib.import_module("xsdata.formats.dataclass.parsers.handlers")
    serializers: Any = importlib.import_module("xsdata.formats.dataclass.serializers")
    request_class = getattr(generated, spec.name)
    envelope_in = getattr(generated, f"{spec.service}{spec.name}Input")
    envelope_out = getattr(generated, f"{spec.service}{spec.name}Output")
    wire = {f.metadata.get("name", f.name): f.name for f in dataclasses.fields(request_class)}
    arguments = {wire[name]: value for name, value in spec.arguments.items()}
    header_fields = [f.name for f in dataclasses.fields(envelope_in.Header)]
    (body_field,) = [f.name for f in dataclasses.fields(envelope_in.Body)]
    parser = parsers.XmlParser(handler=handlers.LxmlEventHandler)
    serializer = serializers.XmlSerializer()

    def build() -> bytes:
        header = {name: None for name in header_fields}
        header["credentials"] = generated.Credentials(ticket=TICKET)
        request = envelope_in(
            header=envelope_in.Header(**header),
            body=envelope_in.Body(**{body_field: request_class(**arguments)}),
        )
        data: bytes = serializer.render(request).encode("utf-8")
        return data

    def read(data: bytes) -> object:
        return parser.from_bytes(data, envelope_out).body

    return Peer(build, read)


def load_peers(spec: Spec, directory: Path, package: str) -> tuple[dict[str, Peer], dict[str, str]]:
    """The peers that load, and why each of the others does not."""
    peers: dict[str, Peer] = {}
    absent: dict[str, str] = {}
    loaders: dict[str, Callable[[], Peer]] = {
        "zeep": lambda: zeep_peer(spec),
        "suds": lambda: suds_peer(spec),
        "xsdata": lambda: xsdata_peer(spec, generate_xsdata(spec.wsdl, package, directory)),
    }
    for name, load in loaders.items():
        try:
            peers[name] = load()
        except Exception as exc:  # a peer that cannot load is reported, and the rest runs
            absent[name] = f"n/a ({type(exc).__name__}: {str(exc)[:60]})"
    return peers, absent


# ============================================================================ measuring


@dataclass
class Row:
    """One row of the peers table: medians of every variant that ran, in seconds."""

    key: str
    label: str
    unit: str
    timings: dict[str, Timing]
    absent: dict[str, str]
    floor_max: Optional[float] = None  # target: ours / floor at most this
    peer_min: float = 3.0  # target: the fastest peer / ours at least this
    bytes: int = 0

    def seconds(self, name: str) -> float:
        return self.timings[name].median

    @property
    def scale(self) -> float:
        return 1e3 if self.unit == "ms" else 1e6

    def fastest_peer(self) -> Optional[str]:
        present = [name for name in PEERS if name in self.timings]
        return min(present, key=self.seconds) if present else None

    def over_floor(self) -> float:
        return self.seconds("ours") / self.seconds("floor")

    def peer_speedup(self) -> Optional[float]:
        fastest = self.fastest_peer()
        return None if fastest is None else self.seconds(fastest) / self.seconds("ours")

    def floor_met(self) -> Optional[bool]:
        return None if self.floor_max is None else self.over_floor() <= self.floor_max

    def peer_met(self) -> Optional[bool]:
        speedup = self.peer_speedup()
        return None if speedup is None else speedup >= self.peer_min


def _agent_call(spec: Spec, client: httpx.Client) -> Callable[[], object]:
    agent = UserAgent(BASE_URL, ticket=TICKET, soap_version="1.1", http_client=client)
    operation, arguments = spec.ours, spec.ours_arguments
    return lambda: agent.call(operation, **arguments)


def _mock_client(answer: bytes) -> httpx.Client:
    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers=ANSWER_HEADERS, content=answer)

    return httpx.Client(transport=httpx.MockTransport(handle))


def measure_operation(
    spec: Spec,
    peers: Mapping[str, Peer],
    absent: Mapping[str, str],
    answer: bytes,
    settings: Settings,
    *,
    key: str,
    label: str,
    floor_max: Optional[float],
    check: Callable[[str, object], None],
) -> tuple[Row, Row]:
    """(the call row, the parse row) of one answer."""
    client = _mock_client(answer)
    url = f"{BASE_URL}/{spec.path}"
    action = f'"{NS}/{spec.service}/{spec.name}"'
    floor_request = peers["zeep"].build() if "zeep" in peers else b"<x/>"
    headers = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": action}

    def post(data: bytes) -> bytes:
        return client.post(url, content=data, headers=headers).content

    def floor_call() -> object:
        return etree.fromstring(post(floor_request))

    def ours_parse() -> object:
        return parse_response(spec.ours, 200, ANSWER_HEADERS, answer)

    calls: dict[str, Callable[[], object]] = {
        "ours": _agent_call(spec, client),
        "floor": floor_call,
    }
    parses: dict[str, Callable[[], object]] = {
        "ours": ours_parse,
        "floor": lambda: etree.fromstring(answer),
    }
    for name, peer in peers.items():
        calls[name] = lambda peer=peer: peer.read(post(peer.build()))  # type: ignore[misc]
        parses[name] = lambda peer=peer: peer.read(answer)  # type: ignore[misc]
    for name in ("ours", *peers):
        check(name, calls[name]())
        check(name, parses[name]())
    try:
        rows = []
        for kind, functions in (("call", calls), ("parse", parses)):
            progress(f"peers: {kind}, {label}")
            rows.append(
                Row(
                    f"{kind}_{key}",
                    f"{'call' if kind == 'call' else 'parse only'}, {label}",
                    "ms" if len(answer) > 1_000_000 else "us",
                    compare(functions, settings),
                    dict(absent),
                    floor_max if kind == "call" else None,
                    bytes=len(answer),
                )
            )
    finally:
        client.close()
    return rows[0], rows[1]


def run_peers(
    settings: Settings,
    credentials_answer: Callable[[int], bytes],
    headers: Sequence[etree._Element],
) -> tuple[list[Row], dict[str, str]]:
    """Every row of the peers table, and why any peer is missing."""
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="bench-peers-") as name:
        directory = Path(name)
        spec = credentials_spec()
        progress("peers: loading zeep, suds and xsdata (generating its classes)")
        peers, absent = load_peers(spec, directory, "xsdata_user")
        small, medium, large = settings.parse_sizes
        sizes = (("small", small, 1.5), ("medium", medium, None), ("large", large, 3.0))
        call_rows: list[Row] = []
        parse_rows: list[Row] = []
        for key, items, floor_max in sizes:
            # the largest answers take seconds per peer read: fewer repetitions there
            sized = settings if items < 1_000 else dataclasses.replace(settings, repeat=3)
            call, parse = measure_operation(
                spec,
                peers,
                absent,
                credentials_answer(items),
                sized,
                key=key,
                label=f"{items:,} item" + ("" if items == 1 else "s"),
                floor_max=floor_max,
                check=_credentials_check(items),
            )
            call_rows.append(call)
            parse_rows.append(parse)
        person = person_spec(directory)
        person_peers, person_absent = load_peers(person, directory, "xsdata_person")
        call, parse = measure_operation(
            person,
            person_peers,
            person_absent,
            person_answer(headers),
            settings,
            key="person",
            label="GetPersonEntity (generated)",
            floor_max=None,
            check=_person_check,
        )
        rows = [*call_rows, call, *parse_rows, parse]
        absent = {**person_absent, **absent}
    return rows, absent


def _credentials_check(items: int) -> Callable[[str, object], None]:
    def check(name: str, result: object) -> None:
        if _count(name, result) != items:
            raise SystemExit(f"{name} read the wrong number of items")

    return check


def _count(name: str, result: object) -> int:
    value: Any = result
    if name == "ours":
        return len(value)
    if name == "zeep":
        return len(value.UntrustedCredentials or [])
    if name == "suds":
        return len(getattr(value, "UntrustedCredentials", []) or [])
    if name == "xsdata":
        return len(_xsdata_response(value).response.untrusted_credentials)
    return -1


def _xsdata_response(body: Any) -> Any:
    """The ``…Response`` element of an xsdata Body (the others are its Fault)."""
    (name,) = (f.name for f in dataclasses.fields(body) if f.name.endswith("_response"))
    return getattr(body, name)


def _person_check(name: str, result: object) -> None:
    value: Any = result
    if name == "ours":
        found = value.person_id
    elif name == "zeep" or name == "suds":
        found = value.PersonId
    else:
        found = _xsdata_response(value).response.person_id
    if found != 0:
        raise SystemExit(f"{name} read GetPersonEntity wrongly: PersonId {found!r}")


# ============================================================================ the table


COLUMNS = (
    "measure",
    "unit",
    "ours",
    "floor",
    "zeep",
    "suds",
    "xsdata",
    "ours / floor",
    "fastest peer / ours",
)


def _number(value: float) -> str:
    magnitude = abs(value)
    if magnitude >= 100:
        return f"{value:,.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    if magnitude >= 1:
        return f"{value:.2f}"
    return f"{value:.3f}"


def _target(text: str, met: Optional[bool], target: str) -> str:
    return text if met is None else f"{text} [{'ok' if met else 'MISS'} {target}]"


def cells(row: Row) -> list[str]:
    figures = [
        _number(row.seconds(name) * row.scale) if name in row.timings else "n/a"
        for name in VARIANTS
    ]
    over = _target(f"{row.over_floor():.2f}x", row.floor_met(), f"<= {row.floor_max or 0:g}x")
    speedup = row.peer_speedup()
    fastest = row.fastest_peer()
    versus = (
        "n/a"
        if speedup is None
        else _target(f"{speedup:.2f}x ({fastest})", row.peer_met(), f">= {row.peer_min:g}x")
    )
    return [row.label, row.unit, *figures, over, versus]


def render_peers(rows: Sequence[Row], markdown: bool) -> str:
    table = [list(COLUMNS), *(cells(row) for row in rows)]
    if markdown:
        lines = ["| " + " | ".join(line) + " |" for line in table]
        lines.insert(1, "| " + " | ".join("---" for _ in COLUMNS) + " |")
        return "\n".join(lines)
    widths = [max(len(line[i]) for line in table) for i in range(len(COLUMNS))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip() for line in table
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def peers_targets(rows: Sequence[Row]) -> tuple[int, int]:
    """(met, measured) over the peers table's targets."""
    results = [met for row in rows for met in (row.floor_met(), row.peer_met()) if met is not None]
    return sum(results), len(results)


def peers_json(rows: Sequence[Row], absent: Mapping[str, str]) -> dict[str, object]:
    return {
        "absent": dict(absent),
        "rows": {
            row.key: {
                "label": row.label,
                "unit": row.unit,
                "bytes": row.bytes,
                "median_s": {name: t.median for name, t in row.timings.items()},
                "samples_s": {name: t.samples for name, t in row.timings.items()},
                "shown": {
                    name: row.seconds(name) * row.scale for name in VARIANTS if name in row.timings
                },
                "over_floor": {
                    "value": row.over_floor(),
                    "target": None if row.floor_max is None else f"<= {row.floor_max:g}x",
                    "met": row.floor_met(),
                },
                "fastest_peer": {
                    "name": row.fastest_peer(),
                    "value": row.peer_speedup(),
                    "target": f">= {row.peer_min:g}x",
                    "met": row.peer_met(),
                },
            }
            for row in rows
        },
    }
