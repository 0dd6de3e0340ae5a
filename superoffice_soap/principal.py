"""Value classes of what SoPrincipal answers: who a ticket belongs to, and the installation.

Frozen, slotted attrs classes that hold data and nothing else. Loaded on first use (also through
``superoffice_soap.models``), so that programs that only use the User agent never create them.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import datetime
from typing import Optional

import attrs

from .models import FieldProperty, TableRight, UserType, _mask, _read_only

__all__ = [
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
