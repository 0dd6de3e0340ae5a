"""superoffice-soap benchmarks: one run, tables of medians and ratios (``make bench``).

First, every peer on the same bytes (``benchmarks/peers.py``): this library, zeep,
suds-community and xsdata (its classes generated from the reference WSDL by the run) and the
floor, for a whole call and for the parse alone, at 1, 100 and 10,000 items and on a generated
GetPersonEntity; then start-up in fresh interpreters (``benchmarks/startup.py``): the command
line's ``--help`` and ``from superoffice_soap import UserAgent`` against ``import httpx``.

Then, side by side with zeep and the floors:

1. building one GetUntrustedCredentialsForAssociate request envelope (SOAP 1.1, with a ticket):
   ``build_request`` vs zeep's ``create_message`` + ``etree.tostring`` vs the same tree built
   with bare ``etree.Element``/``SubElement`` calls (the lxml floor);
2. parsing a GetUntrustedCredentialsForAssociate answer of 1, 100 and 10,000 items:
   ``parse_response`` vs zeep's ``process_reply`` vs ``etree.fromstring`` alone;
3. end-to-end calls per second over loopback against the NetServer stand-in: ``UserAgent`` vs
   raw httpx posting pre-built bytes (the floor) vs a zeep client;
4. import time in fresh interpreters: ``superoffice_soap`` vs its dependencies vs ``zeep``;
5. peak memory of parsing the 10,000-item answer vs the lxml tree's own footprint;
6. the bulk helper vs a sequential loop for 1,000 associates over loopback;
7. how answers are read, a table of its own: the library's readers, written as code per
   declaration (``parse_response``), vs the table walk they replaced
   (``benchmarks/table_reader.py``) vs an XPath-driven reader of the same strict rules
   (``benchmarks/xpath_reader.py``) vs
   ``etree.fromstring`` alone vs ``etree.fromstring`` plus a bare walk reading every element's
   tag and text, on the same answers of 1 and 10,000 items;
8. the generator, a table of its own: generating every operation of the List service (260, from
   its 937 KB WSDL) and of all 13 reference WSDLs, and what importing a generated module of 10
   operations adds after the agents, in a fresh interpreter.

zeep is a development dependency and loads the reference WSDL kept with the tests
(``tests/reference/user-credentials.wsdl``); without either, the zeep columns read "n/a" and
the rest still runs. Timings are medians of several repetitions (for the fast measures each
repetition is a batch of calls); the variants of a measure are interleaved so that a busy
machine slows them alike. The exit code is 0 even when a target is missed: this is a
measurement, not a test.

Options: ``--quick`` (tiny sizes, few repetitions), ``--json PATH`` (the raw numbers),
``--markdown`` (the tables as Markdown), ``--reading`` (the reading table alone), ``--peers``
(the peers and start-up tables alone), ``--generate`` (the generator's table alone).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import gc
import importlib
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any, Callable, NamedTuple, Optional

import httpx
from lxml import etree

from superoffice_soap import (
    GET_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE,
    AsyncUserAgent,
    UntrustedCredentials,
    UserAgent,
    build_request,
    parse_response,
)
from superoffice_soap.generate import generate
from superoffice_soap.testing import (
    DEMO_ASSOCIATE_ID,
    DEMO_TICKET,
    FakeNetServer,
    FakeResponse,
)

REPO = Path(__file__).resolve().parents[1]
# The answers measured are written by the tests' answer writer (tests/_responses.py): the
# benchmarks parse what the tests check. The repository root goes first on the path for it.
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
# The XPath-driven reader (benchmarks/xpath_reader.py) sits next to this file; a path entry
# finds it when this file is loaded as a module (tests/test_benchmarks.py) and not run.
if str(REPO / "benchmarks") not in sys.path:
    sys.path.insert(0, str(REPO / "benchmarks"))

import peers  # noqa: E402
import startup  # noqa: E402
from table_reader import parse_table_walk  # noqa: E402
from timing import FULL, QUICK, Settings, Timing, compare, progress  # noqa: E402
from xpath_reader import parse_credentials_xpath  # noqa: E402

from tests._responses import (  # noqa: E402  (needs the path entry above)
    NIL,
    WireCredentials,
    WireFieldProperty,
    WireHeaders,
    WireRight,
    envelope,
    response_headers,
    to_bytes,
)
from tests._responses import credentials_response as _payload  # noqa: E402

WSDL = REPO / "tests" / "reference" / "user-credentials.wsdl"

OPERATION = GET_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE
OPERATION_NAME = "GetUntrustedCredentialsForAssociate"
NS = "http://www.superoffice.net/ws/crm/NetServer/Services86"
SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
WSA = "http://www.w3.org/2005/08/addressing"
BINDING = f"{{{NS}}}BasicHttpBinding_User"
BASE_URL = "https://sod.superoffice.com/Cust12345/Remote/Services86"
TICKET = "7T:bWVhc3VyZW1lbnQtdGlja2V0LTAwMDE="
ARGUMENTS: Mapping[str, object] = {"associate_id": 5, "credential_type": "imap"}
RESPONSE_HEADERS = {"Content-Type": "text/xml; charset=utf-8"}
ZEEP_HEADERS = {"Credentials": {"Ticket": TICKET}}
MIB = 1024 * 1024


# ============================================================================ results


@dataclass
class Comparison:
    """One ratio (or difference) of ours against zeep or the baseline, with its target."""

    value: float
    text: str
    target: Optional[str] = None
    met: Optional[bool] = None

    def cell(self) -> str:
        if self.target is None:
            return self.text
        mark = "ok" if self.met else "MISS"
        return f"{self.text} [{mark} {self.target}]"


@dataclass
class Measure:
    """One row of the table. ``zeep`` None with ``zeep_applies`` means zeep was not measured."""

    key: str
    label: str
    unit: str
    ours: Optional[float]
    baseline: Optional[float]
    baseline_label: str
    zeep: Optional[float] = None
    zeep_applies: bool = True
    vs_zeep: Optional[Comparison] = None
    vs_baseline: Optional[Comparison] = None
    info: bool = False  # no target of its own
    raw: dict[str, Any] = field(default_factory=dict)


def _speedup(slower: float, faster: float, minimum: Optional[float] = None) -> Comparison:
    """``slower / faster`` as "N x faster", with an optional at-least target."""
    ratio = slower / faster
    if minimum is None:
        return Comparison(ratio, f"{ratio:.1f}x faster")
    return Comparison(ratio, f"{ratio:.1f}x faster", f">= {minimum:g}x", ratio >= minimum)


def _times(ours: float, other: float, maximum: Optional[float] = None) -> Comparison:
    """``ours / other`` as "N x", with an optional at-most target."""
    ratio = ours / other
    if maximum is None:
        return Comparison(ratio, f"{ratio:.2f}x")
    return Comparison(ratio, f"{ratio:.2f}x", f"<= {maximum:g}x", ratio <= maximum)


def _rate(ours: float, other: float, minimum: float) -> Comparison:
    """``ours / other`` for rates (higher is better), with an at-least target."""
    ratio = ours / other
    return Comparison(ratio, f"{ratio:.2f}x", f">= {minimum:g}x", ratio >= minimum)


# ============================================================================ zeep


@dataclass(frozen=True)
class Zeep:
    """zeep, loaded from the reference WSDL."""

    module: Any
    client: Any
    binding: Any
    operation: Any
    version: str


@dataclass
class _ZeepReply:
    """The part of a ``requests.Response`` that zeep's ``SoapBinding.process_reply`` reads."""

    content: bytes
    status_code: int = 200
    encoding: str = "utf-8"
    headers: dict[str, str] = field(default_factory=lambda: dict(RESPONSE_HEADERS))


