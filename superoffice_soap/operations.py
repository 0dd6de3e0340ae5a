"""The operation table: every SOAP operation this library speaks, declared once, as data.

A declaration names the service and the operation, lists the body parameters in wire order with
their XSD value types, names the decoder of the answer (an attribute of ``decoders.Schema``), and
says whether the call is safe to repeat. The envelope builder, the session, the parser, the
stand-in's dispatch and the command line all read these declarations; adding an operation is a
declaration plus tests.

Services versions (Services84 … Services88) share the declarations and differ in the namespace,
the action URIs and the URL path only.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Callable, Generic, Literal, NamedTuple, Optional, TypeVar

from lxml import etree

from ._namespaces import MS_ARRAYS, MS_SERIALIZATION, XSI_TYPE
from .errors import AuthenticationError, InvalidRequestError, NetServerError
from .models import (
    CredentialType,
    UntrustedCredentials,
    UserType,
)
from .xsd import INT32_MAX, INT32_MIN, first_illegal_xml_char, format_bool, format_datetime

if TYPE_CHECKING:
    from .principal import Authentication, SystemInfo

__all__ = [
    "AUTHENTICATE_USERNAME_PASSWORD",
    "AUTHENTICATE_WITH_ACCESS_TOKEN",
    "CREATE_DEFAULT_UNTRUSTED_CREDENTIALS",
    "DEFAULT_SERVICES",
    "GET_CREDENTIAL_TYPES",
    "GET_CREDENTIAL_TYPES_FOR_USER_TYPE",
    "GET_SYSTEM_INFO",
    "GET_UNTRUSTED_CREDENTIALS",
    "GET_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE",
    "OPERATIONS",
    "REMOVE_UNTRUSTED_CREDENTIALS",
    "REMOVE_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE",
    "SAVE_UNTRUSTED_CREDENTIALS",
    "SAVE_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE",
    "SERVICES_VERSIONS",
    "SO_PRINCIPAL",
    "USER",
    "Operation",
    "Param",
    "Service",
    "SoapVersion",
    "check_services",
    "namespace",
    "secret_arguments",
]

SoapVersion = Literal["1.1", "1.2"]
T = TypeVar("T", covariant=True)

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


class Service(NamedTuple):
    """A NetServer endpoint, ``<base>/<name>.svc``.

    ``sends_ticket`` says whether its requests carry the Credentials and TimeZone headers (User
    does; SoPrincipal sends only ApplicationToken). ``doc_namespaces`` are the extra namespaces
    SuperOffice's documented envelopes declare, by prefix suffix: ``("2", MS_ARRAYS)`` becomes
    ``xmlns:NetServerServices862`` on Services86.
    """

    name: str
    sends_ticket: bool
    doc_namespaces: tuple[tuple[str, str], ...] = ()

    @property
    def path(self) -> str:
        """The endpoint's last path segment, ``User.svc``."""
        return f"{self.name}.svc"

    def doc_nsmap(self, services: str) -> dict[str, str]:
        """The documentation's extra prefix declarations for a Services version."""
        number = services_number(services)
        return {f"NetServer{services[:-2]}{number}{s}": uri for s, uri in self.doc_namespaces}


CRYPTOGRAPHY = "http://schemas.datacontract.org/2004/07/System.Security.Cryptography"
USER = Service("User", True, (("2", MS_ARRAYS), ("1", MS_SERIALIZATION)))
SO_PRINCIPAL = Service(
    "SoPrincipal", False, (("2", CRYPTOGRAPHY), ("3", MS_ARRAYS), ("1", MS_SERIALIZATION))
)


# ------------------------------------------------------------------------------------------------
# Value checks shared by the envelope builder


def check_string(argument: str, value: object, *, secret: bool = False) -> str:
    """A str whose every character XML 1.0 can carry; else InvalidRequestError naming ``argument``.

    For a secret the message gives the position and code point of the bad character, never the text.
    """
    if not isinstance(value, str):
        raise InvalidRequestError(argument, f"must be a str, got {type(value).__name__}")
    index = first_illegal_xml_char(value)
    if index is not None:
        what = "the value" if secret else repr(value)
        raise InvalidRequestError(
            argument,
            f"character U+{ord(value[index]):04X} at index {index} of {what} "
            "cannot be carried by XML 1.0",
        )
    return value


