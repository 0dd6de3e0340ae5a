"""The stand-in's demo data and fixed answers: demo credentials, credential types, system info.

All values are made up. The demo secrets (``demo-…-password``) are not secrets; they exist so that
tests can check that a client masks them.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from ..models import (
    CredentialControlType,
    CredentialType,
    FieldProperty,
    FieldRight,
    TableRight,
    UntrustedCredentials,
    UserType,
)
from ..principal import (
    DSAParameters,
    LicenseInfo,
    LicenseType,
    ModuleLicense,
    NetServerBuildType,
    SignedPublicKey,
    SystemInfo,
)

__all__ = ["demo_credential_types", "demo_credentials", "system_info"]


def demo_credentials() -> list[tuple[str, UntrustedCredentials]]:
    """Associate 5's credentials: two ``imap`` (one active, one expired) and one ``smtp``."""
    cest = timezone(timedelta(hours=2))
    return [
        (
            "imap",
            UntrustedCredentials(
                valid_from=datetime(2021, 3, 25, 21, 36, 23, tzinfo=cest),
                valid_to=datetime(9999, 12, 31, 23, 59, 59, 999999),
                comment="Work mailbox",
                secret_value="demo-imap-password",
                public_value="jane.doe@example.com",
                is_active=True,
                table_right=TableRight(mask=frozenset({"Select", "Update"})),
                field_properties={
                    "SecretValue": FieldProperty(
                        field_right=FieldRight(mask=frozenset({"Read", "Write"})),
                        field_type="System.String",
                        field_length=255,
                    )
                },
            ),
        ),
        (
            "imap",
            UntrustedCredentials(
                valid_from=datetime(2019, 1, 1, 0, 0, 0),
                valid_to=datetime(2020, 12, 31, 23, 59, 59),
                comment=None,
                secret_value="demo-old-imap-password",
                public_value="jane.doe@old.example.com",
                is_active=False,
                table_right=TableRight(mask=frozenset({"Select"}), reason="Inactive"),
                field_properties={},
            ),
        ),
        (
            "smtp",
            UntrustedCredentials(
                valid_from=datetime(2022, 6, 1, 8, 0, 0, tzinfo=timezone.utc),
                valid_to=datetime(2030, 6, 1, 8, 0, 0, tzinfo=timezone.utc),
                comment="Outgoing mail",
                secret_value="demo-smtp-password",
                public_value="jane.doe",
                is_active=True,
                table_right=TableRight(mask=frozenset({"Select", "Update", "Insert", "Delete"})),
                field_properties=None,
            ),
        ),
    ]


_EMPLOYEES = (UserType.INTERNAL_ASSOCIATE, UserType.RESOURCE_ASSOCIATE)
_EVERYONE = tuple(UserType)


def demo_credential_types() -> list[tuple[CredentialType, tuple[UserType, ...]]]:
    """imap and smtp (Password, every user type), ldap (Edit, employees), openid (Hidden,
    external users)."""
    return [
        (
            CredentialType(
                display_type="IMAP",
                type="imap",
                description="Incoming mail (IMAP) account",
                value_control=CredentialControlType.PASSWORD,
                can_create_person=False,
                is_user_name_supported=True,
            ),
            _EVERYONE,
        ),
        (
            CredentialType(
                display_type="SMTP",
                type="smtp",
                description="Outgoing mail (SMTP) account",
                value_control=CredentialControlType.PASSWORD,
                can_create_person=False,
                is_user_name_supported=True,
            ),
            _EVERYONE,
        ),
        (
            CredentialType(
                display_type="Active Directory",
                type="ldap",
                description="Windows / LDAP directory login",
                value_control=CredentialControlType.EDIT,
                can_create_person=True,
                is_user_name_supported=False,
            ),
            _EMPLOYEES,
        ),
        (
            CredentialType(
                display_type="OpenID",
                type="openid",
                description="Customer Service external login",
                value_control=CredentialControlType.HIDDEN,
                can_create_person=True,
                is_user_name_supported=False,
            ),
            (UserType.EXTERNAL_ASSOCIATE,),
        ),
    ]


def _bytes(seed: int, length: int) -> bytes:
    return bytes((seed * 31 + index * 17) % 256 for index in range(length))


def system_info() -> SystemInfo:
    """The fixed SoSystemInfoCarrier GetSystemInfo answers (a plausible on-site installation)."""
    utc = timezone.utc
    return SystemInfo(
        table_right=TableRight(mask=frozenset({"Select"})),
        field_properties={},
        license=LicenseInfo(
            company_name="Example Company AS",
            serial_nr="1234567890",
            owner_name="SuperOffice AS",
            owner_description="SuperOffice CRM",
            next_check_date=datetime(2030, 1, 1, tzinfo=utc),
            maintenance_date=datetime(2029, 12, 31, tzinfo=utc),
            admin_warning_date=datetime(2029, 12, 1, tzinfo=utc),
            expiry_date=datetime(2030, 12, 31, tzinfo=utc),
            grace_date=datetime(2031, 1, 31, tzinfo=utc),
            extra_flags=0,
            license_url="https://license.example.com/",
            license_version="10.0",
            deployment_type=1,
            product_type="OnSite",
            product_description="SuperOffice CRM on-site (FakeNetServer)",
            module_licenses=(
                ModuleLicense(
                    owner_name="SuperOffice AS",
                    module_name="SuperOffice-CRM-User",
                    module_description="SuperOffice CRM user",
                    module_tooltip="Use SuperOffice CRM",
                    module_version="10.0",
                    license_type=LicenseType.USER_LICENSE,
                    unrestricted=False,
                    allowed_user_type=UserType.INTERNAL_ASSOCIATE,
                    number_of_licenses=25,
                    extra_flags=0,
                    extra_info=None,
                    sort_order=1,
                    is_hidden=False,
                    prerequisite_module_name=None,
                    signature="c2lnbmF0dXJlLW1vZHVsZQ==",
                ),
            ),
            public_key=SignedPublicKey(
                owner_name="SuperOffice AS",
                sign_date=datetime(2024, 1, 15, 12, 0, tzinfo=utc),
                expiry_date=datetime(2034, 1, 15, 12, 0, tzinfo=utc),
                key=DSAParameters(
                    counter=105,
                    g=_bytes(1, 128),
                    j=_bytes(2, 104),
                    p=_bytes(3, 128),
                    q=_bytes(4, 20),
                    seed=_bytes(5, 20),
                    y=_bytes(6, 128),
                ),
                signature="c2lnbmF0dXJlLWtleQ==",
            ),
            signature="c2lnbmF0dXJlLWxpY2Vuc2U=",
        ),
        warning_english=None,
        warning_resource=None,
        branch_name="release/10.3",
        build_label="10.3.5.1234",
        assembly_version="10.3.0.0",
        accumulated_next_check_date=datetime(2030, 1, 1, tzinfo=utc),
        file_version="10.3.5.1234",
        description="SuperOffice NetServer (FakeNetServer stand-in)",
        days_until_net_server_expiry=1826,
        build_type=NetServerBuildType.RELEASE,
        database_version=10,
        is_unicode=True,
        company_name="Example Company AS",
        company_id=2,
        database_type="MSSQL",
        database_minor="2019",
        database_name="SuperOffice",
        is_on_travel=False,
        is_satellite=False,
    )
