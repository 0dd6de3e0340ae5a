"""The fault-injection server in front of the NetServer stand-in: every request is forwarded to a
``FakeNetServer`` (so its state changes as NetServer's would), unless a rule for that operation
and that occurrence says to break the exchange — before the server sees it, or after."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Optional

import attrs
from lxml import etree

from superoffice_soap._namespaces import NS
from superoffice_soap.testing import FakeNetServer

from ._envelopes import envelope
from .faultserver import RecordedRequest, Reply

#: An HTML page (HTTP 503): a safe call is retried, then fails with HTTPStatusError.
BUSY = Reply(status=503, headers=(("Content-Type", "text/html"),), body=b"<html>busy</html>")
#: The connection closes before any answer: TransportError; a write is never repeated after it.
DROP = Reply(behaviour="close_before_response")


def netserver_error(operation: str, message: str = "The database is read-only") -> Reply:
    """``Succeeded=false`` with ExceptionInfo: NetServerError."""
    wrapper = etree.Element(f"{{{NS}}}{operation}Response")
    info: Any = [("Message", message), ("ExceptionType", "SoDatabaseException")]
    body = envelope(wrapper, headers=[("ExceptionInfo", info), ("Succeeded", "false")])
    return Reply(body=body)


@attrs.define
class Rule:
    """What to do with the ``occurrence``-th request (0-based, retries counted) of ``operation``,
    and every later one when ``and_later``: answer ``before`` without forwarding, or forward
    (with the body passed through ``alter``) and then answer ``after`` instead of the server."""

    operation: str
    occurrence: int = 0
    and_later: bool = False
    before: Optional[Reply] = None
    after: Optional[Reply] = None
    alter: Optional[Callable[[bytes], bytes]] = None

    def applies(self, operation: str, index: int) -> bool:
        if operation != self.operation:
            return False
        return index == self.occurrence or (self.and_later and index > self.occurrence)


class Proxy:
    """A FaultServer reply function: ``FaultServer(Proxy(fake, Rule(...)))``."""

    def __init__(self, fake: FakeNetServer, *rules: Rule) -> None:
        self.fake = fake
        self.rules = rules
        self.operations: list[str] = []  # every request's operation, in arrival order
        self._lock = threading.Lock()

    def __call__(self, request: RecordedRequest) -> Reply:
        action = request.headers.get("soapaction", "").strip('"')
        operation = action.rsplit("/", 1)[-1]
        with self._lock:
            index = self.operations.count(operation)
            self.operations.append(operation)
        rule = next((r for r in self.rules if r.applies(operation, index)), None)
        if rule is not None and rule.before is not None:
            return rule.before
        body = rule.alter(request.body) if rule is not None and rule.alter else request.body
        answer = self.fake.handle(request.method, request.path, request.headers, body)
        if rule is not None and rule.after is not None:
            return rule.after
        return Reply(
            status=answer.status_code, headers=tuple(answer.headers.items()), body=answer.body
        )