class _DropAddressing:
    """A zeep egress plugin that removes the WS-Addressing headers zeep adds from the WSDL's
    ``wsaw:Action``: NetServer's basicHttpBinding (and the stand-in) does not accept them."""

    def egress(
        self, envelope: Any, http_headers: Any, operation: Any, binding_options: Any
    ) -> tuple[Any, Any]:
        header = envelope.find(f"{{{SOAP11}}}Header")
        if header is not None:
            for element in header.findall(f"{{{WSA}}}*"):
                header.remove(element)
        return envelope, http_headers

    def ingress(self, envelope: Any, http_headers: Any, operation: Any) -> tuple[Any, Any]:
        return envelope, http_headers


def load_zeep() -> tuple[Optional[Zeep], str]:
    """zeep and its view of the WSDL, or None and why not."""
    if not WSDL.is_file():
        return None, "n/a (reference WSDL absent)"
    try:
        zeep: Any = importlib.import_module("zeep")  # a development dependency only
    except ImportError:
        return None, "n/a (zeep not installed)"
    client = zeep.Client(str(WSDL))
    (binding,) = client.wsdl.bindings.values()
    version = getattr(zeep, "__version__", "?")
    return Zeep(zeep, client, binding, binding.get(OPERATION_NAME), str(version)), ""


def _zeep_message(zeep: Zeep) -> bytes:
    envelope = zeep.client.create_message(
        zeep.client.service,
        OPERATION_NAME,
        AssociateId=5,
        Type="imap",
        _soapheaders=ZEEP_HEADERS,
    )
    data: bytes = etree.tostring(envelope, xml_declaration=True, encoding="utf-8")
    return data


def _zeep_items(zeep: Zeep, data: bytes) -> list[Any]:
    reply = zeep.binding.process_reply(zeep.client, zeep.operation, _ZeepReply(data))
    return list(reply.body.Response.UntrustedCredentials or [])


# ============================================================================ 1. build


_ENVELOPE = f"{{{SOAP11}}}Envelope"
_HEADER = f"{{{SOAP11}}}Header"
_BODY = f"{{{SOAP11}}}Body"
_CREDENTIALS = f"{{{NS}}}Credentials"
_TICKET = f"{{{NS}}}Ticket"
_WRAPPER = f"{{{NS}}}{OPERATION_NAME}"
_ASSOCIATE_ID = f"{{{NS}}}AssociateId"
_TYPE = f"{{{NS}}}Type"
_NSMAP = {"SOAP-ENV": SOAP11, "User": NS}


def lxml_floor_envelope() -> bytes:
    """The same envelope as ``build_request``'s, from bare lxml calls with precomputed tags."""
    root = etree.Element(_ENVELOPE, nsmap=_NSMAP)
    credentials = etree.SubElement(etree.SubElement(root, _HEADER), _CREDENTIALS)
    etree.SubElement(credentials, _TICKET).text = TICKET
    wrapper = etree.SubElement(etree.SubElement(root, _BODY), _WRAPPER)
    etree.SubElement(wrapper, _ASSOCIATE_ID).text = "5"
    etree.SubElement(wrapper, _TYPE).text = "imap"
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return data


def _ours_envelope() -> bytes:
    return build_request(
        OPERATION, ARGUMENTS, url=BASE_URL, soap_version="1.1", ticket=TICKET
    ).content


def measure_build(settings: Settings, zeep: Optional[Zeep], zeep_absent: str) -> Measure:
    progress("building request envelopes")
    if _ours_envelope() != lxml_floor_envelope():
        raise SystemExit("the lxml floor does not build the same bytes as build_request")
    functions: dict[str, Callable[[], object]] = {
        "ours": _ours_envelope,
        "lxml": lxml_floor_envelope,
    }
    if zeep is not None:
        if b"GetUntrustedCredentialsForAssociate" not in _zeep_message(zeep):
            raise SystemExit("zeep built an unexpected envelope")
        functions["zeep"] = lambda: _zeep_message(zeep)
    timings = compare(functions, settings)
    return _timed_measure(
        "build_envelope",
        "build one request envelope",
        "us",
        1e6,
        timings,
        "lxml",
        "bare lxml",
        zeep_min=5,
        baseline_max=2,
        zeep_absent=zeep_absent,
    )


def _timed_measure(
    key: str,
    label: str,
    unit: str,
    scale: float,
    timings: Mapping[str, Timing],
    baseline: str,
    baseline_label: str,
    *,
    zeep_min: Optional[float],
    baseline_max: Optional[float],
    zeep_absent: str,
) -> Measure:
    ours = timings["ours"].median
    base = timings[baseline].median
    zeep = timings.get("zeep")
    measure = Measure(
        key,
        label,
        unit,
        ours * scale,
        base * scale,
        baseline_label,
        zeep=None if zeep is None else zeep.median * scale,
        vs_baseline=_times(ours, base, baseline_max),
        raw={
            name: {"median_s": t.median, "samples_s": t.samples, "calls_per_batch": t.number}
            for name, t in timings.items()
        },
    )
    if zeep is not None:
        measure.vs_zeep = _speedup(zeep.median, ours, zeep_min)
    elif zeep_absent:
        measure.raw["zeep"] = zeep_absent
    return measure


# ============================================================================ 2. parse


_ANSWER_HEADERS = WireHeaders(exception_info=NIL, extra_info=[], succeeded="true", time_zone=NIL)
_FIELD_PROPERTY = WireFieldProperty(
    field_right=WireRight(mask="Read Write", reason=""),
    field_type="System.String",
    field_length="255",
)


