"""Strict decoders from NetServer XML to the models, one set per services namespace (sans-IO).

Each NetServer type is declared once as a sequence of elements — name, model attribute, decoder,
nillable — and decoded by iterating the children of its element: every element must be known, in
schema order, at most once; text is allowed only in simple values. A failure raises ``Problem``,
which collects the element path on its way up so the final ResponseParseError can name it
(1-based, as XPath counts: ``Response/UntrustedCredentials[2]/IsActive``). Paths are built only
on failure, so the happy path costs one dict lookup per element.

Services84 … Services88 differ only by namespace: ``schema(namespace)`` builds (once, cached) the
decoders for one namespace. Nothing here does I/O.
"""

from __future__ import annotations

import base64
import binascii
import enum
import functools
from typing import Any, Callable, Optional

import attrs
from lxml import etree

from ._namespaces import MS_ARRAYS, XSI_NIL
from .errors import AuthenticationError
from .models import (
    FIELD_RIGHT_FLAGS,
    TABLE_RIGHT_FLAGS,
    CredentialControlType,
    CredentialType,
    FieldProperty,
    FieldRight,
    TableRight,
    UntrustedCredentials,
    UserType,
)
from .xsd import ScalarError, parse_bool, parse_datetime, parse_int

__all__ = [
    "CRYPTOGRAPHY_NS",
    "Decoder",
    "Problem",
    "Schema",
    "describe_tag",
    "schema",
]

CRYPTOGRAPHY_NS = "http://schemas.datacontract.org/2004/07/System.Security.Cryptography"
_NETSERVER_NS_PREFIX = "http://www.superoffice.net/ws/crm/NetServer/"
_EXCERPT_CHARS = 200

Decoder = Callable[[etree._Element], Any]


