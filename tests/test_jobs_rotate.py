"""The rotate job: the happy path with and without a new public value, the dry run, refusals, and
every failure point injected on the wire (the fault-injection server in front of the stand-in),
each with the state the server is left in and what finishes or undoes it — sync and async."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone
from typing import Any, Optional

import httpx
import pytest

from superoffice_soap import (
    DOTNET_MIN_VALUE,
    NEVER_EXPIRES,
    AsyncUserAgent,
    InvalidRequestError,
    RotationError,
    TransportError,
    UntrustedCredentials,
    UserAgent,
    rotate_untrusted_credential,
    rotate_untrusted_credential_async,
)
from superoffice_soap.jobs import RecoveryStep, plan_rotation, rotation_differences
from superoffice_soap.retry import RetryPolicy
from superoffice_soap.testing import DEMO_TICKET, FakeNetServer

from ._proxy import BUSY, DROP, Proxy, Rule, netserver_error
from .faultserver import FaultServer

QUICK = RetryPolicy(attempts=3, backoff=0.001, max_backoff=0.001)
OLD = "jane.doe@example.com"  # the demo's active imap entry (comment "Work mailbox")
NEW = "jane.doe@new.example.com"
SECRET = "n3w-s3cret"
GET = "GetUntrustedCredentialsForAssociate"
SAVE = "SaveUntrustedCredentialsForAssociate"
REMOVE = "RemoveUntrustedCredentialsForAssociate"


def stored(fake: FakeNetServer) -> dict[Optional[str], UntrustedCredentials]:
    return {c.public_value: c for c in fake.stored_credentials(5, "imap")}


@pytest.fixture
def fake() -> FakeNetServer:
    return FakeNetServer.with_demo_data()


def rotate(proxy: Proxy, **options: Any) -> Any:
    """Rotate OLD of associate 5 through a FaultServer running ``proxy``, synchronously."""
    options.setdefault("new_public_value", NEW)
    with FaultServer(proxy) as server:
        url = f"{server.url}/Cust12345/Remote/Services86"
        with UserAgent(url, ticket=DEMO_TICKET, soap_version="1.1", retries=QUICK) as agent:
            return rotate_untrusted_credential(agent, 5, "imap", OLD, SECRET, **options)


def rotate_async(proxy: Proxy, **options: Any) -> Any:
    options.setdefault("new_public_value", NEW)

    async def main() -> Any:
        with FaultServer(proxy) as server:
            url = f"{server.url}/Cust12345/Remote/Services86"
            async with AsyncUserAgent(
                url, ticket=DEMO_TICKET, soap_version="1.1", retries=QUICK
            ) as agent:
                return await rotate_untrusted_credential_async(
                    agent, 5, "imap", OLD, SECRET, **options
                )

    return asyncio.run(main())


ROTATE = [pytest.param(rotate, id="sync"), pytest.param(rotate_async, id="async")]


# ------------------------------------------------------------------------------------------------
# Happy paths


@pytest.mark.parametrize("run", ROTATE)
def test_a_new_public_value(run: Any, fake: FakeNetServer) -> None:
    proxy = Proxy(fake)
    result = run(proxy)
    assert proxy.operations == [GET, SAVE, GET, REMOVE]
    assert (result.saved, result.verified, result.removed_old, result.dry_run) == (
        True,
        True,
        True,
        False,
    )
    now = stored(fake)
    assert OLD not in now
    new = now[NEW]
    assert new.secret_value == SECRET
    assert new.is_active is True
    assert new.valid_to == NEVER_EXPIRES  # never expiring unless told otherwise
    assert new.valid_from == DOTNET_MIN_VALUE  # left out: valid since always
    assert new.comment == "Work mailbox"  # the old comment kept
    assert result.describe() == (
        f"Rotated imap credentials of associate 5: saved '{NEW}' (active, never expires, "
        f"comment 'Work mailbox'), read it back and verified it, removed '{OLD}'."
    )
    assert SECRET not in repr(result)
    assert SECRET not in result.describe()


@pytest.mark.parametrize("run", ROTATE)
def test_the_same_public_value_replaces_the_secret_and_removes_nothing(
    run: Any, fake: FakeNetServer
) -> None:
    proxy = Proxy(fake)
    result = run(proxy, new_public_value=None, comment="rotated", valid_to=datetime(2027, 1, 1))
    assert proxy.operations == [GET, SAVE, GET]
    assert (result.saved, result.verified, result.removed_old) == (True, True, False)
    entry = stored(fake)[OLD]
    assert (entry.secret_value, entry.comment, entry.valid_to) == (
        SECRET,
        "rotated",
        datetime(2027, 1, 1),
    )
    assert "replaced the secret of" in result.describe()
    assert "valid to 2027-01-01T00:00:00, comment 'rotated'" in result.describe()


def test_an_existing_entry_with_the_new_public_value_is_replaced(fake: FakeNetServer) -> None:
    fake.add_credentials(5, "imap", UntrustedCredentials(public_value=NEW, secret_value="older"))
    result = rotate(Proxy(fake))
    assert result.plan.replaces_existing
    assert f"replacing the entry '{NEW}' stored before" in result.describe()
    assert [c.public_value for c in fake.stored_credentials(5, "imap")].count(NEW) == 1
    assert stored(fake)[NEW].secret_value == SECRET


@pytest.mark.parametrize("run", ROTATE)
def test_a_dry_run_sends_no_write(run: Any, fake: FakeNetServer) -> None:
    before = fake.stored_credentials(5, "imap")
    proxy = Proxy(fake)
    result = run(proxy, dry_run=True)
    assert proxy.operations == [GET]
    assert fake.stored_credentials(5, "imap") == before
    assert result.dry_run
    assert not (result.saved)
    assert not (result.verified)
    assert not (result.removed_old)
    assert result.plan.steps() == [
        f"save '{NEW}' (active, never expires, comment 'Work mailbox')",
        "read it back and check that the server stored what was sent",
        f"remove '{OLD}'",
    ]
    assert result.describe().startswith("Dry run, nothing was written: rotating imap credentials")


# ------------------------------------------------------------------------------------------------
# Refusals: nothing is written


def test_an_absent_old_entry_is_refused(fake: FakeNetServer) -> None:
    proxy = Proxy(fake)
    with FaultServer(proxy) as server:
        url = f"{server.url}/Cust12345/Remote/Services86"
        with (
            UserAgent(url, ticket=DEMO_TICKET, soap_version="1.1") as agent,
            pytest.raises(RotationError) as caught,
        ):
            rotate_untrusted_credential(agent, 5, "imap", "nobody@example.com", SECRET)
    error = caught.value
    assert error.refused
    assert error.step == "read"
    assert error.cause is None
    assert str(error) == (
        "rotation stopped at the read: there is no imap entry 'nobody@example.com' of associate 5 "
        f"(stored: '{OLD}', 'jane.doe@old.example.com'); now nothing was changed"
    )
    assert proxy.operations == [GET]


def test_an_ambiguous_old_entry_is_refused(fake: FakeNetServer) -> None:
    fake.add_credentials(5, "imap", UntrustedCredentials(public_value=OLD, secret_value="twin"))
    proxy = Proxy(fake)
    with pytest.raises(RotationError, match=f"the imap entry '{OLD}' of associate 5 is stored 2"):
        rotate(proxy)
    assert proxy.operations == [GET]


def test_bad_arguments_are_refused_before_anything_is_sent(fake: FakeNetServer) -> None:
    client = httpx.Client(transport=fake.transport())
    with UserAgent("http://x.test/Cust1/Remote/Services86", ticket="7T:x", http_client=client) as a:
        cases: list[tuple[dict[str, Any], str]] = [
            ({"public_value": ""}, "public_value"),
            ({"new_public_value": " "}, "new_public_value"),
            ({"secret_value": None}, "secret_value"),
            ({"valid_to": "2027-01-01"}, "valid_to"),
            (
                {"valid_from": datetime(2027, 1, 1), "valid_to": datetime(2026, 1, 1)},
                "valid_to",
            ),
        ]
        for kwargs, name in cases:
            arguments: dict[str, Any] = {"public_value": OLD, "secret_value": SECRET, **kwargs}
            with pytest.raises(InvalidRequestError) as caught:
                rotate_untrusted_credential(a, 5, "imap", **arguments)
            assert caught.value.argument == name
    client.close()
    assert fake.requests == []


# ------------------------------------------------------------------------------------------------
# Every failure point, on the wire


def failure(run: Any, fake: FakeNetServer, *rules: Rule) -> tuple[RotationError, Proxy]:
    proxy = Proxy(fake, *rules)
    with pytest.raises(RotationError) as caught:
        run(proxy)
    assert SECRET not in str(caught.value)
    return caught.value, proxy


@pytest.mark.parametrize("run", ROTATE)
def test_the_first_read_fails(run: Any, fake: FakeNetServer) -> None:
    error, proxy = failure(run, fake, Rule(GET, before=BUSY, and_later=True))
    assert proxy.operations == [GET] * 3  # a read is retried (3 attempts), and nothing follows
    assert error.step == "read"
    assert error.state == "nothing was changed"
    assert error.finish == RecoveryStep("rotate")
    assert error.undo is None
    assert OLD in stored(fake)
    assert NEW not in stored(fake)


def test_the_save_is_never_sent() -> None:
    """A connect error for the save: provably not sent (retried, as the retry rules allow)."""
    fake = FakeNetServer.with_demo_data()
    inner = fake.transport()

    def handler(request: httpx.Request) -> httpx.Response:
        if SAVE in request.headers.get("soapaction", ""):
            raise httpx.ConnectError("connection refused", request=request)
        return inner.handle_request(request)

    client = httpx.Client(transport=httpx.MockTransport(handler))
    url = "http://netserver.test/Cust12345/Remote/Services86"
    with (
        UserAgent(
            url, ticket=DEMO_TICKET, soap_version="1.1", retries=QUICK, http_client=client
        ) as agent,
        pytest.raises(RotationError) as caught,
    ):
        rotate_untrusted_credential(agent, 5, "imap", OLD, SECRET, new_public_value=NEW)
    client.close()
    error = caught.value
    assert isinstance(error.cause, TransportError)
    assert error.cause.kind == "connect"
    assert error.step == "save"
    assert error.state == "nothing was changed (the save was not sent)"
    assert (error.finish, error.undo) == (RecoveryStep("rotate"), None)
    assert [r.operation for r in fake.requests] == [GET]
    assert NEW not in stored(fake)


@pytest.mark.parametrize("run", ROTATE)
def test_the_server_refuses_the_save(run: Any, fake: FakeNetServer) -> None:
    error, proxy = failure(run, fake, Rule(SAVE, before=netserver_error(SAVE)))
    assert proxy.operations == [GET, SAVE]
    assert error.step == "save"
    assert error.state == f"the server reports the save failed; the entry '{OLD}' is unchanged"
    assert "SoDatabaseException: The database is read-only" in str(error)
    assert NEW not in stored(fake)


@pytest.mark.parametrize("run", ROTATE)
def test_the_save_was_sent_and_its_answer_lost(run: Any, fake: FakeNetServer) -> None:
    error, proxy = failure(run, fake, Rule(SAVE, after=DROP))
    assert proxy.operations == [GET, SAVE]  # never repeated after it was sent
    assert error.step == "save"
    assert error.state == (
        f"the save was sent but its outcome is unknown: the new entry '{NEW}' may or may not be "
        f"stored; the old entry '{OLD}' is still present"
    )
    assert error.finish == RecoveryStep("rotate")
    assert error.undo == RecoveryStep("remove", NEW)
    assert {OLD, NEW} <= set(stored(fake))  # here the save did land: both are present


def test_the_answer_to_a_same_value_save_is_lost(fake: FakeNetServer) -> None:
    error, _ = failure(
        lambda proxy: rotate(proxy, new_public_value=None), fake, Rule(SAVE, after=DROP)
    )
    assert error.state == (
        f"the save was sent but its outcome is unknown: the entry '{OLD}' holds the old secret "
        "or the new one"
    )
    assert error.undo is None


@pytest.mark.parametrize("run", ROTATE)
def test_the_read_back_fails(run: Any, fake: FakeNetServer) -> None:
    error, proxy = failure(run, fake, Rule(GET, occurrence=1, and_later=True, before=BUSY))
    assert proxy.operations == [GET, SAVE, GET, GET, GET]
    assert error.step == "read back"
    assert error.state == (
        f"the new entry '{NEW}' is saved; the old entry '{OLD}' is still present (not verified)"
    )
    assert error.finish == RecoveryStep("rotate")
    assert error.undo == RecoveryStep("remove", NEW)
    assert {OLD, NEW} <= set(stored(fake))


@pytest.mark.parametrize("run", ROTATE)
def test_the_read_back_does_not_match(run: Any, fake: FakeNetServer) -> None:
    def truncate(body: bytes) -> bytes:  # a server that cuts secrets short
        return body.replace(SECRET.encode(), SECRET[:4].encode())

    error, proxy = failure(run, fake, Rule(SAVE, alter=truncate))
    assert proxy.operations == [GET, SAVE, GET]  # the old entry is not removed
    assert error.step == "verify"
    assert error.refused
    assert error.cause is None
    assert str(error).startswith(
        "rotation stopped at the verify: the server did not store what was sent: secret value; "
        f"now the new entry '{NEW}' was saved but does not read back as sent; the old entry "
        f"'{OLD}' is still present; to finish: run the same rotation again; to undo: remove the "
        f"entry '{NEW}'"
    )
    assert {OLD, NEW} <= set(stored(fake))


@pytest.mark.parametrize("run", ROTATE)
def test_the_remove_fails(run: Any, fake: FakeNetServer) -> None:
    error, proxy = failure(run, fake, Rule(REMOVE, before=netserver_error(REMOVE)))
    assert proxy.operations == [GET, SAVE, GET, REMOVE]
    assert error.step == "remove"
    assert error.state == (
        f"the new entry '{NEW}' is saved and verified; the old entry '{OLD}' is still present"
    )
    assert error.finish == RecoveryStep("remove", OLD)
    assert error.undo == RecoveryStep("remove", NEW)
    assert {OLD, NEW} <= set(stored(fake))


def test_the_answer_to_the_remove_is_lost(fake: FakeNetServer) -> None:
    error, proxy = failure(rotate, fake, Rule(REMOVE, after=DROP))
    assert proxy.operations == [GET, SAVE, GET, REMOVE]  # never repeated
    assert error.state == (
        f"the new entry '{NEW}' is saved and verified; the old entry '{OLD}' may still be present"
    )
    assert OLD not in stored(fake)  # here the remove did land


# ------------------------------------------------------------------------------------------------
# The pure parts


def test_differences_name_fields_never_values() -> None:
    sent = UntrustedCredentials(
        public_value="a", secret_value="s", comment=None, valid_to=NEVER_EXPIRES
    )
    same = UntrustedCredentials(
        public_value="a",
        secret_value="s",
        comment="",
        valid_from=DOTNET_MIN_VALUE,
        valid_to=NEVER_EXPIRES.replace(tzinfo=timezone.utc),
    )
    assert rotation_differences(sent, [same]) == []
    other = UntrustedCredentials(
        public_value="a",
        secret_value="t",
        comment="x",
        valid_from=datetime(2020, 1, 1),
        valid_to=datetime(2030, 1, 1),
        is_active=False,
    )
    assert rotation_differences(sent, [other]) == [
        "secret value",
        "active",
        "valid to",
        "valid from",
        "comment",
    ]
    assert rotation_differences(sent, []) == ["the entry is not stored"]
    assert rotation_differences(sent, [same, same]) == ["the entry is stored 2 times"]
    hidden = UntrustedCredentials(public_value="a", secret_value=None, comment=None)
    assert rotation_differences(sent, [hidden]) == ["secret value (not returned)"]


def test_the_same_instant_in_another_offset_matches() -> None:
    when = datetime(2027, 1, 1, 12, tzinfo=timezone.utc)
    sent = UntrustedCredentials(public_value="a", secret_value="s", valid_to=when)
    for valid_to in (when.astimezone(timezone(timedelta(hours=2))), datetime(2027, 1, 1, 12)):
        got = UntrustedCredentials(public_value="a", secret_value="s", valid_to=valid_to)
        assert rotation_differences(sent, [got]) == []  # a naive time is read as UTC


def test_a_plan_holds_no_secret() -> None:
    current = [UntrustedCredentials(public_value=OLD, secret_value="old-secret", comment="c")]
    plan = plan_rotation(current, associate_id=5, credential_type="imap", public_value=OLD)
    assert not plan.removes_old
    assert plan.comment == "c"
    assert plan.valid_to == NEVER_EXPIRES
    assert "secret" not in repr(plan).replace("secret of", "")
    entry = plan.new_entry("fresh")
    assert entry.secret_value == "fresh"
    assert entry.is_active is True
    assert entry.valid_from is None