def _wire_item(index: int) -> WireCredentials:
    """Item ``index`` of the answer, in wire text (see ``credentials_response``)."""
    carrier = index % 4 == 0
    day = 1 + index % 28
    return WireCredentials(
        table_right=WireRight(mask="Select Update Delete", reason=NIL) if carrier else NIL,
        field_properties=(
            [("SecretValue", _FIELD_PROPERTY), ("PublicValue", _FIELD_PROPERTY)] if carrier else NIL
        ),
        valid_from=f"2023-04-{day:02d}T08:15:30.{index % 10_000_000:07d}+02:00",
        valid_to="2026-01-31T17:00:00.1234567Z"
        if index % 3 == 0
        else "9999-12-31T23:59:59.9999999",
        comment=f"Mailbox of associate {index + 1}",
        secret_value=f"s3cr3t-{index:05d}-Xy!",
        public_value=f"user{index + 1}@example.com",
        is_active="false" if index % 5 == 0 else "true",
    )


def credentials_response(items: int) -> bytes:
    """A SOAP 1.1 answer with ``items`` credentials, as WCF's DataContractSerializer writes it,
    written by the tests' one answer writer (``tests/_responses.py``).

    Every fourth item carries a TableRight and two FieldProperties entries (the others have
    them nil); dates have seven fractional digits and offsets; some never expire; the four
    response headers come first.
    """
    payload = _payload(
        [_wire_item(index) for index in range(items)], wrapper=f"{OPERATION_NAME}Response"
    )
    return to_bytes(envelope(payload, response_headers(_ANSWER_HEADERS)))


def _ours_parse(data: bytes) -> list[UntrustedCredentials]:
    return parse_response(OPERATION, 200, RESPONSE_HEADERS, data)


def _items_label(items: int) -> str:
    return f"{items:,} item" if items == 1 else f"{items:,} items"


def measure_parse(
    settings: Settings, zeep: Optional[Zeep], zeep_absent: str, key: str, items: int
) -> Measure:
    progress(f"parsing an answer of {_items_label(items)}")
    data = credentials_response(items)
    if len(_ours_parse(data)) != items:
        raise SystemExit("parse_response read the wrong number of items")
    functions: dict[str, Callable[[], object]] = {
        "ours": lambda: _ours_parse(data),
        "lxml": lambda: etree.fromstring(data),
    }
    if zeep is not None:
        if len(_zeep_items(zeep, data)) != items:
            raise SystemExit("zeep read the wrong number of items")
        functions["zeep"] = lambda: _zeep_items(zeep, data)
    timings = compare(functions, settings)
    small = items < 1_000
    large = key == "parse_large"
    measure = _timed_measure(
        key,
        f"parse, {_items_label(items)}",
        "us" if small else "ms",
        1e6 if small else 1e3,
        timings,
        "lxml",
        "etree.fromstring",
        zeep_min=10 if key == "parse_small" else 8 if large else None,
        baseline_max=4 if large else None,
        zeep_absent=zeep_absent,
    )
    measure.info = key == "parse_medium"
    measure.raw["bytes"] = len(data)
    return measure


# ============================================================================ 3. loopback


class _Endpoint(NamedTuple):
    base_url: str
    url: str


_SERVE_SCRIPT = """
import sys, time
sys.path.insert(0, {benchmarks!r})
from bench import _DelayedNetServer, _seeded
from superoffice_soap.testing import FakeNetServer

server = FakeNetServer.with_demo_data() if {associates} == 0 else _seeded(_DelayedNetServer(), {associates})
server.delay = {delay}
with server.serve() as running:
    print("base URL:", running.base_url, flush=True)
    while True:
        time.sleep(3600)
"""


