"""What the ``superoffice_netserver`` pytest fixture gives a test: a running NetServer stand-in
for testing code that uses superoffice-soap.

The plugin (``superoffice_soap.pytest_plugin``, a ``pytest11`` entry point) imports this module
only when a test asks for the fixture, so a pytest run that does not use it pays nothing for it.
A vendored copy of the package has no entry point: register the plugin in your ``conftest.py``::

    pytest_plugins = ["yourtool._vendor.superoffice_soap.pytest_plugin"]

Each test that asks for ``superoffice_netserver`` gets a fresh ``FakeNetServer`` with the demo data
(``FakeNetServer.with_demo_data``), serving HTTP on a free loopback port in a thread, so sync and
async clients — this library's agents or any other HTTP stack — reach it alike. Options for one
test go in a marker::

    @pytest.mark.superoffice_netserver(services="Services88", accept_soap12=True)

Operations the stand-in does not serve itself are served from their service's WSDL (``wsdl=`` in
the marker: a path or a list of them, a relative one looked up beside the test's file first, then
in the working directory; or ``serve_wsdl``), answering what the test says (``answer``).

This module must never be imported by the library itself (it imports pytest).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from typing import Any, Optional, Union

import pytest

from ..client import AsyncSoPrincipal, AsyncUserAgent, SoPrincipal, UserAgent
from ..models import CredentialType, UntrustedCredentials, UserType
from ..negotiation import forget_soap_versions
from ..operations import DEFAULT_SERVICES, SERVICES_VERSIONS
from . import (
    DEMO_ASSOCIATE_ID,
    DEMO_PASSWORD,
    DEMO_TICKET,
    DEMO_USERNAME,
    FakeNetServer,
    RecordedRequest,
    RunningServer,
)

__all__ = ["NetServerFixture", "netserver_for"]

_OPTIONS = frozenset({"services", "accept_soap12", "application_token", "demo_data", "wsdl"})


class NetServerFixture:
    """What ``superoffice_netserver`` gives a test: where the stand-in listens, the demo login,
    agents connected to it, and the stand-in's own helpers.

    ``server`` is the ``FakeNetServer`` itself (everything it offers); ``base_url`` the services
    base URL (``…/Cust12345/Remote/Services86``) to hand to the code under test; ``url`` and
    ``so_principal_url`` the ``User.svc`` and ``SoPrincipal.svc`` endpoints. ``ticket``,
    ``associate_id``, ``username`` and ``password`` are the demo user's (with ``demo_data=False``
    only the ticket and the login are there, with no credentials or credential types);
    ``application_token`` the marker's, which the agents made here send. Import it for type
    annotations as ``superoffice_soap.testing.NetServerFixture``.
    """

    def __init__(
        self,
        server: FakeNetServer,
        running: RunningServer,
        application_token: Optional[str] = None,
    ) -> None:
        self.server = server
        #: The marker's application token (None: none required); the agents below send it.
        self.application_token = application_token
        self.base_url = running.base_url
        self.url = running.url
        self.so_principal_url = running.so_principal_url
        self.ticket = DEMO_TICKET
        self.associate_id = DEMO_ASSOCIATE_ID
        self.username = DEMO_USERNAME
        self.password = DEMO_PASSWORD

    def __repr__(self) -> str:
        return f"NetServerFixture(base_url={self.base_url!r}, server={self.server!r})"

    # -- agents connected to the stand-in (close them, or use them in a with block) -------------

    def user_agent(self, **options: Any) -> UserAgent:
        """A ``UserAgent`` on the stand-in with the demo ticket (``ticket=`` and any other agent
        option may be given)."""
        options.setdefault("ticket", self.ticket)
        return UserAgent(self.base_url, **self._with_token(options))

    def async_user_agent(self, **options: Any) -> AsyncUserAgent:
        """An ``AsyncUserAgent`` on the stand-in with the demo ticket."""
        options.setdefault("ticket", self.ticket)
        return AsyncUserAgent(self.base_url, **self._with_token(options))

    def so_principal(self, **options: Any) -> SoPrincipal:
        """A ``SoPrincipal`` on the stand-in (log in with ``username`` and ``password``)."""
        return SoPrincipal(self.base_url, **self._with_token(options))

    def async_so_principal(self, **options: Any) -> AsyncSoPrincipal:
        """An ``AsyncSoPrincipal`` on the stand-in."""
        return AsyncSoPrincipal(self.base_url, **self._with_token(options))

    def _with_token(self, options: dict[str, Any]) -> dict[str, Any]:
        if self.application_token is not None:
            options.setdefault("application_token", self.application_token)
        return options

    # -- the stand-in's state ----------------------------------------------------------------

    def add_user(
        self,
        username: str,
        password: str,
        associate_id: int,
        *,
        full_name: Optional[str] = None,
        email_address: Optional[str] = None,
        user_type: UserType = UserType.INTERNAL_ASSOCIATE,
    ) -> None:
        """A user the stand-in logs in (``FakeNetServer.add_user``)."""
        self.server.add_user(
            username,
            password,
            associate_id,
            full_name=full_name,
            email_address=email_address,
            user_type=user_type,
        )

    def add_ticket(self, ticket: str, associate_id: int) -> None:
        """Accept ``ticket`` as ``associate_id``."""
        self.server.add_ticket(ticket, associate_id)

    def add_access_token(self, token: str, associate_id: int) -> None:
        """Accept an ``8A:…`` access token for ``associate_id``."""
        self.server.add_access_token(token, associate_id)

    def add_credentials(
        self, associate_id: int, credential_type: str, credentials: UntrustedCredentials
    ) -> None:
        """Store one more credential for an associate."""
        self.server.add_credentials(associate_id, credential_type, credentials)

    def add_credential_type(
        self, credential_type: CredentialType, user_types: Sequence[UserType] = tuple(UserType)
    ) -> None:
        """Offer a credential type in GetCredentialTypes*."""
        self.server.add_credential_type(credential_type, user_types)

    def stored_credentials(
        self, associate_id: int, credential_type: str
    ) -> tuple[UntrustedCredentials, ...]:
        """What the stand-in holds for one associate and type, in order."""
        return self.server.stored_credentials(associate_id, credential_type)

    def expire_ticket(self, ticket: Optional[str] = None) -> None:
        """Expire a ticket (default: the demo ticket): User calls with it then answer
        ``SoSessionExpiredException``, as NetServer does after about 6 hours idle."""
        self.server.expire_ticket(self.ticket if ticket is None else ticket)

    def expire_all_tickets(self) -> None:
        """Expire every ticket valid now."""
        self.server.expire_all_tickets()

    def issued_tickets(self) -> list[str]:
        """The tickets logins were given, in order."""
        return self.server.issued_tickets()

    # -- any operation, served from its service's WSDL ------------------------------------

    def serve_wsdl(self, source: Union[str, os.PathLike[str], bytes]) -> str:
        """Serve the operations of a service's WSDL (``FakeNetServer.serve_wsdl``); returns the
        service's name."""
        return self.server.serve_wsdl(source)

    def answer(
        self, operation: object, value: object = None, *, error: Optional[tuple[str, str]] = None
    ) -> None:
        """What an operation of a served WSDL answers: a value of its generated model (a list, a
        scalar, None, or a function of each call's arguments returning one), or
        ``error=(exception_type, message)`` (``FakeNetServer.answer``)."""
        self.server.answer(operation, value, error=error)

    def received(self, operation: object) -> list[dict[str, object]]:
        """The arguments of every accepted call of a served operation, in order, keyed by the
        generated keywords (``FakeNetServer.received``)."""
        return self.server.received(operation)

    # -- what arrived ---------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every HTTP request received, in order, rejected ones included."""
        return list(self.server.requests)

    def operations(self) -> list[Optional[str]]:
        """The SOAP operation of every request received (None for one rejected before its
        operation was known, such as a SOAP 1.2 request the stand-in answers with 415)."""
        return [request.operation for request in self.server.requests]


