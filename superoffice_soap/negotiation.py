"""What this process has learned about the SOAP version each NetServer speaks (sans-IO).

A server's SOAP version is a fact about the server, not about one agent. Every agent and every
service (``User.svc``, ``SoPrincipal.svc``) of one *server root* — scheme, host, port and the path
up to ``/Remote/ServicesNN`` — shares one ``ServerVersion``, for as long as the process lives:
``UserAgent.login`` followed by any number of calls, a second agent for the same server, and a
burst of concurrent first calls all cost one SOAP 1.2 try in total against a SOAP 1.1 server.

Only ``soap_version="auto"`` sessions read or write this state; a pinned version never does.
While a server's version is unknown, the first call to need it *probes* (sends SOAP 1.2); calls
that need it meanwhile wait for that probe's answer (``Flight``) instead of racing it. An answer
that says nothing about the version (a timeout, an HTML 502 page) settles nothing: the probe ends,
and the calls that waited for it no longer wait (each tries on its own, so a dead server does not
make them queue one after the other), while later calls wait for the next probe.

Nothing here does I/O or reads a clock. ``forget_soap_versions`` drops what was learned (tests use
it to start each case afresh; a long-running process may call it after a server was reconfigured).
"""

from __future__ import annotations

import functools
import logging
import re
import threading
from typing import Optional
from urllib.parse import urlsplit

import attrs

from ._flight import Flight
from .operations import SoapVersion

__all__ = [
    "Claim",
    "ServerVersion",
    "forget_soap_versions",
    "learned_soap_versions",
    "server_root",
    "server_version",
]

logger = logging.getLogger("superoffice_soap")


def server_version(url: str) -> ServerVersion:
    """The shared SOAP version state of the server root of ``url`` (an endpoint URL)."""
    root = server_root(url)
    found = _VERSIONS.get(root)
    if found is None:
        with _LOCK:
            found = _VERSIONS.setdefault(root, ServerVersion(root))
    return found


def learned_soap_versions() -> dict[str, SoapVersion]:
    """Server root → the SOAP version this process learned it speaks (settled ones only)."""
    with _LOCK:
        known = list(_VERSIONS.values())
    return {state.root: state.settled for state in known if state.settled is not None}


def forget_soap_versions(url: Optional[str] = None) -> None:
    """Forget what was learned about the server root of ``url``, or about every server.

    Agents of that root negotiate again on their next call. A probe in flight finishes as it
    would have; what it learns goes to the old, forgotten state.
    """
    with _LOCK:
        if url is None:
            _VERSIONS.clear()
        else:
            _VERSIONS.pop(server_root(url), None)


@functools.lru_cache(maxsize=256)
def server_root(url: str) -> str:
    """``scheme://host:port/path-up-to-/Remote/ServicesNN`` of an endpoint URL.

    Scheme and host are compared without case (RFC 3986 §6.2.2.1), the default port is written
    out, user information is left out. The path keeps its case (only NetServer's own
    ``/Remote/ServicesNN`` marker is found without case): two paths that differ in case might be
    different servers behind a proxy, and guessing wrong would cost more than one round trip.
    Without that marker the root is the endpoint's base (its URL without ``/<service>.svc``).
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    port = parts.port or (443 if scheme == "https" else 80)
    path = parts.path
    match = _SERVICES_ROOT.match(path)
    if match is not None:
        path = match[1]
    else:
        head, _, last = path.rstrip("/").rpartition("/")
        if last.lower().endswith(".svc"):
            path = head
    return f"{scheme}://{host}:{port}{path.rstrip('/')}"


_SERVICES_ROOT = re.compile(r"(.*?/Remote/Services\d+)(?:/|$)", re.IGNORECASE)


@attrs.frozen(eq=False, repr=False)
class Claim:
    """What a call may do about the SOAP version (exactly one field is set, or none):

    * ``version``: the server's known version — send in it;
    * ``probe``: this call is the server's probe — send SOAP 1.2, settle from the answer, and
      ``finish()`` the probe whatever happens;
    * ``wait``: another call's probe is in flight — wait for it, then claim again;
    * none: negotiate on its own (it waited once already).
    """

    version: Optional[SoapVersion] = None
    probe: Optional[Flight] = None
    wait: Optional[Flight] = None


class ServerVersion:
    """The SOAP version of one server root: unknown, or settled once and for good."""

    __slots__ = ("_lock", "_probe", "root", "settled")

    def __init__(self, root: str) -> None:
        self.root = root
        self.settled: Optional[SoapVersion] = None
        self._probe: Optional[Flight] = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"ServerVersion(root={self.root!r}, settled={self.settled!r})"

    def claim(self, waited: bool = False) -> Claim:
        """Decide, under the lock, what a call that needs the version does (see ``Claim``).

        ``waited``: the call already waited for one probe, so it does not wait for another.
        """
        with self._lock:
            if self.settled is not None:
                return Claim(version=self.settled)
            probe = self._probe
            if probe is None or probe.done:
                self._probe = Flight()
                return Claim(probe=self._probe)
            if waited:
                return Claim()
            return Claim(wait=probe)

    def settle(self, version: SoapVersion, reason: str) -> None:
        """Record what an answer proved; the first proof wins, later ones change nothing."""
        with self._lock:
            if self.settled is not None:
                return
            self.settled = version
        logger.debug("SOAP version settled on %s for %s (%s)", version, self.root, reason)


_VERSIONS: dict[str, ServerVersion] = {}
_LOCK = threading.Lock()
