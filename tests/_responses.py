"""The one writer of NetServer answers for the tests and the benchmarks (lxml, never strings).

One ``Writer`` walks a type table (``SPECS``: each NetServer type's elements in schema order,
written from the reference WSDLs and held against zeep's view of them by
``test_zeep_differential.test_spec_matches_the_wsdl``) and writes a value into elements. What it
writes is chosen by the caller at two levels:

* **Model values** (``UntrustedCredentials``, ``Principal`` …): each value is spelled by a ``Lex``
  — ``Lex()`` as WCF's DataContractSerializer spells it, ``Quirky()`` with every lexical liberty
  the schema allows at once (``1``/``0`` booleans, padded, signed and zero-led numbers, ``+00:00``,
  digits beyond microseconds, CDATA strings, comments between elements, nil for every absent
  nillable value, a nil item in every array, line-wrapped base64), or a ``Lex`` subclass of the
  caller's (the differential suite's draws each choice with hypothesis).
* **Wire text** (``WireCredentials``, ``WireRight``, ``WireFieldProperty``): a record with the
  model's attribute names whose simple values are the exact text to write (``"1"``,
  ``"…59.9999999"``, ``" Select  Update "``), so a test controls what the parser sees.

In both, a field that is ``None`` leaves its element out (or writes it nil when the ``Lex`` says
so), ``NIL`` writes ``xsi:nil="true"``, and an array item or dictionary value may be ``NIL``.

Around the payloads: SOAP envelopes (1.1 or 1.2; ``convert_envelope`` moves one to the other),
the four response header blocks (``WireHeaders``), two layouts (``Style``), bytes (``to_bytes``).

It imports the model classes (the values it writes) and nothing else of ``superoffice_soap`` —
no parser, no decoder, no codec — so a writer bug and a parser bug cannot cancel out.
``benchmarks/bench.py`` imports this module too (by a path insert): the benchmarks parse the same
answers the tests do.
"""

from __future__ import annotations

import base64
import copy
import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, Optional, Union

from lxml import etree

from superoffice_soap import (
    CredentialControlType,
    CredentialType,
    FieldProperty,
    FieldRight,
    Principal,
    SystemInfo,
    TableRight,
    UntrustedCredentials,
    UserType,
)
from superoffice_soap.models import (
    FIELD_RIGHT_FLAGS,
    TABLE_RIGHT_FLAGS,
)
from superoffice_soap.principal import (
    DSAParameters,
    EjUserStatus,
    GrantedModuleLicense,
    LicenseInfo,
    LicenseType,
    ModuleLicense,
    NetServerBuildType,
    ProvidedCredential,
    RoleType,
    SignedPublicKey,
)

__all__ = [
    "ANSWERS",
    "CRYPTOGRAPHY",
    "MS_ARRAYS",
    "MS_SERIALIZATION",
    "NIL",
    "NS",
    "SOAP11",
    "SOAP12",
    "SOAP12_ENCODING",
    "SPECS",
    "XSD",
    "XSI",
    "ArrayOf",
    "Dictionary",
    "EnumOf",
    "F",
    "Kind",
    "Lex",
    "Mask",
    "Nil",
    "Quirky",
    "Scalar",
    "SoCredentials",
    "Struct",
    "Style",
    "Text",
    "WireCredentials",
    "WireFieldProperty",
    "WireHeaders",
    "WireRight",
    "Writer",
    "convert_envelope",
    "credentials_response",
    "datetime_text",
    "envelope",
    "response_headers",
    "to_bytes",
]

NS = "http://www.superoffice.net/ws/crm/NetServer/Services86"
SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
SOAP12_ENCODING = "http://www.w3.org/2003/05/soap-encoding"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XSD = "http://www.w3.org/2001/XMLSchema"
MS_ARRAYS = "http://schemas.microsoft.com/2003/10/Serialization/Arrays"
MS_SERIALIZATION = "http://schemas.microsoft.com/2003/10/Serialization/"
CRYPTOGRAPHY = "http://schemas.datacontract.org/2004/07/System.Security.Cryptography"

_XSI_NIL = f"{{{XSI}}}nil"

