"""README.md is executed: every shell command and every Python example in it runs here against
the stand-in, so the documentation cannot drift from the code.

Shell blocks (```console): the `$ ` lines of a block run, in order, in one bash script with
`.venv/bin` first on PATH; the lines the README shows as output must appear in what they print.
Python blocks run (and what a `# prints: …` comment shows must be in what they print) in a
namespace where `url`, `ticket`, `token`, `password` and `new_password`
are the stand-in's demo values; the real-server literals of the quickstart are swapped for them.
A module the README says was generated (`superoffice-soap generate X.wsdl --operation … --output
m.py` in a comment) is generated so from the reference WSDL of that name, into a directory that
also holds the WSDL; a block that names the module runs there, with the module importable.
"""

from __future__ import annotations

import ast
import asyncio
import http.server
import inspect
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import httpx
import pytest

from superoffice_soap.generate import generate
from superoffice_soap.testing import (
    DEMO_PASSWORD,
    DEMO_TICKET,
    FakeNetServer,
    RunningServer,
)

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
_BLOCK = re.compile(r"^```(\w+)\n(.*?)^```", re.MULTILINE | re.DOTALL)

#: Commands that cannot run inside the suite, each with the test that covers it instead.
_COVERED_ELSEWHERE = {
    "make test": "is what .ci/run runs (test_ci_runs_make_test)",
    "make demo": "runs examples/demo.py (tests/test_examples.py, pasted commands re-run)",
    "pip install /path/to/a/clone-of-superoffice-soap": "tests/test_packaging.py installs the "
    "wheel built from a copy of the sources into a fresh virtual environment",
}
#: The quickstart talks to a real NetServer; here those literals become the stand-in's.
_REAL_SERVER_LITERALS = {
    '"https://sod.superoffice.com/Cust12345/Remote/Services86"': "url",
    '"7T:…"': "ticket",
    'application_token="…"': "application_token=token",
}
ACCESS_TOKEN = "8A:Cust12345.…"  # the README's placeholder, accepted by this stand-in
_GENERATE = re.compile(
    r"superoffice-soap generate (\w+\.wsdl)((?: --operation \w+)*) --output (\w+)\.py"
)


def blocks(language: str) -> list[tuple[int, str]]:
    """(line number, text) of every fenced block of ``language``."""
    return [
        (README[: match.start()].count("\n") + 1, match[2])
        for match in _BLOCK.finditer(README)
        if match[1] == language
    ]


def test_the_readme_has_examples_of_both_kinds() -> None:
    assert len(blocks("console")) >= 3
    assert len(blocks("python")) >= 6


# ------------------------------------------------------------------------------------------------
# Shell


def _commands(text: str) -> list[str]:
    return [line[2:] for line in text.splitlines() if line.startswith("$ ")]


def _shown_output(text: str) -> list[str]:
    return [line for line in text.splitlines() if line and not line.startswith("$ ")]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.mark.slow
