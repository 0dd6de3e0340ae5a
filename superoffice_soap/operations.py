"""The operations: every SOAP operation this library speaks, and what an operation is.

``Service``, ``Param`` and ``Operation`` (``_operation``) declare an operation as data; the
library's own are generated from the reference WSDLs (``_builtin_user``, ``_builtin_principal``;
the choices in ``_builtins``), as users generate theirs with ``superoffice-soap generate``.
SoPrincipal's operations (and ``OPERATIONS``, which holds them) load on first use, so a program
that never logs in never creates SoPrincipal's classes.

Services versions (Services84 … Services88) share the declarations and differ in the namespace,
the action URIs and the URL path only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._builtin_user import (
    CREATE_DEFAULT_UNTRUSTED_CREDENTIALS,
    GET_CREDENTIAL_TYPES,
    GET_CREDENTIAL_TYPES_FOR_USER_TYPE,
    GET_UNTRUSTED_CREDENTIALS,
    GET_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE,
    REMOVE_UNTRUSTED_CREDENTIALS,
    REMOVE_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE,
    SAVE_UNTRUSTED_CREDENTIALS,
    SAVE_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE,
)
from ._operation import (
    DEFAULT_SERVICES,
    SERVICES_VERSIONS,
    SO_PRINCIPAL,
    USER,
    Operation,
    P,
    Param,
    Service,
    SoapVersion,
    check_services,
    namespace,
    refused_unless_authenticated,
    secret_arguments,
    services_number,
)

if TYPE_CHECKING:
    from ._builtin_principal import (
        AUTHENTICATE_USERNAME_PASSWORD,
        AUTHENTICATE_WITH_ACCESS_TOKEN,
        GET_SYSTEM_INFO,
    )

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

_PRINCIPAL = ("AUTHENTICATE_USERNAME_PASSWORD", "AUTHENTICATE_WITH_ACCESS_TOKEN", "GET_SYSTEM_INFO")


def __getattr__(name: str) -> Any:
    if name in _PRINCIPAL or name == "OPERATIONS":
        from . import _builtin_principal, _builtin_user

        found = {
            (op.service.name, op.name): op
            for module in (_builtin_user, _builtin_principal)
            for op in module.OPERATIONS.values()
        }
        globals()["OPERATIONS"] = found
        for constant in _PRINCIPAL:
            globals()[constant] = getattr(_builtin_principal, constant)
        return globals()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


if TYPE_CHECKING:
    #: Every built-in operation by (service name, operation name).
    OPERATIONS: dict[tuple[str, str], Operation[..., Any]]
