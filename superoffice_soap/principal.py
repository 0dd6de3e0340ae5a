"""Value classes of what SoPrincipal answers — who a ticket belongs to, and the installation —
each next to its wire declaration (a ``types.Struct``, in capitals, after the classes).

Frozen, slotted attrs classes that hold data and nothing else, taking keyword arguments only.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import datetime
from typing import Optional

import attrs

from ._namespaces import CRYPTOGRAPHY, MS_ARRAYS
from .models import (
    CARRIER_FIELDS,
    USER_TYPE,
    FieldProperty,
    TableRight,
    UserType,
    _mask,
    _read_only,
)
from .types import (
    BASE64,
    BOOLEAN,
    DATETIME,
    INT,
    STRING,
    ArrayOf,
    Enumeration,
    Field,
    Struct,
)

__all__ = [
    "AUTHENTICATE_RESPONSE",
    "PRINCIPAL",
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


class RoleType(str, enum.Enum):
    """``RoleType`` of a principal."""

    EMPLOYEE = "Employee"
    EXTERNAL_USER = "ExternalUser"
    ANONYMOUS = "Anonymous"
    SYSTEM = "System"


class EjUserStatus(str, enum.Enum):
    """Service (eJournal) user status of a principal."""

    STATUS_NONE = "StatusNone"
    STATUS_NORMAL = "StatusNormal"
    STATUS_NOT_AVAILABLE = "StatusNotAvailable"
    STATUS_DELETED = "StatusDeleted"
    STATUS_READ_ONLY = "StatusReadOnly"
    STATUS_SPM = "StatusSpm"
    STATUS_SYSTEM = "StatusSystem"


class LicenseType(str, enum.Enum):
    """``LicenseType`` of a module license."""

    UNKNOWN = "Unknown"
    SITE_LICENSE = "SiteLicense"
    SATELLITE_LICENSE = "SatelliteLicense"
    USER_LICENSE = "UserLicense"


class NetServerBuildType(str, enum.Enum):
    """``NetServerBuildType`` in the system information."""

    FEATURE = "Feature"
    STABLE = "Stable"
    ALPHA = "Alpha"
    BETA = "Beta"
    RELEASE_CANDIDATE = "ReleaseCandidate"
    RELEASE = "Release"


@attrs.frozen(kw_only=True)
class GrantedModuleLicense:
    """A module license granted to the principal (``GrantedModuleLicense``, a Carrier)."""

    owner_id: Optional[int] = None
    owner_name: Optional[str] = None
    owner_description: Optional[str] = None
    module_id: Optional[int] = None
    name: Optional[str] = None
    description: Optional[str] = None
    version: Optional[str] = None
    license_type: Optional[LicenseType] = None
    extra_flags: Optional[int] = None
    sort_order: Optional[int] = None
    license_number: Optional[int] = None
    is_hidden: Optional[bool] = None
    is_unrestricted: Optional[bool] = None
    expiry_date: Optional[datetime] = None
    table_right: Optional[TableRight] = None
    field_properties: Optional[Mapping[str, FieldProperty]] = attrs.field(
        default=None, converter=_read_only, hash=False
    )


@attrs.frozen(kw_only=True)
class ProvidedCredential:
    """A credential the principal authenticated with (``ProvidedCredential``)."""

    type: Optional[str] = None
    search_name: Optional[str] = None
    display_name: Optional[str] = None
    credential_id: Optional[int] = None


@attrs.frozen(kw_only=True)
class Principal:
    """Who a ticket belongs to: the ``SoPrincipalCarrier`` of an Authenticate* answer."""

    user_type: Optional[UserType] = None
    associate: Optional[str] = None
    associate_id: Optional[int] = None
    is_person: Optional[bool] = None
    person_id: Optional[int] = None
    country_id: Optional[int] = None
    home_country_id: Optional[int] = None
    contact_id: Optional[int] = None
    group_id: Optional[int] = None
    business_id: Optional[int] = None
    category_id: Optional[int] = None
    contact_owner: Optional[int] = None
    role_id: Optional[int] = None
    role_name: Optional[str] = None
    role_description: Optional[str] = None
    role_type: Optional[RoleType] = None
    licenses: Optional[tuple[GrantedModuleLicense, ...]] = None
    full_name: Optional[str] = None
    email_address: Optional[str] = None
    function_rights: Optional[tuple[str, ...]] = None
    ej_user_id: Optional[int] = None
    ej_access_level: Optional[int] = None
    ej_user_status: Optional[EjUserStatus] = None
    provided_credentials: Optional[tuple[ProvidedCredential, ...]] = None
    secondary_groups: Optional[tuple[int, ...]] = None
    database_context_identifier: Optional[str] = None


@attrs.frozen(kw_only=True)
class Authentication:
    """The answer to an Authenticate* call. ``ticket`` is masked in ``repr``."""

    succeeded: bool
    ticket: Optional[str] = attrs.field(default=None, repr=_mask)
    principal: Optional[Principal] = None


@attrs.frozen(kw_only=True)
class DSAParameters:
    """The DSA key of a signed license public key (base64Binary fields as bytes)."""

    counter: Optional[int] = None
    g: Optional[bytes] = None
    j: Optional[bytes] = None
    p: Optional[bytes] = None
    q: Optional[bytes] = None
    seed: Optional[bytes] = None
    y: Optional[bytes] = None


@attrs.frozen(kw_only=True)
class SignedPublicKey:
    """``SignedPublicKey`` of a license."""

    owner_name: Optional[str] = None
    sign_date: Optional[datetime] = None
    expiry_date: Optional[datetime] = None
    key: Optional[DSAParameters] = None
    signature: Optional[str] = None


@attrs.frozen(kw_only=True)
class ModuleLicense:
    """One module of the installation's license (``ModuleLicense``)."""

    owner_name: Optional[str] = None
    module_name: Optional[str] = None
    module_description: Optional[str] = None
    module_tooltip: Optional[str] = None
    module_version: Optional[str] = None
    license_type: Optional[LicenseType] = None
    unrestricted: Optional[bool] = None
    allowed_user_type: Optional[UserType] = None
    number_of_licenses: Optional[int] = None
    extra_flags: Optional[int] = None
    extra_info: Optional[str] = None
    sort_order: Optional[int] = None
    is_hidden: Optional[bool] = None
    prerequisite_module_name: Optional[str] = None
    signature: Optional[str] = None


