"""When a failed exchange may be repeated, and how long to wait first (sans-IO, pure decisions).

The rule that keeps retries safe: an operation declared ``retry_safe`` (reads, defaults, system
information) may be repeated after anything that can be transient — a refused or timed-out
connection, a read timeout or a dropped connection, HTTP 429/502/503/504. An operation that
changes state (Save*, Remove*, Authenticate*) is repeated only when the request provably never
reached the server: the connection was refused, the name did not resolve, the connect or the wait
for a pooled connection timed out. Never after a byte was sent.

Delays grow exponentially with full jitter (a random wait between 0 and the exponential cap), so
many clients that failed together do not come back together. ``Retry-After`` on 429/503 is
honoured, up to ``max_retry_after``. Nothing here reads a clock: a ``Retry-After`` date is measured
against the ``Date`` header of the same answer (RFC 9110 §10.2.3; both come from the server's
clock, so a skewed local clock can neither stretch nor cut the wait); the session decides with its
own clock whether a delay still fits the call's deadline.
"""

from __future__ import annotations

import random as _random
from collections.abc import Mapping
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Callable, Optional

import attrs

from ._http import header
from .errors import InvalidRequestError, TransportError

__all__ = ["RETRY_STATUSES", "RetryPolicy", "retry_policy"]

#: Answers worth repeating a retry-safe call for.
RETRY_STATUSES = frozenset({429, 502, 503, 504})
#: Failures after which the request provably never reached the server.
_NOT_SENT = frozenset({"connect", "connect timeout", "pool timeout"})
#: Failures that may be transient once the request was (maybe) sent.
_TRANSIENT = _NOT_SENT | {"read timeout", "read", "protocol"}


def _count_of_attempts(instance: object, attribute: attrs.Attribute[int], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidRequestError("retries", f"attempts must be an int >= 1, got {value!r}")


def _seconds(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise InvalidRequestError("retries", f"delays must be numbers >= 0, got {value!r}")
    return float(value)


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """How often and how patiently an agent repeats a failed exchange (immutable).

    ``attempts`` counts the first try (3: up to two retries; 1: no retry). The n-th retry waits a
    random time between 0 and ``min(max_backoff, backoff * 2 ** (n - 1))`` seconds, or what a
    429/503 ``Retry-After`` asks, capped at ``max_retry_after``. ``random`` is the source of
    randomness in [0, 1); replace it for reproducible delays (it takes no part in equality).
    """

    attempts: int = attrs.field(default=3, validator=_count_of_attempts)
    backoff: float = attrs.field(default=0.5, converter=_seconds)
    max_backoff: float = attrs.field(default=10.0, converter=_seconds)
    max_retry_after: float = attrs.field(default=60.0, converter=_seconds)
    random: Callable[[], float] = attrs.field(default=_random.random, eq=False, repr=False)

    def after_error(self, error: TransportError, attempt: int, retry_safe: bool) -> Optional[float]:
        """The delay before the next attempt after ``error``, or None to give up."""
        if attempt >= self.attempts:
            return None
        allowed = _TRANSIENT if retry_safe else _NOT_SENT
        if error.kind not in allowed:
            return None
        return self._backoff(attempt)

    def after_status(
        self, status_code: int, headers: Mapping[str, str], attempt: int, retry_safe: bool
    ) -> Optional[float]:
        """The delay before the next attempt after an HTTP answer, or None to use the answer."""
        if attempt >= self.attempts or not retry_safe or status_code not in RETRY_STATUSES:
            return None
        delay = self._backoff(attempt)
        if status_code in (429, 503):
            asked = _retry_after(headers)
            if asked is not None:
                delay = min(asked, self.max_retry_after)
        return delay

    def _backoff(self, attempt: int) -> float:
        cap = min(self.max_backoff, self.backoff * 2 ** (attempt - 1))
        return float(cap * self.random())


def retry_policy(retries: object) -> RetryPolicy:
    """An agent's ``retries=``: a RetryPolicy, or an int number of retries (0 turns them off)."""
    if isinstance(retries, RetryPolicy):
        return retries
    if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
        raise InvalidRequestError(
            "retries", f"must be a RetryPolicy or an int >= 0, got {retries!r}"
        )
    return RetryPolicy(attempts=retries + 1)


def _retry_after(headers: Mapping[str, str]) -> Optional[float]:
    """Seconds from a ``Retry-After`` header, or None.

    Delta-seconds are taken as they are. An HTTP date counts from the answer's own ``Date``
    header; without a readable one the date cannot be placed in time without reading a local
    clock, and the header is ignored (the backoff applies).
    """
    value = header(headers, "retry-after")
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    when = _http_date(value)
    sent = _http_date(header(headers, "date"))
    if when is None or sent is None:
        return None
    return max(0.0, (when - sent).total_seconds())


def _http_date(value: Optional[str]) -> Optional[datetime]:
    if value is None:
        return None
    try:
        when = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None
    return when.replace(tzinfo=timezone.utc) if when.tzinfo is None else when
