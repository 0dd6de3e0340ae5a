"""The two jobs administrators do with stored credentials: audit many users, rotate one secret.

Each job is written once, without I/O, and moved through an agent by a thin sync or async runner:

* **audit** — ``credential_status`` rates one credential against an injected ``now`` (pure);
  ``audit_report`` turns what the bulk helper returned into an ``AuditReport`` (pure);
  ``audit_untrusted_credentials`` / ``audit_untrusted_credentials_async`` read the users through
  the bulk helper (one connection pool, one negotiation) and build the report.
* **rotate** — ``plan_rotation`` decides from the current entries what will be written, or refuses
  (pure); ``rotation_differences`` compares what was sent with what the server stored (pure);
  ``rotate_untrusted_credential`` / ``rotate_untrusted_credential_async`` read, save, read back,
  verify and only then remove the old entry. A failure raises ``RotationError``, which says what
  state the server is in now and what finishes or undoes the job.

The steps of a job are a generator that yields the agent calls it needs and receives their answers
(or has their error thrown in), so the sync and the async runner share every decision.

This module must never: use anything but the agents' public methods; repeat a write (whether a
write may be repeated is the agent's retry policy's decision, and it never repeats one that was
sent); put a secret into anything it returns or raises.
"""

from __future__ import annotations

import enum
import re
import time
from collections.abc import Generator, Iterable, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Callable, Optional, TypeVar, Union

import attrs

from .errors import (
    AgentClosedError,
    HTTPStatusError,
    InvalidRequestError,
    NetServerError,
    ResponseParseError,
    SoapFault,
    SuperOfficeSoapError,
    TransportError,
)
from .models import (
    DOTNET_MIN_VALUE,
    MAX_ASSOCIATE_ID,
    NEVER_EXPIRES,
    UntrustedCredentials,
    check_associate_id,
)

if TYPE_CHECKING:
    from .client import AsyncUserAgent, UserAgent

__all__ = [
    "DEFAULT_EXPIRING_WITHIN",
    "FINDINGS",
    "NAIVE_TIMES",
    "AuditInterrupted",
    "AuditProgress",
    "AuditReport",
    "CredentialFinding",
    "CredentialStatus",
    "RecoveryStep",
    "RotationError",
    "RotationInterrupted",
    "RotationPlan",
    "RotationResult",
    "UserAudit",
    "audit_report",
    "audit_untrusted_credentials",
    "audit_untrusted_credentials_async",
    "credential_status",
    "error_phrase",
    "parse_associate_id",
    "parse_associate_ids",
    "parse_duration",
    "plan_rotation",
    "read_associate_ids",
    "rotate_untrusted_credential",
    "rotate_untrusted_credential_async",
    "rotation_differences",
]

T = TypeVar("T")

#: How soon before its ``valid_to`` a credential counts as ``expiring``, unless told otherwise.
DEFAULT_EXPIRING_WITHIN = timedelta(days=30)
#: How a datetime without an offset is read. NetServer writes .NET's ``DateTimeKind.Unspecified``
#: values without a suffix (the parser gives them as naive datetimes); the audit reads them as UTC.
NAIVE_TIMES = "UTC"
#: What ``AuditReport.found`` counts: four statuses, users with no credential, failed users.
FINDINGS = ("expired", "expiring", "inactive", "not-yet-valid", "none", "error")

_MAX_IDS = 1_000_000  # a range larger than this is a typo, not an audit
_PHRASE = 100  # an error phrase longer than this is cut
_NOT_SENT_KINDS = frozenset({"connect", "connect timeout", "pool timeout"})


# ================================================================================================
# Audit


class CredentialStatus(str, enum.Enum):
    """What an audit says about one credential (the value is the word printed)."""

    OK = "ok"
    INACTIVE = "inactive"
    EXPIRED = "expired"
    NOT_YET_VALID = "not yet valid"
    EXPIRING = "expiring"


