"""The operations the NetServer stand-in answers: request readers, handlers and answer writers.

Which operations exist, on which service and from which Services version, their request element
names, wire order and XSD types all come from the stand-in's own description of the WSDL
(``_contract``), never from the library's operation table: a wrong client declaration meets a
server that reads the request as NetServer would. This module compiles each described request
into its readers (``_wire.Field``) and maps each described operation to a handler; the test suite
checks that every described operation has one and that the library declares the same operations.

A handler runs against the state and returns the function that fills the response wrapper with
DataContractSerializer-style XML (default namespace, ``i:nil``), or raises ``OperationFailed``
for a NetServer-level error. Nothing here builds XML by string formatting, and nothing writes a
value it did not store or issue (in particular never a received password, token or ticket).
"""

from __future__ import annotations

import base64
import enum
import functools
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timezone
from typing import Any, Callable, Optional

import attrs
from lxml import etree

from .._namespaces import CRYPTOGRAPHY, MS_ARRAYS, XSI, XSI_NIL
from ..models import (
    FIELD_RIGHT_FLAGS,
    TABLE_RIGHT_FLAGS,
    CredentialControlType,
    CredentialType,
    FieldProperty,
    TableRight,
    UntrustedCredentials,
    UserType,
)
from ..operations import namespace, services_number
from ..principal import (
    EjUserStatus,
    LicenseType,
    NetServerBuildType,
    Principal,
    RoleType,
    SystemInfo,
)
from ..xsd import format_bool, format_datetime, format_int
from ._contract import REQUESTS, SERVICES, reader
from ._demo import system_info
from ._state import NetServerState, User
from ._wire import Field, NetServerFailure

__all__ = [
    "HANDLERS",
    "Call",
    "Fill",
    "Handler",
    "OperationFailed",
    "Served",
    "served_operations",
]

#: .NET's DateTime.MinValue: what a non-nillable xs:dateTime holds when nothing was given.
DOTNET_MIN_DATETIME = datetime(1, 1, 1)
#: .NET's DateTime.MaxValue as Python holds it (written with seven nines).
DOTNET_MAX_DATETIME = datetime(9999, 12, 31, 23, 59, 59, 999999)

#: Fills an operation's response wrapper element.
Fill = Callable[[etree._Element], None]


class OperationFailed(Exception):
    """A NetServer-level error: answered with Succeeded=false and ExceptionInfo (HTTP 200)."""

    def __init__(self, failure: NetServerFailure) -> None:
        super().__init__(failure.exception_type)
        self.failure = failure


@attrs.frozen
class Call:
    """One call: the state, the Services version, the caller (None on SoPrincipal) and the
    request children read by the operation's fields (absent ones are absent)."""

    state: NetServerState
    services: str
    caller_associate_id: Optional[int]
    args: Mapping[str, object]

    def get_int(self, name: str, default: int = 0) -> int:
        """An xs:int argument; ``default`` (.NET's 0) when absent."""
        value = self.args.get(name, default)
        if not isinstance(value, int) or isinstance(value, bool):
            raise TypeError(f"argument {name} is not an int")
        return value

    def get_str(self, name: str) -> Optional[str]:
        """An xs:string (or enumeration) argument; None when absent or nil."""
        value = self.args.get(name)
        if value is not None and not isinstance(value, str):
            raise TypeError(f"argument {name} is not a string")
        return value

    def get_struct(self, name: str) -> Optional[Mapping[str, object]]:
        """A complex argument's children; None when absent or nil."""
        value = self.args.get(name)
        if value is not None and not isinstance(value, dict):
            raise TypeError(f"argument {name} is not a complex value")
        return value

    @property
    def caller(self) -> int:
        """The ticket's associate (only operations that need a ticket ask)."""
        if self.caller_associate_id is None:
            raise TypeError("this operation has no authenticated caller")
        return self.caller_associate_id


@attrs.frozen
class Handler:
    """How the stand-in answers one described operation.

    ``run`` does the work and returns the filler of the response wrapper. ``on_failure``, when
    set, fills the wrapper of a NetServer-level failure answer (e.g. AuthenticationSucceeded
    false); otherwise a failure answer has an empty wrapper.
    """

    run: Callable[[Call], Fill]
    on_failure: Optional[Fill] = None


