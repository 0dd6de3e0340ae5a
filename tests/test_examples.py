"""Every example runs against the stand-in by default and does what it says."""

from __future__ import annotations

import csv
import io
import os
import runpy
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture(autouse=True)
def stand_in_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in ("SUPEROFFICE_URL", "NEW_SECRET", "OLD_PUBLIC_VALUE", "NEW_PUBLIC_VALUE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.syspath_prepend(str(EXAMPLES))
    yield
    sys.modules.pop("_target", None)


def load(name: str) -> dict[str, Any]:
    return runpy.run_path(str(EXAMPLES / f"{name}.py"))


def test_audit_writes_a_csv_without_secrets(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "audit.csv"
    assert load("audit_imap_credentials")["main"]([str(path)]) == 0
    text = path.read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    by_id = {int(row["associate_id"]) for row in rows}
    assert by_id == set(range(1, 41))
    assert len(rows) == 41  # associate 5 (the demo user) has two imap entries
    assert "demo-secret" not in text
    assert "password" not in text
    status = {(int(r["associate_id"]), r["public_value"]): r["status"] for r in rows}
    # an inactive entry is "inactive" whatever its dates (5's old entry also expired in 2020)
    assert {key for key, value in status.items() if value == "inactive"} == {
        (i, f"user{i}@example.com") for i in (10, 15, 20, 25, 30, 35, 40)
    } | {(5, "jane.doe@old.example.com")}
    assert {i for (i, _), value in status.items() if value == "expired"} == {7, 14, 21, 28}
    assert set(status.values()) == {"ok", "inactive", "expired"}
    captured = capsys.readouterr()
    assert "wrote 41 rows" in captured.out
    assert "audited 40 users: 41 imap credentials (29 ok, 8 inactive, 4 expired" in captured.err


def test_rotate_saves_removes_and_verifies(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEW_SECRET", "rotated-secret-value")
    assert load("rotate_credential")["main"]() == 0
    out = capsys.readouterr().out
    assert "removed 'jane.doe@old.example.com'" in out
    assert "['jane.doe@example.com', 'jane.doe@new.example.com']" in out
    assert "rotated-secret-value" not in out


def test_rotate_replaces_a_secret_in_place(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # the same public value: the save replaces the entry in place and nothing is removed
    monkeypatch.setenv("NEW_PUBLIC_VALUE", "jane.doe@old.example.com")
    assert load("rotate_credential")["main"]() == 0
    out = capsys.readouterr().out
    assert "replaced the secret of 'jane.doe@old.example.com'" in out
    assert "['jane.doe@example.com', 'jane.doe@old.example.com']" in out


def test_rotate_refuses_an_absent_entry(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OLD_PUBLIC_VALUE", "nobody@example.com")
    assert load("rotate_credential")["main"]() == 1
    out = capsys.readouterr().out
    assert "rotation NOT done: rotation stopped at the read: there is no imap entry" in out
    assert "now nothing was changed" in out


def test_login_then_call(capsys: pytest.CaptureFixture[str]) -> None:
    assert load("login_then_call")["main"]() == 0
    out = capsys.readouterr().out
    assert "Release" in out
    assert "imap: ['jane.doe@example.com', 'jane.doe@old.example.com']" in out
    assert "smtp: ['jane.doe']" in out


def test_sans_io_with_urllib(capsys: pytest.CaptureFixture[str]) -> None:
    assert load("sans_io")["main"]() == 0
    assert capsys.readouterr().out.splitlines() == [
        "jane.doe@example.com active",
        "jane.doe@old.example.com inactive",
    ]


@pytest.mark.slow
def test_the_demo_prints_commands_that_work_when_pasted(tmp_path: Path) -> None:
    """`make demo` runs examples/demo.py; every `$` line it prints, run as printed by a shell,
    does the same job again (its own stand-in, the same tables)."""
    root = EXAMPLES.parent
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUPEROFFICE_")}
    demo = subprocess.run(
        [sys.executable, str(EXAMPLES / "demo.py")],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert demo.returncode == 0, demo.stderr
    assert "jane.doe@example.com" in demo.stdout
    assert "No ldap credentials are stored for associate 5." in demo.stdout
    assert "demo-imap-password" not in demo.stdout
    assert "Traceback" not in demo.stderr
    commands = [line[2:] for line in demo.stdout.splitlines() if line.startswith("$ ")]
    assert commands[0].endswith("> /dev/null &")  # starts its own stand-in
    assert commands[-1].startswith("kill %1")
    script = tmp_path / "pasted.sh"
    script.write_text("set -e\n" + "\n".join(commands) + "\n")
    pasted = subprocess.run(
        ["bash", str(script)],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert pasted.returncode == 0, pasted.stderr
    tables = [block for block in demo.stdout.split("\n$ ") if "PUBLIC VALUE" in block]
    for table in tables:
        assert table.split("\n", 1)[1].strip() in pasted.stdout
    assert pasted.stderr == ""