@attrs.frozen(kw_only=True)
class LicenseInfo:
    """The installation's license (``LicenseInfo``)."""

    company_name: Optional[str] = None
    serial_nr: Optional[str] = None
    owner_name: Optional[str] = None
    owner_description: Optional[str] = None
    next_check_date: Optional[datetime] = None
    maintenance_date: Optional[datetime] = None
    admin_warning_date: Optional[datetime] = None
    expiry_date: Optional[datetime] = None
    grace_date: Optional[datetime] = None
    extra_flags: Optional[int] = None
    license_url: Optional[str] = None
    license_version: Optional[str] = None
    deployment_type: Optional[int] = None
    product_type: Optional[str] = None
    product_description: Optional[str] = None
    module_licenses: Optional[tuple[ModuleLicense, ...]] = None
    public_key: Optional[SignedPublicKey] = None
    signature: Optional[str] = None


@attrs.frozen(kw_only=True)
class SystemInfo:
    """``SoSystemInfoCarrier``: what GetSystemInfo tells about the installation (a Carrier)."""

    license: Optional[LicenseInfo] = None
    warning_english: Optional[str] = None
    warning_resource: Optional[str] = None
    branch_name: Optional[str] = None
    build_label: Optional[str] = None
    assembly_version: Optional[str] = None
    accumulated_next_check_date: Optional[datetime] = None
    file_version: Optional[str] = None
    description: Optional[str] = None
    days_until_net_server_expiry: Optional[int] = None
    build_type: Optional[NetServerBuildType] = None
    database_version: Optional[int] = None
    is_unicode: Optional[bool] = None
    company_name: Optional[str] = None
    company_id: Optional[int] = None
    database_type: Optional[str] = None
    database_minor: Optional[str] = None
    database_name: Optional[str] = None
    is_on_travel: Optional[bool] = None
    is_satellite: Optional[bool] = None
    table_right: Optional[TableRight] = None
    field_properties: Optional[Mapping[str, FieldProperty]] = attrs.field(
        default=None, converter=_read_only, hash=False
    )


# ------------------------------------------------------------------------------------------------
# Wire declarations

ROLE_TYPE = Enumeration(RoleType)
EJ_USER_STATUS = Enumeration(EjUserStatus)
LICENSE_TYPE = Enumeration(LicenseType)
NET_SERVER_BUILD_TYPE = Enumeration(NetServerBuildType)