@attrs.frozen
class Served:
    """A described operation as one Services version serves it: the readers of its headers and
    of its body wrapper's children, and the name of its answer's wrapper."""

    service: str
    name: str
    action: str
    wrapper_name: str
    needs_ticket: bool
    headers: tuple[Field, ...]
    request: tuple[Field, ...]
    handler: Handler


# --------------------------------------------------------------------------- DataContract writers
#
# A writer is called as writer(parent, tag, value) and adds one element ``tag`` (a Clark name)
# under ``parent``. The members of a NetServer type are in the namespace of the element that
# holds them; arrays of MS primitives and DSAParameters name their members' namespace.

Writer = Callable[[etree._Element, str, Any], None]


def _element(parent: etree._Element, tag: str, member_ns: Optional[str] = None) -> etree._Element:
    """A child element; declares ``i`` where it is first needed, ``a`` for a foreign member
    namespace, as DataContractSerializer does."""
    declare: dict[str, str] = {}
    if parent.nsmap.get("i") != XSI:
        declare["i"] = XSI
    if member_ns is not None:
        declare["a"] = member_ns
    return etree.SubElement(parent, tag, nsmap=declare or None)


def _ns(element: etree._Element) -> str:
    return str(etree.QName(element).namespace)


def _tag(parent: etree._Element, name: str) -> str:
    return f"{{{_ns(parent)}}}{name}"


def _nil(element: etree._Element) -> None:
    element.set(XSI_NIL, "true")


def _write_string(parent: etree._Element, tag: str, value: Optional[str]) -> None:
    element = _element(parent, tag)
    if value is None:
        _nil(element)
    else:
        element.text = value


def _write_int(parent: etree._Element, tag: str, value: Optional[int]) -> None:
    _element(parent, tag).text = format_int(0 if value is None else value)


def _write_bool(parent: etree._Element, tag: str, value: Optional[bool]) -> None:
    _element(parent, tag).text = format_bool(bool(value))


def _write_datetime(parent: etree._Element, tag: str, value: Optional[datetime]) -> None:
    _element(parent, tag).text = format_datetime(DOTNET_MIN_DATETIME if value is None else value)


def _write_base64(parent: etree._Element, tag: str, value: Optional[bytes]) -> None:
    element = _element(parent, tag)
    if value is None:
        _nil(element)
    else:
        element.text = base64.b64encode(value).decode("ascii")


def _enum_writer(enum_class: type[enum.Enum]) -> Writer:
    default = next(iter(enum_class))  # .NET's default(T): the value 0, declared first here

    def write(parent: etree._Element, tag: str, value: Optional[enum.Enum]) -> None:
        _element(parent, tag).text = str((default if value is None else value).value)

    return write


def _mask_writer(order: Sequence[str]) -> Writer:
    """An ``xs:list`` flags mask in enum order (unknown tokens after, sorted); empty for none."""

    def write(parent: etree._Element, tag: str, value: Optional[Iterable[str]]) -> None:
        present = set(value or ())
        known = [token for token in order if token in present]
        unknown = sorted(present.difference(order))
        _element(parent, tag).text = " ".join(known + unknown)

    return write


Member = tuple[str, str, Writer]  # (element name, model attribute, writer)


def _struct_writer(
    members: Callable[[], Sequence[Member]],
    *,
    nillable: bool = True,
    member_ns: Optional[str] = None,
) -> Writer:
    """A data contract: its members in order; None is nil (or, for a value type, all defaults).

    ``members`` is called lazily so that types can be declared in any order.
    """

    def write(parent: etree._Element, tag: str, value: object) -> None:
        element = _element(parent, tag, member_ns)
        if value is None and nillable:
            _nil(element)
            return
        ns = member_ns or _ns(element)
        for name, attr, writer in members():
            writer(element, f"{{{ns}}}{name}", None if value is None else getattr(value, attr))

    return write


