"""What an operation is: ``Service``, ``Param`` and ``Operation``, declared as plain data.

An ``Operation`` names its service and itself, lists the body parameters in wire order with their
types (``types``), gives the type of its answer by reference, and says whether the call is safe
to repeat. The envelope writer, the answer reader and the session read these declarations;
nothing else knows an operation's elements. The operations themselves are generated from the
WSDL (the library's own in ``_builtin_user`` and ``_builtin_principal``, a user's with
``superoffice-soap generate``), or declared by hand the same way.

Services versions (Services84 … Services88) share the declarations and differ in the namespace,
the action URIs and the URL path only. This module imports no declaration of its own.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Callable, Generic, Literal, Optional, TypeVar

import attrs

from ._namespaces import CRYPTOGRAPHY, MS_ARRAYS, MS_SERIALIZATION
from .errors import InvalidRequestError, NetServerError
from .types import ArrayOf, Scalar, Struct, TypeRef, ValueType, resolve

__all__ = [
    "DEFAULT_SERVICES",
    "SERVICES_VERSIONS",
    "SO_PRINCIPAL",
    "USER",
    "Operation",
    "P",
    "Param",
    "Service",
    "SoapVersion",
    "check_services",
    "namespace",
    "refused_unless_authenticated",
    "secret_arguments",
    "services_number",
]

SoapVersion = Literal["1.1", "1.2"]
T = TypeVar("T", covariant=True)
if TYPE_CHECKING or sys.version_info >= (3, 10):
    from typing import ParamSpec

    #: An operation's keyword arguments, as its ``signature`` declares them.
    P = ParamSpec("P")
else:  # pragma: no cover - Python 3.9 has no ParamSpec; a TypeVar serves at run time
    P = TypeVar("P")

#: The Services versions this library knows; each has its own namespace, actions and path.
SERVICES_VERSIONS = ("Services84", "Services85", "Services86", "Services87", "Services88")
DEFAULT_SERVICES = "Services86"
_SERVICES_RE = re.compile(r"Services(\d\d)\Z")


def check_services(services: object) -> str:
    """A known Services version name, else InvalidRequestError."""
    if not isinstance(services, str) or services not in SERVICES_VERSIONS:
        raise InvalidRequestError(
            "services", f"must be one of {', '.join(SERVICES_VERSIONS)}, got {services!r}"
        )
    return services


def namespace(services: str) -> str:
    """The target namespace of a Services version."""
    return f"http://www.superoffice.net/ws/crm/NetServer/{services}"


def services_number(services: str) -> int:
    """86 for "Services86"."""
    match = _SERVICES_RE.match(services)
    assert match is not None, services
    return int(match[1])


#: The extra namespaces SuperOffice's documented envelopes declare, by prefix suffix.
_DOC_NAMESPACES = (("2", MS_ARRAYS), ("1", MS_SERIALIZATION))


@attrs.frozen
class Service:
    """A NetServer endpoint, ``<base>/<name>.svc`` (``User``, ``Contact``, ``Associate``, …).

    ``sends_ticket`` says whether its requests carry the Credentials and TimeZone headers (every
    service does but SoPrincipal, which sends only ApplicationToken). ``doc_namespaces`` are the
    extra namespaces SuperOffice's documented SOAP 1.2 envelopes declare, by prefix suffix:
    ``("2", MS_ARRAYS)`` becomes ``xmlns:NetServerServices862`` on Services86.
    """

    name: str
    sends_ticket: bool = True
    doc_namespaces: tuple[tuple[str, str], ...] = _DOC_NAMESPACES

    @property
    def path(self) -> str:
        """The endpoint's last path segment, ``User.svc``."""
        return f"{self.name}.svc"

    def doc_nsmap(self, services: str) -> dict[str, str]:
        """The documentation's extra prefix declarations for a Services version."""
        number = services_number(services)
        return {f"NetServer{services[:-2]}{number}{s}": uri for s, uri in self.doc_namespaces}


USER = Service("User")
SO_PRINCIPAL = Service(
    "SoPrincipal", False, (("2", CRYPTOGRAPHY), ("3", MS_ARRAYS), ("1", MS_SERIALIZATION))
)


