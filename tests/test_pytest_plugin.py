"""The pytest plugin, as other projects meet it: registered by the entry point, free for a run that
does not use the fixture, working from a vendored copy through a conftest.py, and the README's
example test files passing."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def pytest_in(
    directory: Path, *args: str, autoload: bool = True
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SUPEROFFICE_", "PYTEST_"))}
    if not autoload:
        env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args, str(directory)],
        cwd=directory,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_entry_point_names_the_light_module() -> None:
    from importlib.metadata import entry_points

    found = [e for e in entry_points(group="pytest11") if e.name == "superoffice_soap"]
    assert [e.value for e in found] == ["superoffice_soap.pytest_plugin"]


def test_the_plugin_module_imports_nothing_heavy_at_load() -> None:
    source = (ROOT / "superoffice_soap" / "pytest_plugin.py").read_text(encoding="utf-8")
    top_level = [line for line in source.splitlines() if line.startswith(("import ", "from "))]
    assert top_level == [
        "from __future__ import annotations",
        "from collections.abc import Iterator",
        "from typing import TYPE_CHECKING, Any",
        "import pytest",
    ]


@pytest.mark.slow
def test_a_run_that_does_not_use_the_fixture_imports_nothing_heavy(tmp_path: Path) -> None:
    (tmp_path / "test_plain.py").write_text(
        textwrap.dedent(
            """
            import sys

            def test_nothing_of_superoffice():
                assert "superoffice_soap.pytest_plugin" in sys.modules  # the plugin is loaded...
                loaded = sorted(
                    name for name in sys.modules
                    if name.split(".")[0] in ("superoffice_soap", "lxml", "attr", "attrs")
                )
                # ...and imported nothing heavy: the package's lazy __init__ and the plugin only
                assert loaded == [
                    "superoffice_soap",
                    "superoffice_soap._version",
                    "superoffice_soap.pytest_plugin",
                ]
            """
        ),
        encoding="utf-8",
    )
    result = pytest_in(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout


def readme_example() -> str:
    """The README's complete example test file."""
    match = re.search(r"```python\n(# test_mailboxes\.py.*?)```", README, re.DOTALL)
    assert match, "README.md: the example test file (# test_mailboxes.py …) is missing"
    return match[1]


@pytest.mark.slow
def test_the_readme_example_test_file_passes(tmp_path: Path) -> None:
    (tmp_path / "test_mailboxes.py").write_text(readme_example(), encoding="utf-8")
    result = pytest_in(tmp_path, "-W", "error")
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"\b[3-9] passed", result.stdout), result.stdout


@pytest.mark.slow
def test_the_readme_test_file_of_a_generated_operation_passes(tmp_path: Path) -> None:
    """test_people.py, beside the module it imports and the WSDL its marker names."""
    from .test_readme import generated_modules

    match = re.search(r"```python\n(# test_people\.py.*?)```", README, re.DOTALL)
    assert match, "README.md: the example test file (# test_people.py …) is missing"
    assert "person_ops" in generated_modules(tmp_path)
    (tmp_path / "test_people.py").write_text(match[1], encoding="utf-8")
    result = pytest_in(tmp_path, "-W", "error")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout


@pytest.mark.slow
def test_a_relative_wsdl_in_the_marker_is_found_beside_the_test_file(tmp_path: Path) -> None:
    tests = tmp_path / "tests"
    tests.mkdir()
    shutil.copyfile(
        ROOT / "tests" / "reference" / "wsdl" / "Services86" / "User.wsdl", tests / "User.wsdl"
    )
    (tests / "test_beside.py").write_text(
        textwrap.dedent(
            """
            import pytest

            @pytest.mark.superoffice_netserver(wsdl="User.wsdl")
            def test_served(superoffice_netserver):
                superoffice_netserver.answer("User.GetUserInfo", None)
                assert superoffice_netserver.received("GetUserInfo") == []
            """
        ),
        encoding="utf-8",
    )
    result = pytest_in(tmp_path, str(tests))  # run from the directory above the test file
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout


@pytest.mark.slow
def test_a_vendored_copy_registers_the_fixture_in_a_conftest(tmp_path: Path) -> None:
    shutil.copytree(
        ROOT / "superoffice_soap",
        tmp_path / "vendored_so",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    (tmp_path / "conftest.py").write_text(
        'pytest_plugins = ["vendored_so.pytest_plugin"]\n', encoding="utf-8"
    )
    (tmp_path / "test_vendored.py").write_text(
        textwrap.dedent(
            """
            import sys

            import pytest

            from vendored_so import UserAgent


            def test_the_fixture(superoffice_netserver):
                with UserAgent(superoffice_netserver.base_url, ticket=superoffice_netserver.ticket) as agent:
                    found = agent.get_untrusted_credentials_for_associate(5, "imap")
                assert found[0].public_value == "jane.doe@example.com"
                assert "superoffice_soap" not in sys.modules  # the installed copy was not used


            @pytest.mark.superoffice_netserver(services="Services88")
            def test_the_marker(superoffice_netserver):
                assert superoffice_netserver.base_url.endswith("Services88")
            """
        ),
        encoding="utf-8",
    )
    result = pytest_in(tmp_path, "--strict-markers", autoload=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout


@pytest.mark.slow
def test_a_marker_with_unknown_options_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "test_marker.py").write_text(
        textwrap.dedent(
            """
            import pytest

            @pytest.mark.superoffice_netserver(service="Services88")
            def test_typo(superoffice_netserver):
                pass
            """
        ),
        encoding="utf-8",
    )
    result = pytest_in(tmp_path)
    assert result.returncode != 0
    assert "takes only keywords" in result.stdout + result.stderr
    assert "['service']" in result.stdout + result.stderr