GRANTED_MODULE_LICENSE = Struct(
    "GrantedModuleLicense",
    GrantedModuleLicense,
    (
        *CARRIER_FIELDS,
        Field("OwnerId", "owner_id", INT, nillable=False),
        Field("OwnerName", "owner_name", STRING),
        Field("OwnerDescription", "owner_description", STRING),
        Field("ModuleId", "module_id", INT, nillable=False),
        Field("Name", "name", STRING),
        Field("Description", "description", STRING),
        Field("Version", "version", STRING),
        Field("LicenseType", "license_type", LICENSE_TYPE, nillable=False),
        Field("ExtraFlags", "extra_flags", INT, nillable=False),
        Field("SortOrder", "sort_order", INT, nillable=False),
        Field("LicenseNumber", "license_number", INT, nillable=False),
        Field("IsHidden", "is_hidden", BOOLEAN, nillable=False),
        Field("IsUnrestricted", "is_unrestricted", BOOLEAN, nillable=False),
        Field("ExpiryDate", "expiry_date", DATETIME, nillable=False),
    ),
)
PROVIDED_CREDENTIAL = Struct(
    "ProvidedCredential",
    ProvidedCredential,
    (
        Field("Type", "type", STRING),
        Field("SearchName", "search_name", STRING),
        Field("DisplayName", "display_name", STRING),
        Field("CredentialId", "credential_id", INT, nillable=False),
    ),
)
PRINCIPAL = Struct(
    "SoPrincipalCarrier",
    Principal,
    (
        Field("UserType", "user_type", USER_TYPE, nillable=False),
        Field("Associate", "associate", STRING),
        Field("AssociateId", "associate_id", INT, nillable=False),
        Field("IsPerson", "is_person", BOOLEAN, nillable=False),
        Field("PersonId", "person_id", INT, nillable=False),
        Field("CountryId", "country_id", INT, nillable=False),
        Field("HomeCountryId", "home_country_id", INT, nillable=False),
        Field("ContactId", "contact_id", INT, nillable=False),
        Field("GroupId", "group_id", INT, nillable=False),
        Field("BusinessId", "business_id", INT, nillable=False),
        Field("CategoryId", "category_id", INT, nillable=False),
        Field("ContactOwner", "contact_owner", INT, nillable=False),
        Field("RoleId", "role_id", INT, nillable=False),
        Field("RoleName", "role_name", STRING),
        Field("RoleDescription", "role_description", STRING),
        Field("RoleType", "role_type", ROLE_TYPE, nillable=False),
        Field(
            "Licenses",
            "licenses",
            ArrayOf("GrantedModuleLicense", GRANTED_MODULE_LICENSE, into=tuple),
        ),
        Field("FullName", "full_name", STRING),
        Field("EMailAddress", "email_address", STRING),
        Field(
            "FunctionRights",
            "function_rights",
            ArrayOf("string", STRING, namespace=MS_ARRAYS, into=tuple),
        ),
        Field("EjUserId", "ej_user_id", INT, nillable=False),
        Field("EjAccessLevel", "ej_access_level", INT, nillable=False),
        Field("EjUserStatus", "ej_user_status", EJ_USER_STATUS, nillable=False),
        Field(
            "ProvidedCredentials",
            "provided_credentials",
            ArrayOf("ProvidedCredential", PROVIDED_CREDENTIAL, into=tuple),
        ),
        Field(
            "SecondaryGroups",
            "secondary_groups",
            ArrayOf("int", INT, namespace=MS_ARRAYS, into=tuple),
        ),
        Field("DatabaseContextIdentifier", "database_context_identifier", STRING),
    ),
)


def _ticket(ticket: Optional[str] = None) -> Optional[str]:
    return ticket


def _authentication(
    principal: Optional[Principal] = None,
    ticket: Optional[str] = None,
    succeeded: Optional[bool] = None,
) -> Authentication:
    return Authentication(succeeded=bool(succeeded), ticket=ticket, principal=principal)