def to_xml_int(argument: str, value: object) -> str:
    """An int (not a bool) within Int32, as xs:int text; else InvalidRequestError."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidRequestError(argument, f"must be an int, got {type(value).__name__}")
    if not INT32_MIN <= value <= INT32_MAX:
        raise InvalidRequestError(
            argument, f"{value} is outside the Int32 range {INT32_MIN}..{INT32_MAX}"
        )
    return str(value)


def to_xml_bool(argument: str, value: object) -> str:
    """A bool as xs:boolean text; else InvalidRequestError."""
    if not isinstance(value, bool):
        raise InvalidRequestError(argument, f"must be a bool, got {type(value).__name__}")
    return format_bool(value)


_MAX_OFFSET = timedelta(hours=14)


def to_xml_datetime(argument: str, value: object) -> str:
    """A naive or aware datetime as xs:dateTime; an offset must be whole minutes within ±14:00,
    as XML Schema demands (anything else would be refused, or silently moved)."""
    if not isinstance(value, datetime):
        raise InvalidRequestError(argument, f"must be a datetime, got {type(value).__name__}")
    offset = value.utcoffset()
    if offset is not None:
        if offset % timedelta(minutes=1):
            raise InvalidRequestError(argument, f"UTC offset {offset} is not a whole minute")
        if abs(offset) > _MAX_OFFSET:
            raise InvalidRequestError(argument, f"UTC offset {offset} is beyond ±14:00")
    return format_datetime(value)


# ------------------------------------------------------------------------------------------------
# Value types: how a parameter is checked and written


class WriteContext(NamedTuple):
    """Where a value is written: the services namespace and, for SOAP 1.2, the prefix that
    ``xsi:type`` annotations use for NetServer types (None: no annotations)."""

    ns: str
    annotate: Optional[str]


class ScalarType(NamedTuple):
    """A simple XSD type: its ``xsi:type`` and the check that turns a value into text."""

    xsi_type: str
    check: Callable[[str, object], str]
    secret: bool = False

    def write(
        self, parent: etree._Element, qname: str, value: object, argument: str, ctx: WriteContext
    ) -> None:
        """Check ``value`` (InvalidRequestError naming ``argument``) and append it as ``qname``."""
        text = (
            check_string(argument, value, secret=True)
            if self.secret
            else self.check(argument, value)
        )
        element = etree.SubElement(parent, qname)
        element.text = text
        if ctx.annotate is not None:
            element.set(XSI_TYPE, self.xsi_type)


class EnumType(NamedTuple):
    """An xs:string enumeration, given as the Python enum member or its wire value."""

    enum_class: type[enum.Enum]

    def write(
        self, parent: etree._Element, qname: str, value: object, argument: str, ctx: WriteContext
    ) -> None:
        """Check ``value`` (InvalidRequestError naming ``argument``) and append it as ``qname``."""
        try:
            member = self.enum_class(value)
        except ValueError:
            allowed = ", ".join(str(m.value) for m in self.enum_class)
            raise InvalidRequestError(
                argument, f"must be a {self.enum_class.__name__} ({allowed}), got {value!r}"
            ) from None
        element = etree.SubElement(parent, qname)
        element.text = str(member.value)
        if ctx.annotate is not None:
            element.set(XSI_TYPE, f"{ctx.annotate}:{self.enum_class.__name__}")


#: The writable fields of UntrustedCredentials in schema order: (element, attribute, writer,
#: xsi:type). The Carrier fields TableRight and FieldProperties are read-only and never sent.
_CREDENTIALS_FIELDS = (
    ("ValidFrom", "valid_from", to_xml_datetime, "xsd:dateTime"),
    ("ValidTo", "valid_to", to_xml_datetime, "xsd:dateTime"),
    ("Comment", "comment", check_string, "xsd:string"),
    ("SecretValue", "secret_value", None, "xsd:string"),
    ("PublicValue", "public_value", check_string, "xsd:string"),
    ("IsActive", "is_active", to_xml_bool, "xsd:boolean"),
)


class CredentialsType:
    """An UntrustedCredentials value written as a body element; None fields are left out."""

    __slots__ = ()

    def write(
        self, parent: etree._Element, qname: str, value: object, argument: str, ctx: WriteContext
    ) -> None:
        """Check ``value`` (InvalidRequestError naming ``argument``) and append it as ``qname``."""
        if not isinstance(value, UntrustedCredentials):
            raise InvalidRequestError(
                argument, f"must be an UntrustedCredentials, got {type(value).__name__}"
            )
        texts: list[tuple[str, str, str]] = []
        for element, attr, check, xsi_type in _CREDENTIALS_FIELDS:
            field_value = getattr(value, attr)
            if field_value is None:
                continue
            name = f"{argument}.{attr}"
            if check is None:  # the secret: never quoted in an error
                text = check_string(name, field_value, secret=True)
            else:
                text = check(name, field_value)
            texts.append((element, text, xsi_type))
        wrapper = etree.SubElement(parent, qname)
        if ctx.annotate is not None:
            wrapper.set(XSI_TYPE, f"{ctx.annotate}:UntrustedCredentials")
        for element, text, xsi_type in texts:
            child = etree.SubElement(wrapper, f"{{{ctx.ns}}}{element}")
            child.text = text
            if ctx.annotate is not None:
                child.set(XSI_TYPE, xsi_type)


XS_INT = ScalarType("xsd:int", to_xml_int)
XS_STRING = ScalarType("xsd:string", check_string)
XS_SECRET_STRING = ScalarType("xsd:string", check_string, secret=True)
USER_TYPE = EnumType(UserType)
UNTRUSTED_CREDENTIALS = CredentialsType()

ValueType = Any  # ScalarType | EnumType | CredentialsType: each has write(parent, qname, …)


class Param(NamedTuple):
    """One body parameter: Python argument name, wire element name, value type."""

    name: str
    element: str
    value_type: ValueType
    #: An optional parameter's None leaves the element out; a required one's None is an error.
    optional: bool = False


class Operation(Generic[T]):
    """One SOAP operation of a service.

    ``result`` names the ``decoders.Schema`` attribute that decodes the answer's wrapper
    element. ``retry_safe`` says whether repeating the call cannot change the server's state.
    ``error_class`` is raised for a NetServer error (``Succeeded`` false / ``ExceptionInfo``).
    ``min_services`` is the first Services version that has the operation.
    """

    __slots__ = (
        "error_class",
        "min_services",
        "name",
        "params",
        "response_element",
        "result",
        "retry_safe",
        "service",
    )

    def __init__(
        self,
        service: Service,
        name: str,
        params: tuple[Param, ...],
        result: str,
        retry_safe: bool,
        response_element: Optional[str] = None,
        error_class: type[NetServerError] = NetServerError,
        min_services: int = 84,
    ) -> None:
        self.service = service
        self.name = name
        self.params = params
        self.result = result
        self.retry_safe = retry_safe
        self.response_element = response_element
        self.error_class = error_class
        self.min_services = min_services

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


def secret_arguments(operation: Operation[Any], arguments: Mapping[str, object]) -> tuple[str, ...]:
    """The secrets among a call's arguments (a password, an access token, a SecretValue), so
    that text the server sends back can be scrubbed of them."""
    found: list[str] = []
    for param in operation.params:
        value = arguments.get(param.name)
        if isinstance(param.value_type, ScalarType) and param.value_type.secret:
            if isinstance(value, str) and value:
                found.append(value)
        elif isinstance(value, UntrustedCredentials) and value.secret_value:
            found.append(value.secret_value)
    return tuple(found)


_ASSOCIATE = Param("associate_id", "AssociateId", XS_INT)
_TYPE = Param("credential_type", "Type", XS_STRING)
_PUBLIC_VALUE = Param("public_value", "PublicValue", XS_STRING)
_CREDENTIALS = Param("credentials", "Credentials", UNTRUSTED_CREDENTIALS)

GET_UNTRUSTED_CREDENTIALS: Operation[list[UntrustedCredentials]] = Operation(
    USER, "GetUntrustedCredentials", (_TYPE,), "untrusted_credentials_list", retry_safe=True
)
GET_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE: Operation[list[UntrustedCredentials]] = Operation(
    USER,
    "GetUntrustedCredentialsForAssociate",
    (_ASSOCIATE, _TYPE),
    "untrusted_credentials_list",
    retry_safe=True,
)
SAVE_UNTRUSTED_CREDENTIALS: Operation[None] = Operation(
    USER, "SaveUntrustedCredentials", (_TYPE, _CREDENTIALS), "nothing", retry_safe=False
)
SAVE_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE: Operation[None] = Operation(
    USER,
    "SaveUntrustedCredentialsForAssociate",
    (_ASSOCIATE, _TYPE, _CREDENTIALS),
    "nothing",
    retry_safe=False,
)
REMOVE_UNTRUSTED_CREDENTIALS: Operation[None] = Operation(
    USER, "RemoveUntrustedCredentials", (_TYPE, _PUBLIC_VALUE), "nothing", retry_safe=False
)
REMOVE_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE: Operation[None] = Operation(
    USER,
    "RemoveUntrustedCredentialsForAssociate",
    (_ASSOCIATE, _TYPE, _PUBLIC_VALUE),
    "nothing",
    retry_safe=False,
)
CREATE_DEFAULT_UNTRUSTED_CREDENTIALS: Operation[UntrustedCredentials] = Operation(
    USER, "CreateDefaultUntrustedCredentials", (), "one_untrusted_credentials", retry_safe=True
)
GET_CREDENTIAL_TYPES: Operation[list[CredentialType]] = Operation(
    USER, "GetCredentialTypes", (), "credential_type_list", retry_safe=True
)
GET_CREDENTIAL_TYPES_FOR_USER_TYPE: Operation[list[CredentialType]] = Operation(
    USER,
    "GetCredentialTypesForUserType",
    (Param("user_type", "UserType", USER_TYPE),),
    "credential_type_list",
    retry_safe=True,
)
AUTHENTICATE_USERNAME_PASSWORD: Operation[Authentication] = Operation(
    SO_PRINCIPAL,
    "AuthenticateUsernamePassword",
    (Param("username", "UserName", XS_STRING), Param("password", "Password", XS_SECRET_STRING)),
    "authentication",
    retry_safe=False,
    response_element="AuthenticateResponse",
    error_class=AuthenticationError,
)
AUTHENTICATE_WITH_ACCESS_TOKEN: Operation[Authentication] = Operation(
    SO_PRINCIPAL,
    "AuthenticateWithAccessToken",
    (Param("access_token", "AccessToken", XS_SECRET_STRING),),
    "authentication",
    retry_safe=False,
    response_element="AuthenticateResponse",
    error_class=AuthenticationError,
    min_services=86,
)
GET_SYSTEM_INFO: Operation[SystemInfo] = Operation(
    SO_PRINCIPAL, "GetSystemInfo", (), "system_info", retry_safe=True
)

#: Every declared operation by (service name, operation name).
OPERATIONS: dict[tuple[str, str], Operation[Any]] = {
    (op.service.name, op.name): op
    for op in (
        GET_UNTRUSTED_CREDENTIALS,
        GET_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE,
        SAVE_UNTRUSTED_CREDENTIALS,
        SAVE_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE,
        REMOVE_UNTRUSTED_CREDENTIALS,
        REMOVE_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE,
        CREATE_DEFAULT_UNTRUSTED_CREDENTIALS,
        GET_CREDENTIAL_TYPES,
        GET_CREDENTIAL_TYPES_FOR_USER_TYPE,
        AUTHENTICATE_USERNAME_PASSWORD,
        AUTHENTICATE_WITH_ACCESS_TOKEN,
        GET_SYSTEM_INFO,
    )
}