def credential_status(
    credentials: UntrustedCredentials,
    *,
    now: datetime,
    expiring_within: timedelta = DEFAULT_EXPIRING_WITHIN,
) -> CredentialStatus:
    """The status of one credential at ``now`` (timezone-aware), first match wins:

    ``inactive`` unless ``is_active`` is true (an absent IsActive too: NetServer stores false);
    ``expired`` when ``now`` is after ``valid_to`` (a credential is valid *through* its
    ``valid_to``, so ``valid_to == now`` is not expired; .NET's MinValue as ``valid_to`` is
    expired); ``not yet valid`` when ``now`` is before ``valid_from``; ``expiring`` when
    ``valid_to`` is at most ``expiring_within`` after ``now``; else ``ok``. .NET's MaxValue
    (``NEVER_EXPIRES``) and an absent ``valid_to`` never expire; MinValue and an absent
    ``valid_from`` mean valid since always. Times without an offset are read as UTC.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be a timezone-aware datetime")
    if expiring_within < timedelta(0):
        raise ValueError(f"expiring_within must not be negative, got {expiring_within}")
    if credentials.is_active is not True:
        return CredentialStatus.INACTIVE
    left: Optional[timedelta] = None
    valid_to = credentials.valid_to
    if valid_to is not None and not _never_expires(valid_to):
        left = _as_utc(valid_to) - now  # aware minus aware: a timedelta, no overflow at the edges
        if left < timedelta(0):
            return CredentialStatus.EXPIRED
    valid_from = credentials.valid_from
    if valid_from is not None and _as_utc(valid_from) - now > timedelta(0):
        return CredentialStatus.NOT_YET_VALID
    if left is not None and left <= expiring_within:
        return CredentialStatus.EXPIRING
    return CredentialStatus.OK


@attrs.frozen(kw_only=True)
class CredentialFinding:
    """One credential as the audit saw it: everything but its secret, and its status.

    ``naive_times`` is true when ``valid_from`` or ``valid_to`` came without an offset and was
    read as UTC for the status (.NET's MinValue and MaxValue are read the same in any zone and do
    not count); the datetimes themselves are kept as the server sent them.
    """

    public_value: Optional[str]
    is_active: Optional[bool]
    valid_from: Optional[datetime]
    valid_to: Optional[datetime]
    status: CredentialStatus
    naive_times: bool = False


@attrs.frozen(kw_only=True)
class UserAudit:
    """One user of an audit: the findings, or the error that stopped the read of this user."""

    associate_id: int
    credentials: tuple[CredentialFinding, ...] = ()
    error: Optional[SuperOfficeSoapError] = attrs.field(default=None, eq=False)

    @property
    def failed(self) -> bool:
        return self.error is not None


@attrs.frozen(kw_only=True)
class AuditProgress:
    """How far a running audit is: users done (failed ones included) of ``total``."""

    done: int
    total: int
    failures: int
    elapsed: float


@attrs.frozen(kw_only=True)
class AuditReport:
    """The result of an audit of one credential type across users, in the order asked.

    ``checked_at`` is the instant (UTC) every status was computed against; times without an
    offset were read as ``naive_times`` (UTC).
    """

    credential_type: str
    checked_at: datetime
    expiring_within: timedelta
    users: tuple[UserAudit, ...]
    naive_times: str = NAIVE_TIMES

    @property
    def failures(self) -> tuple[UserAudit, ...]:
        return tuple(user for user in self.users if user.failed)

    @property
    def credentials(self) -> tuple[tuple[int, CredentialFinding], ...]:
        """Every credential found, with its associate id."""
        return tuple((user.associate_id, c) for user in self.users for c in user.credentials)

    def counts(self) -> dict[CredentialStatus, int]:
        """Credentials per status, every status present (0 when none)."""
        counts = dict.fromkeys(CredentialStatus, 0)
        for _, finding in self.credentials:
            counts[finding.status] += 1
        return counts

    def found(self, finding: str) -> int:
        """How many of one of ``FINDINGS`` there are: credentials with that status (spelled
        ``not-yet-valid`` here), users with no credential (``none``), users that failed
        (``error``)."""
        if finding == "none":
            return sum(1 for user in self.users if not user.failed and not user.credentials)
        if finding == "error":
            return len(self.failures)
        if finding not in FINDINGS:
            raise ValueError(f"unknown finding {finding!r}; expected one of {', '.join(FINDINGS)}")
        return self.counts()[CredentialStatus(finding.replace("-", " "))]

    def summary(self) -> str:
        """One line: users, credentials, per status, users with none, failures, the time rule."""
        users = len(self.users)
        credentials = len(self.credentials)
        statuses = ", ".join(f"{n} {status.value}" for status, n in self.counts().items())
        failures = len(self.failures)
        return (
            f"audited {users} user{'s' * (users != 1)}: {credentials} {self.credential_type} "
            f"credential{'s' * (credentials != 1)} ({statuses}; expiring = within "
            f"{_duration_text(self.expiring_within)}), {self.found('none')} without any, "
            f"{failures} failed; times without an offset read as {self.naive_times}"
        )


AuditAnswers = Mapping[int, Union[Sequence[UntrustedCredentials], SuperOfficeSoapError]]


def audit_report(
    answers: AuditAnswers,
    credential_type: str,
    *,
    now: datetime,
    expiring_within: timedelta = DEFAULT_EXPIRING_WITHIN,
) -> AuditReport:
    """The report for what the bulk helper returned (``errors="collect"``), statuses at ``now``."""
    users = []
    for associate_id, answer in answers.items():
        if isinstance(answer, SuperOfficeSoapError):
            users.append(UserAudit(associate_id=associate_id, error=answer))
            continue
        findings = tuple(
            CredentialFinding(
                public_value=credentials.public_value,
                is_active=credentials.is_active,
                valid_from=credentials.valid_from,
                valid_to=credentials.valid_to,
                status=credential_status(credentials, now=now, expiring_within=expiring_within),
                naive_times=any(
                    _naive(value) for value in (credentials.valid_from, credentials.valid_to)
                ),
            )
            for credentials in answer
        )
        users.append(UserAudit(associate_id=associate_id, credentials=findings))
    return AuditReport(
        credential_type=credential_type,
        checked_at=now.astimezone(timezone.utc),
        expiring_within=expiring_within,
        users=tuple(users),
    )


def audit_untrusted_credentials(
    agent: UserAgent,
    associate_ids: Iterable[int],
    credential_type: str,
    *,
    expiring_within: timedelta = DEFAULT_EXPIRING_WITHIN,
    concurrency: int = 8,
    now: Optional[datetime] = None,
    progress: Optional[Callable[[AuditProgress], None]] = None,
) -> AuditReport:
    """Audit the ``credential_type`` credentials of many users (duplicates once) through
    ``agent.get_untrusted_credentials_for_associates`` (``concurrency`` calls at a time, errors
    collected: a user that fails is in the report with its error and does not stop the audit).

    Statuses are computed against ``now`` (aware; default: the clock, read after the last
    answer). ``progress`` is called as users finish; with it the users are read in
    batches of ``concurrency × 8``, each batch through the bulk helper. Bad input raises
    ``InvalidRequestError`` before anything is sent.
    """
    job = _audit(associate_ids, credential_type, expiring_within, concurrency, now, progress)
    return _drive(agent, job)


async def audit_untrusted_credentials_async(
    agent: AsyncUserAgent,
    associate_ids: Iterable[int],
    credential_type: str,
    *,
    expiring_within: timedelta = DEFAULT_EXPIRING_WITHIN,
    concurrency: int = 8,
    now: Optional[datetime] = None,
    progress: Optional[Callable[[AuditProgress], None]] = None,
) -> AuditReport:
    """``audit_untrusted_credentials`` with an ``AsyncUserAgent``."""
    job = _audit(associate_ids, credential_type, expiring_within, concurrency, now, progress)
    return await _adrive(agent, job)


def _audit(
    associate_ids: Iterable[int],
    credential_type: str,
    expiring_within: timedelta,
    concurrency: int,
    now: Optional[datetime],
    progress: Optional[Callable[[AuditProgress], None]],
) -> Generator[_Call, Any, AuditReport]:
    ids = _checked_ids(associate_ids)
    if not isinstance(expiring_within, timedelta) or expiring_within < timedelta(0):
        raise InvalidRequestError("expiring_within", "must be a timedelta >= 0")
    if now is not None and (not isinstance(now, datetime) or now.utcoffset() is None):
        raise InvalidRequestError("now", "must be a timezone-aware datetime")
    # Without progress to show, one bulk call; with it, batches of eight rounds of calls (the
    # bulk helper reports only when it is done), which costs little of the concurrency.
    rounds = concurrency if isinstance(concurrency, int) and concurrency > 0 else 1
    size = max(1, len(ids) if progress is None else rounds * 8)
    started = time.monotonic()
    answers: dict[int, Union[list[UntrustedCredentials], SuperOfficeSoapError]] = {}
    failures = 0

    def tell() -> None:
        if progress is not None:
            progress(
                AuditProgress(
                    done=len(answers),
                    total=len(ids),
                    failures=failures,
                    elapsed=time.monotonic() - started,
                )
            )

    tell()
    for start in range(0, max(1, len(ids)), size):  # an empty audit still checks its input
        batch = ids[start : start + size]
        try:
            answer: Mapping[
                int, Union[list[UntrustedCredentials], SuperOfficeSoapError]
            ] = yield _Call(
                "get_untrusted_credentials_for_associates",
                (batch, credential_type),
                {"concurrency": concurrency, "errors": "collect"},
            )
        except _Interrupted as stopped:
            answers.update(stopped.partial)
            moment = now if now is not None else datetime.now(timezone.utc)
            report = audit_report(
                answers, credential_type, now=moment, expiring_within=expiring_within
            )
            raise AuditInterrupted(report, len(ids)) from None
        answers.update(answer)
        failures += sum(1 for value in answer.values() if isinstance(value, SuperOfficeSoapError))
        if batch:
            tell()
    moment = now if now is not None else datetime.now(timezone.utc)
    return audit_report(answers, credential_type, now=moment, expiring_within=expiring_within)


class _Interrupted(SuperOfficeSoapError):
    """Ctrl-C during a job's call, as the job sees it (``partial``: what a bulk read read)."""

    def __init__(self, partial: Mapping[int, Any]) -> None:
        self.partial = dict(partial)
        super().__init__("interrupted (Ctrl-C)")