SoapVersion = Literal["1.1", "1.2"]
#: ``"datacontract"``: WCF's DataContractSerializer layout (a default ``xmlns`` on the wrapper and
#: on each header block, ``xmlns:i`` for nil, a foreign namespace declared where it is used).
#: ``"prefixed"``: every namespace declared on top with a prefix (``User:`` or ``SoPrincipal:``
#: for NetServer's, ``xsi:`` for nil), the way SuperOffice's documentation examples are written.
Style = Literal["datacontract", "prefixed"]


class Nil(enum.Enum):
    """The ``xsi:nil="true"`` marker (an enum so that ``Literal[Nil.NIL]`` narrows in mypy)."""

    NIL = "nil"


NIL = Nil.NIL

#: A simple element's wire text: None leaves it out, NIL writes ``xsi:nil="true"``.
Text = Union[str, Nil, None]


# --------------------------------------------------------------------------------------------
# The type table
# --------------------------------------------------------------------------------------------


class Scalar(enum.Enum):
    STRING = "xs:string"
    INT = "xs:int"
    BOOL = "xs:boolean"
    DATETIME = "xs:dateTime"
    BASE64 = "xs:base64Binary"


@dataclass(frozen=True)
class EnumOf:
    """An xs:string enumeration, held in the models as a str-enum class."""

    cls: type[enum.Enum]


@dataclass(frozen=True)
class Mask:
    """An xs:list of flag tokens (ETableRight / EFieldRight)."""

    tokens: tuple[str, ...]


@dataclass(frozen=True)
class Struct:
    """A complex type whose elements ``SPECS[model]`` lists."""

    model: type


@dataclass(frozen=True)
class ArrayOf:
    """A WCF array: 0..n ``item`` elements (in namespace ``ns``)."""

    item: str
    kind: Kind
    ns: str = NS
    nillable_items: bool = True


@dataclass(frozen=True)
class Dictionary:
    """A WCF dictionary: 0..n ``pair`` elements holding a Key and a Value."""

    pair: str
    value: Kind


Kind = Union[Scalar, EnumOf, Mask, Struct, ArrayOf, Dictionary]


@dataclass(frozen=True)
class F:
    """One element of a sequence: wire name, model attribute, kind, nillable, namespace.

    ``required`` elements (minOccurs 1) are written as nil when the value is None.
    """

    element: str
    attr: str
    kind: Kind
    nillable: bool = True
    ns: str = NS
    required: bool = False


@dataclass(frozen=True)
class SoCredentials:
    """The ``Credentials`` of an AuthenticateResponse (the model keeps only its Ticket)."""

    ticket: Optional[str] = None


S, N, B, D, B64 = Scalar.STRING, Scalar.INT, Scalar.BOOL, Scalar.DATETIME, Scalar.BASE64


def _int(element: str, attr: str) -> F:
    return F(element, attr, N, nillable=False)


def _bool(element: str, attr: str) -> F:
    return F(element, attr, B, nillable=False)


def _date(element: str, attr: str) -> F:
    return F(element, attr, D, nillable=False)


def _enum(element: str, attr: str, cls: type[enum.Enum]) -> F:
    return F(element, attr, EnumOf(cls), nillable=False)