def _beside_the_test(
    request: pytest.FixtureRequest, source: Union[str, os.PathLike[str], bytes]
) -> Union[str, os.PathLike[str], bytes]:
    """A marker's relative WSDL path, looked up beside the test's file first."""
    if isinstance(source, bytes) or os.path.isabs(source):
        return source
    beside = os.path.join(os.path.dirname(str(request.node.path)), source)
    return beside if os.path.isfile(beside) else source


def netserver_for(request: pytest.FixtureRequest) -> Iterator[NetServerFixture]:
    """The fixture's body: start the stand-in with the options of the test's marker, yield it,
    stop it. Shared by this module's fixture and the entry-point plugin's."""
    marker = request.node.get_closest_marker("superoffice_netserver")
    options: dict[str, Any] = dict(marker.kwargs) if marker is not None else {}
    unknown = sorted(set(options) - _OPTIONS)
    if unknown or (marker is not None and marker.args):
        raise pytest.UsageError(
            f"@pytest.mark.superoffice_netserver takes only keywords {sorted(_OPTIONS)}, "
            f"got {unknown or list(marker.args if marker else ())}"
        )
    _check_marker_values(options)
    demo = options.pop("demo_data", True)
    wsdl = options.pop("wsdl", ())
    server = FakeNetServer.with_demo_data(**options) if demo else FakeNetServer(**options)
    for source in [wsdl] if isinstance(wsdl, (str, bytes, os.PathLike)) else wsdl:
        server.serve_wsdl(_beside_the_test(request, source))
    if not demo:
        server.add_ticket(DEMO_TICKET, DEMO_ASSOCIATE_ID)
        server.add_user(DEMO_USERNAME, DEMO_PASSWORD, DEMO_ASSOCIATE_ID)
    with server.serve() as running:
        # A port may be reused by a later test's stand-in with other settings: what a client
        # learned about the SOAP version at this address must not outlive this one.
        forget_soap_versions(running.base_url)
        try:
            yield NetServerFixture(server, running, options.get("application_token"))
        finally:
            forget_soap_versions(running.base_url)


def _check_marker_values(options: dict[str, Any]) -> None:
    """A bad marker value is the test author's mistake: a pytest.UsageError naming it, not an
    error inside the fixture."""
    problems = []
    services = options.get("services", DEFAULT_SERVICES)
    if services not in SERVICES_VERSIONS:
        problems.append(f"services must be one of {', '.join(SERVICES_VERSIONS)}, got {services!r}")
    for name in ("accept_soap12", "demo_data"):
        if name in options and not isinstance(options[name], bool):
            problems.append(f"{name} must be True or False, got {options[name]!r}")
    token = options.get("application_token")
    if token is not None and (not isinstance(token, str) or not token.strip()):
        problems.append(f"application_token must be a non-empty str or None, got {token!r}")
    if problems:
        raise pytest.UsageError("@pytest.mark.superoffice_netserver: " + "; ".join(problems))
