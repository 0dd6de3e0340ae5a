"""pytest plugin of superoffice-soap (the ``pytest11`` entry point): the ``superoffice_netserver``
fixture, a running NetServer stand-in for testing code that uses the library.

This module lives outside the package on purpose: importing anything of ``superoffice_soap``
imports the package, and with it lxml and httpx (about a quarter of a second). Loading this plugin
imports only this file; the package is imported when a test asks for the fixture. The fixture
itself is ``superoffice_soap.pytest_plugin`` (which a vendored copy registers in a conftest.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from superoffice_soap.pytest_plugin import NetServerFixture

_MARKER = (
    "superoffice_netserver(services='Services86', accept_soap12=False, application_token=None, "
    "demo_data=True): options of the stand-in the superoffice_netserver fixture starts"
)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", _MARKER)


@pytest.fixture
def superoffice_netserver(request: pytest.FixtureRequest) -> Iterator[NetServerFixture]:
    """A running NetServer stand-in with the demo data: its ``base_url``, the demo ``ticket``,
    agents connected to it and the stand-in's helpers (``superoffice_soap.pytest_plugin``)."""
    from superoffice_soap.pytest_plugin import netserver_for

    yield from netserver_for(request)