CARRIER = (
    F("TableRight", "table_right", Struct(TableRight)),
    F(
        "FieldProperties",
        "field_properties",
        Dictionary("FieldPropertyDictionaryKeyValuePair", Struct(FieldProperty)),
    ),
)
#: Every NetServer type an answer holds, its elements in schema order.
SPECS: dict[type, tuple[F, ...]] = {
    TableRight: (
        F("Mask", "mask", Mask(TABLE_RIGHT_FLAGS), nillable=False),
        F("Reason", "reason", S),
    ),
    FieldRight: (
        F("Mask", "mask", Mask(FIELD_RIGHT_FLAGS), nillable=False),
        F("Reason", "reason", S),
    ),
    FieldProperty: (
        F("FieldRight", "field_right", Struct(FieldRight)),
        F("FieldType", "field_type", S),
        _int("FieldLength", "field_length"),
    ),
    UntrustedCredentials: (
        *CARRIER,
        _date("ValidFrom", "valid_from"),
        _date("ValidTo", "valid_to"),
        F("Comment", "comment", S),
        F("SecretValue", "secret_value", S),
        F("PublicValue", "public_value", S),
        _bool("IsActive", "is_active"),
    ),
    CredentialType: (
        *CARRIER,
        F("DisplayType", "display_type", S),
        F("Type", "type", S),
        F("Description", "description", S),
        _enum("ValueControl", "value_control", CredentialControlType),
        _bool("CanCreatePerson", "can_create_person"),
        _bool("IsUserNameSupported", "is_user_name_supported"),
    ),
    GrantedModuleLicense: (
        *CARRIER,
        _int("OwnerId", "owner_id"),
        F("OwnerName", "owner_name", S),
        F("OwnerDescription", "owner_description", S),
        _int("ModuleId", "module_id"),
        F("Name", "name", S),
        F("Description", "description", S),
        F("Version", "version", S),
        _enum("LicenseType", "license_type", LicenseType),
        _int("ExtraFlags", "extra_flags"),
        _int("SortOrder", "sort_order"),
        _int("LicenseNumber", "license_number"),
        _bool("IsHidden", "is_hidden"),
        _bool("IsUnrestricted", "is_unrestricted"),
        _date("ExpiryDate", "expiry_date"),
    ),
    ProvidedCredential: (
        F("Type", "type", S),
        F("SearchName", "search_name", S),
        F("DisplayName", "display_name", S),
        _int("CredentialId", "credential_id"),
    ),
    Principal: (
        _enum("UserType", "user_type", UserType),
        F("Associate", "associate", S),
        _int("AssociateId", "associate_id"),
        _bool("IsPerson", "is_person"),
        _int("PersonId", "person_id"),
        _int("CountryId", "country_id"),
        _int("HomeCountryId", "home_country_id"),
        _int("ContactId", "contact_id"),
        _int("GroupId", "group_id"),
        _int("BusinessId", "business_id"),
        _int("CategoryId", "category_id"),
        _int("ContactOwner", "contact_owner"),
        _int("RoleId", "role_id"),
        F("RoleName", "role_name", S),
        F("RoleDescription", "role_description", S),
        _enum("RoleType", "role_type", RoleType),
        F("Licenses", "licenses", ArrayOf("GrantedModuleLicense", Struct(GrantedModuleLicense))),
        F("FullName", "full_name", S),
        F("EMailAddress", "email_address", S),
        F("FunctionRights", "function_rights", ArrayOf("string", S, ns=MS_ARRAYS)),
        _int("EjUserId", "ej_user_id"),
        _int("EjAccessLevel", "ej_access_level"),
        _enum("EjUserStatus", "ej_user_status", EjUserStatus),
        F(
            "ProvidedCredentials",
            "provided_credentials",
            ArrayOf("ProvidedCredential", Struct(ProvidedCredential)),
        ),
        F(
            "SecondaryGroups",
            "secondary_groups",
            ArrayOf("int", N, ns=MS_ARRAYS, nillable_items=False),
        ),
        F("DatabaseContextIdentifier", "database_context_identifier", S),
    ),
    SoCredentials: (F("Ticket", "ticket", S),),
    DSAParameters: (
        F("Counter", "counter", N, nillable=False, ns=CRYPTOGRAPHY, required=True),
        *(
            F(name, name.lower(), B64, ns=CRYPTOGRAPHY, required=True)
            for name in ("G", "J", "P", "Q", "Seed", "Y")
        ),
    ),
    SignedPublicKey: (
        F("OwnerName", "owner_name", S),
        _date("SignDate", "sign_date"),
        _date("ExpiryDate", "expiry_date"),
        F("Key", "key", Struct(DSAParameters), nillable=False),
        F("Signature", "signature", S),
    ),
    ModuleLicense: (
        F("OwnerName", "owner_name", S),
        F("ModuleName", "module_name", S),
        F("ModuleDescription", "module_description", S),
        F("ModuleTooltip", "module_tooltip", S),
        F("ModuleVersion", "module_version", S),
        _enum("LicenseType", "license_type", LicenseType),
        _bool("Unrestricted", "unrestricted"),
        _enum("AllowedUserType", "allowed_user_type", UserType),
        _int("NumberOfLicenses", "number_of_licenses"),
        _int("ExtraFlags", "extra_flags"),
        F("ExtraInfo", "extra_info", S),
        _int("SortOrder", "sort_order"),
        _bool("IsHidden", "is_hidden"),
        F("PrerequisiteModuleName", "prerequisite_module_name", S),
        F("Signature", "signature", S),
    ),
    LicenseInfo: (
        F("CompanyName", "company_name", S),
        F("SerialNr", "serial_nr", S),
        F("OwnerName", "owner_name", S),
        F("OwnerDescription", "owner_description", S),
        _date("NextCheckDate", "next_check_date"),
        _date("MaintenanceDate", "maintenance_date"),
        _date("AdminWarningDate", "admin_warning_date"),
        _date("ExpiryDate", "expiry_date"),
        _date("GraceDate", "grace_date"),
        _int("ExtraFlags", "extra_flags"),
        F("LicenseUrl", "license_url", S),
        F("LicenseVersion", "license_version", S),
        _int("DeploymentType", "deployment_type"),
        F("ProductType", "product_type", S),
        F("ProductDescription", "product_description", S),
        F("ModuleLicenses", "module_licenses", ArrayOf("ModuleLicense", Struct(ModuleLicense))),
        F("PublicKey", "public_key", Struct(SignedPublicKey)),
        F("Signature", "signature", S),
    ),
    SystemInfo: (
        *CARRIER,
        F("License", "license", Struct(LicenseInfo)),
        F("WarningEnglish", "warning_english", S),
        F("WarningResource", "warning_resource", S),
        F("BranchName", "branch_name", S),
        F("BuildLabel", "build_label", S),
        F("AssemblyVersion", "assembly_version", S),
        _date("AccumulatedNextCheckDate", "accumulated_next_check_date"),
        F("FileVersion", "file_version", S),
        F("Description", "description", S),
        _int("DaysUntilNetServerExpiry", "days_until_net_server_expiry"),
        _enum("BuildType", "build_type", NetServerBuildType),
        _int("DatabaseVersion", "database_version"),
        _bool("IsUnicode", "is_unicode"),
        F("CompanyName", "company_name", S),
        _int("CompanyId", "company_id"),
        F("DatabaseType", "database_type", S),
        F("DatabaseMinor", "database_minor", S),
        F("DatabaseName", "database_name", S),
        _bool("IsOnTravel", "is_on_travel"),
        _bool("IsSatellite", "is_satellite"),
    ),
}

