"""pytest plugin of superoffice-soap (the ``pytest11`` entry point): the ``superoffice_netserver``
fixture, a running NetServer stand-in for testing code that uses the library.

Loading it costs a pytest run nothing it can measure: the package's ``__init__`` loads its modules
on first use, and this module imports the stand-in, lxml and httpx only when a test asks for the
fixture (``superoffice_soap.testing._fixture``). A vendored copy has no entry point; register it
in your ``conftest.py``::

    pytest_plugins = ["yourtool._vendor.superoffice_soap.pytest_plugin"]

This module must never be imported by the library itself (it imports pytest).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

__all__ = ["MARKER", "NetServerFixture", "pytest_configure", "superoffice_netserver"]

if TYPE_CHECKING:
    from .testing._fixture import NetServerFixture

MARKER = (
    "superoffice_netserver(services='Services86', accept_soap12=False, application_token=None, "
    "demo_data=True, wsdl=()): options of the stand-in the superoffice_netserver fixture starts "
    "(wsdl: the WSDL files, one or a list, of further services it serves; a relative path is "
    "looked up beside the test's file first)"
)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", MARKER)


@pytest.fixture
def superoffice_netserver(request: pytest.FixtureRequest) -> Iterator[NetServerFixture]:
    """A running NetServer stand-in with the demo data: its ``base_url``, the demo ``ticket``,
    agents connected to it and the stand-in's helpers (see ``NetServerFixture``)."""
    from .testing._fixture import netserver_for

    yield from netserver_for(request)


def __getattr__(name: str) -> Any:
    # NetServerFixture, for a test's type annotations, without loading the stand-in up front.
    if name == "NetServerFixture":
        from .testing._fixture import NetServerFixture

        return NetServerFixture
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