class AuditInterrupted(KeyboardInterrupt):
    """Ctrl-C during a sync audit: no request started after it. ``report`` is the audit of the
    users read before it (``total`` were asked for), a partial report. Being a
    KeyboardInterrupt, it ends a program as Ctrl-C does unless caught."""

    def __init__(self, report: AuditReport, total: int) -> None:
        self.report = report
        self.total = total
        super().__init__(f"audit interrupted after {len(report.users)} of {total} users")


class RotationInterrupted(KeyboardInterrupt):
    """Ctrl-C during a sync rotate. ``error`` is the ``RotationError`` of the step it stopped:
    what the server holds now and what finishes or undoes it, as for any other failure."""

    def __init__(self, error: RotationError) -> None:
        self.error = error
        super().__init__(str(error))


def error_phrase(error: BaseException) -> str:
    """A failed user's error in one short phrase (no secrets: errors never carry one)."""
    if isinstance(error, _Interrupted):
        return str(error)
    if isinstance(error, TransportError):
        return f"transport error ({error.kind})"
    if isinstance(error, HTTPStatusError):
        kind = f" ({error.content_type.split(';')[0]})" if error.content_type else ""
        return f"HTTP {error.status_code}{kind}, not a SOAP answer"
    if isinstance(error, SoapFault):
        text = f"SOAP fault {error.code or '(no code)'}: {error.reason}"
    elif isinstance(error, NetServerError):
        text = f"{error.exception_type or 'NetServer error'}: {error.message or ''}".rstrip(": ")
    elif isinstance(error, ResponseParseError):
        text = f"unreadable answer: {error.problem}"
    else:
        text = f"{type(error).__name__}: {error}"
    text = " ".join(text.split())
    return text if len(text) <= _PHRASE else text[: _PHRASE - 1] + "…"