#: SoCredentials, read as the ticket it holds.
SO_CREDENTIALS = Struct("SoCredentials", _ticket, (Field("Ticket", "ticket", STRING),))
#: The whole ``AuthenticateResponse`` wrapper of the Authenticate* operations.
AUTHENTICATE_RESPONSE = Struct(
    "AuthenticateResponse",
    _authentication,
    (
        Field("Response", "principal", PRINCIPAL),
        Field("Credentials", "ticket", SO_CREDENTIALS),
        Field("AuthenticationSucceeded", "succeeded", BOOLEAN, nillable=False),
    ),
)
DSA_PARAMETERS = Struct(
    "DSAParameters",
    DSAParameters,
    (
        Field("Counter", "counter", INT, nillable=False),
        *(Field(name, name.lower(), BASE64) for name in ("G", "J", "P", "Q", "Seed", "Y")),
    ),
    namespace=CRYPTOGRAPHY,
)
SIGNED_PUBLIC_KEY = Struct(
    "SignedPublicKey",
    SignedPublicKey,
    (
        Field("OwnerName", "owner_name", STRING),
        Field("SignDate", "sign_date", DATETIME, nillable=False),
        Field("ExpiryDate", "expiry_date", DATETIME, nillable=False),
        Field("Key", "key", DSA_PARAMETERS, nillable=False),
        Field("Signature", "signature", STRING),
    ),
)
MODULE_LICENSE = Struct(
    "ModuleLicense",
    ModuleLicense,
    (
        Field("OwnerName", "owner_name", STRING),
        Field("ModuleName", "module_name", STRING),
        Field("ModuleDescription", "module_description", STRING),
        Field("ModuleTooltip", "module_tooltip", STRING),
        Field("ModuleVersion", "module_version", STRING),
        Field("LicenseType", "license_type", LICENSE_TYPE, nillable=False),
        Field("Unrestricted", "unrestricted", BOOLEAN, nillable=False),
        Field("AllowedUserType", "allowed_user_type", USER_TYPE, nillable=False),
        Field("NumberOfLicenses", "number_of_licenses", INT, nillable=False),
        Field("ExtraFlags", "extra_flags", INT, nillable=False),
        Field("ExtraInfo", "extra_info", STRING),
        Field("SortOrder", "sort_order", INT, nillable=False),
        Field("IsHidden", "is_hidden", BOOLEAN, nillable=False),
        Field("PrerequisiteModuleName", "prerequisite_module_name", STRING),
        Field("Signature", "signature", STRING),
    ),
)
LICENSE_INFO = Struct(
    "LicenseInfo",
    LicenseInfo,
    (
        Field("CompanyName", "company_name", STRING),
        Field("SerialNr", "serial_nr", STRING),
        Field("OwnerName", "owner_name", STRING),
        Field("OwnerDescription", "owner_description", STRING),
        Field("NextCheckDate", "next_check_date", DATETIME, nillable=False),
        Field("MaintenanceDate", "maintenance_date", DATETIME, nillable=False),
        Field("AdminWarningDate", "admin_warning_date", DATETIME, nillable=False),
        Field("ExpiryDate", "expiry_date", DATETIME, nillable=False),
        Field("GraceDate", "grace_date", DATETIME, nillable=False),
        Field("ExtraFlags", "extra_flags", INT, nillable=False),
        Field("LicenseUrl", "license_url", STRING),
        Field("LicenseVersion", "license_version", STRING),
        Field("DeploymentType", "deployment_type", INT, nillable=False),
        Field("ProductType", "product_type", STRING),
        Field("ProductDescription", "product_description", STRING),
        Field(
            "ModuleLicenses",
            "module_licenses",
            ArrayOf("ModuleLicense", MODULE_LICENSE, into=tuple),
        ),
        Field("PublicKey", "public_key", SIGNED_PUBLIC_KEY),
        Field("Signature", "signature", STRING),
    ),
)
SYSTEM_INFO = Struct(
    "SoSystemInfoCarrier",
    SystemInfo,
    (
        *CARRIER_FIELDS,
        Field("License", "license", LICENSE_INFO),
        Field("WarningEnglish", "warning_english", STRING),
        Field("WarningResource", "warning_resource", STRING),
        Field("BranchName", "branch_name", STRING),
        Field("BuildLabel", "build_label", STRING),
        Field("AssemblyVersion", "assembly_version", STRING),
        Field("AccumulatedNextCheckDate", "accumulated_next_check_date", DATETIME, nillable=False),
        Field("FileVersion", "file_version", STRING),
        Field("Description", "description", STRING),
        Field("DaysUntilNetServerExpiry", "days_until_net_server_expiry", INT, nillable=False),
        Field("BuildType", "build_type", NET_SERVER_BUILD_TYPE, nillable=False),
        Field("DatabaseVersion", "database_version", INT, nillable=False),
        Field("IsUnicode", "is_unicode", BOOLEAN, nillable=False),
        Field("CompanyName", "company_name", STRING),
        Field("CompanyId", "company_id", INT, nillable=False),
        Field("DatabaseType", "database_type", STRING),
        Field("DatabaseMinor", "database_minor", STRING),
        Field("DatabaseName", "database_name", STRING),
        Field("IsOnTravel", "is_on_travel", BOOLEAN, nillable=False),
        Field("IsSatellite", "is_satellite", BOOLEAN, nillable=False),
    ),
)
