"""``call`` with drawn parameter names and values, against the stand-in: whatever is given, the
command answers or fails with a documented exit code and one line, never a traceback, never a
secret; a usage error sends nothing."""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from superoffice_soap.cli import main
from superoffice_soap.generate import generate
from superoffice_soap.testing import DEMO_TICKET, FakeNetServer, RunningServer
from tests.conftest import reference_file

OPERATIONS = {  # each with arguments that work, which the draws then spoil or not
    "GetUntrustedCredentialsForAssociate": [("AssociateId", "5"), ("type", "imap")],
    "GetCredentialTypesForUserType": [("UserType", "InternalAssociate")],
    "SaveUntrustedCredentialsForAssociate": [
        ("associate_id", "5"),
        ("Type", "imap"),
        ("Credentials", '{"public_value": "drawn@example.com", "valid_to": "2030-01-01"}'),
    ],
}
SECRETS = ("demo-imap-password", "demo-old-imap-password", DEMO_TICKET)

VALUES = st.one_of(
    st.text(max_size=12),
    st.integers(-(2**40), 2**40).map(str),
    st.sampled_from(["imap", "InternalAssociate", "true", "2025-01-01", "[1]", '{"comment": 1}']),
    st.sampled_from(['{"public_value": "p", "is_active": "yes"}', '{"valid_to": "2030-01-01"}']),
)


@pytest.fixture(scope="module")
def stand_in() -> Iterator[tuple[FakeNetServer, RunningServer]]:
    fake = FakeNetServer.with_demo_data()
    with fake.serve() as running:
        yield fake, running


@pytest.fixture(scope="module")
def module(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("generated") / "user_ops.py"
    wsdl = reference_file("wsdl", "Services86", "User.wsdl")
    path.write_text(generate(wsdl, list(OPERATIONS)), encoding="utf-8")
    return path


@st.composite
def invocations(draw: st.DrawFn) -> tuple[str, list[str]]:
    operation = draw(st.sampled_from(sorted(OPERATIONS)))
    pairs = list(OPERATIONS[operation])
    known = [name for name, _ in pairs]
    for _ in range(draw(st.sampled_from([0, 0, 1, 2]))):
        change = draw(st.sampled_from(["value", "extra", "drop"]))
        if change == "extra" or not pairs:
            pairs.append(
                (draw(st.one_of(st.sampled_from(known), st.text(max_size=6))), draw(VALUES))
            )
        else:
            index = draw(st.integers(0, len(pairs) - 1))
            if change == "drop":
                del pairs[index]
            else:
                pairs[index] = (pairs[index][0], draw(VALUES))
    args = [token for name, value in pairs for token in ("--arg", f"{name}={value}")]
    if draw(st.booleans()):
        args.append("--json")
    return operation, args


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(drawn=invocations())
def test_call_never_fails_badly(
    stand_in: tuple[FakeNetServer, RunningServer],
    module: Path,
    drawn: tuple[str, list[str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake, running = stand_in
    for name in list(os.environ):
        if name.startswith("SUPEROFFICE_"):
            monkeypatch.delenv(name)
    operation, args = drawn
    before = len(fake.requests)
    out, err = io.StringIO(), io.StringIO()
    argv = ["call", str(module), operation, "--url", running.base_url, "--ticket", DEMO_TICKET]
    code = main([*argv, *args, "--soap-version", "1.1"], stdout=out, stderr=err)
    text, errors = out.getvalue(), err.getvalue()
    event(f"exit code {code}")
    assert "Traceback" not in errors
    assert not any(secret in text + errors for secret in SECRETS)
    lines = errors.splitlines()
    if code == 0:
        assert errors == ""
        if "--json" in args:
            json.loads(text)
        return
    assert text == ""
    assert code in (2, 3, 4), errors
    assert lines[0].startswith("superoffice-soap: error: "), errors
    if code == 2:
        assert len(lines) == 2, errors
        assert lines[1] == "Run 'superoffice-soap call --help' for usage."
        assert len(fake.requests) == before  # nothing was sent
    else:
        assert len(lines) == 1, errors
