"""Declared answers are read as strictly and as rightly as the built-ins: an absent element is
None whatever the model's default, a nil or absent ``Response`` is None where the schema lets
the answer be nil (and the type says so), and an error's path ends at the offending element."""

from __future__ import annotations

import sys
import types as pytypes
from typing import Any, Optional

import attrs
import pytest
from lxml import etree

from superoffice_soap import USER, Operation, Param, ResponseParseError
from superoffice_soap._namespaces import SOAP11, XSI
from superoffice_soap.generate import generate
from superoffice_soap.operations import namespace
from superoffice_soap.protocol import parse_response
from superoffice_soap.types import BOOLEAN, INT, STRING, Field, Struct

from .conftest import reference_file

NS = namespace("Services86")
HEADERS = {"content-type": "text/xml; charset=utf-8"}


def _module(wsdl: str, operations: list[str], name: str) -> pytypes.ModuleType:
    text = generate(str(reference_file("wsdl", "Services86", wsdl)), operations)
    module = pytypes.ModuleType(name)
    sys.modules[name] = module
    exec(compile(text, name, "exec"), module.__dict__)
    return module


PERSON = _module("Person.wsdl", ["GetPersonEntity"], "_declared_person")
USER_OPS = _module(
    "User.wsdl", ["GetUserInfo", "GetUserInfoList", "IsPasswordValid"], "_declared_user"
)


def answer(operation: str, response: Optional[etree._Element], *, nil: bool = False) -> bytes:
    envelope = etree.Element(f"{{{SOAP11}}}Envelope", nsmap={"s": SOAP11, "i": XSI})
    body = etree.SubElement(envelope, f"{{{SOAP11}}}Body")
    wrapper = etree.SubElement(body, f"{{{NS}}}{operation}Response", nsmap={None: NS})
    if nil:
        etree.SubElement(wrapper, f"{{{NS}}}Response").set(f"{{{XSI}}}nil", "true")
    elif response is not None:
        wrapper.append(response)
    content: bytes = etree.tostring(envelope)
    return content


def element(name: str, *children: tuple[str, str]) -> etree._Element:
    node = etree.Element(f"{{{NS}}}{name}")
    for child, text in children:
        etree.SubElement(node, f"{{{NS}}}{child}").text = text
    return node


def read(operation: Operation[..., Any], content: bytes) -> Any:
    return parse_response(operation, 200, HEADERS, content)


# ------------------------------------------------------------------------------------------------
# Absent elements


@attrs.frozen(kw_only=True)
class Defaults:
    """A user's model whose defaults are for writing: reading must not use them."""

    user_info_id: Optional[int] = 99
    user_name: Optional[str] = "nobody"
    can_logon: Optional[bool] = True


DEFAULTS = Struct(
    "UserInfo",
    Defaults,
    (
        Field("UserInfoId", "user_info_id", INT, nillable=False),
        Field("UserName", "user_name", STRING),
        Field("CanLogon", "can_logon", BOOLEAN, nillable=False),
    ),
)
GET_WITH_DEFAULTS: Operation[..., Defaults] = Operation(
    USER, "GetUserInfo", (Param("user_info_id", "UserInfoId", INT),), DEFAULTS, retry_safe=True
)


def test_an_absent_element_is_none_whatever_the_default() -> None:
    value = read(GET_WITH_DEFAULTS, answer("GetUserInfo", element("Response", ("UserName", "x"))))
    assert value == Defaults(user_info_id=None, user_name="x", can_logon=None)


def test_a_nil_element_is_none_whatever_the_default() -> None:
    response = element("Response", ("UserInfoId", ""))
    response[0].set(f"{{{XSI}}}nil", "true")
    value = read(GET_WITH_DEFAULTS, answer("GetUserInfo", response))
    assert value == Defaults(user_info_id=None, user_name=None, can_logon=None)


def test_a_generated_model_reads_absent_as_none() -> None:
    value = read(USER_OPS.GET_USER_INFO, answer("GetUserInfo", element("Response", ("Rank", "3"))))
    assert value.rank == 3
    assert value.user_name is None
    assert value.can_logon is None


# ------------------------------------------------------------------------------------------------
# A nil or absent Response


@pytest.mark.parametrize("nil", [True, False], ids=["nil", "absent"])
def test_a_struct_answer_may_be_nothing(nil: bool) -> None:
    """GetPersonEntity of a person that does not exist: None, as the WSDL allows."""
    assert read(PERSON.GET_PERSON_ENTITY, answer("GetPersonEntity", None, nil=nil)) is None
    assert PERSON.GET_PERSON_ENTITY.result_nillable


@pytest.mark.parametrize("nil", [True, False], ids=["nil", "absent"])
def test_a_list_answer_that_is_nothing_is_empty(nil: bool) -> None:
    assert read(USER_OPS.GET_USER_INFO_LIST, answer("GetUserInfoList", None, nil=nil)) == []


def test_a_value_answer_is_required() -> None:
    """IsPasswordValid answers an xs:boolean that is not nillable: no answer is an error."""
    assert not USER_OPS.IS_PASSWORD_VALID.result_nillable
    with pytest.raises(ResponseParseError, match="holds no Response") as info:
        read(USER_OPS.IS_PASSWORD_VALID, answer("IsPasswordValid", None))
    assert info.value.path == "Body/IsPasswordValidResponse"
    yes = element("Response")
    yes.text = "true"
    assert read(USER_OPS.IS_PASSWORD_VALID, answer("IsPasswordValid", yes)) is True


def test_the_signature_says_optional_where_the_answer_may_be_nil() -> None:
    hints = PERSON.GET_PERSON_ENTITY.signature.__annotations__
    assert hints["return"] == "Optional[PersonEntity]"
    assert USER_OPS.GET_USER_INFO_LIST.signature.__annotations__["return"] == "list[UserInfo]"
    assert USER_OPS.IS_PASSWORD_VALID.signature.__annotations__["return"] == "bool"


# ------------------------------------------------------------------------------------------------
# Paths end at the offending element


def test_an_unknown_element_is_named_by_the_path() -> None:
    response = element("Response", ("UserInfoId", "1"), ("Surprise", "x"))
    with pytest.raises(ResponseParseError) as info:
        read(USER_OPS.GET_USER_INFO, answer("GetUserInfo", response))
    assert info.value.path == "Body/GetUserInfoResponse/Response/Surprise"


def test_an_out_of_order_element_is_named_by_the_path() -> None:
    response = element("Response", ("UserName", "x"), ("UserInfoId", "1"))
    with pytest.raises(ResponseParseError, match="out of order") as info:
        read(USER_OPS.GET_USER_INFO, answer("GetUserInfo", response))
    assert info.value.path == "Body/GetUserInfoResponse/Response/UserInfoId"


def test_a_repeated_element_is_named_with_its_index() -> None:
    response = element("Response", ("UserName", "x"), ("UserName", "y"))
    with pytest.raises(ResponseParseError, match="repeated") as info:
        read(USER_OPS.GET_USER_INFO, answer("GetUserInfo", response))
    assert info.value.path == "Body/GetUserInfoResponse/Response/UserName[2]"


def test_a_deep_error_names_every_step() -> None:
    item = element("UserInfo", ("UserInfoId", "1"))
    bad = element("UserInfo", ("UserInfoId", "not a number"))
    response = element("Response")
    response.extend([item, bad])
    with pytest.raises(ResponseParseError, match="not an xs:int") as info:
        read(USER_OPS.GET_USER_INFO_LIST, answer("GetUserInfoList", response))
    assert info.value.path == "Body/GetUserInfoListResponse/Response/UserInfo[2]/UserInfoId"