CREDENTIALS_ARRAY = ArrayOf("UntrustedCredentials", Struct(UntrustedCredentials))
TYPES_ARRAY = ArrayOf("CredentialType", Struct(CredentialType))
#: The children of each operation's answer wrapper (``<Op>Response``; ``AuthenticateResponse``
#: for both Authenticate operations).
ANSWERS: dict[str, tuple[F, ...]] = {
    "GetUntrustedCredentials": (F("Response", "response", CREDENTIALS_ARRAY),),
    "GetUntrustedCredentialsForAssociate": (F("Response", "response", CREDENTIALS_ARRAY),),
    "CreateDefaultUntrustedCredentials": (F("Response", "response", Struct(UntrustedCredentials)),),
    "GetCredentialTypes": (F("Response", "response", TYPES_ARRAY),),
    "GetCredentialTypesForUserType": (F("Response", "response", TYPES_ARRAY),),
    "SaveUntrustedCredentials": (),
    "SaveUntrustedCredentialsForAssociate": (),
    "RemoveUntrustedCredentials": (),
    "RemoveUntrustedCredentialsForAssociate": (),
    "AuthenticateUsernamePassword": (
        F("Response", "principal", Struct(Principal)),
        F("Credentials", "credentials", Struct(SoCredentials)),
        _bool("AuthenticationSucceeded", "succeeded"),
    ),
    "AuthenticateWithAccessToken": (
        F("Response", "principal", Struct(Principal)),
        F("Credentials", "credentials", Struct(SoCredentials)),
        _bool("AuthenticationSucceeded", "succeeded"),
    ),
    "GetSystemInfo": (F("SystemInfo", "system_info", Struct(SystemInfo)),),
}


