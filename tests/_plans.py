"""Driving sans-IO plans in tests: a fake clock and a fake driver that never sleeps.

A plan is what ``Session.plan`` returns: it yields the effects to carry out (a request to send,
a ``Sleep``) and receives the answers. ``Drive`` plays the driver's part with scripted answers:
a ``Sleep`` moves the fake clock instead of waiting, and each request may "take" ``latency``
seconds of fake time.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Callable, Optional, TypeVar, Union

from superoffice_soap.errors import SuperOfficeSoapError
from superoffice_soap.protocol import Effect, HttpResponse, Plan, Sleep, SoapRequest

T = TypeVar("T")
Answer = Union[HttpResponse, SuperOfficeSoapError]
CT11 = {"Content-Type": "text/xml; charset=utf-8"}


class FakeClock:
    """A monotonic clock that moves only when told to."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        assert seconds >= 0
        self.now += seconds


def answer(
    status: int, content: bytes = b"", headers: Optional[Mapping[str, str]] = None
) -> HttpResponse:
    """An HTTP answer (SOAP 1.1 content type unless ``headers`` say otherwise)."""
    return HttpResponse(status, dict(CT11 if headers is None else headers), content)


def script(*answers: Answer) -> Callable[[SoapRequest], Answer]:
    """Answers in order; the last one repeats."""
    queue: Iterator[Answer] = iter(answers)
    last: list[Answer] = [answers[-1]]

    def respond(request: SoapRequest) -> Answer:
        for item in queue:
            return item
        return last[0]

    return respond


class Drive:
    """Runs plans against scripted answers on a fake clock; ``effects`` records what they asked."""

    def __init__(
        self,
        clock: FakeClock,
        respond: Callable[[SoapRequest], Answer],
        *,
        latency: float = 0.0,
    ) -> None:
        self.clock = clock
        self.respond = respond
        self.latency = latency
        self.effects: list[Effect] = []

    @property
    def requests(self) -> list[SoapRequest]:
        return [e for e in self.effects if isinstance(e, SoapRequest)]

    @property
    def sleeps(self) -> list[float]:
        return [e.seconds for e in self.effects if isinstance(e, Sleep)]

    def __call__(self, plan: Plan[T]) -> T:
        try:
            effect = next(plan)
            while True:
                self.effects.append(effect)
                if isinstance(effect, Sleep):
                    self.clock.advance(effect.seconds)
                    effect = plan.send(None)
                    continue
                assert isinstance(effect, SoapRequest), effect
                self.clock.advance(self.latency)
                got = self.respond(effect)
                if isinstance(got, SuperOfficeSoapError):
                    effect = plan.throw(got)
                else:
                    effect = plan.send(got)
        except StopIteration as done:
            result: T = done.value
            return result
