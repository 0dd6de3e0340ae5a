"""Small NetServer-shaped WSDLs written by the tests: a schema of their own and a few operations,
in the shape WCF publishes (document/literal, one wrapper element per message, SOAP 1.1
binding, the action ``<namespace>/<Service>/<Operation>``)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

NS = "http://www.superoffice.net/ws/crm/NetServer/Services86"


def tiny_wsdl(
    schema: str,
    operations: dict[str, tuple[str, str]],
    *,
    service: str = "Demo",
    docs: Optional[dict[str, str]] = None,
) -> bytes:
    """A WSDL of ``service`` whose schema holds ``schema`` (complex and simple types) and, for
    each operation, a request and an answer wrapper with the given sequence contents."""
    docs = docs or {}
    elements = "".join(
        f'<xs:element name="{name}"><xs:complexType><xs:sequence>{request}'
        f"</xs:sequence></xs:complexType></xs:element>"
        f'<xs:element name="{name}Response"><xs:complexType><xs:sequence>{response}'
        f"</xs:sequence></xs:complexType></xs:element>"
        for name, (request, response) in operations.items()
    )
    messages = "".join(
        f'<wsdl:message name="{name}Request"><wsdl:part name="parameters" element="tns:{name}"/>'
        f'</wsdl:message><wsdl:message name="{name}Response">'
        f'<wsdl:part name="parameters" element="tns:{name}Response"/></wsdl:message>'
        for name in operations
    )
    port_operations = "".join(
        f'<wsdl:operation name="{name}">'
        + (f"<wsdl:documentation>{docs[name]}</wsdl:documentation>" if name in docs else "")
        + f'<wsdl:input wsaw:Action="{NS}/{service}/{name}" message="tns:{name}Request"/>'
        f'<wsdl:output wsaw:Action="{NS}/{service}/{name}Response" '
        f'message="tns:{name}Response"/></wsdl:operation>'
        for name in operations
    )
    bound = "".join(
        f'<wsdl:operation name="{name}"><soap:operation soapAction="{NS}/{service}/{name}" '
        'style="document"/><wsdl:input><soap:body use="literal"/></wsdl:input>'
        '<wsdl:output><soap:body use="literal"/></wsdl:output></wsdl:operation>'
        for name in operations
    )
    text = f"""<?xml version="1.0" encoding="utf-8"?>
<wsdl:definitions name="WcfDemoService" targetNamespace="{NS}"
  xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"
  xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
  xmlns:wsaw="http://www.w3.org/2006/05/addressing/wsdl"
  xmlns:xs="http://www.w3.org/2001/XMLSchema"
  xmlns:tns="{NS}">
  <wsdl:types>
    <xs:schema elementFormDefault="qualified" targetNamespace="{NS}"
      xmlns:tns="{NS}"
      xmlns:ser="http://schemas.microsoft.com/2003/10/Serialization/">
      {schema}
      {elements}
    </xs:schema>
  </wsdl:types>
  {messages}
  <wsdl:portType name="{service}"><wsdl:documentation>The {service} service.</wsdl:documentation>
    {port_operations}</wsdl:portType>
  <wsdl:binding name="BasicHttpBinding_{service}" type="tns:{service}">
    <soap:binding transport="http://schemas.xmlsoap.org/soap/http"/>
    {bound}
  </wsdl:binding>
  <wsdl:service name="WcfDemoService">
    <wsdl:port name="BasicHttpBinding_{service}" binding="tns:BasicHttpBinding_{service}">
      <soap:address location="https://example.invalid/Remote/Services86/{service}.svc"/>
    </wsdl:port>
  </wsdl:service>
</wsdl:definitions>
"""
    return text.encode()


def write_tiny_wsdl(
    directory: Path,
    schema: str,
    operations: dict[str, tuple[str, str]],
    *,
    service: str = "Demo",
    docs: Optional[dict[str, str]] = None,
) -> Path:
    """``tiny_wsdl`` written to ``directory/<service>.wsdl``."""
    path = directory / f"{service}.wsdl"
    path.write_bytes(tiny_wsdl(schema, operations, service=service, docs=docs))
    return path