def _array_writer(item: str, writer: Writer, *, item_ns: Optional[str] = None) -> Writer:
    """A WCF array (``ArrayOfX``): None is nil, else one ``item`` element per value."""

    def write(parent: etree._Element, tag: str, value: Optional[Iterable[object]]) -> None:
        element = _element(parent, tag, item_ns)
        if value is None:
            _nil(element)
            return
        item_tag = f"{{{item_ns or _ns(element)}}}{item}"
        for entry in value:
            writer(element, item_tag, entry)

    return write


def _write_field_properties(
    parent: etree._Element, tag: str, value: Optional[Mapping[str, Optional[FieldProperty]]]
) -> None:
    """A WCF dictionary: one ``FieldPropertyDictionaryKeyValuePair{Key, Value}`` per entry."""
    element = _element(parent, tag)
    if value is None:
        _nil(element)
        return
    for key, prop in value.items():
        pair = _element(element, _tag(element, "FieldPropertyDictionaryKeyValuePair"))
        _write_string(pair, _tag(pair, "Key"), key)
        _field_property(pair, _tag(pair, "Value"), prop)


def _carrier(*members: Member) -> Callable[[], Sequence[Member]]:
    """Carrier's TableRight and FieldProperties first, then the type's own members."""
    return lambda: (
        ("TableRight", "table_right", _table_right),
        ("FieldProperties", "field_properties", _write_field_properties),
        *members,
    )


def _members(*members: Member) -> Callable[[], Sequence[Member]]:
    return lambda: members