# --------------------------------------------------------------------------------------------
# Wire-text records
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WireRight:
    """A ``TableRight`` or ``FieldRight``: ``mask`` is the xs:list text (None: no Mask element)."""

    mask: Optional[str] = None
    reason: Text = None


@dataclass(frozen=True)
class WireFieldProperty:
    """A ``FieldProperty`` (the Value of a FieldProperties dictionary entry)."""

    field_right: Union[WireRight, Nil, None] = None
    field_type: Text = None
    field_length: Optional[str] = None


#: FieldProperties: None leaves it out, NIL is nil, else (Key text, Value) pairs in order.
WireFieldProperties = Union[Sequence[tuple[str, Union[WireFieldProperty, Nil]]], Nil, None]


@dataclass(frozen=True)
class WireCredentials:
    """One ``UntrustedCredentials`` item, field by field in the schema's sequence order."""

    table_right: Union[WireRight, Nil, None] = None
    field_properties: WireFieldProperties = None
    valid_from: Optional[str] = None
    valid_to: Optional[str] = None
    comment: Text = None
    secret_value: Text = None
    public_value: Text = None
    is_active: Optional[str] = None


#: The wire-text records a model's Struct also accepts (same attribute names as the model).
_WIRE_RECORDS: dict[type, type] = {
    TableRight: WireRight,
    FieldRight: WireRight,
    FieldProperty: WireFieldProperty,
    UntrustedCredentials: WireCredentials,
}


@dataclass(frozen=True)
class WireHeaders:
    """The four response headers NetServer's binding declares; None leaves a block out."""

    exception_info: Optional[Nil] = None
    extra_info: Union[Sequence[tuple[str, Text]], Nil, None] = None
    succeeded: Optional[str] = None
    time_zone: Union[tuple[str, Text], Nil, None] = None


# --------------------------------------------------------------------------------------------
# Spelling
# --------------------------------------------------------------------------------------------


class Lex:
    """How model values are spelled: this base class writes what WCF's serializer writes."""

    def nil_for_none(self) -> bool:
        return False

    def nil_text(self) -> str:
        return "true"

    def pad(self) -> str:
        return ""

    def boolean(self, value: bool) -> str:
        return "true" if value else "false"

    def utc_suffix(self) -> str:
        return "Z"

    def extra_fraction(self) -> str:
        """Digits beyond microseconds (both parsers truncate them)."""
        return ""

    def integer(self, value: int) -> str:
        return str(value)

    def cdata(self) -> bool:
        return False

    def comment(self) -> bool:
        """A comment as the first child of each structure."""
        return False

    def mask_separator(self) -> str:
        return " "

    def empty_mask_element(self) -> bool:
        return False

    def nil_item(self) -> bool:
        return False

    def base64_wrap(self) -> Optional[int]:
        return None


class Quirky(Lex):
    """Every lexical liberty the schema allows, at once."""

    def nil_for_none(self) -> bool:
        return True

    def nil_text(self) -> str:
        return "1"

    def pad(self) -> str:
        return " \n\t"

    def boolean(self, value: bool) -> str:
        return "1" if value else "0"

    def utc_suffix(self) -> str:
        return "+00:00"

    def extra_fraction(self) -> str:
        return "9"

    def integer(self, value: int) -> str:
        return f"{'-' if value < 0 else '+'}00{abs(value)}"

    def cdata(self) -> bool:
        return True

    def comment(self) -> bool:
        return True

    def mask_separator(self) -> str:
        return " \n "

    def empty_mask_element(self) -> bool:
        return True

    def nil_item(self) -> bool:
        return True

    def base64_wrap(self) -> Optional[int]:
        return 4


