"""Vendoring and packaging: the folder works copied under another name, and the wheel works
installed into a fresh virtual environment."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import venv
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "superoffice_soap"

CALL = textwrap.dedent(
    """
    import sys
    import {name} as so
    from {name}.testing import DEMO_TICKET, FakeNetServer

    with FakeNetServer.with_demo_data().serve() as running:
        with so.UserAgent(running.base_url, ticket=DEMO_TICKET) as agent:
            found = agent.get_untrusted_credentials_for_associate(5, "imap")
    print(so.__version__, [c.public_value for c in found], agent.soap_version)
    print("leaked:", sorted(m for m in sys.modules if m.startswith("superoffice_soap")))
    """
)


def test_vendored_copy_works_under_another_name(tmp_path: Path) -> None:
    shutil.copytree(PACKAGE, tmp_path / "vendored_so", ignore=shutil.ignore_patterns("__pycache__"))
    result = subprocess.run(
        [sys.executable, "-c", CALL.format(name="vendored_so")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    first, second = result.stdout.splitlines()
    assert first.endswith("['jane.doe@example.com', 'jane.doe@old.example.com'] 1.1")
    assert second == "leaked: []"  # relative imports only: nothing reached the installed copy


def test_vendored_copy_has_no_absolute_self_imports() -> None:
    for path in PACKAGE.rglob("*.py"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            stripped = line.strip()
            if stripped.startswith(("import superoffice_soap", "from superoffice_soap")):
                pytest.fail(f"{path.relative_to(ROOT)}:{number}: {stripped}")


def _venv(path: Path) -> Path:
    venv.EnvBuilder(with_pip=True, clear=True).create(path)
    return path / ("Scripts" if os.name == "nt" else "bin")


def _run(*args: object, cwd: Path = ROOT) -> str:
    result = subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=600, check=False
    )
    assert result.returncode == 0, f"{args}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.mark.skipif(
    os.environ.get("SUPEROFFICE_SKIP_PACKAGING") == "1", reason="SUPEROFFICE_SKIP_PACKAGING=1"
)
def test_wheel_and_sdist_install_and_run(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    source = tmp_path / "source"  # build from a copy: nothing is written into the work tree
    shutil.copytree(
        PACKAGE, source / "superoffice_soap", ignore=shutil.ignore_patterns("__pycache__")
    )
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    builder = _venv(tmp_path / "build-env")
    _run(builder / "python", "-m", "pip", "install", "-q", "setuptools>=77")
    _run(
        builder / "python",
        "-c",
        "import sys, setuptools.build_meta as b; out = sys.argv[1]; b.build_sdist(out); "
        "b.build_wheel(out)",
        dist,
        cwd=source,
    )
    wheels = sorted(dist.glob("superoffice_soap-*.whl"))
    sdists = sorted(dist.glob("superoffice_soap-*.tar.gz"))
    assert len(wheels) == 1
    assert len(sdists) == 1

    fresh = _venv(tmp_path / "fresh")
    _run(fresh / "python", "-m", "pip", "install", "-q", wheels[0])
    version = _run(fresh / "superoffice-soap", "--version", cwd=tmp_path)
    assert version.startswith("superoffice-soap ")
    out = _run(fresh / "python", "-c", CALL.format(name="superoffice_soap"), cwd=tmp_path)
    assert "['jane.doe@example.com', 'jane.doe@old.example.com'] 1.1" in out
    site = _run(
        fresh / "python",
        "-c",
        "import superoffice_soap; print(superoffice_soap.__file__)",
        cwd=tmp_path,
    )
    assert str(tmp_path / "fresh") in site  # the installed copy, not the work tree
    plugin = _run(
        fresh / "python",
        "-c",
        "import importlib.metadata as m, importlib.util as u; "
        "print([e.value for e in m.entry_points(group='pytest11') if e.name == 'superoffice_soap'], "
        "u.find_spec('superoffice_soap.pytest_plugin') is not None)",
        cwd=tmp_path,
    )
    assert plugin.strip() == "['superoffice_soap.pytest_plugin'] True"  # the fixture's plugin
    installed = _run(fresh / "python", "-m", "pip", "list", "--format=freeze")
    names = {line.split("==")[0].lower() for line in installed.splitlines()}
    assert {"lxml", "httpx", "attrs", "superoffice-soap"} <= names
    assert "zeep" not in names


def test_a_users_type_checker_sees_the_installed_package(tmp_path: Path) -> None:
    """After `make install`, mypy --strict on a script outside the repository resolves the
    package and its types (py.typed, an editable install mypy can follow)."""
    script = tmp_path / "user_script.py"
    script.write_text(
        textwrap.dedent(
            """
            from superoffice_soap import NEVER_EXPIRES, UntrustedCredentials, UserAgent

            def read() -> list[UntrustedCredentials]:
                with UserAgent("https://host/Cust1/Remote/Services86", ticket="7T:x") as agent:
                    return agent.get_untrusted_credentials("imap")

            valid_to = UntrustedCredentials(public_value="a", secret_value="b").valid_to
            assert valid_to == NEVER_EXPIRES
            wrong: int = read()  # the checker must see the real return type
            """
        )
    )
    env = {k: v for k, v in os.environ.items() if k not in ("MYPYPATH", "PYTHONPATH")}
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", script.name],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )
    # exactly one error: the deliberate one, which proves the types were resolved
    assert "import-not-found" not in result.stdout, result.stdout
    assert 'Incompatible types in assignment (expression has type "list[UntrustedCredentials]"' in (
        result.stdout
    ), result.stdout
    assert "Found 1 error" in result.stdout, result.stdout