# ------------------------------------------------------------------------------------------------
# Operations


@attrs.frozen(eq=False, repr=False)
class Param:
    """One body parameter: Python argument ``name``, wire ``element`` name, its ``type``.

    An ``optional`` parameter's None leaves the element out; a required one's None is an error.
    """

    name: str
    element: str
    type: ValueType
    optional: bool = False


@attrs.frozen(eq=False)
class Operation(Generic[P, T]):
    """One SOAP operation of a NetServer service, declared once, as data.

    ``Operation[P, T]``: ``P`` is its keyword arguments and ``T`` its answer's type, so that
    ``agent.call(operation, **arguments)`` is type-checked. A ``signature`` (a function that is
    never called, with the keyword-only parameters and return type of the call, and the
    operation's documentation as its docstring) gives both to a type checker; an operation
    declared without one is annotated ``Operation[..., T]`` and takes any keywords.

    ``params`` are the body parameters in wire order. ``result`` is the type of the answer's
    ``result_element`` (``Response`` in most operations) inside the ``<Name>Response`` wrapper
    (``response_element``); None means the answer carries nothing. An absent or nil result is an
    empty list for an ``ArrayOf`` and None for ``RAW``; for any other type it is an error. With
    ``unwrapped`` the result type describes the wrapper itself (``AuthenticateResponse``).
    With ``result_nillable`` (as the WSDL declares every struct answer) an absent or nil result
    is None instead.

    ``retry_safe`` says whether repeating the call cannot change the server's state (reads):
    only those are repeated after a request may have reached the server. ``error_class`` is
    raised for a NetServer error (``Succeeded`` false / ``ExceptionInfo``), and for a result that
    ``refused`` describes as a refusal (AuthenticationSucceeded false). ``min_services`` is the
    first Services version that has the operation.
    """

    service: Service
    name: str
    params: tuple[Param, ...]
    result: Optional[TypeRef]
    retry_safe: bool
    result_element: str = "Response"
    response_element: Optional[str] = None
    unwrapped: bool = False
    error_class: type[NetServerError] = NetServerError
    refused: Optional[Callable[[Any], Optional[str]]] = None
    min_services: int = 84
    result_nillable: bool = False
    signature: Optional[Callable[P, T]] = None

    def __repr__(self) -> str:
        return f"Operation({self.service.name}.{self.name})"

    def action(self, services: str = DEFAULT_SERVICES) -> str:
        """The SOAP action URI in a Services version."""
        return f"{namespace(services)}/{self.service.name}/{self.name}"

    def request_qname(self, ns: str) -> str:
        """The body wrapper element of the request."""
        return f"{{{ns}}}{self.name}"

    def response_qname(self, ns: str) -> str:
        """The body wrapper element of the answer."""
        return f"{{{ns}}}{self.response_element or self.name + 'Response'}"


def secret_arguments(
    operation: Operation[..., Any], arguments: Mapping[str, object]
) -> tuple[str, ...]:
    """The secrets among a call's arguments (a password, an access token, a SecretValue), so
    that text the server sends back can be scrubbed of them."""
    found: list[str] = []
    for param in operation.params:
        _collect_secrets(param.type, arguments.get(param.name), found)
    return tuple(found)


def _collect_secrets(declaration: TypeRef, value: object, found: list[str]) -> None:
    if value is None:
        return
    kind = resolve(declaration)
    if isinstance(kind, Scalar):
        if kind.secret and isinstance(value, str) and value:
            found.append(value)
    elif isinstance(kind, Struct):
        for field in kind.fields:
            if not field.read_only and field.attr is not None:
                _collect_secrets(field.type, getattr(value, field.attr, None), found)
    elif isinstance(kind, ArrayOf) and isinstance(value, (list, tuple)):
        for item in value:
            _collect_secrets(kind.type, item, found)


def refused_unless_authenticated(authentication: Any) -> Optional[str]:
    """SoPrincipal's refusal rule: an Authenticate* answer is a refusal unless it says
    AuthenticationSucceeded (raised as the operation's AuthenticationError)."""
    if getattr(authentication, "succeeded", False):
        return None
    return "NetServer answered AuthenticationSucceeded=false"