def datetime_text(value: datetime, lex: Lex) -> str:
    """An xs:dateTime as ``lex`` spells it (WCF drops trailing zeros of the fraction)."""
    extra = lex.extra_fraction()
    wall = value.replace(tzinfo=None)
    if extra:
        text = wall.isoformat(timespec="microseconds") + extra
    elif value.microsecond:
        text = wall.isoformat(timespec="microseconds").rstrip("0")
    else:
        text = wall.isoformat(timespec="seconds")
    offset = value.utcoffset()
    if offset is not None:
        if not offset:
            text += lex.utc_suffix()
        else:
            minutes, rest = divmod(abs(offset), timedelta(minutes=1))
            assert not rest, "xs:dateTime offsets are whole minutes"
            sign = "-" if offset < timedelta(0) else "+"
            text += f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"
    return lex.pad() + text + lex.pad()


def _cdata_safe(value: object) -> bool:
    """A CDATA section can hold the string unchanged (no ``]]>``; a CR would become LF)."""
    return isinstance(value, str) and bool(value) and "]]>" not in value and "\r" not in value


# --------------------------------------------------------------------------------------------
# The writer
# --------------------------------------------------------------------------------------------


class Writer:
    """Writes values into lxml elements, driven by SPECS, spelled by ``lex``, laid out by
    ``style``; ``prefix`` is NetServer's namespace prefix in the prefixed style (the service's
    name, as the documentation writes it)."""

    def __init__(
        self, lex: Optional[Lex] = None, style: Style = "datacontract", prefix: str = "User"
    ):
        self.lex = lex or Lex()
        self.style = style
        self.prefix = prefix

    def top_nsmap(self, foreign: bool = False) -> dict[Optional[str], str]:
        """Declarations for a top-level element (the body wrapper or a header block); with
        ``foreign``, the prefixed style also declares the array and cryptography namespaces."""
        if self.style == "datacontract":
            return {None: NS, "i": XSI}
        # The docs declare every namespace on top, with these prefixes.
        nsmap: dict[Optional[str], str] = {self.prefix: NS, "xsi": XSI}
        if foreign:
            nsmap.update({"NetServerServices862": CRYPTOGRAPHY, "NetServerServices863": MS_ARRAYS})
        return nsmap

    def top(
        self, parent: Optional[etree._Element], name: str, *, foreign: bool = False
    ) -> etree._Element:
        """A top-level element in NetServer's namespace: detached, or a child of ``parent``."""
        tag = f"{{{NS}}}{name}"
        nsmap = self.top_nsmap(foreign)
        if parent is None:
            return etree.Element(tag, nsmap=nsmap)
        return etree.SubElement(parent, tag, nsmap=nsmap)

    def wrapper(
        self, name: str, fields: Sequence[F], values: Mapping[str, object]
    ) -> etree._Element:
        """A detached answer wrapper ``<name>`` holding ``fields`` (values by attribute)."""
        root = self.top(None, name, foreign=True)
        for f in fields:
            self.field(root, f, values.get(f.attr))
        return root

    def _nsmap(self, kind: Kind) -> Optional[dict[Optional[str], str]]:
        """DataContractSerializer declares a foreign namespace on the element that needs it."""
        if self.style != "datacontract":
            return None
        if isinstance(kind, ArrayOf) and kind.ns != NS:
            return {"a": kind.ns}
        if isinstance(kind, Struct) and kind.model is DSAParameters:
            return {"b": CRYPTOGRAPHY}
        return None

    def nil(self, parent: etree._Element, tag: str) -> etree._Element:
        element = etree.SubElement(parent, tag)
        element.set(_XSI_NIL, self.lex.nil_text())
        return element

    def field(self, parent: etree._Element, f: F, value: object) -> None:
        """One element of a sequence: NIL is nil, None is left out (or nil, as ``lex`` says)."""
        tag = f"{{{f.ns}}}{f.element}"
        if value is NIL:
            self.nil(parent, tag)
        elif value is None:
            if f.required or (f.nillable and self.lex.nil_for_none()):
                assert f.nillable, f
                self.nil(parent, tag)
        else:
            self.value(parent, tag, f.kind, value)

    def value(self, parent: etree._Element, tag: str, kind: Kind, value: object) -> None:
        """``value`` as a child ``tag`` of ``parent``; a str for a non-string simple kind is wire
        text, written as it is."""
        lex = self.lex
        if type(value) is str and isinstance(kind, (Scalar, EnumOf, Mask)):
            if kind is Scalar.STRING and lex.cdata() and _cdata_safe(value):
                etree.SubElement(parent, tag).text = etree.CDATA(value)
            else:
                etree.SubElement(parent, tag).text = value
            return
        if isinstance(kind, Mask):
            assert isinstance(value, frozenset)
            if not value and not lex.empty_mask_element():
                return
            text = lex.mask_separator().join(t for t in kind.tokens if t in value)
            etree.SubElement(parent, tag).text = lex.pad() + text + lex.pad()
            return
        element = etree.SubElement(parent, tag, nsmap=self._nsmap(kind))
        if isinstance(kind, Scalar):
            element.text = self.scalar(kind, value)
        elif isinstance(kind, EnumOf):
            assert isinstance(value, kind.cls)
            element.text = str(value.value)
        elif isinstance(kind, Struct):
            assert isinstance(value, (kind.model, _WIRE_RECORDS.get(kind.model, kind.model))), (
                value,
                kind,
            )
            if lex.comment():
                element.append(etree.Comment(" a comment "))
            for f in SPECS[kind.model]:
                self.field(element, f, getattr(value, f.attr))
        elif isinstance(kind, ArrayOf):
            assert isinstance(value, (list, tuple))
            item_tag = f"{{{kind.ns}}}{kind.item}"
            if kind.nillable_items and lex.nil_item():
                self.nil(element, item_tag)
            for item in value:
                if item is NIL:
                    self.nil(element, item_tag)
                else:
                    self.value(element, item_tag, kind.kind, item)
        else:
            self.dictionary(element, kind, value)

    def dictionary(self, element: etree._Element, kind: Dictionary, value: object) -> None:
        """Entries of a Mapping, or (key, value) pairs in order; a NIL value is a nil Value, a
        None value leaves the Value element out."""
        assert isinstance(value, (Mapping, Sequence)), value
        pairs = value.items() if isinstance(value, Mapping) else value
        for key, item in pairs:
            pair = etree.SubElement(element, f"{{{NS}}}{kind.pair}")
            etree.SubElement(pair, f"{{{NS}}}Key").text = key
            if item is None:
                continue  # no Value element
            if item is NIL:
                self.nil(pair, f"{{{NS}}}Value")
            else:
                self.value(pair, f"{{{NS}}}Value", kind.value, item)

    def scalar(self, kind: Scalar, value: object) -> str:
        lex = self.lex
        if kind is Scalar.STRING:
            assert isinstance(value, str)
            return value
        if kind is Scalar.INT:
            assert isinstance(value, int)
            return lex.pad() + lex.integer(value) + lex.pad()
        if kind is Scalar.BOOL:
            assert isinstance(value, bool)
            return lex.pad() + lex.boolean(value) + lex.pad()
        if kind is Scalar.DATETIME:
            assert isinstance(value, datetime)
            return datetime_text(value, lex)
        assert isinstance(value, bytes)
        text = base64.b64encode(value).decode("ascii")
        wrap = lex.base64_wrap()
        if wrap:
            text = "\n".join(text[i : i + wrap] for i in range(0, len(text), wrap))
        return text

    def headers(self, headers: WireHeaders) -> list[etree._Element]:
        """Detached header blocks (ExceptionInfo, ExtraInfo, Succeeded, TimeZone), in order."""
        holder = etree.Element("holder")
        if headers.exception_info is not None:
            self.top(holder, "ExceptionInfo").set(_XSI_NIL, self.lex.nil_text())
        if headers.extra_info is not None:
            extra = self.top(holder, "ExtraInfo")
            if headers.extra_info is NIL:
                extra.set(_XSI_NIL, self.lex.nil_text())
            else:
                self.dictionary(extra, Dictionary("ExtraInfoNameValuePair", S), headers.extra_info)
        if headers.succeeded is not None:
            self.top(holder, "Succeeded").text = headers.succeeded
        if headers.time_zone is not None:
            zone = self.top(holder, "TimeZone")
            if headers.time_zone is NIL:
                zone.set(_XSI_NIL, self.lex.nil_text())
            else:
                zone_id, location = headers.time_zone
                self.field(zone, F("SoTimeZoneId", "id", N, nillable=False), zone_id)
                self.field(zone, F("SoTimeZoneLocationCode", "location", S), location)
        blocks = list(holder)
        for block in blocks:
            holder.remove(block)
        return blocks


