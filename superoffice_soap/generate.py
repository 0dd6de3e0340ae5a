"""Generate typed declarations of any NetServer operation from its service's WSDL, ahead of time.

>>> from superoffice_soap.generate import generate
>>> source = generate("Person.wsdl", ["GetPersonEntity"])      # or a …/Person.svc?wsdl URL
>>> open("person_ops.py", "w").write(source)

The module it writes imports only the library's public API and is checked in like any other
code: nothing reads a WSDL at run time. ``superoffice-soap generate`` is the same from the shell;
``describe`` lists a WSDL's operations. A file that is not a WSDL, an unknown operation or a type
the library cannot read is a ``GenerationError`` that says which; a URL that cannot be fetched is
the library's usual ``TransportError`` or ``HTTPStatusError``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from typing import Optional, Union

import attrs
import httpx

from ._body import ACCEPT_ENCODING, BodyReader
from ._codegen import READ_ONLY_PREFIXES, Options, constant_name, is_read_only, render_module
from ._codegen import GenerationError as _CodegenError
from ._wsdl import Wsdl, WsdlError, read_wsdl
from .errors import HTTPStatusError, SuperOfficeSoapError, TransportError
from .protocol import DEFAULT_MAX_RESPONSE_BYTES, USER_AGENT

__all__ = [
    "READ_ONLY_PREFIXES",
    "GenerationError",
    "OperationSummary",
    "describe",
    "generate",
    "load_wsdl",
]

#: What a WSDL fetched over HTTP may weigh (the largest published one is under 1 MB).
MAX_WSDL_BYTES = 4 * DEFAULT_MAX_RESPONSE_BYTES
_URL = re.compile(r"https?://", re.IGNORECASE)


class GenerationError(SuperOfficeSoapError, ValueError):
    """A source that is not a WSDL, an operation it does not have, or a type this library cannot
    read or write (the message names the type and the operation)."""


def generate(
    source: Union[str, os.PathLike[str]],
    operations: Iterable[str] = (),
    *,
    safe: Iterable[str] = (),
    unsafe: Iterable[str] = (),
    timeout: float = 30.0,
    transport: Optional[httpx.BaseTransport] = None,
) -> str:
    """The text of a Python module declaring ``operations`` of the WSDL at ``source`` (every
    operation when none is named) and every type they reach, nothing more.

    ``source`` is a WSDL file or a NetServer URL (``…/Person.svc?wsdl`` or ``?singleWsdl``).
    An operation whose name does not say it only reads (``Get…``, ``Find…``, ``Is…``, …; see
    ``READ_ONLY_PREFIXES``) is never resent after its request may have arrived: name it in
    ``safe`` to allow that, or name a read in ``unsafe`` to forbid it. The same arguments give
    the same text, byte for byte, in whatever order the names are given (the module follows
    the WSDL's order).
    """
    given = (_names("operations", operations), _names("safe", safe), _names("unsafe", unsafe))
    wsdl = load_wsdl(source, timeout=timeout, transport=transport)
    # The WSDL's order, whatever the order asked in: the same set of names, the same module.
    order = {name: position for position, name in enumerate(wsdl.operations)}
    names, safe_names, unsafe_names = (
        tuple(sorted(dict.fromkeys(found), key=lambda name: order.get(name, len(order))))
        for found in given
    )
    command = ["superoffice-soap", "generate", _shown(source)]
    command += [f"--operation {name}" for name in names]
    command += [f"--safe {name}" for name in safe_names]
    command += [f"--unsafe {name}" for name in unsafe_names]
    options = Options(
        operations=names,
        safe=safe_names,
        unsafe=unsafe_names,
        source=_shown(source),
        command=" ".join(command),
    )
    try:
        return render_module(wsdl, options)
    except _CodegenError as exc:
        raise GenerationError(str(exc)) from None


@attrs.frozen
class OperationSummary:
    """One operation as ``describe`` shows it: its name, its constant in a generated module, its
    parameters (wire name, type name) and answer type, whether it is repeated when in doubt, and
    its documentation."""

    name: str
    constant: str
    parameters: tuple[tuple[str, str], ...]
    answer: str
    retry_safe: bool
    doc: Optional[str]


def describe(
    source: Union[str, os.PathLike[str]],
    *,
    timeout: float = 30.0,
    transport: Optional[httpx.BaseTransport] = None,
) -> tuple[str, list[OperationSummary]]:
    """The service's name and a summary of each of its operations, in the WSDL's order."""
    wsdl = load_wsdl(source, timeout=timeout, transport=transport)
    return wsdl.service, [_summary(wsdl, name) for name in wsdl.operations]


def load_wsdl(
    source: Union[str, os.PathLike[str]],
    *,
    timeout: float = 30.0,
    transport: Optional[httpx.BaseTransport] = None,
) -> Wsdl:
    """Read a WSDL from a file or a URL, with the documents it imports (WCF's ``?wsdl`` answer
    imports ``?wsdl=wsdl0`` and ``?xsd=xsd0``…; ``?singleWsdl`` holds everything). A
    GenerationError when it is not a WSDL; TransportError or HTTPStatusError when a URL cannot
    be fetched."""
    location = os.fspath(source)
    auth: Optional[httpx.BasicAuth] = None
    if _URL.match(location):
        url = httpx.URL(location)
        if url.userinfo:  # sent as a header; no address below carries the password
            auth = httpx.BasicAuth(url.username, url.password)
            location = str(url.copy_with(userinfo=b""))
    with _Reader(timeout, transport, auth) as reader:
        content, address = reader.read(location, "")
        try:
            return read_wsdl(content, address, fetch=reader.read)
        except WsdlError as exc:
            raise GenerationError(str(exc)) from None


class _Reader:
    """Reads documents from files and URLs (one HTTP client for all), a relative location
    resolved against the document that names it."""

    def __init__(
        self,
        timeout: float,
        transport: Optional[httpx.BaseTransport],
        auth: Optional[httpx.BasicAuth] = None,
    ) -> None:
        self._timeout = timeout
        self._transport = transport
        self._auth = auth
        self._client: Optional[httpx.Client] = None

    def __enter__(self) -> _Reader:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._client is not None:
            self._client.close()

    def read(self, location: str, base: str) -> tuple[bytes, str]:
        if _URL.match(location) or (_URL.match(base) and not os.path.isabs(location)):
            address = str(httpx.URL(base).join(location)) if base else location
            return self._fetch(address), address
        path = os.path.join(os.path.dirname(base), location) if base else location
        try:
            with open(path, "rb") as file:
                return file.read(), path
        except OSError as exc:
            raise GenerationError(f"cannot read {path}: {exc.strerror or exc}") from None

    def _fetch(self, url: str) -> bytes:
        if self._client is None:
            self._client = httpx.Client(
                timeout=self._timeout,
                transport=self._transport,
                follow_redirects=False,
                headers={"User-Agent": USER_AGENT, "Accept-Encoding": ACCEPT_ENCODING},
                auth=self._auth,
            )
        return _fetch(self._client, url)


# ------------------------------------------------------------------------------------------------


def _names(argument: str, names: Iterable[str]) -> tuple[str, ...]:
    if isinstance(names, str):
        names = [names]
    found = tuple(names)
    for name in found:
        if not isinstance(name, str) or not name:
            raise GenerationError(f"{argument} must be operation names, got {name!r}")
    return found


def _shown(source: Union[str, os.PathLike[str]]) -> str:
    """The source as messages show it: a URL without its password or query secrets."""
    text = os.fspath(source)
    if not _URL.match(text):
        return text
    url = httpx.URL(text)
    if url.password:
        url = url.copy_with(userinfo=f"{url.username}:***".encode())
    return str(url)


def _fetch(client: httpx.Client, url: str) -> bytes:
    shown = _shown(url)
    try:
        with client.stream("GET", url) as response:
            if response.status_code != 200:
                raise HTTPStatusError(
                    f"HTTP {response.status_code} fetching the WSDL at {shown}"
                    + _status_hint(response.status_code),
                    status_code=response.status_code,
                    content_type=response.headers.get("content-type"),
                    excerpt="",
                )
            if response.is_stream_consumed:  # a transport that read it (MockTransport)
                reader = BodyReader(MAX_WSDL_BYTES, None, response.status_code)
                reader.feed(response.content)
                return reader.finish()
            reader = BodyReader(
                MAX_WSDL_BYTES, response.headers.get("content-encoding"), response.status_code
            )
            for chunk in response.iter_raw():
                reader.feed(chunk)
            return reader.finish()
    except httpx.HTTPError as exc:
        if isinstance(exc, httpx.TimeoutException):
            kind = "timeout"
        elif isinstance(exc, httpx.ConnectError):
            kind = "connect"
        else:
            kind = "read"
        raise TransportError(
            f"{kind} error fetching the WSDL at {shown}: {_detail(exc)}", kind=kind, url=shown
        ) from exc


def _detail(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__


def _status_hint(status: int) -> str:
    if status in (301, 302, 303, 307, 308):
        return " (a redirect: pass the URL it points to)"
    if status == 404:
        return " (check the tenant, the Services version and the service name)"
    return ""


def _summary(wsdl: Wsdl, name: str) -> OperationSummary:
    op = wsdl.operations[name]
    request = wsdl.elements.get(op.request)
    response = wsdl.elements.get(op.response)
    parameters = tuple(
        (element.name, _type_name(element.type))
        for element in (request.inline.elements if request and request.inline else ())
    )
    children = response.inline.elements if response and response.inline else ()
    if not children:
        answer = "nothing"
    elif len(children) == 1:
        answer = _type_name(children[0].type)
    else:
        answer = ", ".join(f"{c.name}: {_type_name(c.type)}" for c in children)
    return OperationSummary(
        name, constant_name(name), parameters, answer, is_read_only(name), op.doc
    )


def _type_name(qname: Optional[tuple[str, str]]) -> str:
    return "?" if qname is None else qname[1]
