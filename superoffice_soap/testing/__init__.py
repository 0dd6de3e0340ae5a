"""Test helpers: ``FakeNetServer``, an in-memory stand-in for NetServer's Services86 User service.

Use it to test code that talks to NetServer without a real installation: in process through
``FakeNetServer.transport()`` (httpx), or over loopback through ``FakeNetServer.serve()``. Run
``python -m superoffice_soap.testing`` for a demo server.

The stand-in checks requests on its own: it never imports the library's envelope builder or
response parser, and it never logs or echoes tickets, application tokens or secrets.
"""

from __future__ import annotations

from ._server import (
    DEMO_ASSOCIATE_ID,
    DEMO_TICKET,
    SERVICE_PATH,
    FakeNetServer,
    FakeResponse,
    RecordedRequest,
    RunningServer,
)

__all__ = [
    "DEMO_ASSOCIATE_ID",
    "DEMO_TICKET",
    "SERVICE_PATH",
    "FakeNetServer",
    "FakeResponse",
    "RecordedRequest",
    "RunningServer",
]