# --------------------------------------------------------------------------------------------
# Answers, envelopes, bytes
# --------------------------------------------------------------------------------------------


def credentials_response(
    response: Union[Sequence[Union[WireCredentials, UntrustedCredentials, Nil]], Nil, None],
    *,
    style: Style = "datacontract",
    wrapper: str = "GetUntrustedCredentialsForAssociateResponse",
    lex: Optional[Lex] = None,
) -> etree._Element:
    """A detached ``<wrapper><Response>…</Response></wrapper>`` Body payload.

    ``response`` None leaves the Response element out, NIL makes it nil, a sequence lists the
    ``UntrustedCredentials`` items (wire records or models; NIL items are written as nil items).
    """
    return Writer(lex, style).wrapper(
        wrapper, ANSWERS["GetUntrustedCredentials"], {"response": response}
    )


def response_headers(
    headers: WireHeaders, *, style: Style = "datacontract"
) -> list[etree._Element]:
    """Detached header blocks (ExceptionInfo, ExtraInfo, Succeeded, TimeZone), in that order."""
    return Writer(style=style).headers(headers)


def envelope(
    payload: etree._Element,
    headers: Sequence[etree._Element] = (),
    *,
    soap_version: SoapVersion = "1.1",
    header_element: Optional[bool] = None,
) -> etree._Element:
    """``<s:Envelope>[<s:Header>headers</s:Header>]<s:Body>payload</s:Body></s:Envelope>``.

    The payload and header blocks are copied, so one builder result can go into several
    envelopes. ``header_element`` forces (True) or suppresses (False) the Header element;
    by default it is written when there are header blocks.
    """
    env_ns = SOAP11 if soap_version == "1.1" else SOAP12
    root = etree.Element(f"{{{env_ns}}}Envelope", nsmap={"s": env_ns})
    if header_element if header_element is not None else bool(headers):
        header = etree.SubElement(root, f"{{{env_ns}}}Header")
        for block in headers:
            header.append(copy.deepcopy(block))
    body = etree.SubElement(root, f"{{{env_ns}}}Body")
    body.append(copy.deepcopy(payload))
    return root


