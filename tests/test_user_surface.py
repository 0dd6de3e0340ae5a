"""The library as a user meets it: keyword-only models with safe defaults for writing, options
checked at construction, closed agents, true reprs and docs, every public type importable."""

from __future__ import annotations

import asyncio
import inspect
import typing
from collections.abc import Iterator
from datetime import datetime
from typing import Any, Union

import attrs
import httpx
import pytest

import superoffice_soap
from superoffice_soap import (
    DOTNET_MIN_VALUE,
    NEVER_EXPIRES,
    AgentClosedError,
    AsyncSoPrincipal,
    AsyncUserAgent,
    InvalidRequestError,
    NetServerError,
    SoPrincipal,
    SuperOfficeSoapError,
    UntrustedCredentials,
    UserAgent,
)
from superoffice_soap.protocol import service_url
from superoffice_soap.testing import DEMO_TICKET, FakeNetServer, RunningServer

BASE = "http://127.0.0.1:9/Cust1/Remote/Services86"
AGENTS = (UserAgent, AsyncUserAgent, SoPrincipal, AsyncSoPrincipal)


@pytest.fixture(scope="module")
def running() -> Iterator[RunningServer]:
    with FakeNetServer.with_demo_data().serve() as running:
        yield running


# ------------------------------------------------------------------------------------------------
# Models


def _model_classes() -> list[type[Any]]:
    import superoffice_soap.principal as principal

    found = []
    for module in (superoffice_soap.models, principal):
        for name in module.__all__:
            value = getattr(module, name)
            if isinstance(value, type) and attrs.has(value):
                found.append(value)
    return found


@pytest.mark.parametrize("model", _model_classes(), ids=lambda cls: cls.__name__)
def test_every_model_takes_keywords_only(model: type[Any]) -> None:
    fields = attrs.fields(model)
    assert fields, model
    with pytest.raises(TypeError):
        model(*([None] * len(fields)))
    assert all(field.kw_only for field in fields)


def test_positional_credentials_are_refused() -> None:
    positional: Any = UntrustedCredentials  # what a script without a type checker would do
    with pytest.raises(TypeError):
        positional("jane@example.com", "pw")


def test_a_new_credential_is_active_and_never_expires() -> None:
    new = UntrustedCredentials(public_value="jane@example.com", secret_value="pw")
    assert new.is_active is True
    assert new.valid_to == NEVER_EXPIRES == datetime(9999, 12, 31, 23, 59, 59, 999999)
    assert new.valid_from is None  # left out: NetServer stores MinValue, valid since always


def test_saved_as_it_is_it_is_stored_active_and_never_expiring(running: RunningServer) -> None:
    with UserAgent(running.base_url, ticket=DEMO_TICKET) as agent:
        agent.save_untrusted_credentials_for_associate(
            5, "smtp", UntrustedCredentials(public_value="fresh@example.com", secret_value="pw")
        )
        stored = agent.get_untrusted_credentials_for_associate(5, "smtp")[-1]
    assert stored.public_value == "fresh@example.com"
    assert stored.is_active is True
    assert stored.valid_to == NEVER_EXPIRES
    assert stored.valid_from == DOTNET_MIN_VALUE


# ------------------------------------------------------------------------------------------------
# Options checked at construction, nothing sent


def _never_called(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"nothing may be sent, got {request.url}")


@pytest.mark.parametrize("agent_class", AGENTS, ids=lambda cls: cls.__name__)
@pytest.mark.parametrize(
    "timeout",
    [-1, 0, 0.0, -0.5, float("nan"), float("inf"), "30", True, [], httpx.Timeout(-1.0)],
    ids=repr,
)
def test_a_bad_timeout_is_an_invalid_request_error(agent_class: type[Any], timeout: Any) -> None:
    options: dict[str, Any] = {"ticket": DEMO_TICKET} if "User" in agent_class.__name__ else {}
    with pytest.raises(InvalidRequestError) as info:
        agent_class(BASE, timeout=timeout, **options)
    assert info.value.argument == "timeout"
    assert "seconds > 0" in str(info.value)


@pytest.mark.parametrize("timeout", [0.001, 5, 30.0, None, httpx.Timeout(5.0, connect=None)])
def test_good_timeouts_are_taken(timeout: Any) -> None:
    UserAgent(BASE, ticket=DEMO_TICKET, timeout=timeout).close()


# ------------------------------------------------------------------------------------------------
# Closed agents


def test_a_closed_agent_says_so(running: RunningServer) -> None:
    with UserAgent(running.base_url, ticket=DEMO_TICKET) as agent:
        agent.get_credential_types()
    with pytest.raises(AgentClosedError, match="closed") as info:
        agent.get_credential_types()
    assert isinstance(info.value, SuperOfficeSoapError)
    with pytest.raises(AgentClosedError):
        agent.get_untrusted_credentials_for_associates([1, 2], "imap", errors="collect")
    assert "closed" in repr(agent)


def test_a_closed_async_agent_says_so(running: RunningServer) -> None:
    async def scenario() -> None:
        async with AsyncUserAgent(running.base_url, ticket=DEMO_TICKET) as agent:
            await agent.get_credential_types()
        with pytest.raises(AgentClosedError):
            await agent.get_credential_types()
        with pytest.raises(AgentClosedError):
            await agent.get_untrusted_credentials_for_associates([1], "imap")

    asyncio.run(scenario())