@pytest.mark.parametrize(("line", "text"), blocks("console"), ids=lambda v: str(v)[:20])
def test_shell_block_runs_as_written(line: int, text: str, tmp_path: Path) -> None:
    commands = _commands(text)
    assert commands, f"README.md:{line}: a console block without commands"
    runnable = [c for c in commands if c.split("  #")[0].strip() not in _COVERED_ELSEWHERE]
    if not runnable:
        for command in commands:
            assert command.split("  #")[0].strip() in _COVERED_ELSEWHERE
        return
    script = "set -euo pipefail\n" + "\n".join(runnable) + "\n"
    # The README's fixed port 8086 might be taken on a test machine: use a free one instead.
    port = str(_free_port())
    script = script.replace(":8086/", f":{port}/").replace("--port 8086", f"--port {port}")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUPEROFFICE_")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    # The README runs from a clone's root: its commands name the reference WSDLs under tests/.
    (tmp_path / "tests").symlink_to(ROOT / "tests", target_is_directory=True)
    path = tmp_path / "readme.sh"
    path.write_text(script, encoding="utf-8")
    result = subprocess.run(
        ["bash", str(path)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, f"README.md:{line}: {result.stderr}"
    assert "Traceback" not in result.stderr
    for shown in _shown_output(text):
        assert shown.replace(":8086/", f":{port}/") in result.stdout, (
            f"README.md:{line}: shows {shown!r}, the command printed:\n{result.stdout}"
        )


def test_ci_runs_make_test() -> None:
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


# ------------------------------------------------------------------------------------------------
# Python


def generated_modules(directory: Path) -> list[str]:
    """Generate into ``directory`` every module the README's Python blocks say was generated,
    beside a copy of its WSDL (from tests/reference/wsdl/Services86); their names."""
    names: list[str] = []
    for _, text in blocks("python"):
        for match in _GENERATE.finditer(text):
            wsdl, operations, module = match[1], match[2].split()[1::2], match[3]
            shutil.copyfile(
                ROOT / "tests" / "reference" / "wsdl" / "Services86" / wsdl, directory / wsdl
            )
            source = generate(directory / wsdl, operations)
            (directory / f"{module}.py").write_text(source, encoding="utf-8")
            names.append(module)
    return names


def test_the_generated_modules_the_readme_names_are_there(tmp_path: Path) -> None:
    names = generated_modules(tmp_path)
    assert "person_ops" in names
    assert (tmp_path / "Person.wsdl").is_file()
    assert "GET_PERSON_ENTITY = Operation(" in (tmp_path / "person_ops.py").read_text("utf-8")


@pytest.fixture(scope="module")
def running() -> Iterator[RunningServer]:
    fake = FakeNetServer.with_demo_data()
    fake.add_access_token(ACCESS_TOKEN, 5)
    with fake.serve() as running:
        yield running


def _namespace(running: RunningServer) -> dict[str, Any]:
    def my_http_post(
        url: str, headers: Mapping[str, str], content: bytes
    ) -> tuple[int, httpx.Headers, bytes]:
        answer = httpx.post(url, headers=dict(headers), content=content)
        return answer.status_code, answer.headers, answer.content

    return {
        "url": running.base_url,
        "base_url": running.base_url,
        "ticket": DEMO_TICKET,
        "token": "demo-application-token",
        "password": DEMO_PASSWORD,
        "new_password": "a-new-demo-password",
        "my_http_post": my_http_post,
        "__name__": "readme_example",
    }


def _swap_real_server_literals(source: str) -> str:
    for literal, name in _REAL_SERVER_LITERALS.items():
        source = source.replace(literal, name)
    return source


class _Documented(http.server.BaseHTTPRequestHandler):
    """Answers an operation the stand-in does not serve with the documentation's own example
    answer (tests/reference/examples/<Service>/<Operation>.response.xml), in SOAP 1.2 as there."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        action = re.search(r'action="([^"]+)"', self.headers.get("Content-Type", ""))
        service, operation = (action[1] if action else "/x/x").rsplit("/", 2)[-2:]
        path = ROOT / "tests" / "reference" / "examples" / service / f"{operation}.response.xml"
        if not path.is_file():
            self.send_response(415 if action is None else 500)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = path.read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "application/soap+xml; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def documented() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Documented)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/Cust1/Remote/Services86"
    finally:
        httpd.shutdown()
        httpd.server_close()


#: What the stand-in answers the operations the README declares by hand (served from their
#: services' reference WSDLs, which check the requests).
_STAND_IN_ANSWERS: dict[tuple[str, str], object] = {
    ("User", "GetUserInfo"): {
        "UserInfoId": 0,
        "UserName": "jane.doe",
        "UserType": "InternalAssociate",
        "GrantedLicenses": ["SuperOffice.CRM"],
        "CanLogon": True,
    },
    ("Associate", "GetNote"): ["A note about Jane"],
}


@pytest.fixture(scope="module")
def described() -> Iterator[str]:
    """The stand-in, also serving the services of the operations the README declares by hand."""
    fake = FakeNetServer.with_demo_data()
    for service in sorted({service for service, _ in _STAND_IN_ANSWERS}):
        fake.serve_wsdl(ROOT / "tests" / "reference" / "wsdl" / "Services86" / f"{service}.wsdl")
    for (service, operation), value in _STAND_IN_ANSWERS.items():
        fake.answer(f"{service}.{operation}", value)
    with fake.serve() as running:
        yield running.base_url


@pytest.mark.parametrize(("line", "text"), blocks("python"), ids=lambda v: str(v)[:20])
def test_python_block_runs(
    line: int,
    text: str,
    running: RunningServer,
    described: str,
    documented: str,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    source = _swap_real_server_literals(text)
    modules = [m for m in generated_modules(tmp_path) if re.search(rf"\b{m}\b", source)]
    if modules:  # a block using a generated module runs beside it and its WSDL
        monkeypatch.chdir(tmp_path)
        monkeypatch.syspath_prepend(str(tmp_path))
        for module in modules:
            sys.modules.pop(module, None)
    code = compile(
        source, f"README.md:{line}", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True
    )
    urls = [running.base_url]
    if "Operation(" in source:  # declares operations: against the stand-in serving them from
        urls = [described, documented]  # their WSDL, then the documentation's example answers
    try:
        for url in urls:
            namespace = _namespace(running)
            namespace["url"] = url
            result = eval(code, namespace)  # top-level await makes the block a coroutine
            if inspect.iscoroutine(result):
                asyncio.run(result)
    finally:
        for module in modules:
            sys.modules.pop(module, None)
    out = capsys.readouterr().out
    for shown in re.findall(r"# prints: (.*)", source):  # "…" stands for what is left out
        for part in shown.split("…"):
            assert part.strip(" ,") in out, f"README.md:{line}: shows {shown!r}, printed:\n{out}"
    for secret in ("demo-imap-password", "demo-old-imap-password", DEMO_TICKET, DEMO_PASSWORD):
        assert secret not in out, f"README.md:{line} printed a secret"
