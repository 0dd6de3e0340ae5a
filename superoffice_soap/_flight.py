"""One piece of shared work in flight — a re-login, a SOAP version probe — that other calls wait for.

Sans-IO and driver-neutral: a ``Flight`` knows nothing of threads or event loops. The call doing
the work finishes it; a waiting call's plan yields ``Wait(flight, timeout)`` and its driver waits
its own way (a ``threading.Event`` in the sync agents, an asyncio future in the async ones) by
``subscribe``-ing a wake-up callback. The lock inside is held only to change the state, never
while anyone waits, so neither a thread pool nor an event loop is held up by it.
"""

from __future__ import annotations

import threading
from typing import Callable, Optional

from .errors import SuperOfficeSoapError

__all__ = ["Flight"]


class Flight:
    """Work one call does for many. ``done`` once finished; ``error`` is what it failed with,
    for the waiters to fail with too (None: it succeeded, or was abandoned — cancelled, or failed
    in a way that says nothing about the waiters, who then decide again)."""

    __slots__ = ("_callbacks", "_lock", "done", "error")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._callbacks: list[Callable[[], None]] = []
        self.done = False
        self.error: Optional[SuperOfficeSoapError] = None

    def subscribe(self, wake: Callable[[], None]) -> None:
        """Call ``wake`` once the flight is done (at once when it already is).

        ``wake`` runs in whichever thread finishes the flight: it must only signal (set an
        event, schedule a future's result), never block.
        """
        with self._lock:
            if not self.done:
                self._callbacks.append(wake)
                return
        wake()

    def finish(self, error: Optional[SuperOfficeSoapError] = None) -> None:
        """Mark the work done (once; later calls do nothing) and wake every waiter."""
        with self._lock:
            if self.done:
                return
            self.done = True
            self.error = error
            callbacks, self._callbacks = self._callbacks, []
        for wake in callbacks:
            wake()
