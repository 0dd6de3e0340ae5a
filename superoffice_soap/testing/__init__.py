"""Test helpers: ``FakeNetServer``, an in-memory stand-in for NetServer's User and SoPrincipal
services (Services84 … Services88), and for any other service whose WSDL it is given
(``FakeNetServer.serve_wsdl``, ``answer``, ``received``).

Use it to test code that talks to NetServer without a real installation: in process through
``FakeNetServer.transport()`` (httpx), or over loopback through ``FakeNetServer.serve()``. Run
``python -m superoffice_soap.testing`` for a demo server. ``FakeNetServer``'s module
(``superoffice_soap.testing._server``) documents what it serves and how its state behaves.

The stand-in checks requests on its own: it never imports the library's envelope builder or
response parser, and it never logs or echoes tickets, tokens, passwords or secrets.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._server import (
    DEMO_ASSOCIATE_ID,
    DEMO_PASSWORD,
    DEMO_TICKET,
    DEMO_USERNAME,
    SERVICE_PATH,
    FakeNetServer,
    FakeResponse,
    RecordedRequest,
    RunningServer,
)

__all__ = [
    "DEMO_ASSOCIATE_ID",
    "DEMO_PASSWORD",
    "DEMO_TICKET",
    "DEMO_USERNAME",
    "SERVICE_PATH",
    "FakeNetServer",
    "FakeResponse",
    "NetServerFixture",
    "RecordedRequest",
    "RunningServer",
]

if TYPE_CHECKING:
    from ._fixture import NetServerFixture


def __getattr__(name: str) -> Any:
    # NetServerFixture (the superoffice_netserver fixture's type, for annotations) imports
    # pytest: loaded on first use only, so the stand-in itself never needs pytest.
    if name == "NetServerFixture":
        from ._fixture import NetServerFixture

        return NetServerFixture
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
