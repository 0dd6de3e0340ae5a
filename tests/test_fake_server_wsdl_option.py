"""``superoffice-soap fake-server --wsdl FILE``: the stand-in from the shell serves a service's
operations from its WSDL too (and the document at ``?wsdl``), so ``describe``, ``generate`` and
``call`` can be tried against it; a file that cannot be served is one line and exit 1."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import httpx

from superoffice_soap.cli import main

from .conftest import reference_file

PERSON = reference_file("wsdl", "Services86", "Person.wsdl")


def test_the_stand_in_serves_a_wsdl_given_on_the_command_line() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUPEROFFICE_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "superoffice_soap", "fake-server", "--port", "0", "--wsdl", PERSON],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        base = first.split(" listening on ")[1].split(" ")[0]
        lines = [process.stdout.readline() for _ in range(2)]
        assert any(f"Also serving Person.svc from {PERSON}" in line for line in lines), lines
        answer = httpx.get(f"{base}/Person.svc?wsdl", timeout=30)
        assert answer.status_code == 200
        assert answer.content == PERSON.read_bytes()
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_a_wsdl_that_cannot_be_served_is_one_line(tmp_path: Path) -> None:
    page = tmp_path / "page.wsdl"
    page.write_text("<html/>", encoding="utf-8")
    for path, reason in ((tmp_path / "none.wsdl", "No such file"), (page, "not a WSDL")):
        out, err = io.StringIO(), io.StringIO()
        code = main(["fake-server", "--port", "0", "--wsdl", str(path)], stdout=out, stderr=err)
        assert code == 1
        assert out.getvalue() == ""
        (line,) = err.getvalue().splitlines()
        assert line.startswith(f"superoffice-soap: error: --wsdl {path}: ")
        assert reason in line