# ------------------------------------------------------------------------------------------------
# Reading associate ids and durations (what a person or a cron job types)


_DURATION = re.compile(r"\s*([0-9]+)\s*([smhdw])\s*", re.IGNORECASE)
#: The longest duration taken: 100 years (a date that far ahead is still a date).
MAX_DURATION = timedelta(days=36_500)
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_duration(text: str) -> timedelta:
    """``30d``, ``12h``, ``2w``, ``90m``, ``45s`` as a timedelta; ValueError otherwise."""
    match = _DURATION.fullmatch(text)
    if match is None:
        raise ValueError(f"not a duration: {text!r} (a number and a unit: 30d, 12h, 2w, 90m, 45s)")
    amount = int(match[1])
    if amount > MAX_DURATION.days * 86_400:  # more than 100 years in any unit, seconds included
        raise ValueError(f"too large: {text!r} (at most {MAX_DURATION.days}d, 100 years)")
    duration = timedelta(**{_UNITS[match[2].lower()]: amount})
    if duration > MAX_DURATION:
        raise ValueError(f"too large: {text!r} (at most {MAX_DURATION.days}d, 100 years)")
    return duration


def parse_associate_ids(text: str) -> list[int]:
    """``1-500,731``: ids and inclusive ranges, comma separated; ValueError naming the bad part."""
    ids: list[int] = []
    parts = [part.strip() for part in text.split(",")]
    if not any(parts):
        raise ValueError("no associate ids given (e.g. 1-500,731)")
    for part in parts:
        if not part:
            continue
        first, dash, last = part.partition("-")
        low = _associate_id(first, part)
        high = _associate_id(last, part) if dash else low
        if high < low:
            raise ValueError(f"range {part!r} runs backwards (write {high}-{low})")
        if len(ids) + high - low + 1 > _MAX_IDS:
            raise ValueError(f"more than {_MAX_IDS:,} associate ids (at {part!r})")
        ids.extend(range(low, high + 1))
    return ids