_table_right = _struct_writer(
    _members(
        ("Mask", "mask", _mask_writer(TABLE_RIGHT_FLAGS)),
        ("Reason", "reason", _write_string),
    )
)
_field_right = _struct_writer(
    _members(
        ("Mask", "mask", _mask_writer(FIELD_RIGHT_FLAGS)),
        ("Reason", "reason", _write_string),
    )
)
_field_property = _struct_writer(
    _members(
        ("FieldRight", "field_right", _field_right),
        ("FieldType", "field_type", _write_string),
        ("FieldLength", "field_length", _write_int),
    )
)
_untrusted_credentials = _struct_writer(
    _carrier(
        ("ValidFrom", "valid_from", _write_datetime),
        ("ValidTo", "valid_to", _write_datetime),
        ("Comment", "comment", _write_string),
        ("SecretValue", "secret_value", _write_string),
        ("PublicValue", "public_value", _write_string),
        ("IsActive", "is_active", _write_bool),
    )
)
_credential_type = _struct_writer(
    _carrier(
        ("DisplayType", "display_type", _write_string),
        ("Type", "type", _write_string),
        ("Description", "description", _write_string),
        ("ValueControl", "value_control", _enum_writer(CredentialControlType)),
        ("CanCreatePerson", "can_create_person", _write_bool),
        ("IsUserNameSupported", "is_user_name_supported", _write_bool),
    )
)
_granted_module_license = _struct_writer(
    _carrier(
        ("OwnerId", "owner_id", _write_int),
        ("OwnerName", "owner_name", _write_string),
        ("OwnerDescription", "owner_description", _write_string),
        ("ModuleId", "module_id", _write_int),
        ("Name", "name", _write_string),
        ("Description", "description", _write_string),
        ("Version", "version", _write_string),
        ("LicenseType", "license_type", _enum_writer(LicenseType)),
        ("ExtraFlags", "extra_flags", _write_int),
        ("SortOrder", "sort_order", _write_int),
        ("LicenseNumber", "license_number", _write_int),
        ("IsHidden", "is_hidden", _write_bool),
        ("IsUnrestricted", "is_unrestricted", _write_bool),
        ("ExpiryDate", "expiry_date", _write_datetime),
    )
)
_provided_credential = _struct_writer(
    _members(
        ("Type", "type", _write_string),
        ("SearchName", "search_name", _write_string),
        ("DisplayName", "display_name", _write_string),
        ("CredentialId", "credential_id", _write_int),
    )
)
_principal = _struct_writer(
    _members(
        ("UserType", "user_type", _enum_writer(UserType)),
        ("Associate", "associate", _write_string),
        ("AssociateId", "associate_id", _write_int),
        ("IsPerson", "is_person", _write_bool),
        ("PersonId", "person_id", _write_int),
        ("CountryId", "country_id", _write_int),
        ("HomeCountryId", "home_country_id", _write_int),
        ("ContactId", "contact_id", _write_int),
        ("GroupId", "group_id", _write_int),
        ("BusinessId", "business_id", _write_int),
        ("CategoryId", "category_id", _write_int),
        ("ContactOwner", "contact_owner", _write_int),
        ("RoleId", "role_id", _write_int),
        ("RoleName", "role_name", _write_string),
        ("RoleDescription", "role_description", _write_string),
        ("RoleType", "role_type", _enum_writer(RoleType)),
        ("Licenses", "licenses", _array_writer("GrantedModuleLicense", _granted_module_license)),
        ("FullName", "full_name", _write_string),
        ("EMailAddress", "email_address", _write_string),
        (
            "FunctionRights",
            "function_rights",
            _array_writer("string", _write_string, item_ns=MS_ARRAYS),
        ),
        ("EjUserId", "ej_user_id", _write_int),
        ("EjAccessLevel", "ej_access_level", _write_int),
        ("EjUserStatus", "ej_user_status", _enum_writer(EjUserStatus)),
        (
            "ProvidedCredentials",
            "provided_credentials",
            _array_writer("ProvidedCredential", _provided_credential),
        ),
        (
            "SecondaryGroups",
            "secondary_groups",
            _array_writer("int", _write_int, item_ns=MS_ARRAYS),
        ),
        ("DatabaseContextIdentifier", "database_context_identifier", _write_string),
    )
)
_dsa_parameters = _struct_writer(
    _members(
        ("Counter", "counter", _write_int),
        *((name, name.lower(), _write_base64) for name in ("G", "J", "P", "Q", "Seed", "Y")),
    ),
    nillable=False,  # a .NET struct
    member_ns=CRYPTOGRAPHY,
)
_signed_public_key = _struct_writer(
    _members(
        ("OwnerName", "owner_name", _write_string),
        ("SignDate", "sign_date", _write_datetime),
        ("ExpiryDate", "expiry_date", _write_datetime),
        ("Key", "key", _dsa_parameters),
        ("Signature", "signature", _write_string),
    )
)
_module_license = _struct_writer(
    _members(
        ("OwnerName", "owner_name", _write_string),
        ("ModuleName", "module_name", _write_string),
        ("ModuleDescription", "module_description", _write_string),
        ("ModuleTooltip", "module_tooltip", _write_string),
        ("ModuleVersion", "module_version", _write_string),
        ("LicenseType", "license_type", _enum_writer(LicenseType)),
        ("Unrestricted", "unrestricted", _write_bool),
        ("AllowedUserType", "allowed_user_type", _enum_writer(UserType)),
        ("NumberOfLicenses", "number_of_licenses", _write_int),
        ("ExtraFlags", "extra_flags", _write_int),
        ("ExtraInfo", "extra_info", _write_string),
        ("SortOrder", "sort_order", _write_int),
        ("IsHidden", "is_hidden", _write_bool),
        ("PrerequisiteModuleName", "prerequisite_module_name", _write_string),
        ("Signature", "signature", _write_string),
    )
)
_license_info = _struct_writer(
    _members(
        ("CompanyName", "company_name", _write_string),
        ("SerialNr", "serial_nr", _write_string),
        ("OwnerName", "owner_name", _write_string),
        ("OwnerDescription", "owner_description", _write_string),
        ("NextCheckDate", "next_check_date", _write_datetime),
        ("MaintenanceDate", "maintenance_date", _write_datetime),
        ("AdminWarningDate", "admin_warning_date", _write_datetime),
        ("ExpiryDate", "expiry_date", _write_datetime),
        ("GraceDate", "grace_date", _write_datetime),
        ("ExtraFlags", "extra_flags", _write_int),
        ("LicenseUrl", "license_url", _write_string),
        ("LicenseVersion", "license_version", _write_string),
        ("DeploymentType", "deployment_type", _write_int),
        ("ProductType", "product_type", _write_string),
        ("ProductDescription", "product_description", _write_string),
        ("ModuleLicenses", "module_licenses", _array_writer("ModuleLicense", _module_license)),
        ("PublicKey", "public_key", _signed_public_key),
        ("Signature", "signature", _write_string),
    )
)
_system_info = _struct_writer(
    _carrier(
        ("License", "license", _license_info),
        ("WarningEnglish", "warning_english", _write_string),
        ("WarningResource", "warning_resource", _write_string),
        ("BranchName", "branch_name", _write_string),
        ("BuildLabel", "build_label", _write_string),
        ("AssemblyVersion", "assembly_version", _write_string),
        ("AccumulatedNextCheckDate", "accumulated_next_check_date", _write_datetime),
        ("FileVersion", "file_version", _write_string),
        ("Description", "description", _write_string),
        ("DaysUntilNetServerExpiry", "days_until_net_server_expiry", _write_int),
        ("BuildType", "build_type", _enum_writer(NetServerBuildType)),
        ("DatabaseVersion", "database_version", _write_int),
        ("IsUnicode", "is_unicode", _write_bool),
        ("CompanyName", "company_name", _write_string),
        ("CompanyId", "company_id", _write_int),
        ("DatabaseType", "database_type", _write_string),
        ("DatabaseMinor", "database_minor", _write_string),
        ("DatabaseName", "database_name", _write_string),
        ("IsOnTravel", "is_on_travel", _write_bool),
        ("IsSatellite", "is_satellite", _write_bool),
    )
)