def convert_envelope(root: etree._Element, soap_version: SoapVersion) -> etree._Element:
    """A copy of ``root`` (a SOAP 1.1 or 1.2 Envelope) moved to the other envelope namespace.

    Only the Envelope and its direct children (Header, Body) change namespace; their content is
    copied unchanged. Every prefix the original declares on the Envelope is declared again (the
    envelope prefix now bound to the new namespace, the SOAP 1.2 encoding prefix dropped), so
    QName-valued attributes such as ``xsi:type="xsd:string"`` still resolve.
    """
    source = etree.QName(root).namespace
    if source not in (SOAP11, SOAP12):
        raise ValueError(f"not a SOAP envelope: {root.tag!r}")
    target = SOAP11 if soap_version == "1.1" else SOAP12
    nsmap: dict[Optional[str], str] = {}
    for prefix, uri in root.nsmap.items():
        if uri == source:
            nsmap[prefix] = target
        elif uri != SOAP12_ENCODING:
            nsmap[prefix] = uri
    new_root = etree.Element(f"{{{target}}}Envelope", attrib=dict(root.attrib), nsmap=nsmap)
    new_root.text = root.text
    for child in root:
        if not isinstance(child.tag, str):
            continue  # comments and processing instructions are not carried over
        qname = etree.QName(child)
        tag = f"{{{target}}}{qname.localname}" if qname.namespace == source else child.tag
        new_child = etree.SubElement(new_root, tag, attrib=dict(child.attrib))
        new_child.text = child.text
        new_child.tail = child.tail
        for grandchild in child:
            new_child.append(copy.deepcopy(grandchild))
    return new_root


def to_bytes(root: etree._Element) -> bytes:
    """UTF-8 bytes with an XML declaration, as a server would send them."""
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="utf-8")
    return data
