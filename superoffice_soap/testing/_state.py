"""The NetServer stand-in's in-memory state: users, tickets, access tokens, credentials, types.

One ``NetServerState`` per ``FakeNetServer``; every method takes the one lock, so a single
instance can serve many threads at once. Passwords, tickets and access tokens are compared in
constant time and never appear in a repr or an error message.
"""

from __future__ import annotations

import hmac
import secrets
import threading
from collections.abc import Iterable, Sequence
from typing import Callable, Optional

import attrs

from ..models import CredentialType, UntrustedCredentials, UserType

__all__ = ["TICKET_PREFIX", "NetServerState", "TicketStatus", "User"]

#: Tickets NetServer issues start with this.
TICKET_PREFIX = "7T:"


@attrs.frozen
class User:
    """A user the stand-in can log in (``password`` is masked in repr)."""

    username: str
    password: str = attrs.field(repr=False)
    associate_id: int
    full_name: Optional[str] = None
    email_address: Optional[str] = None
    user_type: UserType = UserType.INTERNAL_ASSOCIATE


@attrs.frozen
class TicketStatus:
    """What a ticket is: ``associate_id`` when valid, ``expired`` when it was valid once."""

    associate_id: Optional[int] = None
    expired: bool = False


def _same(received: str, expected: str) -> bool:
    return hmac.compare_digest(received.encode("utf-8"), expected.encode("utf-8"))


class NetServerState:
    """Thread-safe state of the stand-in (see ``FakeNetServer``'s docstring for the rules)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tickets: dict[str, int] = {}
        self._expired: dict[str, int] = {}
        self._issued: list[str] = []
        self._users: dict[str, User] = {}
        self._access_tokens: dict[str, int] = {}
        self._credentials: dict[tuple[int, str], list[UntrustedCredentials]] = {}
        self._credential_types: list[tuple[CredentialType, frozenset[UserType]]] = []

    def __repr__(self) -> str:
        return "NetServerState(...)"

    # ------------------------------------------------------------------ tickets

    def add_ticket(self, ticket: str, associate_id: int) -> None:
        """Make ``ticket`` valid for ``associate_id`` (again, if it had expired)."""
        with self._lock:
            self._expired.pop(ticket, None)
            self._tickets[ticket] = associate_id

    def issue_ticket(self, associate_id: int) -> str:
        """A fresh ``7T:…`` ticket for ``associate_id``, remembered in issue order."""
        with self._lock:
            while True:
                ticket = TICKET_PREFIX + secrets.token_urlsafe(24)
                if ticket not in self._tickets and ticket not in self._expired:
                    break
            self._tickets[ticket] = associate_id
            self._issued.append(ticket)
            return ticket

    def issued_tickets(self) -> list[str]:
        """The tickets Authenticate* calls issued, in issue order (expired ones included)."""
        with self._lock:
            return list(self._issued)

    def ticket_status(self, ticket: Optional[str]) -> TicketStatus:
        """Valid (with its associate), expired, or unknown (neither) — for a missing one too."""
        if ticket is None:
            return TicketStatus()
        with self._lock:
            associate_id = self._tickets.get(ticket)
            if associate_id is None:
                # Services86 and later take an OAuth access token in the Ticket header too.
                associate_id = self._access_tokens.get(ticket)
            if associate_id is not None:
                return TicketStatus(associate_id=associate_id)
            return TicketStatus(expired=ticket in self._expired)

    def expire_ticket(self, ticket: str) -> None:
        """Expire one valid ticket; ValueError (without the ticket) for one that is not valid."""
        with self._lock:
            associate_id = self._tickets.pop(ticket, None)
            if associate_id is None:
                raise ValueError("expire_ticket: that ticket is not valid (never added or issued)")
            self._expired[ticket] = associate_id

    def expire_all_tickets(self) -> None:
        """Expire every ticket valid now; tickets issued or added later are valid."""
        with self._lock:
            self._expired.update(self._tickets)
            self._tickets.clear()

    # ------------------------------------------------------------------ users and tokens

    def add_user(self, user: User) -> None:
        """Add a user, or replace the one with the same user name (compared case-insensitively)."""
        with self._lock:
            self._users[user.username.casefold()] = user

    def check_password(self, username: Optional[str], password: Optional[str]) -> Optional[User]:
        """The user when ``username`` exists and ``password`` is exactly its password."""
        if username is None or password is None:
            return None
        with self._lock:
            user = self._users.get(username.casefold())
        if user is None or not _same(password, user.password):
            return None
        return user

    def add_access_token(self, token: str, associate_id: int) -> None:
        """Make ``token`` a valid access token for ``associate_id``."""
        with self._lock:
            self._access_tokens[token] = associate_id

    def associate_for_access_token(self, token: Optional[str]) -> Optional[int]:
        """The associate of a known access token, else None (compared in constant time)."""
        if token is None:
            return None
        with self._lock:
            known = list(self._access_tokens.items())
        found: Optional[int] = None
        for candidate, associate_id in known:
            if _same(token, candidate):
                found = associate_id
        return found

    def user_for_associate(self, associate_id: int) -> Optional[User]:
        """The first added user of an associate, or None."""
        with self._lock:
            for user in self._users.values():
                if user.associate_id == associate_id:
                    return user
        return None

    # ------------------------------------------------------------------ untrusted credentials

    def add_credentials(
        self, associate_id: int, credential_type: str, credentials: UntrustedCredentials
    ) -> None:
        """Append one stored credential of ``credential_type`` for ``associate_id``."""
        with self._lock:
            self._credentials.setdefault((associate_id, credential_type), []).append(credentials)

    def save_credentials(
        self, associate_id: int, credential_type: str, credentials: UntrustedCredentials
    ) -> None:
        """Replace every entry with the same PublicValue in place, else append."""
        with self._lock:
            stored = self._credentials.setdefault((associate_id, credential_type), [])
            replaced = False
            for index, item in enumerate(stored):
                if item.public_value == credentials.public_value:
                    stored[index] = credentials
                    replaced = True
            if not replaced:
                stored.append(credentials)

    def remove_credentials(
        self, associate_id: int, credential_type: str, public_value: Optional[str]
    ) -> None:
        """Remove every entry with this PublicValue; nothing to remove is fine."""
        with self._lock:
            key = (associate_id, credential_type)
            stored = self._credentials.get(key)
            if stored is None:
                return
            stored[:] = [item for item in stored if item.public_value != public_value]
            if not stored:
                del self._credentials[key]

    def credentials(
        self, associate_id: int, credential_type: Optional[str]
    ) -> tuple[UntrustedCredentials, ...]:
        """The stored credentials of one associate and type, in order."""
        if credential_type is None:
            return ()
        with self._lock:
            return tuple(self._credentials.get((associate_id, credential_type), ()))

    # ------------------------------------------------------------------ credential types

    def add_credential_type(
        self, credential_type: CredentialType, user_types: Iterable[UserType]
    ) -> None:
        """Add a credential type for ``user_types``; one with the same ``type`` is replaced."""
        entry = (credential_type, frozenset(user_types))
        with self._lock:
            for index, (existing, _) in enumerate(self._credential_types):
                if existing.type == credential_type.type:
                    self._credential_types[index] = entry
                    return
            self._credential_types.append(entry)

    def credential_types(
        self, accept: Callable[[frozenset[UserType]], bool] = lambda _: True
    ) -> Sequence[CredentialType]:
        """The credential types (in the order added) whose user types ``accept`` allows."""
        with self._lock:
            return [item for item, user_types in self._credential_types if accept(user_types)]