def test_a_closed_http_client_of_the_caller_is_named() -> None:
    client = httpx.Client(transport=httpx.MockTransport(_never_called))
    client.close()
    agent = UserAgent(BASE, ticket=DEMO_TICKET, http_client=client)
    with pytest.raises(AgentClosedError, match="http_client"):
        agent.get_credential_types()


# ------------------------------------------------------------------------------------------------
# What a user reads is true


def test_repr_shows_the_soap_version_in_use(running: RunningServer) -> None:
    with UserAgent(running.base_url, ticket=DEMO_TICKET) as agent:
        agent.get_credential_types()
        assert "soap_version='1.1'" in repr(agent)
        assert DEMO_TICKET not in repr(agent)
    with UserAgent(running.base_url, ticket=DEMO_TICKET, soap_version="1.2") as pinned:
        assert "soap_version='1.2'" in repr(pinned)


@pytest.mark.parametrize("agent_class", AGENTS, ids=lambda cls: cls.__name__)
def test_help_documents_every_constructor_option(agent_class: type[Any]) -> None:
    doc = inspect.getdoc(agent_class) or ""
    options = (
        superoffice_soap.client.UserAgentOptions
        if "User" in agent_class.__name__
        else superoffice_soap.client.AgentOptions
    )
    names: list[str] = []
    for name, parameter in inspect.signature(agent_class.__init__).parameters.items():
        if parameter.kind is inspect.Parameter.VAR_KEYWORD:
            names.extend(options.__optional_keys__)  # **options: Unpack[...]
        elif name != "self":
            names.append(name)
    assert {"url", "http_client", "timeout", "soap_version", "retries"} <= set(names)
    for name in names:
        assert f"\n{name}\n" in f"\n{doc}\n", f"{agent_class.__name__}: {name} undocumented"


@pytest.mark.parametrize("agent_class", AGENTS, ids=lambda cls: cls.__name__)
def test_an_unknown_option_is_refused_with_what_was_meant(agent_class: type[Any]) -> None:
    options: dict[str, Any] = {"ticket": DEMO_TICKET} if "User" in agent_class.__name__ else {}
    with pytest.raises(InvalidRequestError, match="did you mean timeout") as info:
        agent_class(BASE, timout=5, **options)
    assert info.value.argument == "timout"


def _public_methods() -> Iterator[tuple[str, Any]]:
    for agent_class in AGENTS:
        for name, member in inspect.getmembers(agent_class):
            if not name.startswith("_") and callable(member):
                yield f"{agent_class.__name__}.{name}", member
        for name, member in inspect.getmembers(agent_class, lambda m: isinstance(m, property)):
            if not name.startswith("_"):
                yield f"{agent_class.__name__}.{name}", member.fget


def _hint_names() -> dict[str, Any]:
    import superoffice_soap.principal as principal

    return {**vars(superoffice_soap.client), **vars(principal)}


def _classes_in(hint: Any) -> Iterator[type[Any]]:
    if isinstance(hint, type) and hint.__module__.startswith("superoffice_soap"):
        yield hint
    for argument in typing.get_args(hint):
        yield from _classes_in(argument)


def test_every_type_a_public_method_returns_is_importable() -> None:
    names = set(superoffice_soap.__all__)
    seen = set()
    for where, method in _public_methods():
        hints = typing.get_type_hints(method, _hint_names())
        for cls in _classes_in(hints.get("return")):
            seen.add(cls.__name__)
            assert cls.__name__ in names, f"{where} returns {cls.__name__}, not exported"
            assert getattr(superoffice_soap, cls.__name__) is cls
    assert {"UntrustedCredentials", "Exchange", "Authentication", "SystemInfo"} <= seen


def test_the_bulk_helper_says_what_it_returns() -> None:
    method = UserAgent.get_untrusted_credentials_for_associates
    hint = typing.get_type_hints(method, _hint_names())["return"]
    assert hint is not Any
    assert superoffice_soap.BulkResult in typing.get_args(hint)
    union: Any = Union[list[UntrustedCredentials], SuperOfficeSoapError]
    assert superoffice_soap.BulkResult == dict[int, union]


def test_netserver_messages_say_each_thing_once() -> None:
    error = NetServerError(
        exception_type="SoException",
        message="Invalid user name or password",
        friendly_text="Invalid user name or password.",
    )
    assert str(error) == "NetServer error SoException: Invalid user name or password"
    different = NetServerError(exception_type="X", message="Bad", friendly_text="Try again")
    assert str(different) == "NetServer error X: Bad (Try again)"


# ------------------------------------------------------------------------------------------------
# URLs


@pytest.mark.parametrize(
    "given",
    [
        "https://h/C/Remote/Services86",
        "https://h/C/Remote/Services86/",
        "https://h/C/Remote/Services86/User.svc",
        "https://h/C/Remote/Services86/SoPrincipal.svc",
        "https://h/C/Remote/Services86/SoPrincipal.svc/",
        "https://h/C/Remote/Services86/User.svc/GetUntrustedCredentials",
    ],
)
def test_any_svc_url_of_a_base_is_used_for_each_service(given: str) -> None:
    assert service_url(given, "User") == "https://h/C/Remote/Services86/User.svc"
    assert service_url(given, "SoPrincipal") == "https://h/C/Remote/Services86/SoPrincipal.svc"


def test_a_wsdl_url_is_refused_with_what_to_pass() -> None:
    with pytest.raises(InvalidRequestError, match="pass the services base URL"):
        UserAgent("https://h/C/Remote/Services86/User.svc?wsdl", ticket=DEMO_TICKET)
