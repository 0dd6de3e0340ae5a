"""The library's own operations: which ones, from which WSDL, and what the library chose differently.

``_builtin_user`` and ``_builtin_principal`` are generated from the reference WSDLs by the same
generator users run, with the choices below; ``make regenerate`` writes them again, and a test
regenerates them and fails on any difference. Adding a built-in operation: add its name to a list
here, ``make regenerate``, then add the agents' one-line methods (and a CLI command if it
deserves one).

Never imported by the library at run time (it reads WSDLs): a build step, and a test.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ._codegen import Choices, Options, render_module
from ._wsdl import read_wsdl

__all__ = ["MODULES", "PRINCIPAL_OPERATIONS", "USER_OPERATIONS", "regenerate"]

#: The User service's operations the library wraps (the untrusted-credentials family).
USER_OPERATIONS = (
    "GetUntrustedCredentials",
    "GetUntrustedCredentialsForAssociate",
    "SaveUntrustedCredentials",
    "SaveUntrustedCredentialsForAssociate",
    "RemoveUntrustedCredentials",
    "RemoveUntrustedCredentialsForAssociate",
    "CreateDefaultUntrustedCredentials",
    "GetCredentialTypes",
    "GetCredentialTypesForUserType",
)
#: SoPrincipal's operations the library wraps (logging in, and what the installation is).
PRINCIPAL_OPERATIONS = (
    "AuthenticateUsernamePassword",
    "AuthenticateWithAccessToken",
    "GetSystemInfo",
)

# ------------------------------------------------------------------------------------------------
# What the library chose differently from the WSDL alone: this table, and nothing else.

#: "type" is a builtin's name and says less than the credential type it is.
_CREDENTIAL_TYPE = {
    (operation, "Type"): "credential_type"
    for operation in USER_OPERATIONS
    if "UntrustedCredentials" in operation and not operation.startswith("CreateDefault")
}
_CONSTANTS = {"FieldPropertyDictionary": "FIELD_PROPERTIES"}
_CARRIER = {
    # Shared by both modules: defined by the User module, imported by SoPrincipal's.
    "TableRight": ".models",
    "FieldRight": ".models",
    "FieldProperty": ".models",
    "FieldPropertyDictionary": ".models",
    "ETableRight": ".models",
    "EFieldRight": ".models",
    "UserType": ".models",
}
_DOCS_USER = {
    "TableRight": "Carrier ``TableRight``: the caller's rights on the row (``mask`` tokens such "
    "as ``Select``).",
    "FieldRight": "``FieldRight``: the caller's rights on one field (``mask`` tokens such as "
    "``Read``).",
    "FieldProperty": "One value of a Carrier's ``FieldProperties`` dictionary.",
    "UntrustedCredentials": "One stored external credential of a user "
    "(``UntrustedCredentials``, a Carrier).\n\n"
    "``public_value`` identifies the entry (a user name, an address); ``secret_value`` is the "
    "password or key, masked in ``repr``. ``table_right`` and ``field_properties`` are the "
    "Carrier fields the server adds (read, never written); ``field_properties`` is a read-only "
    "mapping field name → FieldProperty.\n\n"
    "Keyword arguments only. The defaults make a new credential safe to save as it is: "
    "``is_active=True`` and ``valid_to=NEVER_EXPIRES`` (.NET's ``DateTime.MaxValue``), while "
    "``valid_from=None`` is left out of the request, so NetServer stores ``DateTime.MinValue`` "
    "(valid since always). Pass other values to store them; pass ``None`` to leave a field out "
    "(NetServer then stores .NET's default: ``0001-01-01`` for a date, false for "
    "``IsActive``). A credential read from the server holds exactly what the server sent: an "
    "absent element is ``None``, whatever the default.",
    "CredentialType": "A kind of credential a user may have (``CredentialType``, a Carrier).",
    "UserType": "Kind of SuperOffice user (``UserType``).",
    "CredentialControlType": "How a client should show a credential's value "
    "(``CredentialControlType``).",
}
_DOCS_PRINCIPAL = {
    "SoPrincipalCarrier": "Who a ticket belongs to: the ``SoPrincipalCarrier`` of an "
    "Authenticate* answer.",
    "AuthenticateResponse": "The answer to an Authenticate* call. ``ticket`` is masked in "
    "``repr``.",
    "SoSystemInfoCarrier": "``SoSystemInfoCarrier``: what GetSystemInfo tells about the "
    "installation (a Carrier).",
    "GrantedModuleLicense": "A module license granted to the principal "
    "(``GrantedModuleLicense``, a Carrier).",
    "ProvidedCredential": "A credential the principal authenticated with (``ProvidedCredential``).",
    "DSAParameters": "The DSA key of a signed license public key (base64Binary fields as bytes).",
    "EjUserStatus": "Service (eJournal) user status of a principal.",
}
_AUTHENTICATE = ("error_class=AuthenticationError", "refused=refused_unless_authenticated")

USER_CHOICES = Choices(
    names=_CREDENTIAL_TYPE,
    constants=_CONSTANTS,
    # A new credential is active and never expires unless said otherwise (for writing only).
    defaults={
        ("UntrustedCredentials", "ValidTo"): "NEVER_EXPIRES",
        ("UntrustedCredentials", "IsActive"): "True",
    },
    docs=_DOCS_USER,
    read_only_base="Carrier",
    flags_as_sets=True,
    mappings_read_only=True,
    # A default credential is always there: no answer is a broken contract, not "not found".
    required_results=frozenset({"CreateDefaultUntrustedCredentials"}),
    service=("USER", None),
    imports=("from ._operation import USER", "from .xsd import NEVER_EXPIRES"),
    package=True,
)
PRINCIPAL_CHOICES = Choices(
    names={
        ("AuthenticateUsernamePassword", "UserName"): "username",
        ("SoPrincipalCarrier", "EMailAddress"): "email_address",
        # Authentication says what the answer means, not how it is wrapped.
        ("AuthenticateResponse", "Response"): "principal",
        ("AuthenticateResponse", "Credentials"): "ticket",
        ("AuthenticateResponse", "AuthenticationSucceeded"): "succeeded",
    },
    classes={
        "SoPrincipalCarrier": "Principal",
        "AuthenticateResponse": "Authentication",
        "SoSystemInfoCarrier": "SystemInfo",
    },
    constants={
        **_CONSTANTS,
        "SoPrincipalCarrier": "PRINCIPAL",
        "SoSystemInfoCarrier": "SYSTEM_INFO",
    },
    docs=_DOCS_PRINCIPAL,
    external=_CARRIER,
    # The ticket is the one thing SoCredentials holds.
    unwrap={"SoCredentials": "Ticket"},
    read_only_base="Carrier",
    flags_as_sets=True,
    arrays_as_tuples=True,
    mappings_read_only=True,
    required_results=frozenset({"GetSystemInfo"}),
    # A refused login is an AuthenticationError; access tokens came with Services86.
    operation_options={
        "AuthenticateUsernamePassword": _AUTHENTICATE,
        "AuthenticateWithAccessToken": (*_AUTHENTICATE, "min_services=86"),
    },
    service=("SO_PRINCIPAL", None),
    imports=(
        "from ._operation import SO_PRINCIPAL, refused_unless_authenticated",
        "from .errors import AuthenticationError",
    ),
    package=True,
)

#: Each generated module: its file in the package, its WSDL in the reference, its operations,
#: its choices.
MODULES = (
    ("_builtin_user.py", "wsdl/Services86/User.wsdl", USER_OPERATIONS, USER_CHOICES),
    ("_builtin_principal.py", "soprincipal.wsdl", PRINCIPAL_OPERATIONS, PRINCIPAL_CHOICES),
)


def regenerate(reference: Path) -> dict[str, str]:
    """The text of each generated module (file name → text) from the WSDLs in ``reference``."""
    texts = {}
    for file_name, wsdl, operations, choices in MODULES:
        source = f"tests/reference/{wsdl}"
        options = Options(
            operations=operations, source=source, command="make regenerate", choices=choices
        )
        texts[file_name] = render_module(
            read_wsdl((reference / wsdl).read_bytes(), source), options
        )
    return texts


def main(arguments: list[str]) -> int:
    """``python -m superoffice_soap._builtins REFERENCE``: write the generated modules."""
    reference = Path(arguments[0] if arguments else "tests/reference")
    package = Path(__file__).parent
    for file_name, text in regenerate(reference).items():
        (package / file_name).write_text(text, encoding="utf-8")
        print(f"wrote superoffice_soap/{file_name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
