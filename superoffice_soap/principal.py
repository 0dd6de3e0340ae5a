"""Value classes of what SoPrincipal answers — who a ticket belongs to, and the installation —
each next to its wire declaration (a ``types.Struct``, in capitals).

Frozen, slotted attrs classes that hold data and nothing else, taking keyword arguments only,
generated from SoPrincipal's WSDL (``_builtin_principal``, with the choices in ``_builtins``).
Loaded on first use: a program that never talks to SoPrincipal never creates these classes.
"""

from __future__ import annotations

from ._builtin_principal import (
    AUTHENTICATE_RESPONSE,
    DSA_PARAMETERS,
    EJ_USER_STATUS,
    GRANTED_MODULE_LICENSE,
    LICENSE_INFO,
    LICENSE_TYPE,
    MODULE_LICENSE,
    NET_SERVER_BUILD_TYPE,
    PRINCIPAL,
    PROVIDED_CREDENTIAL,
    ROLE_TYPE,
    SIGNED_PUBLIC_KEY,
    SO_CREDENTIALS,
    SYSTEM_INFO,
    Authentication,
    DSAParameters,
    EjUserStatus,
    GrantedModuleLicense,
    LicenseInfo,
    LicenseType,
    ModuleLicense,
    NetServerBuildType,
    Principal,
    ProvidedCredential,
    RoleType,
    SignedPublicKey,
    SystemInfo,
)

__all__ = [
    "AUTHENTICATE_RESPONSE",
    "DSA_PARAMETERS",
    "EJ_USER_STATUS",
    "GRANTED_MODULE_LICENSE",
    "LICENSE_INFO",
    "LICENSE_TYPE",
    "MODULE_LICENSE",
    "NET_SERVER_BUILD_TYPE",
    "PRINCIPAL",
    "PROVIDED_CREDENTIAL",
    "ROLE_TYPE",
    "SIGNED_PUBLIC_KEY",
    "SO_CREDENTIALS",
    "SYSTEM_INFO",
    "Authentication",
    "DSAParameters",
    "EjUserStatus",
    "GrantedModuleLicense",
    "LicenseInfo",
    "LicenseType",
    "ModuleLicense",
    "NetServerBuildType",
    "Principal",
    "ProvidedCredential",
    "RoleType",
    "SignedPublicKey",
    "SystemInfo",
]
