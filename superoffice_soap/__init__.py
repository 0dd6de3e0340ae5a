"""superoffice-soap: a small, fast client for SuperOffice NetServer's SOAP web services.

>>> from superoffice_soap import UserAgent
>>> with UserAgent("https://host/Cust1/Remote/Services86", ticket="7T:…") as agent:
...     for cred in agent.get_untrusted_credentials_for_associate(5, "imap"):
...         print(cred.public_value)

The sans-IO core (``build_request`` / ``parse_response``) serves callers with their own HTTP stack.

Every public name loads its module on first use (PEP 562): ``import superoffice_soap`` alone, or
``superoffice_soap.pytest_plugin`` (the pytest fixture), imports neither lxml nor httpx; a program
pays for the agents, the models and SoPrincipal's classes when it first names them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._version import __version__

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
    "AuditInterrupted",
    "AuditReport",
    "Authentication",
    "AuthenticationError",
    "BulkInterrupted",
    "BulkResult",
    "CredentialControlType",
    "CredentialStatus",
    "CredentialType",
    "Exchange",
    "FieldProperty",
    "FieldRight",
    "HTTPStatusError",
    "Hint",
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
    "RotationInterrupted",
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

#: Where each public name lives.
_HOMES = {
    "AUTHENTICATE_USERNAME_PASSWORD": "operations",
    "AUTHENTICATE_WITH_ACCESS_TOKEN": "operations",
    "CREATE_DEFAULT_UNTRUSTED_CREDENTIALS": "operations",
    "DOTNET_MIN_VALUE": "models",
    "GET_CREDENTIAL_TYPES": "operations",
    "GET_CREDENTIAL_TYPES_FOR_USER_TYPE": "operations",
    "GET_SYSTEM_INFO": "operations",
    "GET_UNTRUSTED_CREDENTIALS": "operations",
    "GET_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE": "operations",
    "NEVER_EXPIRES": "models",
    "OPERATIONS": "operations",
    "REMOVE_UNTRUSTED_CREDENTIALS": "operations",
    "REMOVE_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE": "operations",
    "SAVE_UNTRUSTED_CREDENTIALS": "operations",
    "SAVE_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE": "operations",
    "SO_PRINCIPAL": "operations",
    "USER": "operations",
    "AgentClosedError": "errors",
    "BulkInterrupted": "errors",
    "AsyncSoPrincipal": "client",
    "AsyncUserAgent": "client",
    "AuditInterrupted": "jobs",
    "AuditReport": "jobs",
    "Authentication": "principal",
    "AuthenticationError": "errors",
    "BulkResult": "client",
    "CredentialControlType": "models",
    "CredentialStatus": "jobs",
    "CredentialType": "models",
    "Exchange": "history",
    "FieldProperty": "models",
    "FieldRight": "models",
    "HTTPStatusError": "errors",
    "Hint": "errors",
    "HttpResponse": "protocol",
    "InvalidRequestError": "errors",
    "NetServerError": "errors",
    "Operation": "operations",
    "Param": "operations",
    "Principal": "principal",
    "ResponseParseError": "errors",
    "ResponseTooLargeError": "errors",
    "RetryPolicy": "retry",
    "RotationError": "jobs",
    "RotationInterrupted": "jobs",
    "RotationResult": "jobs",
    "Service": "operations",
    "SoPrincipal": "client",
    "SoTimeZone": "models",
    "SoapFault": "errors",
    "SoapRequest": "protocol",
    "SuperOfficeSoapError": "errors",
    "SystemInfo": "principal",
    "TableRight": "models",
    "TransportError": "errors",
    "UntrustedCredentials": "models",
    "UserAgent": "client",
    "UserType": "models",
    "audit_untrusted_credentials": "jobs",
    "audit_untrusted_credentials_async": "jobs",
    "build_request": "protocol",
    "credential_status": "jobs",
    "is_ticket_expired": "protocol",
    "parse_response": "protocol",
    "rotate_untrusted_credential": "jobs",
    "rotate_untrusted_credential_async": "jobs",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{home}", __name__), name)
    globals()[name] = value  # later lookups find it directly
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


if TYPE_CHECKING:
    from .client import (
        AsyncSoPrincipal,
        AsyncUserAgent,
        BulkResult,
        SoPrincipal,
        UserAgent,
    )
    from .errors import (
        AgentClosedError,
        AuthenticationError,
        BulkInterrupted,
        Hint,
        HTTPStatusError,
        InvalidRequestError,
        NetServerError,
        ResponseParseError,
        ResponseTooLargeError,
        SoapFault,
        SuperOfficeSoapError,
        TransportError,
    )
    from .history import (
        Exchange,
    )
    from .jobs import (
        AuditInterrupted,
        AuditReport,
        CredentialStatus,
        RotationError,
        RotationInterrupted,
        RotationResult,
        audit_untrusted_credentials,
        audit_untrusted_credentials_async,
        credential_status,
        rotate_untrusted_credential,
        rotate_untrusted_credential_async,
    )
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
    from .principal import (
        Authentication,
        Principal,
        SystemInfo,
    )
    from .protocol import (
        HttpResponse,
        SoapRequest,
        build_request,
        is_ticket_expired,
        parse_response,
    )
    from .retry import (
        RetryPolicy,
    )
