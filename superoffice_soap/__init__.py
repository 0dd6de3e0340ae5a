"""superoffice-soap: a small, fast client for SuperOffice NetServer's SOAP web services.

>>> from superoffice_soap import UserAgent
>>> with UserAgent("https://host/Cust1/Remote/Services86", ticket="7T:…") as agent:
...     for cred in agent.get_untrusted_credentials_for_associate(5, "imap"):
...         print(cred.public_value)

The sans-IO core (``build_request`` / ``parse_response``) serves callers with their own HTTP stack.
"""

from typing import TYPE_CHECKING, Any

from ._version import __version__
from .client import AsyncSoPrincipal, AsyncUserAgent, BulkResult, SoPrincipal, UserAgent
from .errors import (
    AgentClosedError,
    AuthenticationError,
    HTTPStatusError,
    InvalidRequestError,
    NetServerError,
    ResponseParseError,
    ResponseTooLargeError,
    SoapFault,
    SuperOfficeSoapError,
    TransportError,
)
from .history import Exchange
from .models import (
    DOTNET_MIN_VALUE,
    NEVER_EXPIRES,
    CredentialControlType,
    CredentialType,
    FieldProperty,
    FieldRight,
    SoTimeZone,
    TableRight,
    UntrustedCredentials,
    UserType,
)
from .operations import (
    AUTHENTICATE_USERNAME_PASSWORD,
    AUTHENTICATE_WITH_ACCESS_TOKEN,
    CREATE_DEFAULT_UNTRUSTED_CREDENTIALS,
    GET_CREDENTIAL_TYPES,
    GET_CREDENTIAL_TYPES_FOR_USER_TYPE,
    GET_SYSTEM_INFO,
    GET_UNTRUSTED_CREDENTIALS,
    GET_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE,
    OPERATIONS,
    REMOVE_UNTRUSTED_CREDENTIALS,
    REMOVE_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE,
    SAVE_UNTRUSTED_CREDENTIALS,
    SAVE_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE,
    SO_PRINCIPAL,
    USER,
    Operation,
    Param,
    Service,
)
from .protocol import HttpResponse, SoapRequest, build_request, is_ticket_expired, parse_response
from .retry import RetryPolicy

__all__ = [
    "AUTHENTICATE_USERNAME_PASSWORD",
    "AUTHENTICATE_WITH_ACCESS_TOKEN",
    "CREATE_DEFAULT_UNTRUSTED_CREDENTIALS",
    "DOTNET_MIN_VALUE",
    "GET_CREDENTIAL_TYPES",
    "GET_CREDENTIAL_TYPES_FOR_USER_TYPE",
    "GET_SYSTEM_INFO",
    "GET_UNTRUSTED_CREDENTIALS",
    "GET_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE",
    "NEVER_EXPIRES",
    "OPERATIONS",
    "REMOVE_UNTRUSTED_CREDENTIALS",
    "REMOVE_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE",
    "SAVE_UNTRUSTED_CREDENTIALS",
    "SAVE_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE",
    "SO_PRINCIPAL",
    "USER",
    "AgentClosedError",
    "AsyncSoPrincipal",
    "AsyncUserAgent",
    "AuditReport",
    "Authentication",
    "AuthenticationError",
    "BulkResult",
    "CredentialControlType",
    "CredentialStatus",
    "CredentialType",
    "Exchange",
    "FieldProperty",
    "FieldRight",
    "HTTPStatusError",
    "HttpResponse",
    "InvalidRequestError",
    "NetServerError",
    "Operation",
    "Param",
    "Principal",
    "ResponseParseError",
    "ResponseTooLargeError",
    "RetryPolicy",
    "RotationError",
    "RotationResult",
    "Service",
    "SoPrincipal",
    "SoTimeZone",
    "SoapFault",
    "SoapRequest",
    "SuperOfficeSoapError",
    "SystemInfo",
    "TableRight",
    "TransportError",
    "UntrustedCredentials",
    "UserAgent",
    "UserType",
    "__version__",
    "audit_untrusted_credentials",
    "audit_untrusted_credentials_async",
    "build_request",
    "credential_status",
    "is_ticket_expired",
    "parse_response",
    "rotate_untrusted_credential",
    "rotate_untrusted_credential_async",
]


#: The audit and rotate jobs (superoffice_soap.jobs) load on first use: their classes would add
#: to every import of the package.
_JOBS = frozenset(
    {
        "AuditReport",
        "CredentialStatus",
        "RotationError",
        "RotationResult",
        "audit_untrusted_credentials",
        "audit_untrusted_credentials_async",
        "credential_status",
        "rotate_untrusted_credential",
        "rotate_untrusted_credential_async",
    }
)


def __getattr__(name: str) -> Any:
    # The SoPrincipal value classes load on first use: a User-only program never creates them.
    if name in ("Authentication", "Principal", "SystemInfo"):
        from . import principal

        return getattr(principal, name)
    if name in _JOBS:
        from . import jobs

        return getattr(jobs, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


if TYPE_CHECKING:
    from .jobs import (
        AuditReport,
        CredentialStatus,
        RotationError,
        RotationResult,
        audit_untrusted_credentials,
        audit_untrusted_credentials_async,
        credential_status,
        rotate_untrusted_credential,
        rotate_untrusted_credential_async,
    )
    from .principal import Authentication, Principal, SystemInfo