def write_untrusted_credentials(parent: etree._Element, value: UntrustedCredentials) -> None:
    """One ``UntrustedCredentials`` element: Carrier fields first, then the type's own fields.

    Non-nillable fields that are None get .NET's defaults (DateTime.MinValue, false, empty mask,
    0); nillable ones get ``i:nil="true"``.
    """
    _untrusted_credentials(parent, _tag(parent, "UntrustedCredentials"), value)


def _answer(name: str, writer: Writer, value: object) -> Fill:
    """A filler writing one ``name`` child (holding ``value``) into the wrapper."""

    def fill(wrapper: etree._Element) -> None:
        writer(wrapper, _tag(wrapper, name), value)

    return fill


def _nothing(wrapper: etree._Element) -> None:
    """An empty answer: the ``<OpResponse/>`` wrapper with nothing inside."""


# --------------------------------------------------------------------------- NetServer errors


def _failure(
    message: str, exception_type: str, friendly_text: Optional[str] = None
) -> OperationFailed:
    return OperationFailed(
        NetServerFailure(
            message=message,
            exception_type=exception_type,
            source="SoCore",
            friendly_text=friendly_text or message,
        )
    )


def _null_argument(parameter: str) -> OperationFailed:
    return _failure(
        f"Value cannot be null. (Parameter '{parameter}')",
        "ArgumentNullException",
        "The request is missing a required value.",
    )


# --------------------------------------------------------------------------- User operations


def _credentials_answer(stored: Sequence[UntrustedCredentials]) -> Fill:
    return _answer(
        "Response", _array_writer("UntrustedCredentials", _untrusted_credentials), stored
    )


def _get_untrusted_credentials(call: Call) -> Fill:
    return _credentials_answer(call.state.credentials(call.caller, call.get_str("Type")))


def _get_untrusted_credentials_for_associate(call: Call) -> Fill:
    stored = call.state.credentials(call.get_int("AssociateId"), call.get_str("Type"))
    return _credentials_answer(stored)


def _saved_credentials(values: Mapping[str, object]) -> UntrustedCredentials:
    """What .NET would store for a received UntrustedCredentials (Carrier fields ignored)."""

    def get(name: str, kind: type[Any], default: object) -> Any:
        value = values.get(name, default)
        if value is not None and not isinstance(value, kind):
            raise TypeError(f"Credentials/{name} is not a {kind.__name__}")
        return value

    return UntrustedCredentials(
        valid_from=get("ValidFrom", datetime, DOTNET_MIN_DATETIME),
        valid_to=get("ValidTo", datetime, DOTNET_MIN_DATETIME),
        comment=get("Comment", str, None),
        secret_value=get("SecretValue", str, None),
        public_value=get("PublicValue", str, None),
        is_active=get("IsActive", bool, False),
    )


