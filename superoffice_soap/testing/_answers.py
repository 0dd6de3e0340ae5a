"""What the stand-in answers the operations of the WSDLs it serves, and what they received.

``Catalog`` holds, for one stand-in, the served descriptions (one per service: a later WSDL of a
service replaces the earlier one, and its document is kept for ``?wsdl``), the answer set for
each operation and the arguments of every call accepted; ``Catalog.reply`` picks what one call
is answered. An ``Answer`` is a value (written by ``_described.write_answer``), a function of the
call's arguments returning one, or a NetServer error.
"""

from __future__ import annotations

import threading
from typing import Callable, Optional

import attrs
from lxml import etree

from .._wsdl import Wsdl
from ._described import DescribedOperation, Description, shown_type, write_answer
from ._wire import NetServerFailure

__all__ = ["Answer", "Catalog", "Fill", "netserver_failure"]

#: Fills the answer wrapper of a reply.
Fill = Callable[[etree._Element], None]


def netserver_failure(
    exception_type: str, message: str, source: str = "SuperOffice.NetServer"
) -> NetServerFailure:
    """A NetServer error, as the ExceptionInfo header reports it."""
    return NetServerFailure(
        message=message, exception_type=exception_type, source=source, friendly_text=message
    )


@attrs.frozen
class Answer:
    """What a described operation answers: ``value`` (written by ``write_answer``), the value
    ``respond`` returns for the call's arguments, or ``failure`` (a NetServer error:
    Succeeded=false and the ExceptionInfo header)."""

    value: object = None
    failure: Optional[NetServerFailure] = None
    respond: Optional[Callable[[dict[str, object]], object]] = None


class Catalog:
    """The WSDLs a stand-in serves (one per service: a later one replaces it), the answers set
    for their operations and the arguments of the calls received. Guarded by a lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._services: dict[str, Description] = {}
        self._documents: dict[str, bytes] = {}
        self._answers: dict[tuple[str, str], Answer] = {}
        self._received: dict[tuple[str, str], list[dict[str, object]]] = {}

    def add(self, wsdl: Wsdl, document: bytes) -> Description:
        """Serve the operations of ``wsdl`` (at ``/<Service>.svc``), read from ``document``."""
        description = Description(wsdl)
        with self._lock:
            self._services[description.service.lower()] = description
            self._documents[description.service.lower()] = document
        return description

    def document(self, path_name: str) -> Optional[bytes]:
        """The WSDL served for a ``<name>.svc`` path (case-insensitively), if any."""
        with self._lock:
            return self._documents.get(path_name.lower())

    def service_name(self, path_name: str) -> Optional[str]:
        """The served service a ``<name>.svc`` path names (case-insensitively), if any."""
        with self._lock:
            found = self._services.get(path_name.lower())
        return None if found is None else found.service

    def find(self, service: str, action: str, ns: str) -> Optional[DescribedOperation]:
        """The served operation of ``service`` whose SOAP action is ``action`` in namespace
        ``ns`` (the stand-in's Services version), or None."""
        with self._lock:
            description = self._services.get(service.lower())
        prefix = f"{ns}/{service}/"
        if description is None or not action.startswith(prefix):
            return None
        return description.operations.get(action[len(prefix) :])

    def operation(self, operation: object) -> DescribedOperation:
        """A served operation named by a declaration (its ``service.name`` and ``name``), by
        ``"Service.Operation"`` or by its wire name alone; ValueError when none or several."""
        service, name = _names_of(operation)
        with self._lock:
            descriptions = list(self._services.values())
        found = [
            d.operations[name]
            for d in descriptions
            if name in d.operations and (service is None or d.service.lower() == service.lower())
        ]
        if len(found) == 1:
            return found[0]
        shown = f"{service}.{name}" if service else name
        if not found:
            served = ", ".join(sorted(d.service for d in descriptions)) or "none yet"
            raise ValueError(
                f"no served WSDL has the operation {shown} (services served: {served}); "
                "give its service's WSDL to serve_wsdl() first"
            )
        raise ValueError(f"several served services have {name}: name it as Service.{name}")

    def set_answer(self, operation: DescribedOperation, answer: Answer) -> None:
        """Answer every later call of ``operation`` with ``answer``."""
        with self._lock:
            self._answers[(operation.service, operation.name)] = answer

    def reply(
        self, operation: DescribedOperation, arguments: dict[str, object], ns: str
    ) -> tuple[Optional[Fill], Optional[NetServerFailure]]:
        """Keep the arguments of one accepted call and say what it is answered: how to fill the
        answer wrapper, or a NetServer error (the answer set, NotImplementedException when none
        is, or the exception an answer function raised, by its class name)."""
        key = (operation.service, operation.name)
        with self._lock:
            self._received.setdefault(key, []).append(arguments)
            answer = self._answers.get(key)
        if answer is None:
            return None, netserver_failure(
                "NotImplementedException",
                f"The stand-in has no answer for {operation.service}.{operation.name}: set one "
                "with FakeNetServer.answer().",
                source="FakeNetServer",
            )
        if answer.failure is not None:
            return None, answer.failure
        value = answer.value
        if answer.respond is not None:
            try:
                value = answer.respond(dict(arguments))
                write_answer(operation, etree.Element(f"{{{ns}}}Check"), value, ns)
            except Exception as exc:  # the test's function: its error is the answer
                return None, netserver_failure(type(exc).__name__, str(exc), source="FakeNetServer")

        def fill(wrapper: etree._Element) -> None:
            write_answer(operation, wrapper, value, ns)

        return fill, None

    def received(self, operation: DescribedOperation) -> list[dict[str, object]]:
        """The arguments of every accepted call of ``operation``, in order."""
        with self._lock:
            return list(self._received.get((operation.service, operation.name), ()))


def _names_of(operation: object) -> tuple[Optional[str], str]:
    if isinstance(operation, str):
        prefix, _, wire_name = operation.rpartition(".")
        return prefix or None, wire_name
    service = getattr(getattr(operation, "service", None), "name", None)
    name = getattr(operation, "name", None)
    if not isinstance(service, str) or not isinstance(name, str):
        raise TypeError(
            "name an operation by its declaration (GET_USER_INFO), its wire name "
            f'("GetUserInfo") or "Service.Operation", not {shown_type(operation)}'
        )
    return service, name