@contextlib.contextmanager
def _stand_in_process(associates: int = 0, delay: float = 0.0) -> Iterator[_Endpoint]:
    """The stand-in (demo data, or ``associates`` seeded ones answering after ``delay``) in a
    process of its own, so that its work does not compete with the client's for this
    interpreter's GIL — a real NetServer runs elsewhere too."""
    script = _SERVE_SCRIPT.format(
        benchmarks=str(Path(__file__).resolve().parent), associates=associates, delay=delay
    )
    process = subprocess.Popen(
        [sys.executable, "-c", script],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        if "base URL: " not in first:
            raise SystemExit(f"the stand-in did not start: {first!r}")
        base = first.split("base URL: ", 1)[1].strip()
        yield _Endpoint(base, f"{base}/User.svc")
    finally:
        process.terminate()
        process.wait(timeout=10)


def measure_loopback(settings: Settings, zeep: Optional[Zeep], zeep_absent: str) -> Measure:
    progress("calling the stand-in over loopback (the stand-in in its own process)")
    expected = len(FakeNetServer.with_demo_data().stored_credentials(DEMO_ASSOCIATE_ID, "imap"))
    with _stand_in_process() as running:
        agent = UserAgent(running.base_url, ticket=DEMO_TICKET, soap_version="1.1")
        raw = httpx.Client()
        request = build_request(
            OPERATION,
            {"associate_id": DEMO_ASSOCIATE_ID, "credential_type": "imap"},
            url=running.base_url,
            soap_version="1.1",
            ticket=DEMO_TICKET,
        )
        zeep_session: Any = None
        try:

            def ours() -> int:
                return len(agent.get_untrusted_credentials_for_associate(DEMO_ASSOCIATE_ID, "imap"))

            def floor() -> int:
                response = raw.post(request.url, content=request.content, headers=request.headers)
                root = etree.fromstring(response.content)
                return response.status_code if root is not None else 0

            functions: dict[str, Callable[[], object]] = {"ours": ours, "raw": floor}
            if ours() != expected or floor() != 200:
                raise SystemExit("the loopback calls did not succeed")
            if zeep is not None:
                client = zeep.module.Client(str(WSDL), plugins=[_DropAddressing()])
                zeep_session = client.transport.session
                service = client.create_service(BINDING, running.url)

                def zeep_call() -> int:
                    result = service.GetUntrustedCredentialsForAssociate(
                        AssociateId=DEMO_ASSOCIATE_ID,
                        Type="imap",
                        _soapheaders={"Credentials": {"Ticket": DEMO_TICKET}},
                    )
                    return len(result.body.Response.UntrustedCredentials)

                if zeep_call() != expected:
                    raise SystemExit("the zeep call over loopback did not succeed")
                functions["zeep"] = zeep_call
            timings = compare(functions, settings)
        finally:
            agent.close()
            raw.close()
            if zeep_session is not None:
                zeep_session.close()
    rates = {name: 1 / t.median for name, t in timings.items()}
    measure = Measure(
        "loopback",
        "loopback calls (1 warm connection)",
        "calls/s",
        rates["ours"],
        rates["raw"],
        "raw httpx",
        zeep=rates.get("zeep"),
        vs_baseline=_rate(rates["ours"], rates["raw"], 0.85),
        raw={
            name: {"median_s": t.median, "samples_s": t.samples, "calls_per_batch": t.number}
            for name, t in timings.items()
        },
    )
    if "zeep" in rates:
        measure.vs_zeep = _rate(rates["ours"], rates["zeep"], 3)
    else:
        measure.raw["zeep"] = zeep_absent
    return measure


# ============================================================================ 4. import


_IMPORT_PROBE = (
    "import time\n"
    "start = time.perf_counter()\n"
    "import {modules}\n"
    "print(time.perf_counter() - start)\n"
)
# "Adds over its own dependencies": both imports in one interpreter, the dependencies first, so
# that the difference is not lost in the noise between two processes' start-up.
_ON_TOP_PROBE = (
    "import time\n"
    "start = time.perf_counter()\n"
    "import lxml.etree, httpx, attrs\n"
    "middle = time.perf_counter()\n"
    "from superoffice_soap import UserAgent, UntrustedCredentials\n"
    "print(time.perf_counter() - middle)\n"
)


def _import_seconds(modules: str, probe: str = _IMPORT_PROBE) -> float:
    # As users run it: with bytecode caches written and used (an environment that sets
    # PYTHONDONTWRITEBYTECODE would make every import compile its sources).
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    result = subprocess.run(
        [sys.executable, "-c", probe.format(modules=modules)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
        env=environment,
    )
    return float(result.stdout.strip())


def measure_import(settings: Settings, zeep: Optional[Zeep], zeep_absent: str) -> Measure:
    progress("importing in fresh interpreters")
    probes = {
        # What a program pays before its first call: the package's __init__ loads modules on
        # first use, so a bare `import superoffice_soap` would measure nothing.
        "ours": "superoffice_soap.client",
        "dependencies": "lxml.etree, httpx, attrs",
        "lxml.etree": "lxml.etree",
        "httpx": "httpx",
        "attrs": "attrs",
    }
    if zeep is not None:
        probes["zeep"] = "zeep"
    samples: dict[str, list[float]] = {name: [] for name in probes}
    samples["on top"] = []
    for modules in probes.values():
        _import_seconds(modules)  # warm-up: writes the bytecode caches
    for _ in range(settings.import_repeat):
        for name, modules in probes.items():
            samples[name].append(_import_seconds(modules))
        samples["on top"].append(_import_seconds("", _ON_TOP_PROBE))
    ms = {name: statistics.median(values) * 1e3 for name, values in samples.items()}
    alone = ", ".join(f"{name} {ms[name]:.0f}" for name in ("lxml.etree", "httpx", "attrs"))
    added = ms["on top"]
    measure = Measure(
        "import",
        "import",
        "ms",
        ms["ours"],
        ms["dependencies"],
        f"its deps together; alone: {alone}",
        zeep=ms.get("zeep"),
        vs_baseline=Comparison(added, f"+{added:.1f} ms", "<= +15 ms", added <= 15),
        raw={"median_ms": ms, "samples_s": samples},
    )
    if "zeep" in ms:
        measure.vs_zeep = _speedup(ms["zeep"], ms["ours"])
    else:
        measure.raw["zeep"] = zeep_absent
    return measure


# ============================================================================ 5. memory


def _proc_status_kib(name: str) -> Optional[int]:
    try:
        lines = Path("/proc/self/status").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        if line.startswith(f"{name}:"):
            return int(line.split()[1])
    return None


def _resident_bytes() -> tuple[Optional[int], Optional[int]]:
    """(current, peak) resident set size: Linux's VmRSS and VmHWM, else getrusage's peak."""
    current = _proc_status_kib("VmRSS")
    peak = _proc_status_kib("VmHWM")
    if current is not None and peak is not None:
        return current * 1024, peak * 1024
    try:
        import resource
    except ImportError:  # Windows
        return None, None
    maxrss = int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    maxrss *= 1 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB elsewhere
    return maxrss, maxrss


def memory_child(kind: str, path: str) -> None:
    """In a fresh interpreter: the peak resident memory one parse adds, printed as JSON."""
    data = Path(path).read_bytes()
    parse: Callable[[bytes], object] = _ours_parse if kind == "ours" else etree.fromstring
    parse(credentials_response(1))  # warm up: lazy imports, caches
    gc.collect()
    with contextlib.suppress(OSError):  # reset the high-water mark to the resident set (Linux)
        Path("/proc/self/clear_refs").write_text("5")
    before, _ = _resident_bytes()
    result = parse(data)
    _, peak = _resident_bytes()
    added = None if before is None or peak is None else peak - before
    print(json.dumps({"peak_bytes": added, "kept": result is not None}))


def _child_peak(kind: str, path: Path) -> Optional[float]:
    result = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--memory-child", kind, str(path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    value = json.loads(result.stdout)["peak_bytes"]
    return float(value) if value else None  # 0: below the page granularity


def _traced_peak(function: Callable[[], object]) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        result = function()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    del result
    return peak


def measure_memory(settings: Settings) -> list[Measure]:
    items = settings.memory_items
    progress(f"peak memory of parsing {_items_label(items)}")
    data = credentials_response(items)
    with TemporaryDirectory() as directory:
        path = Path(directory) / "response.xml"
        path.write_bytes(data)
        ours_samples: list[Optional[float]] = []
        lxml_samples: list[Optional[float]] = []
        for _ in range(settings.memory_repeat):
            ours_samples.append(_child_peak("ours", path))
            lxml_samples.append(_child_peak("lxml", path))
    ours = _median_or_none(ours_samples)
    tree = _median_or_none(lxml_samples)
    traced_ours = _traced_peak(lambda: _ours_parse(data))
    traced_lxml = _traced_peak(lambda: etree.fromstring(data))
    label = _items_label(items)
    resident = Measure(
        "parse_memory",
        f"parse memory, {label} (peak RSS)",
        "MiB",
        None if ours is None else ours / MIB,
        None if tree is None else tree / MIB,
        "lxml tree",
        zeep_applies=False,
        vs_baseline=None if ours is None or tree is None else _times(ours, tree, 3),
        raw={"ours_peak_bytes": ours_samples, "lxml_tree_bytes": lxml_samples},
    )
    traced = Measure(
        "parse_memory_tracemalloc",
        f"parse memory, {label} (tracemalloc)",
        "MiB",
        traced_ours / MIB,
        traced_lxml / MIB,
        "etree.fromstring (*)",
        zeep_applies=False,
        info=True,
        raw={"ours_peak_bytes": traced_ours, "lxml_peak_bytes": traced_lxml},
    )
    return [resident, traced]


def _median_or_none(values: Sequence[Optional[float]]) -> Optional[float]:
    present = [value for value in values if value is not None]
    return statistics.median(present) if present else None


# ============================================================================ 6. bulk


def _seeded(server: FakeNetServer, associates: int) -> FakeNetServer:
    server.add_ticket(DEMO_TICKET, DEMO_ASSOCIATE_ID)
    for associate_id in range(1, associates + 1):
        server.add_credentials(
            associate_id,
            "imap",
            UntrustedCredentials(
                public_value=f"user{associate_id}@example.com",
                secret_value=f"s3cr3t-{associate_id:05d}",
                valid_from=datetime(2024, 1, 1, 8, 0, tzinfo=timezone.utc),
                valid_to=datetime(9999, 12, 31, 23, 59, 59, 999999),
                comment="Work mailbox",
                is_active=True,
            ),
        )
    return server


class _DelayedNetServer(FakeNetServer):
    """The stand-in, answering each request after a fixed delay (a stand-in for the network
    round trip and server time of a real NetServer). The delay sleeps: it holds no lock."""

    delay = 0.0

    def handle(
        self, method: str, path: str, headers: Mapping[str, str], body: bytes
    ) -> FakeResponse:
        time.sleep(self.delay)
        return super().handle(method, path, headers, body)


def _check_bulk(result: Mapping[int, object], ids: range) -> None:
    if list(result) != list(ids) or any(
        not isinstance(value, list) or len(value) != 1 for value in result.values()
    ):
        raise SystemExit("the bulk read returned something unexpected")


async def _async_bulk(
    url: str, associates: int, repeat: int, sequential_sample: Optional[int] = None
) -> dict[str, list[float]]:
    """Seconds of the bulk helper and of a sequential loop, interleaved, on one warm agent.

    With ``sequential_sample`` the loop makes that many calls and its time is scaled to
    ``associates`` calls (sequential calls cost the same each; this keeps the run short).
    """
    ids = range(1, associates + 1)
    loop_ids = ids if sequential_sample is None else range(1, sequential_sample + 1)
    scale = len(ids) / len(loop_ids)
    samples: dict[str, list[float]] = {"bulk": [], "sequential": []}
    async with AsyncUserAgent(url, ticket=DEMO_TICKET, soap_version="1.1") as agent:
        warm_up = range(1, min(associates, 16) + 1)  # opens the pool's connections
        _check_bulk(await agent.get_untrusted_credentials_for_associates(warm_up, "imap"), warm_up)
        for _ in range(repeat):
            gc.collect()
            start = time.perf_counter()
            result = await agent.get_untrusted_credentials_for_associates(
                ids, "imap", concurrency=8
            )
            samples["bulk"].append(time.perf_counter() - start)
            _check_bulk(result, ids)
            gc.collect()
            start = time.perf_counter()
            for associate_id in loop_ids:
                await agent.get_untrusted_credentials_for_associate(associate_id, "imap")
            samples["sequential"].append((time.perf_counter() - start) * scale)
    return samples


def _sync_bulk(url: str, associates: int, repeat: int) -> dict[str, list[float]]:
    """``_async_bulk`` for the sync agent (its bulk helper runs threads)."""
    ids = range(1, associates + 1)
    samples: dict[str, list[float]] = {"bulk": [], "sequential": []}
    with UserAgent(url, ticket=DEMO_TICKET, soap_version="1.1") as agent:
        warm_up = range(1, min(associates, 16) + 1)
        _check_bulk(agent.get_untrusted_credentials_for_associates(warm_up, "imap"), warm_up)
        for _ in range(repeat):
            gc.collect()
            start = time.perf_counter()
            result = agent.get_untrusted_credentials_for_associates(ids, "imap", concurrency=8)
            samples["bulk"].append(time.perf_counter() - start)
            _check_bulk(result, ids)
            gc.collect()
            start = time.perf_counter()
            for associate_id in ids:
                agent.get_untrusted_credentials_for_associate(associate_id, "imap")
            samples["sequential"].append(time.perf_counter() - start)
    return samples


def _bulk_measure(
    key: str, label: str, samples: Mapping[str, list[float]], *, target: bool
) -> Measure:
    bulk = statistics.median(samples["bulk"])
    sequential = statistics.median(samples["sequential"])
    return Measure(
        key,
        label,
        "s",
        bulk,
        sequential,
        "sequential loop",
        zeep_applies=False,
        vs_baseline=_speedup(sequential, bulk, 3 if target else None),
        info=not target,
        raw={"samples_s": dict(samples)},
    )


def measure_bulk(settings: Settings) -> list[Measure]:
    """The target row: a server that takes ``delay_seconds`` to answer, as a NetServer over a
    network does (the pause sleeps, so overlapping calls can wait together). Info rows: the
    same stand-in answering at once, in this process — then client and server share one GIL,
    there is no waiting to overlap, and concurrency cannot win."""
    measures: list[Measure] = []
    associates = settings.bulk_associates
    delay_ms = settings.delay_seconds * 1e3
    progress(f"bulk helper vs a sequential loop, {associates:,} associates, {delay_ms:g} ms")
    with _stand_in_process(associates, settings.delay_seconds) as running:
        samples = asyncio.run(
            _async_bulk(
                running.base_url, associates, settings.bulk_repeat, settings.sequential_sample
            )
        )
    label = (
        f"bulk, {associates:,} associates, server answers in {delay_ms:g} ms "
        f"(async, concurrency 8; sequential: {settings.sequential_sample} calls, scaled)"
    )
    measures.append(_bulk_measure("bulk_async", label, samples, target=True))

    associates = settings.delayed_associates
    progress(f"bulk helper vs a sequential loop, {associates:,} associates, no delay")
    server = _seeded(FakeNetServer(), max(associates, settings.sync_bulk_associates))
    with server.serve() as running:
        samples = asyncio.run(_async_bulk(running.base_url, associates, settings.delayed_repeat))
        label = f"bulk, {associates:,} associates, in-process server, no delay (async)"
        measures.append(_bulk_measure("bulk_async_in_process", label, samples, target=False))
        associates = settings.sync_bulk_associates
        samples = _sync_bulk(running.base_url, associates, settings.sync_bulk_repeat)
        label = f"bulk, {associates:,} associates, in-process server, no delay (sync, 8 threads)"
        measures.append(_bulk_measure("bulk_sync", label, samples, target=False))
    return measures


# ============================================================================ 7. reading


#: The readers of the reading table, in its order: (key, label).
READERS: tuple[tuple[str, str], ...] = (
    ("library", "written per declaration (parse_response, the library)"),
    ("table", "table walk (benchmarks/table_reader.py)"),
    ("xpath", "XPath per field (benchmarks/xpath_reader.py)"),
    ("walk", "etree.fromstring + bare walk (tag, text)"),
    ("lxml", "etree.fromstring alone"),
)


def _bare_walk(data: bytes) -> int:
    """The tree, then every element's tag and text read once: the least any reader that looks
    at every element can cost in Python."""
    count = 0
    for element in etree.fromstring(data).iter():
        tag, text = element.tag, element.text
        count += tag is not None or text is not None
    return count


@dataclass
class Reading:
    """The reading table's timings of one answer size (seconds per parse)."""

    items: int
    bytes: int
    timings: dict[str, Timing]

    def seconds(self, key: str) -> float:
        return self.timings[key].median


def measure_reading(settings: Settings) -> list[Reading]:
    readings: list[Reading] = []
    for items in settings.reading_sizes:
        progress(f"reading an answer of {_items_label(items)}: the library, table walk, XPath")
        data = credentials_response(items)
        if parse_credentials_xpath(200, RESPONSE_HEADERS, data) != _ours_parse(data):
            raise SystemExit("the XPath reader and parse_response read different values")
        if parse_table_walk(OPERATION, 200, RESPONSE_HEADERS, data) != _ours_parse(data):
            raise SystemExit("the table walk and parse_response read different values")
        functions: dict[str, Callable[[], object]] = {
            "library": functools.partial(_ours_parse, data),
            "table": functools.partial(parse_table_walk, OPERATION, 200, RESPONSE_HEADERS, data),
            "xpath": functools.partial(parse_credentials_xpath, 200, RESPONSE_HEADERS, data),
            "walk": functools.partial(_bare_walk, data),
            "lxml": functools.partial(etree.fromstring, data),
        }
        readings.append(Reading(items, len(data), compare(functions, settings)))
    return readings


def _reading_cell(reading: Reading, key: str) -> str:
    large = reading.items >= 1_000
    value = reading.seconds(key) * (1e3 if large else 1e6)
    ratio = reading.seconds(key) / reading.seconds("lxml")
    return f"{_number(value)} {'ms' if large else 'us'} ({ratio:.2f}x)"


def render_reading(readings: Sequence[Reading], markdown: bool) -> str:
    """Reader by answer size: median time per answer and, in parentheses, times fromstring."""
    columns = ["reader", *(f"{_items_label(r.items)} ({r.bytes:,} bytes)" for r in readings)]
    rows = [columns]
    rows += [[label, *(_reading_cell(r, key) for r in readings)] for key, label in READERS]
    for key, label in (("table", "table walk"), ("xpath", "XPath")):
        rows.append(
            [
                f"{label} / library",
                *(f"{r.seconds(key) / r.seconds('library'):.2f}x" for r in readings),
            ]
        )
    if markdown:
        lines = ["| " + " | ".join(cells) + " |" for cells in rows]
        lines.insert(1, "| " + " | ".join("---" for _ in columns) + " |")
        return "\n".join(lines)
    widths = [max(len(row[i]) for row in rows) for i in range(len(columns))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def _reading_json(readings: Sequence[Reading]) -> dict[str, object]:
    return {
        str(r.items): {
            "bytes": r.bytes,
            "median_s": {key: r.seconds(key) for key, _ in READERS},
            "times_fromstring": {key: r.seconds(key) / r.seconds("lxml") for key, _ in READERS},
            "table_over_library": r.seconds("table") / r.seconds("library"),
            "xpath_over_library": r.seconds("xpath") / r.seconds("library"),
            "raw": {
                key: {"samples_s": t.samples, "calls_per_batch": t.number}
                for key, t in r.timings.items()
            },
        }
        for r in readings
    }


# ============================================================================ 8. the generator

REFERENCE_WSDLS = REPO / "tests" / "reference" / "wsdl"
LIST_WSDL = REFERENCE_WSDLS / "Services86" / "List.wsdl"
#: The module whose import is measured: the first ten operations of the Person service (its
#: entity, its lists and their types).
IMPORTED_WSDL = REFERENCE_WSDLS / "Services86" / "Person.wsdl"
IMPORTED_OPERATIONS = 10
GENERATED_MODULE = "person_operations"
#: Targets of the generator's table: generating List, importing a module of 10 operations.
GENERATE_TARGET_S = 10.0
IMPORT_TARGET_MS = 10.0

# The agents first, then the generated module, in one interpreter: what the module adds.
_GENERATED_PROBE = (
    "import sys, time\n"
    "sys.path.insert(0, {directory!r})\n"
    "from superoffice_soap import UserAgent, AsyncUserAgent\n"
    "start = time.perf_counter()\n"
    "import {module}\n"
    "assert len({module}.OPERATIONS) == {operations}\n"
    "print(time.perf_counter() - start)\n"
)


@dataclass
class GeneratorFigures:
    """The generator's table: seconds per generation, milliseconds per import."""

    list_operations: int
    list_samples_s: list[float]
    all_operations: int
    all_samples_s: list[float]
    module_bytes: int
    models: int  # the attrs classes of the imported module
    import_samples_ms: list[float]  # what the generated module adds after the agents
    agents_samples_ms: list[float]  # the agents alone, for scale

    @property
    def list_s(self) -> float:
        return statistics.median(self.list_samples_s)

    @property
    def all_s(self) -> float:
        return statistics.median(self.all_samples_s)

    @property
    def import_ms(self) -> float:
        return statistics.median(self.import_samples_ms)

    @property
    def agents_ms(self) -> float:
        return statistics.median(self.agents_samples_ms)


def _generated_operations(text: str) -> int:
    return text.count(" = Operation(")


def measure_generator(settings: Settings) -> GeneratorFigures:
    progress("generating every operation of the List service and of all reference WSDLs")
    wsdls = sorted(REFERENCE_WSDLS.glob("Services*/*.wsdl"))
    list_operations = _generated_operations(generate(LIST_WSDL))  # warm-up
    all_operations = 0
    list_samples: list[float] = []
    all_samples: list[float] = []
    for _ in range(settings.repeat):
        start = time.perf_counter()
        generate(LIST_WSDL)
        list_samples.append(time.perf_counter() - start)
        start = time.perf_counter()
        all_operations = sum(_generated_operations(generate(path)) for path in wsdls)
        all_samples.append(time.perf_counter() - start)
    progress("importing a generated module of 10 operations in fresh interpreters")
    names = _first_operations(IMPORTED_WSDL, IMPORTED_OPERATIONS)
    text = generate(IMPORTED_WSDL, names)
    import_samples: list[float] = []
    agents_samples: list[float] = []
    with TemporaryDirectory() as directory:
        (Path(directory) / f"{GENERATED_MODULE}.py").write_text(text, encoding="utf-8")
        probe = _GENERATED_PROBE.format(
            directory=directory, module=GENERATED_MODULE, operations=IMPORTED_OPERATIONS
        )
        _import_seconds("", probe)  # warm-up: writes the bytecode caches
        _import_seconds("superoffice_soap.client")
        for _ in range(settings.import_repeat):
            import_samples.append(_import_seconds("", probe) * 1e3)
            agents_samples.append(_import_seconds("superoffice_soap.client") * 1e3)
    return GeneratorFigures(
        list_operations,
        list_samples,
        all_operations,
        all_samples,
        len(text.encode()),
        text.count("@attrs.frozen"),
        import_samples,
        agents_samples,
    )


def _first_operations(path: Path, count: int) -> list[str]:
    from superoffice_soap.generate import load_wsdl

    return list(load_wsdl(path).operations)[:count]


#: The generator's table, its rows' keys (in the JSON report) and labels.
GENERATOR_ROWS: tuple[tuple[str, str], ...] = (
    ("list", "generate the List service (every operation)"),
    ("all", "generate all 13 reference WSDLs (info)"),
    ("import", "import a generated module of 10 operations"),
)


def _generator_cells(figures: GeneratorFigures) -> list[list[str]]:
    list_met = figures.list_s <= GENERATE_TARGET_S
    import_met = figures.import_ms <= IMPORT_TARGET_MS
    return [
        [
            f"{GENERATOR_ROWS[0][1]}: {figures.list_operations} operations",
            "s",
            _number(figures.list_s),
            f"{'ok' if list_met else 'MISS'} <= {GENERATE_TARGET_S:.0f} s",
        ],
        [
            f"{GENERATOR_ROWS[1][1]}: {figures.all_operations} operations",
            "s",
            _number(figures.all_s),
            "-",
        ],
        [
            f"{GENERATOR_ROWS[2][1]} ({figures.models} models, {figures.module_bytes:,} bytes), "
            f"after the agents ({_number(figures.agents_ms)} ms alone)",
            "ms",
            f"+{figures.import_ms:.1f}",
            f"{'ok' if import_met else 'MISS'} <= +{IMPORT_TARGET_MS:.0f} ms",
        ],
    ]


def render_generator(figures: GeneratorFigures, markdown: bool) -> str:
    columns = ["generator", "unit", "median", "target"]
    rows = [columns, *_generator_cells(figures)]
    if markdown:
        lines = ["| " + " | ".join(cells) + " |" for cells in rows]
        lines.insert(1, "| " + " | ".join("---" for _ in columns) + " |")
        return "\n".join(lines)
    widths = [max(len(row[i]) for row in rows) for i in range(len(columns))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def _generator_json(figures: GeneratorFigures) -> dict[str, object]:
    return {
        "list": {
            "operations": figures.list_operations,
            "median_s": figures.list_s,
            "samples_s": figures.list_samples_s,
            "target_s": GENERATE_TARGET_S,
            "met": figures.list_s <= GENERATE_TARGET_S,
        },
        "all": {
            "operations": figures.all_operations,
            "median_s": figures.all_s,
            "samples_s": figures.all_samples_s,
        },
        "import": {
            "operations": IMPORTED_OPERATIONS,
            "module_bytes": figures.module_bytes,
            "models": figures.models,
            "median_ms": figures.import_ms,
            "samples_ms": figures.import_samples_ms,
            "agents_median_ms": figures.agents_ms,
            "agents_samples_ms": figures.agents_samples_ms,
            "target_ms": IMPORT_TARGET_MS,
            "met": figures.import_ms <= IMPORT_TARGET_MS,
        },
    }


# ============================================================================ the table


COLUMNS = ("measure", "unit", "ours", "zeep", "baseline", "vs zeep", "vs baseline")


def _number(value: float) -> str:
    magnitude = abs(value)
    if magnitude >= 100:
        return f"{value:,.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    if magnitude >= 1:
        return f"{value:.2f}"
    return f"{value:.3f}"


def _cells(measure: Measure, zeep_absent: str) -> list[str]:
    if not measure.zeep_applies:
        zeep = "-"
    elif measure.zeep is None:
        zeep = zeep_absent or "n/a"
    else:
        zeep = _number(measure.zeep)
    baseline = "n/a" if measure.baseline is None else _number(measure.baseline)
    label = measure.label + (" (info)" if measure.info else "")
    if measure.vs_zeep is not None:
        vs_zeep = measure.vs_zeep.cell()
    elif measure.zeep_applies and measure.zeep is None:
        vs_zeep = "n/a"
    else:
        vs_zeep = "-"
    return [
        label,
        measure.unit,
        "n/a" if measure.ours is None else _number(measure.ours),
        zeep,
        f"{baseline} ({measure.baseline_label})",
        vs_zeep,
        measure.vs_baseline.cell() if measure.vs_baseline else "-" if measure.info else "n/a",
    ]


def render(measures: Sequence[Measure], zeep_absent: str, markdown: bool) -> str:
    rows = [list(COLUMNS), *(_cells(m, zeep_absent) for m in measures)]
    if markdown:
        lines = ["| " + " | ".join(cells) + " |" for cells in rows]
        lines.insert(1, "| " + " | ".join("---" for _ in COLUMNS) + " |")
        return "\n".join(lines)
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


#: The targets: which comparisons of which measures have one.
TARGETS: Mapping[str, tuple[str, ...]] = {
    "build_envelope": ("zeep", "baseline"),
    "parse_small": ("zeep",),
    "parse_large": ("zeep", "baseline"),
    "loopback": ("zeep", "baseline"),
    "import": ("baseline",),
    "parse_memory": ("baseline",),
    "bulk_async": ("baseline",),
}


def _targets(measures: Sequence[Measure]) -> tuple[int, int, list[str]]:
    """(met, measured, the targets that could not be measured)."""
    met = measured = 0
    unmeasured: list[str] = []
    for measure in measures:
        for side in TARGETS.get(measure.key, ()):
            comparison = measure.vs_zeep if side == "zeep" else measure.vs_baseline
            if comparison is None or comparison.met is None:
                unmeasured.append(f"{measure.label} vs {side}")
            else:
                measured += 1
                met += comparison.met
    return met, measured, unmeasured


def _machine() -> dict[str, object]:
    try:
        load: Optional[list[float]] = [round(x, 2) for x in os.getloadavg()]
    except (AttributeError, OSError):
        load = None
    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "load_average": load,
    }


def _jsonable(measure: Measure) -> dict[str, object]:
    def comparison(value: Optional[Comparison]) -> Optional[dict[str, object]]:
        if value is None:
            return None
        return {"value": value.value, "text": value.text, "target": value.target, "met": value.met}

    return {
        "label": measure.label,
        "unit": measure.unit,
        "ours": measure.ours,
        "zeep": measure.zeep,
        "zeep_applies": measure.zeep_applies,
        "baseline": measure.baseline,
        "baseline_label": measure.baseline_label,
        "vs_zeep": comparison(measure.vs_zeep),
        "vs_baseline": comparison(measure.vs_baseline),
        "info": measure.info,
        "raw": measure.raw,
    }


def run(settings: Settings) -> tuple[list[Measure], str, Optional[Zeep]]:
    zeep, zeep_absent = load_zeep()
    small, medium, large = settings.parse_sizes
    measures = [measure_build(settings, zeep, zeep_absent)]
    for key, items in (("parse_small", small), ("parse_medium", medium), ("parse_large", large)):
        measures.append(measure_parse(settings, zeep, zeep_absent, key, items))
    measures.append(measure_loopback(settings, zeep, zeep_absent))
    measures.append(measure_import(settings, zeep, zeep_absent))
    measures.extend(measure_memory(settings))
    measures.extend(measure_bulk(settings))
    return measures, zeep_absent, zeep


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, few repetitions")
    parser.add_argument("--json", metavar="PATH", help="write the raw numbers to PATH")
    parser.add_argument("--markdown", action="store_true", help="print Markdown tables")
    parser.add_argument(
        "--reading",
        action="store_true",
        help="only the reading table (the library vs the table walk vs XPath)",
    )
    parser.add_argument(
        "--peers", action="store_true", help="only the peers table and the start-up table"
    )
    parser.add_argument(
        "--generate", action="store_true", help="only the generator's table (generate, import)"
    )
    parser.add_argument("--memory-child", nargs=2, metavar=("KIND", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.memory_child:
        memory_child(*args.memory_child)
        return 0

    settings = QUICK if args.quick else FULL
    machine = _machine()
    started = time.perf_counter()
    measures: list[Measure] = []
    zeep_absent = ""
    zeep: Optional[Zeep] = None
    only = args.reading or args.generate or args.peers
    peer_rows: list[peers.Row] = []
    peers_absent: dict[str, str] = {}
    started_up: Optional[startup.StartUp] = None
    if not args.reading and not args.generate:
        peer_rows, peers_absent = peers.run_peers(
            settings, credentials_response, response_headers(_ANSWER_HEADERS)
        )
        started_up = startup.measure_startup(settings)
    if not only:
        measures, zeep_absent, zeep = run(settings)
    readings = [] if args.peers or args.generate else measure_reading(settings)
    generator = None if args.reading or args.peers else measure_generator(settings)
    elapsed = time.perf_counter() - started
    met, measured, unmeasured = _targets(measures)

    load = machine["load_average"]
    print(
        f"superoffice-soap benchmarks{' (quick)' if settings.quick else ''}: "
        f"Python {machine['python']} on {machine['platform']}, {machine['cpus']} CPUs"
        + (f", load average {load[0]} at start" if isinstance(load, list) else "")
        + ("" if only else f", zeep {zeep.version}" if zeep else f", zeep {zeep_absent}")
    )
    if peer_rows and started_up is not None:
        print()
        print(
            "Every peer on the same bytes (medians; a call = build the request, the same httpx "
            "MockTransport post, read the answer into objects; the floor = an httpx post of "
            "pre-built bytes + etree.fromstring, or etree.fromstring alone):"
        )
        print()
        print(peers.render_peers(peer_rows, args.markdown))
        for name, reason in peers_absent.items():
            print(f"{name}: {reason}")
        peers_met, peers_measured = peers.peers_targets(peer_rows)
        print(f"peers targets met: {peers_met} of {peers_measured}")
        print()
        print(startup.render_startup(started_up, args.markdown))
    if not only:
        print()
        print(
            "Medians; times per call unless noted. Loopback numbers include the stand-in's own "
            "server time (it runs in a process of its own)."
        )
        print()
        print(render(measures, zeep_absent, args.markdown))
        print()
        print(
            "(*) tracemalloc sees Python's allocations only, not libxml2's: the tree reads ~0 "
            "there. The peak-RSS row (a fresh interpreter's VmHWM around one parse) holds the "
            "target."
        )
        print(
            "Bulk rows: the target row's stand-in runs in its own process and pauses before each "
            "answer, as a network and a real NetServer do. The info rows' stand-in answers at "
            "once from this process (sharing its GIL): there is no waiting to overlap."
        )
        summary = f"targets met: {met} of {measured}"
        if unmeasured:
            summary += f" ({len(unmeasured)} not measured: {'; '.join(unmeasured)})"
        print(summary)
    if readings:
        print()
        print(
            "How answers are read (GetUntrustedCredentialsForAssociate answers; median per "
            "answer, in parentheses times etree.fromstring alone):"
        )
        print()
        print(render_reading(readings, args.markdown))
    if generator is not None:
        print()
        print(
            "The generator (superoffice_soap.generate, in this process; the import in fresh "
            "interpreters with bytecode caches):"
        )
        print()
        print(render_generator(generator, args.markdown))
    print(f"run took {elapsed:.0f} s")

    if args.json:
        report = {
            "quick": settings.quick,
            "settings": asdict(settings),
            "machine": machine,
            "zeep": zeep.version if zeep is not None else zeep_absent,
            "duration_s": elapsed,
            "measures": {measure.key: _jsonable(measure) for measure in measures},
            "targets": {"met": met, "measured": measured, "not_measured": unmeasured},
            "reading": _reading_json(readings),
            "generate": None if generator is None else _generator_json(generator),
        }
        if peer_rows and started_up is not None:
            report["peers"] = peers.peers_json(peer_rows, peers_absent)
            report["startup"] = startup.startup_json(started_up)
        Path(args.json).write_text(json.dumps(report, indent=2, default=str) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