def read_associate_ids(lines: Iterable[str], source: str) -> list[int]:
    """One associate id per line; blank lines and lines starting with ``#`` are skipped.
    ValueError naming ``source`` and the line number of the first bad line."""
    ids: list[int] = []
    for number, line in enumerate(lines, 1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        try:
            ids.append(_associate_id(text, text))
        except ValueError as exc:
            raise ValueError(f"{source}, line {number}: {exc}") from None
        if len(ids) > _MAX_IDS:
            raise ValueError(f"{source}: more than {_MAX_IDS:,} associate ids")
    if not ids:
        raise ValueError(f"{source} holds no associate ids (one id per line)")
    return ids


def parse_associate_id(text: str) -> int:
    """One associate id as typed (``5``): a whole number from 1 to ``MAX_ASSOCIATE_ID``;
    ValueError otherwise. The rule of ``check_associate_id``, for text."""
    return _associate_id(text, text)


def _associate_id(text: str, part: str) -> int:
    if not re.fullmatch(r"[0-9]{1,10}", text.strip()):
        raise ValueError(
            f"not an associate id: {part!r} (a whole number from 1 to {MAX_ASSOCIATE_ID})"
        )
    value = int(text)
    if not 1 <= value <= MAX_ASSOCIATE_ID:
        raise ValueError(f"associate id out of range: {part!r} (1 to {MAX_ASSOCIATE_ID})")
    return value


def _checked_ids(associate_ids: Iterable[int]) -> list[int]:
    if isinstance(associate_ids, (str, bytes)) or not isinstance(associate_ids, Iterable):
        raise InvalidRequestError("associate_ids", "must be an iterable of ints")
    given = list(associate_ids)
    for position, value in enumerate(given):
        check_associate_id(f"associate_ids[{position}]", value)
    return list(dict.fromkeys(given))


# ================================================================================================
# Rotate


@attrs.frozen(kw_only=True)
class RotationPlan:
    """What a rotation will write, decided from the entries stored before it (no secret here).

    ``new_public_value`` equals ``public_value`` when only the secret changes (then the save
    replaces the entry in place and nothing is removed); ``replaces_existing`` is true when an
    entry with ``new_public_value`` already existed, which the save replaces.
    """

    associate_id: int
    credential_type: str
    public_value: str
    new_public_value: str
    comment: Optional[str]
    valid_from: Optional[datetime]
    valid_to: datetime
    replaces_existing: bool

    @property
    def removes_old(self) -> bool:
        return self.new_public_value != self.public_value

    def entry_text(self) -> str:
        """The new entry in words: public value, active, validity, comment."""
        since = "" if self.valid_from is None else f", valid from {self.valid_from.isoformat()}"
        until = (
            "never expires"
            if _never_expires(self.valid_to)
            else f"valid to {self.valid_to.isoformat()}"
        )
        comment = "no comment" if not self.comment else f"comment {self.comment!r}"
        return f"{self.new_public_value!r} (active{since}, {until}, {comment})"

    def steps(self) -> list[str]:
        """The steps, in order, in words."""
        if self.removes_old:
            save = f"save {self.entry_text()}"
            if self.replaces_existing:
                save += f", replacing the entry {self.new_public_value!r} stored now"
        else:
            save = f"replace the secret of {self.entry_text()}"
        steps = [save, "read it back and check that the server stored what was sent"]
        if self.removes_old:
            steps.append(f"remove {self.public_value!r}")
        return steps

    def new_entry(self, secret_value: str) -> UntrustedCredentials:
        return UntrustedCredentials(
            public_value=self.new_public_value,
            secret_value=secret_value,
            comment=self.comment,
            valid_from=self.valid_from,
            valid_to=self.valid_to,
            is_active=True,
        )


@attrs.frozen(kw_only=True)
class RotationResult:
    """What a rotation did: the plan, and which steps ran (none of them for a dry run)."""

    plan: RotationPlan
    dry_run: bool = False
    saved: bool = False
    verified: bool = False
    removed_old: bool = False

    def describe(self) -> str:
        """One sentence, for a person."""
        plan = self.plan
        whose = f"{plan.credential_type} credentials of associate {plan.associate_id}"
        if self.dry_run:
            return f"Dry run, nothing was written: rotating {whose} would " + "; then ".join(
                plan.steps()
            )
        if not plan.removes_old:
            return f"Rotated {whose}: replaced the secret of {plan.entry_text()} and verified it."
        replaced = (
            f", replacing the entry {plan.new_public_value!r} stored before"
            if plan.replaces_existing
            else ""
        )
        return (
            f"Rotated {whose}: saved {plan.entry_text()}{replaced}, read it back and verified "
            f"it, removed {plan.public_value!r}."
        )


@attrs.frozen
class RecoveryStep:
    """A step that finishes or undoes a stopped rotation: ``"rotate"`` (run the same rotation
    again: it reads first, so it is safe whatever was stored) or ``"remove"`` (remove the entry
    with ``public_value``)."""

    action: str
    public_value: Optional[str] = None

    def __str__(self) -> str:
        if self.action == "remove":
            return f"remove the entry {self.public_value!r}"
        return "run the same rotation again"


class RotationError(SuperOfficeSoapError):
    """A rotation stopped. Nothing after the failed step was sent.

    ``step`` is where it stopped (``"read"``, ``"save"``, ``"read back"``, ``"verify"``,
    ``"remove"``); ``problem`` what went wrong (the error's phrase, or why the rotation refused);
    ``state`` what the server holds now, as far as can be known; ``finish`` and ``undo`` the step
    that completes or reverses it (None when there is nothing to do); ``cause`` the library error,
    if one stopped it (also ``__cause__``); ``refused`` is true when the rotation refused to start
    (the old entry is absent or ambiguous) or stopped on a failed verification.
    """

    def __init__(
        self,
        *,
        step: str,
        problem: str,
        state: str,
        plan: Optional[RotationPlan] = None,
        finish: Optional[RecoveryStep] = None,
        undo: Optional[RecoveryStep] = None,
        cause: Optional[SuperOfficeSoapError] = None,
    ) -> None:
        self.step = step
        self.problem = problem
        self.state = state
        self.plan = plan
        self.finish = finish
        self.undo = undo
        self.cause = cause
        self.refused = cause is None
        message = f"rotation stopped at the {step}: {problem}; now {state}"
        if finish is not None:
            message += f"; to finish: {finish}"
        if undo is not None:
            message += f"; to undo: {undo}"
        super().__init__(message)


def plan_rotation(
    current: Sequence[UntrustedCredentials],
    *,
    associate_id: int,
    credential_type: str,
    public_value: str,
    new_public_value: Optional[str] = None,
    comment: Optional[str] = None,
    valid_from: Optional[datetime] = None,
    valid_to: Optional[datetime] = None,
) -> RotationPlan:
    """The plan for rotating the entry ``public_value`` among the ``current`` entries, or a
    ``RotationError`` (``refused``) when that entry is absent or not unique.

    The new entry is active; it keeps the old entry's comment unless ``comment`` is given;
    ``valid_to`` defaults to ``NEVER_EXPIRES``; ``valid_from`` None is left out of the request, so
    NetServer stores MinValue (valid since always, whatever the clocks say).
    """
    matches = [c for c in current if c.public_value == public_value]
    whose = f"{credential_type} entry {public_value!r} of associate {associate_id}"
    if len(matches) != 1:
        stored = sorted({repr(c.public_value) for c in current})
        if not matches:
            problem = f"there is no {whose} (stored: {', '.join(stored) or 'none'})"
        else:
            problem = (
                f"the {whose} is stored {len(matches)} times, so which one to rotate is ambiguous"
            )
        raise RotationError(step="read", problem=problem, state="nothing was changed")
    new_public_value = public_value if new_public_value is None else new_public_value
    return RotationPlan(
        associate_id=associate_id,
        credential_type=credential_type,
        public_value=public_value,
        new_public_value=new_public_value,
        comment=matches[0].comment if comment is None else comment,
        valid_from=valid_from,
        valid_to=NEVER_EXPIRES if valid_to is None else valid_to,
        replaces_existing=new_public_value != public_value
        and any(c.public_value == new_public_value for c in current),
    )


def rotation_differences(
    sent: UntrustedCredentials, stored: Sequence[UntrustedCredentials]
) -> list[str]:
    """What differs between the entry ``sent`` and the one the server holds under its public
    value, by field name (never a value: one of them is a secret); empty when they agree.

    Datetimes are compared as instants (a time without an offset as UTC: the server may give the
    same instant back with another offset); a ``valid_from`` that was left out may come back as
    MinValue; an absent comment may come back empty.
    """
    found = [c for c in stored if c.public_value == sent.public_value]
    if not found:
        return ["the entry is not stored"]
    if len(found) > 1:
        return [f"the entry is stored {len(found)} times"]
    got = found[0]
    differences = []
    if got.secret_value != sent.secret_value:
        returned = got.secret_value is not None
        differences.append("secret value" if returned else "secret value (not returned)")
    if got.is_active is not True:
        differences.append("active")
    if not _same_time(sent.valid_to, got.valid_to):
        differences.append("valid to")
    if sent.valid_from is None:
        if got.valid_from is not None and got.valid_from.replace(tzinfo=None) != DOTNET_MIN_VALUE:
            differences.append("valid from")
    elif not _same_time(sent.valid_from, got.valid_from):
        differences.append("valid from")
    if (sent.comment or "") != (got.comment or ""):
        differences.append("comment")
    return differences


def rotate_untrusted_credential(
    agent: UserAgent,
    associate_id: int,
    credential_type: str,
    public_value: str,
    secret_value: str,
    *,
    new_public_value: Optional[str] = None,
    comment: Optional[str] = None,
    valid_from: Optional[datetime] = None,
    valid_to: Optional[datetime] = None,
    dry_run: bool = False,
) -> RotationResult:
    """Replace a user's secret (and, with ``new_public_value``, its public value) so that the
    user always has a working credential:

    1. read the current entries; refuse unless exactly one has ``public_value``;
    2. save the new entry (``plan_rotation`` says what it holds);
    3. read back and check that the server stored what was sent (``rotation_differences``);
    4. only then, when the public value changed, remove the old entry.

    ``dry_run`` does step 1 only and returns the plan (``RotationResult.dry_run``). Any failure
    raises ``RotationError`` saying what the server holds now and what finishes or undoes it;
    nothing after a failed step is sent, and no write is repeated by this function.
    """
    return _drive(
        agent,
        _rotation(
            associate_id,
            credential_type,
            public_value,
            secret_value,
            new_public_value,
            comment,
            valid_from,
            valid_to,
            dry_run,
        ),
    )


async def rotate_untrusted_credential_async(
    agent: AsyncUserAgent,
    associate_id: int,
    credential_type: str,
    public_value: str,
    secret_value: str,
    *,
    new_public_value: Optional[str] = None,
    comment: Optional[str] = None,
    valid_from: Optional[datetime] = None,
    valid_to: Optional[datetime] = None,
    dry_run: bool = False,
) -> RotationResult:
    """``rotate_untrusted_credential`` with an ``AsyncUserAgent``."""
    job = _rotation(
        associate_id,
        credential_type,
        public_value,
        secret_value,
        new_public_value,
        comment,
        valid_from,
        valid_to,
        dry_run,
    )
    return await _adrive(agent, job)


def _rotation(
    associate_id: int,
    credential_type: str,
    public_value: str,
    secret_value: str,
    new_public_value: Optional[str],
    comment: Optional[str],
    valid_from: Optional[datetime],
    valid_to: Optional[datetime],
    dry_run: bool,
) -> Generator[_Call, Any, RotationResult]:
    check_associate_id("associate_id", associate_id)
    _check_rotation_arguments(public_value, secret_value, new_public_value, valid_from, valid_to)
    read = _Call("get_untrusted_credentials_for_associate", (associate_id, credential_type))
    try:
        current = yield read
    except SuperOfficeSoapError as exc:
        raise RotationError(
            step="read",
            problem=error_phrase(exc),
            state="nothing was changed",
            finish=RecoveryStep("rotate"),
            cause=exc,
        ) from exc
    plan = plan_rotation(
        current,
        associate_id=associate_id,
        credential_type=credential_type,
        public_value=public_value,
        new_public_value=new_public_value,
        comment=comment,
        valid_from=valid_from,
        valid_to=valid_to,
    )
    if dry_run:
        return RotationResult(plan=plan, dry_run=True)

    new, old = repr(plan.new_public_value), repr(plan.public_value)
    entry = plan.new_entry(secret_value)
    try:
        yield _Call(
            "save_untrusted_credentials_for_associate", (associate_id, credential_type, entry)
        )
    except SuperOfficeSoapError as exc:
        raise _save_failed(plan, exc) from exc

    undo = RecoveryStep("remove", plan.new_public_value) if plan.removes_old else None
    if plan.removes_old:
        saved = f"the new entry {new} is saved; the old entry {old} is still present"
    else:
        saved = f"the entry {old} holds the new secret"
    try:
        stored = yield read
    except SuperOfficeSoapError as exc:
        raise RotationError(
            step="read back",
            problem=error_phrase(exc),
            state=f"{saved} (not verified)",
            plan=plan,
            finish=RecoveryStep("rotate"),
            undo=undo,
            cause=exc,
        ) from exc
    differences = rotation_differences(entry, stored)
    if differences:
        raise RotationError(
            step="verify",
            problem="the server did not store what was sent: " + ", ".join(differences),
            state=(
                f"the new entry {new} was saved but does not read back as sent"
                + (f"; the old entry {old} is still present" if plan.removes_old else "")
            ),
            plan=plan,
            finish=RecoveryStep("rotate"),
            undo=undo,
        )
    if not plan.removes_old:
        return RotationResult(plan=plan, saved=True, verified=True)

    try:
        yield _Call(
            "remove_untrusted_credentials_for_associate",
            (associate_id, credential_type, plan.public_value),
        )
    except SuperOfficeSoapError as exc:
        may = "is still present" if _not_sent(exc) or _refused(exc) else "may still be present"
        raise RotationError(
            step="remove",
            problem=error_phrase(exc),
            state=f"the new entry {new} is saved and verified; the old entry {old} {may}",
            plan=plan,
            finish=RecoveryStep("remove", plan.public_value),
            undo=undo,
            cause=exc,
        ) from exc
    return RotationResult(plan=plan, saved=True, verified=True, removed_old=True)


def _save_failed(plan: RotationPlan, exc: SuperOfficeSoapError) -> RotationError:
    new, old = repr(plan.new_public_value), repr(plan.public_value)
    rerun = RecoveryStep("rotate")
    if _not_sent(exc):
        state, undo = "nothing was changed (the save was not sent)", None
    elif _refused(exc):
        state, undo = f"the server reports the save failed; the entry {old} is unchanged", None
    elif plan.removes_old:
        state = (
            f"the save was sent but its outcome is unknown: the new entry {new} may or may not "
            f"be stored; the old entry {old} is still present"
        )
        undo = RecoveryStep("remove", plan.new_public_value)
    else:
        state = (
            f"the save was sent but its outcome is unknown: the entry {old} holds the old "
            "secret or the new one"
        )
        undo = None
    return RotationError(
        step="save",
        problem=error_phrase(exc),
        state=state,
        plan=plan,
        finish=rerun,
        undo=undo,
        cause=exc,
    )


def _not_sent(exc: SuperOfficeSoapError) -> bool:
    """The request provably never reached the server."""
    if isinstance(exc, (InvalidRequestError, AgentClosedError)):
        return True
    return isinstance(exc, TransportError) and exc.kind in _NOT_SENT_KINDS


def _refused(exc: SuperOfficeSoapError) -> bool:
    """The server answered that the call failed."""
    return isinstance(exc, (NetServerError, SoapFault))


def _check_rotation_arguments(
    public_value: object,
    secret_value: object,
    new_public_value: object,
    valid_from: object,
    valid_to: object,
) -> None:
    for name, value in (("public_value", public_value), ("new_public_value", new_public_value)):
        if value is None and name == "new_public_value":
            continue
        if not isinstance(value, str) or not value.strip():
            raise InvalidRequestError(name, "must be a non-empty str")
    if not isinstance(secret_value, str):
        raise InvalidRequestError("secret_value", "must be a str")
    for name, value in (("valid_from", valid_from), ("valid_to", valid_to)):
        if value is not None and not isinstance(value, datetime):
            raise InvalidRequestError(name, "must be a datetime or None")
    if (
        isinstance(valid_from, datetime)
        and isinstance(valid_to, datetime)
        and _as_utc(valid_from) > _as_utc(valid_to)
    ):
        raise InvalidRequestError("valid_to", "is before valid_from")


# ================================================================================================
# Running a job through an agent


@attrs.frozen
class _Call:
    """One agent method call a job needs: the method's name and its arguments."""

    method: str
    args: tuple[Any, ...]
    kwargs: Mapping[str, Any] = attrs.field(factory=dict)


def _drive(agent: Any, job: Generator[_Call, Any, T]) -> T:
    answer: Any = None
    error: Optional[SuperOfficeSoapError] = None
    while True:
        try:
            call = job.send(answer) if error is None else job.throw(error)
        except StopIteration as done:
            result: T = done.value
            return result
        except RotationError as stopped:
            if isinstance(stopped.cause, _Interrupted):
                raise RotationInterrupted(stopped) from None
            raise
        try:
            answer, error = getattr(agent, call.method)(*call.args, **call.kwargs), None
        except SuperOfficeSoapError as exc:
            answer, error = None, exc
        except KeyboardInterrupt as exc:
            # The job says what the server holds now (a rotate) or reports what was read (an
            # audit), then the interruption goes on as a KeyboardInterrupt.
            answer, error = None, _Interrupted(getattr(exc, "partial", {}))


async def _adrive(agent: Any, job: Generator[_Call, Any, T]) -> T:
    answer: Any = None
    error: Optional[SuperOfficeSoapError] = None
    while True:
        try:
            call = job.send(answer) if error is None else job.throw(error)
        except StopIteration as done:
            result: T = done.value
            return result
        try:
            answer, error = await getattr(agent, call.method)(*call.args, **call.kwargs), None
        except SuperOfficeSoapError as exc:
            answer, error = None, exc


# ------------------------------------------------------------------------------------------------
# Times


def _as_utc(value: datetime) -> datetime:
    """An aware datetime: a naive one is read as UTC (``NAIVE_TIMES``)."""
    return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)


def _naive(value: Optional[datetime]) -> bool:
    """A time without an offset whose reading matters (.NET's MinValue and MaxValue mean
    "always" and "never" in any zone)."""
    if value is None or value.tzinfo is not None:
        return False
    return value != DOTNET_MIN_VALUE and not _never_expires(value)


def _never_expires(value: datetime) -> bool:
    """.NET's MaxValue, whatever offset it came with (a wall clock at the very end of 9999)."""
    return value.replace(tzinfo=None) >= datetime(9999, 12, 31, 23, 59, 59)


def _same_time(sent: Optional[datetime], got: Optional[datetime]) -> bool:
    if sent is None or got is None:
        return sent is got
    if _never_expires(sent) or _never_expires(got):
        return _never_expires(sent) and _never_expires(got)
    return _as_utc(sent) - _as_utc(got) == timedelta(0)


def _duration_text(value: timedelta) -> str:
    seconds = int(value.total_seconds())
    for unit, size in (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60)):
        if seconds and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
