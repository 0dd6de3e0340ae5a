"""The stand-in's answers sent over tests/faultserver.py, so a test can add what a real server or
proxy does on the wire (a delay, a hang, a second copy of the answer, garbage behind it)."""

from __future__ import annotations

from typing import Callable, Optional

import httpx

from superoffice_soap.testing import FakeNetServer

from .faultserver import RecordedRequest, Reply

Replies = Callable[[RecordedRequest], Reply]


def operation_of(request: RecordedRequest) -> str:
    """The SOAP operation a request calls (from its SOAPAction)."""
    return request.headers.get("soapaction", "").strip('"').rpartition("/")[2]


def stand_in_replies(
    behaviour: str = "normal",
    *,
    delay: float = 0.0,
    hang_on: Optional[str] = None,
    stand_in: Optional[FakeNetServer] = None,
) -> Replies:
    """Each request answered by the stand-in (the demo one unless given), sent with
    ``behaviour`` after ``delay`` seconds; a call of operation ``hang_on`` is never answered."""
    server = stand_in if stand_in is not None else FakeNetServer.with_demo_data()
    transport = server.transport()

    def reply(request: RecordedRequest) -> Reply:
        if hang_on is not None and operation_of(request) == hang_on:
            return Reply(behaviour="hang")
        answer = transport.handle_request(
            httpx.Request(
                request.method,
                "http://stand-in" + request.path,
                headers=request.headers,
                content=request.body,
            )
        )
        answer.read()
        return Reply(
            status=answer.status_code,
            headers=(("Content-Type", answer.headers["content-type"]),),
            body=answer.content,
            behaviour=behaviour,  # type: ignore[arg-type]
            delay=delay,
        )

    return reply
