"""superoffice-soap: a small, fast client for SuperOffice NetServer's SOAP web services.

>>> from superoffice_soap import UserAgent
>>> with UserAgent("https://host/Cust1/Remote/Services86", ticket="7T:…") as agent:
...     for cred in agent.get_untrusted_credentials_for_associate(5, "imap"):
...         print(cred.public_value)

The sans-IO core (``build_request`` / ``parse_response``) serves callers with their own HTTP stack.
"""

from ._version import __version__
from .client import AsyncUserAgent, UserAgent
from .errors import (
    HTTPStatusError,
    InvalidRequestError,
    NetServerError,
    ResponseParseError,
    SoapFault,
    SuperOfficeSoapError,
    TransportError,
)
from .models import FieldProperty, FieldRight, SoTimeZone, TableRight, UntrustedCredentials
from .operations import GET_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE, Operation
from .protocol import HttpResponse, SoapRequest, build_request, parse_response

__all__ = [
    "GET_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE",
    "AsyncUserAgent",
    "FieldProperty",
    "FieldRight",
    "HTTPStatusError",
    "HttpResponse",
    "InvalidRequestError",
    "NetServerError",
    "Operation",
    "ResponseParseError",
    "SoTimeZone",
    "SoapFault",
    "SoapRequest",
    "SuperOfficeSoapError",
    "TableRight",
    "TransportError",
    "UntrustedCredentials",
    "UserAgent",
    "__version__",
    "build_request",
    "parse_response",
]