class Problem(Exception):
    """A decoding failure on its way up; each level adds its element name to ``segments``."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
        self.segments: list[str] = []

    def path(self, prefix: str) -> str:
        """The element path, below ``prefix``."""
        return "/".join([prefix, *reversed(self.segments)])


@functools.cache
def schema(namespace: str) -> Schema:
    """The decoders of every type in one services namespace (built once)."""
    return Schema(namespace)


class Schema:
    """Decoders of the NetServer types and answers in one namespace."""

    def __init__(self, ns: str) -> None:
        from .principal import (  # loaded with the first Schema, not with the package
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

        self.namespace = ns

        def struct(factory: Callable[..., Any], *fields: _Field) -> _Struct:
            return _Struct(ns, factory, *fields)

        def carrier(factory: Callable[..., Any], *fields: _Field) -> _Struct:
            return struct(
                factory,
                _Field("TableRight", "table_right", table_right),
                _Field("FieldProperties", "field_properties", field_properties),
                *fields,
            )

        def array(item: str, decode: Decoder, item_ns: str = ns, into: Any = list) -> Decoder:
            return _array(item_ns, item, decode, into)

        string, integer, boolean, moment = _string, _int, _bool, _datetime

        table_right = struct(
            TableRight,
            _Field("Mask", "mask", _token_set("ETableRight", TABLE_RIGHT_FLAGS), nillable=False),
            _Field("Reason", "reason", string),
        )
        field_right = struct(
            FieldRight,
            _Field("Mask", "mask", _token_set("EFieldRight", FIELD_RIGHT_FLAGS), nillable=False),
            _Field("Reason", "reason", string),
        )
        field_property = struct(
            FieldProperty,
            _Field("FieldRight", "field_right", field_right),
            _Field("FieldType", "field_type", string),
            _Field("FieldLength", "field_length", integer, nillable=False),
        )
        field_properties = _dictionary(ns, "FieldPropertyDictionaryKeyValuePair", field_property)

        self.untrusted_credentials = carrier(
            UntrustedCredentials,
            _Field("ValidFrom", "valid_from", moment, nillable=False),
            _Field("ValidTo", "valid_to", moment, nillable=False),
            _Field("Comment", "comment", string),
            _Field("SecretValue", "secret_value", string),
            _Field("PublicValue", "public_value", string),
            _Field("IsActive", "is_active", boolean, nillable=False),
        )
        self.credential_type = carrier(
            CredentialType,
            _Field("DisplayType", "display_type", string),
            _Field("Type", "type", string),
            _Field("Description", "description", string),
            _Field("ValueControl", "value_control", _enum(CredentialControlType), nillable=False),
            _Field("CanCreatePerson", "can_create_person", boolean, nillable=False),
            _Field("IsUserNameSupported", "is_user_name_supported", boolean, nillable=False),
        )

        # ---- SoPrincipal
        granted_license = carrier(
            GrantedModuleLicense,
            _Field("OwnerId", "owner_id", integer, nillable=False),
            _Field("OwnerName", "owner_name", string),
            _Field("OwnerDescription", "owner_description", string),
            _Field("ModuleId", "module_id", integer, nillable=False),
            _Field("Name", "name", string),
            _Field("Description", "description", string),
            _Field("Version", "version", string),
            _Field("LicenseType", "license_type", _enum(LicenseType), nillable=False),
            _Field("ExtraFlags", "extra_flags", integer, nillable=False),
            _Field("SortOrder", "sort_order", integer, nillable=False),
            _Field("LicenseNumber", "license_number", integer, nillable=False),
            _Field("IsHidden", "is_hidden", boolean, nillable=False),
            _Field("IsUnrestricted", "is_unrestricted", boolean, nillable=False),
            _Field("ExpiryDate", "expiry_date", moment, nillable=False),
        )
        provided_credential = struct(
            ProvidedCredential,
            _Field("Type", "type", string),
            _Field("SearchName", "search_name", string),
            _Field("DisplayName", "display_name", string),
            _Field("CredentialId", "credential_id", integer, nillable=False),
        )
        principal = struct(
            Principal,
            _Field("UserType", "user_type", _enum(UserType), nillable=False),
            _Field("Associate", "associate", string),
            _Field("AssociateId", "associate_id", integer, nillable=False),
            _Field("IsPerson", "is_person", boolean, nillable=False),
            _Field("PersonId", "person_id", integer, nillable=False),
            _Field("CountryId", "country_id", integer, nillable=False),
            _Field("HomeCountryId", "home_country_id", integer, nillable=False),
            _Field("ContactId", "contact_id", integer, nillable=False),
            _Field("GroupId", "group_id", integer, nillable=False),
            _Field("BusinessId", "business_id", integer, nillable=False),
            _Field("CategoryId", "category_id", integer, nillable=False),
            _Field("ContactOwner", "contact_owner", integer, nillable=False),
            _Field("RoleId", "role_id", integer, nillable=False),
            _Field("RoleName", "role_name", string),
            _Field("RoleDescription", "role_description", string),
            _Field("RoleType", "role_type", _enum(RoleType), nillable=False),
            _Field(
                "Licenses", "licenses", array("GrantedModuleLicense", granted_license, into=tuple)
            ),
            _Field("FullName", "full_name", string),
            _Field("EMailAddress", "email_address", string),
            _Field(
                "FunctionRights",
                "function_rights",
                array("string", string, item_ns=MS_ARRAYS, into=tuple),
            ),
            _Field("EjUserId", "ej_user_id", integer, nillable=False),
            _Field("EjAccessLevel", "ej_access_level", integer, nillable=False),
            _Field("EjUserStatus", "ej_user_status", _enum(EjUserStatus), nillable=False),
            _Field(
                "ProvidedCredentials",
                "provided_credentials",
                array("ProvidedCredential", provided_credential, into=tuple),
            ),
            _Field(
                "SecondaryGroups",
                "secondary_groups",
                array("int", integer, item_ns=MS_ARRAYS, into=tuple),
            ),
            _Field("DatabaseContextIdentifier", "database_context_identifier", string),
        )
        credentials = struct(dict, _Field("Ticket", "ticket", string))
        authenticate = struct(
            dict,
            _Field("Response", "principal", principal),
            _Field("Credentials", "credentials", credentials),
            _Field("AuthenticationSucceeded", "succeeded", boolean, nillable=False),
        )

        def authentication(element: etree._Element) -> Authentication:
            values = authenticate(element)
            ticket = (values.get("credentials") or {}).get("ticket")
            result = Authentication(
                succeeded=bool(values.get("succeeded")),
                ticket=ticket,
                principal=values.get("principal"),
            )
            if not result.succeeded:
                raise AuthenticationError(
                    exception_type=None, message="NetServer answered AuthenticationSucceeded=false"
                )
            return result

        dsa = _Struct(
            CRYPTOGRAPHY_NS,
            DSAParameters,
            _Field("Counter", "counter", integer, nillable=False),
            *(_Field(name, name.lower(), _base64) for name in ("G", "J", "P", "Q", "Seed", "Y")),
        )
        signed_public_key = struct(
            SignedPublicKey,
            _Field("OwnerName", "owner_name", string),
            _Field("SignDate", "sign_date", moment, nillable=False),
            _Field("ExpiryDate", "expiry_date", moment, nillable=False),
            _Field("Key", "key", dsa, nillable=False),
            _Field("Signature", "signature", string),
        )
        module_license = struct(
            ModuleLicense,
            _Field("OwnerName", "owner_name", string),
            _Field("ModuleName", "module_name", string),
            _Field("ModuleDescription", "module_description", string),
            _Field("ModuleTooltip", "module_tooltip", string),
            _Field("ModuleVersion", "module_version", string),
            _Field("LicenseType", "license_type", _enum(LicenseType), nillable=False),
            _Field("Unrestricted", "unrestricted", boolean, nillable=False),
            _Field("AllowedUserType", "allowed_user_type", _enum(UserType), nillable=False),
            _Field("NumberOfLicenses", "number_of_licenses", integer, nillable=False),
            _Field("ExtraFlags", "extra_flags", integer, nillable=False),
            _Field("ExtraInfo", "extra_info", string),
            _Field("SortOrder", "sort_order", integer, nillable=False),
            _Field("IsHidden", "is_hidden", boolean, nillable=False),
            _Field("PrerequisiteModuleName", "prerequisite_module_name", string),
            _Field("Signature", "signature", string),
        )
        license_info = struct(
            LicenseInfo,
            _Field("CompanyName", "company_name", string),
            _Field("SerialNr", "serial_nr", string),
            _Field("OwnerName", "owner_name", string),
            _Field("OwnerDescription", "owner_description", string),
            _Field("NextCheckDate", "next_check_date", moment, nillable=False),
            _Field("MaintenanceDate", "maintenance_date", moment, nillable=False),
            _Field("AdminWarningDate", "admin_warning_date", moment, nillable=False),
            _Field("ExpiryDate", "expiry_date", moment, nillable=False),
            _Field("GraceDate", "grace_date", moment, nillable=False),
            _Field("ExtraFlags", "extra_flags", integer, nillable=False),
            _Field("LicenseUrl", "license_url", string),
            _Field("LicenseVersion", "license_version", string),
            _Field("DeploymentType", "deployment_type", integer, nillable=False),
            _Field("ProductType", "product_type", string),
            _Field("ProductDescription", "product_description", string),
            _Field(
                "ModuleLicenses",
                "module_licenses",
                array("ModuleLicense", module_license, into=tuple),
            ),
            _Field("PublicKey", "public_key", signed_public_key),
            _Field("Signature", "signature", string),
        )
        system_info = carrier(
            SystemInfo,
            _Field("License", "license", license_info),
            _Field("WarningEnglish", "warning_english", string),
            _Field("WarningResource", "warning_resource", string),
            _Field("BranchName", "branch_name", string),
            _Field("BuildLabel", "build_label", string),
            _Field("AssemblyVersion", "assembly_version", string),
            _Field(
                "AccumulatedNextCheckDate", "accumulated_next_check_date", moment, nillable=False
            ),
            _Field("FileVersion", "file_version", string),
            _Field("Description", "description", string),
            _Field(
                "DaysUntilNetServerExpiry", "days_until_net_server_expiry", integer, nillable=False
            ),
            _Field("BuildType", "build_type", _enum(NetServerBuildType), nillable=False),
            _Field("DatabaseVersion", "database_version", integer, nillable=False),
            _Field("IsUnicode", "is_unicode", boolean, nillable=False),
            _Field("CompanyName", "company_name", string),
            _Field("CompanyId", "company_id", integer, nillable=False),
            _Field("DatabaseType", "database_type", string),
            _Field("DatabaseMinor", "database_minor", string),
            _Field("DatabaseName", "database_name", string),
            _Field("IsOnTravel", "is_on_travel", boolean, nillable=False),
            _Field("IsSatellite", "is_satellite", boolean, nillable=False),
        )

        # ---- Response headers
        exception_info = struct(dict)
        exception_info.define(  # recursive: InnerException is an SoExceptionInfo
            _Field("Message", "message", string),
            _Field("StackTrace", "stack_trace", string),
            _Field("FriendlyText", "friendly_text", string),
            _Field("ExceptionType", "exception_type", string),
            _Field("Source", "source", string),
            _Field("InnerException", "inner_exception", exception_info),
            _Field(
                "Parameters",
                "parameters",
                _dictionary(ns, "SoExceptionInfoParametersKeyValuePair", string),
            ),
        )
        #: The response header blocks by qualified name.
        self.headers: dict[str, _Field] = {
            f"{{{ns}}}{field.name}": field
            for field in (
                _Field("ExceptionInfo", "exception_info", exception_info),
                _Field(
                    "ExtraInfo", "extra_info", _dictionary(ns, "ExtraInfoNameValuePair", string)
                ),
                _Field("Succeeded", "succeeded", boolean, nillable=False),
                _Field(
                    "TimeZone",
                    "time_zone",
                    struct(
                        dict,
                        _Field("SoTimeZoneId", "id", integer, nillable=False),
                        _Field("SoTimeZoneLocationCode", "location_code", string),
                    ),
                ),
            )
        }

        # ---- Operation answers: decoders of the ``<Op>Response`` wrapper element
        untrusted_credentials_array = array("UntrustedCredentials", self.untrusted_credentials)
        credential_type_array = array("CredentialType", self.credential_type)
        #: ``<Response>`` holding ArrayOfUntrustedCredentials → list (absent or nil → []).
        self.untrusted_credentials_list = _response(
            ns, "Response", untrusted_credentials_array, list
        )
        #: ``<Response>`` holding ArrayOfCredentialType → list (absent or nil → []).
        self.credential_type_list = _response(ns, "Response", credential_type_array, list)
        #: ``<Response>`` holding one UntrustedCredentials (required).
        self.one_untrusted_credentials = _response(ns, "Response", self.untrusted_credentials, None)
        #: An empty wrapper: the operation returns nothing.
        self.nothing = struct(lambda: None)
        #: ``AuthenticateResponse`` → Authentication; AuthenticationSucceeded false raises.
        self.authentication: Decoder = authentication
        #: ``<SystemInfo>`` → SystemInfo (required).
        self.system_info = _response(ns, "SystemInfo", system_info, None)


# ------------------------------------------------------------------------------------------------
# The machinery


class _Field:
    """One element of a sequence: wire name, model attribute, decoder, nillable."""

    __slots__ = ("attr", "decode", "index", "name", "nillable")

    def __init__(self, name: str, attr: str, decode: Decoder, *, nillable: bool = True) -> None:
        self.name = name
        self.attr = attr
        self.decode = decode
        self.nillable = nillable
        self.index = 0

    def read(self, element: etree._Element) -> Any:
        """Decode one element of this field (None when it is xsi:nil)."""
        try:
            if element.get(XSI_NIL) is not None and _is_nil(element, self.nillable):
                return None
            return self.decode(element)
        except Problem as problem:
            problem.segments.append(self.name)
            raise


class _Struct:
    """An xs:sequence of optional elements, in order, each at most once, built by ``factory``."""

    def __init__(self, ns: str, factory: Callable[..., Any], *fields: _Field) -> None:
        self.ns = ns
        self.factory = factory
        self.fields: dict[str, _Field] = {}
        self.define(*fields)

    def define(self, *fields: _Field) -> None:
        """Set the fields; separate from ``__init__`` so that a type can contain itself."""
        self.fields = {}
        self._table: dict[str, tuple[int, str, Decoder, bool, str]] = {}
        # A model is built from what was on the wire: an absent element is None, never a default
        # meant for writing (UntrustedCredentials.is_active defaults to True).
        factory = self.factory
        self._absent: dict[str, Any] = (
            {
                field.name: None
                for field in attrs.fields(factory)
                if field.metadata.get("default_for_writing")
            }
            if isinstance(factory, type) and attrs.has(factory)
            else {}
        )
        for index, field in enumerate(fields):
            field.index = index
            tag = f"{{{self.ns}}}{field.name}"
            self.fields[tag] = field
            self._table[tag] = (index, field.attr, field.decode, field.nillable, field.name)

    def __call__(self, element: etree._Element) -> Any:
        # The hot loop of every answer: _Field.read is inlined and each field is one tuple.
        text = element.text
        if text and not text.isspace():
            raise Problem(f"unexpected text {_excerpt(text)!r}")
        table = self._table
        values: dict[str, Any] = self._absent.copy()
        last = -1
        for child in element:
            entry = table.get(child.tag)
            if entry is None:
                raise Problem(f"unexpected element {describe_tag(child.tag)}")
            index, attr, decode, nillable, name = entry
            if index <= last:
                raise Problem(f"element {name} is repeated or out of order")
            last = index
            tail = child.tail
            if tail and not tail.isspace():
                raise Problem(f"unexpected text {_excerpt(tail)!r} after {name}")
            try:
                if child.keys() and child.get(XSI_NIL) is not None and _is_nil(child, nillable):
                    values[attr] = None
                else:
                    values[attr] = decode(child)
            except Problem as problem:
                problem.segments.append(name)
                raise
        return self.factory(**values)


def _array(ns: str, item_name: str, decode_item: Decoder, into: Any) -> Decoder:
    """A WCF array: 0..n nillable ``item_name`` elements; a nil item carries nothing, skipped."""
    item_tag = f"{{{ns}}}{item_name}"

    def decode(element: etree._Element) -> Any:
        text = element.text
        if text and not text.isspace():
            raise Problem(f"unexpected text {_excerpt(text)!r}")
        items: list[Any] = []
        for position, child in enumerate(element, 1):
            if child.tag != item_tag:
                raise Problem(f"unexpected element {describe_tag(child.tag)}")
            try:
                tail = child.tail
                if tail and not tail.isspace():
                    raise Problem(f"unexpected text {_excerpt(tail)!r}")
                if child.keys() and child.get(XSI_NIL) is not None and _is_nil(child, True):
                    continue
                items.append(decode_item(child))
            except Problem as problem:
                problem.segments.append(f"{item_name}[{position}]")
                raise
        return items if into is list else into(items)

    return decode


def _dictionary(ns: str, pair_name: str, decode_value: Decoder) -> Decoder:
    """A WCF dictionary: 0..n ``pair_name{Key, Value}``; a duplicate or nil key is an error.

    A nil value carries nothing and is skipped, so the mapping's values keep their type.
    """
    pair = _Struct(
        ns,
        lambda **kv: (kv.get("key"), kv.get("value"), "value" in kv),
        _Field("Key", "key", _string),
        _Field("Value", "value", decode_value),
    )
    pair_tag = f"{{{ns}}}{pair_name}"

    def decode(element: etree._Element) -> dict[str, Any]:
        text = element.text
        if text and not text.isspace():
            raise Problem(f"unexpected text {_excerpt(text)!r}")
        result: dict[str, Any] = {}
        for position, child in enumerate(element, 1):
            if child.tag != pair_tag:
                raise Problem(f"unexpected element {describe_tag(child.tag)}")
            try:
                key, value, present = pair(child)
                if key is None:
                    raise Problem("a dictionary entry without a Key")
                if key in result:
                    raise Problem(f"duplicate key {key!r}")
                if not present:
                    raise Problem(f"dictionary entry {key!r} has no Value")
                if value is not None:
                    result[key] = value
            except Problem as problem:
                problem.segments.append(f"{pair_name}[{position}]")
                raise
        return result

    return decode


def _response(ns: str, child: str, decode: Decoder, empty: Optional[Callable[[], Any]]) -> Decoder:
    """The ``<Op>Response`` wrapper holding one optional ``child``.

    An absent or nil child gives ``empty()``; with ``empty=None`` it is an error.
    """
    wrapper = _Struct(ns, dict, _Field(child, "value", decode))

    def decode_wrapper(element: etree._Element) -> Any:
        value = wrapper(element).get("value")
        if value is not None:
            return value
        if empty is None:
            raise Problem(f"the answer holds no {child}")
        return empty()

    return decode_wrapper


def _is_nil(element: etree._Element, nillable: bool) -> bool:
    nil = element.get(XSI_NIL)
    if nil is None:
        return False
    nil = nil.strip()
    if nil in ("false", "0"):
        return False
    if nil not in ("true", "1"):
        raise Problem(f"invalid xsi:nil value {nil!r}")
    if not nillable:
        raise Problem("xsi:nil on an element that is not nillable")
    if len(element) or (element.text and not element.text.isspace()):
        raise Problem("an element marked xsi:nil has content")
    return True


def _simple_text(element: etree._Element) -> str:
    if len(element):
        raise Problem(f"expected a simple value, found element {describe_tag(element[0].tag)}")
    return element.text or ""


def _scalar(type_name: str, codec: Callable[[str], Any]) -> Decoder:
    def decode(element: etree._Element) -> Any:
        if len(element):
            raise Problem(f"expected a simple value, found element {describe_tag(element[0].tag)}")
        text = element.text
        if not text or text.isspace():
            raise Problem(f"empty element where {type_name} is expected")
        try:
            return codec(text)
        except ScalarError as exc:
            raise Problem(str(exc)) from None

    return decode


def _string(element: etree._Element) -> str:
    if len(element):
        raise Problem(f"expected a simple value, found element {describe_tag(element[0].tag)}")
    return element.text or ""


def _base64(element: etree._Element) -> bytes:
    text = "".join(_simple_text(element).split())
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise Problem(f"not an xs:base64Binary: {_excerpt(text)!r}") from None


def _token_set(type_name: str, tokens: tuple[str, ...]) -> Decoder:
    """An xs:list of enumeration tokens (a .NET flags enum); empty means no flags."""
    known = frozenset(tokens)

    def decode(element: etree._Element) -> frozenset[str]:
        values = frozenset(_simple_text(element).split())
        if not values <= known:
            raise Problem(f"unknown {type_name} flag {sorted(values - known)[0]!r}")
        return values

    return decode


def _enum(cls: type[enum.Enum]) -> Decoder:
    """An xs:string enumeration → its Python enum member; an unknown value is an error."""
    members = {member.value: member for member in cls}

    def decode(element: etree._Element) -> enum.Enum:
        text = _simple_text(element).strip(" \t\r\n")
        member = members.get(text)
        if member is None:
            raise Problem(f"unknown {cls.__name__} value {_excerpt(text)!r}")
        return member

    return decode


_int = _scalar("xs:int", parse_int)
_bool = _scalar("xs:boolean", parse_bool)
_datetime = _scalar("xs:dateTime", parse_datetime)


def describe_tag(tag: object) -> str:
    """A readable element name: the local name for NetServer elements, else with its namespace."""
    if not isinstance(tag, str):
        return "a non-element node"
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return (
            local
            if namespace.startswith(_NETSERVER_NS_PREFIX)
            else f"{local} (namespace {namespace})"
        )
    return f"{tag} (no namespace)"


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _EXCERPT_CHARS else text[:_EXCERPT_CHARS] + "…"
