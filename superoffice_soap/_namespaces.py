"""XML namespace URIs used on the wire. Constants only: nothing here may import another module."""

from __future__ import annotations

#: Target namespace of every NetServer Services86 body and header element.
NS = "http://www.superoffice.net/ws/crm/NetServer/Services86"
#: What every NetServer Services namespace starts with (``…/ServicesNN``).
NETSERVER_NS_PREFIX = "http://www.superoffice.net/ws/crm/NetServer/"
#: SOAP 1.1 envelope (the WSDL binding, basicHttpBinding).
SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
#: SOAP 1.2 envelope (the documentation's examples).
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
SOAP12_ENCODING = "http://www.w3.org/2003/05/soap-encoding"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XSD = "http://www.w3.org/2001/XMLSchema"
MS_ARRAYS = "http://schemas.microsoft.com/2003/10/Serialization/Arrays"
MS_SERIALIZATION = "http://schemas.microsoft.com/2003/10/Serialization/"
#: .NET's System.Security.Cryptography data contracts (DSAParameters in a licence's key).
CRYPTOGRAPHY = "http://schemas.datacontract.org/2004/07/System.Security.Cryptography"

XSI_NIL = f"{{{XSI}}}nil"
XSI_TYPE = f"{{{XSI}}}type"
