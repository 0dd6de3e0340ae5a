"""Every example runs against the stand-in by default and does what it says."""

from __future__ import annotations

import csv
import io
import runpy
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
    expired = {int(r["associate_id"]) for r in rows if r["expired"] == "True"}
    assert expired == {7, 14, 21, 28, 35, 5}  # 5: the demo's old entry expired in 2020
    assert "wrote 41 rows" in capsys.readouterr().out


def test_rotate_saves_removes_and_verifies(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEW_SECRET", "rotated-secret-value")
    assert load("rotate_credential")["main"]() == 0
    out = capsys.readouterr().out
    assert "removed 'jane.doe@old.example.com'" in out
    assert "['jane.doe@example.com', 'jane.doe@new.example.com']" in out
    assert "rotated-secret-value" not in out


def test_rotate_reports_a_failed_verification(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # the new entry replaces (same public value as) the old one, which is then removed
    monkeypatch.setenv("NEW_PUBLIC_VALUE", "jane.doe@old.example.com")
    assert load("rotate_credential")["main"]() == 1
    assert "NOT verified" in capsys.readouterr().out


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