def _save(call: Call, associate_id: int) -> Fill:
    credential_type = call.get_str("Type")
    if credential_type is None:
        raise _null_argument("type")
    values = call.get_struct("Credentials")
    if values is None:
        raise _null_argument("credentials")
    call.state.save_credentials(associate_id, credential_type, _saved_credentials(values))
    return _nothing


def _save_untrusted_credentials(call: Call) -> Fill:
    return _save(call, call.caller)


def _save_untrusted_credentials_for_associate(call: Call) -> Fill:
    return _save(call, call.get_int("AssociateId"))


def _remove(call: Call, associate_id: int) -> Fill:
    credential_type = call.get_str("Type")
    if credential_type is not None:
        call.state.remove_credentials(associate_id, credential_type, call.get_str("PublicValue"))
    return _nothing


def _remove_untrusted_credentials(call: Call) -> Fill:
    return _remove(call, call.caller)


def _remove_untrusted_credentials_for_associate(call: Call) -> Fill:
    return _remove(call, call.get_int("AssociateId"))


def _create_default_untrusted_credentials(call: Call) -> Fill:
    default = UntrustedCredentials(
        valid_from=datetime.now(timezone.utc).replace(microsecond=0),
        valid_to=DOTNET_MAX_DATETIME,
        comment="",
        secret_value="",
        public_value="",
        is_active=True,
        table_right=TableRight(mask=frozenset({"Select", "Update", "Insert", "Delete"})),
        field_properties={},
    )
    return _answer("Response", _untrusted_credentials, default)


def _credential_types_answer(types: Sequence[CredentialType]) -> Fill:
    return _answer("Response", _array_writer("CredentialType", _credential_type), types)


def _get_credential_types(call: Call) -> Fill:
    return _credential_types_answer(call.state.credential_types())


def _get_credential_types_for_user_type(call: Call) -> Fill:
    # An absent UserType is .NET's default(UserType), Unknown; a bad one never gets here.
    user_type = UserType(call.get_str("UserType") or UserType.UNKNOWN.value)
    return _credential_types_answer(call.state.credential_types(lambda kinds: user_type in kinds))


# --------------------------------------------------------------------------- SoPrincipal


_ROLE_TYPES = {
    UserType.EXTERNAL_ASSOCIATE: RoleType.EXTERNAL_USER,
    UserType.ANONYMOUS_ASSOCIATE: RoleType.ANONYMOUS,
    UserType.SYSTEM_ASSOCIATE: RoleType.SYSTEM,
}


def principal_for(user: Optional[User], associate_id: int) -> Principal:
    """The SoPrincipalCarrier of a logged-in associate (fixed plausible ids around it)."""
    user_type = user.user_type if user is not None else UserType.INTERNAL_ASSOCIATE
    return Principal(
        user_type=user_type,
        associate=user.username if user is not None else None,
        associate_id=associate_id,
        is_person=True,
        person_id=100 + associate_id,
        country_id=578,
        home_country_id=578,
        contact_id=2,
        group_id=1,
        business_id=0,
        category_id=0,
        contact_owner=associate_id,
        role_id=1,
        role_name="User",
        role_description="Standard user",
        role_type=_ROLE_TYPES.get(user_type, RoleType.EMPLOYEE),
        licenses=(),
        full_name=user.full_name if user is not None else None,
        email_address=user.email_address if user is not None else None,
        function_rights=("allow-export", "allow-merge", "allow-mailings"),
        ej_user_id=0,
        ej_access_level=0,
        ej_user_status=EjUserStatus.STATUS_NORMAL,
        provided_credentials=(),
        secondary_groups=(2,),
        database_context_identifier="Cust12345",
    )


_SO_CREDENTIALS = _struct_writer(_members(("Ticket", "ticket", _write_string)))


@attrs.frozen
class _Ticket:
    ticket: str = attrs.field(repr=False)


def _authenticated(call: Call, associate_id: int) -> Fill:
    principal = principal_for(call.state.user_for_associate(associate_id), associate_id)
    ticket = _Ticket(call.state.issue_ticket(associate_id))

    def fill(wrapper: etree._Element) -> None:
        _principal(wrapper, _tag(wrapper, "Response"), principal)
        _SO_CREDENTIALS(wrapper, _tag(wrapper, "Credentials"), ticket)
        _write_bool(wrapper, _tag(wrapper, "AuthenticationSucceeded"), True)

    return fill


def _not_authenticated(wrapper: etree._Element) -> None:
    _principal(wrapper, _tag(wrapper, "Response"), None)
    _SO_CREDENTIALS(wrapper, _tag(wrapper, "Credentials"), None)
    _write_bool(wrapper, _tag(wrapper, "AuthenticationSucceeded"), False)


def _authenticate_username_password(call: Call) -> Fill:
    user = call.state.check_password(call.get_str("UserName"), call.get_str("Password"))
    if user is None:
        raise _failure(
            "Invalid user name or password", "SoException", "Invalid user name or password."
        )
    return _authenticated(call, user.associate_id)


def _authenticate_with_access_token(call: Call) -> Fill:
    associate_id = call.state.associate_for_access_token(call.get_str("AccessToken"))
    if associate_id is None:
        raise _failure("Invalid access token", "SoException", "Invalid access token.")
    return _authenticated(call, associate_id)


def _get_system_info(call: Call) -> Fill:
    info: SystemInfo = system_info()
    return _answer("SystemInfo", _system_info, info)


# --------------------------------------------------------------------------- the table

_AUTHENTICATE = functools.partial(Handler, on_failure=_not_authenticated)

#: (service name, operation name) → Handler, for every operation ``_contract`` describes.
HANDLERS: Mapping[tuple[str, str], Handler] = {
    ("User", "GetUntrustedCredentials"): Handler(_get_untrusted_credentials),
    ("User", "GetUntrustedCredentialsForAssociate"): Handler(
        _get_untrusted_credentials_for_associate
    ),
    ("User", "SaveUntrustedCredentials"): Handler(_save_untrusted_credentials),
    ("User", "SaveUntrustedCredentialsForAssociate"): Handler(
        _save_untrusted_credentials_for_associate
    ),
    ("User", "RemoveUntrustedCredentials"): Handler(_remove_untrusted_credentials),
    ("User", "RemoveUntrustedCredentialsForAssociate"): Handler(
        _remove_untrusted_credentials_for_associate
    ),
    ("User", "CreateDefaultUntrustedCredentials"): Handler(_create_default_untrusted_credentials),
    ("User", "GetCredentialTypes"): Handler(_get_credential_types),
    ("User", "GetCredentialTypesForUserType"): Handler(_get_credential_types_for_user_type),
    ("SoPrincipal", "AuthenticateUsernamePassword"): _AUTHENTICATE(_authenticate_username_password),
    ("SoPrincipal", "AuthenticateWithAccessToken"): _AUTHENTICATE(_authenticate_with_access_token),
    ("SoPrincipal", "GetSystemInfo"): Handler(_get_system_info),
}


@functools.cache
def served_operations(services: str) -> Mapping[str, Served]:
    """SOAPAction → Served for one Services version: every described operation that version has
    (``since``), with its handler."""
    number = services_number(services)
    ns = namespace(services)
    table: dict[str, Served] = {}
    for key, request in REQUESTS.items():
        if number < request.since:
            continue
        contract = SERVICES[request.service]
        action = f"{ns}/{request.service}/{request.name}"
        table[action] = Served(
            service=request.service,
            name=request.name,
            action=action,
            wrapper_name=request.response,
            needs_ticket=contract.needs_ticket,
            headers=tuple(reader(part) for part in contract.headers),
            request=tuple(reader(part) for part in request.body),
            handler=HANDLERS[key],
        )
    return table
