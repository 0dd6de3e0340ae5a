"""What the pytest plugin costs a pytest run that does not use its fixture.

Runs pytest on a directory with one trivial test, in fresh interpreters, with plugin autoloading
off (so no other installed plugin blurs the figure) and:

* no plugin at all (the floor);
* ``-p empty_plugin``: an empty module, what pytest charges for any plugin;
* ``-p superoffice_soap.pytest_plugin``: the plugin the entry point loads;
* ``-p eager_plugin``: a plugin that imports the fixture's module (the stand-in, the agents, lxml,
  httpx) up front — what the plugin would cost if it did not wait for the fixture to be used.

The variants take turns; medians of ``--runs`` runs each (default 21) are printed as a Markdown
table, with the plugin module's own import time from ``-X importtime``.

    .venv/bin/python benchmarks/plugin_cost.py [--runs 21]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FLOOR = "no plugin (floor)"
EMPTY = "an empty plugin module (what any plugin costs)"
LIGHT = "the entry point's plugin (superoffice_soap.pytest_plugin)"
EAGER = "the fixture's module, imported up front (superoffice_soap.testing._fixture)"
VARIANTS = {
    FLOOR: [],
    EMPTY: ["-p", "empty_plugin"],
    LIGHT: ["-p", "superoffice_soap.pytest_plugin"],
    EAGER: ["-p", "eager_plugin"],
}
TEST = "def test_nothing_of_superoffice() -> None:\n    assert True\n"


def run(directory: Path, extra: list[str]) -> float:
    env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1", "PYTHONPATH": str(directory)}
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        *extra,
        str(directory),
    ]
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    return elapsed


def import_ms(module: str) -> float:
    """The cumulative ``-X importtime`` of ``module`` imported after pytest (median of 5).

    (pytest loads ``-p`` plugins through its assertion rewriter, which ``-X importtime`` does
    not report, so the module is imported here the plain way.)
    """
    figures = []
    for _ in range(5):
        done = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", f"import pytest; import {module}"],
            capture_output=True,
            text=True,
            check=True,
        )
        pattern = rf"import time:\s+\d+ \|\s+(\d+) \| {re.escape(module)}$"
        match = re.search(pattern, done.stderr, re.MULTILINE)
        figures.append(int(match[1]) / 1000 if match else float("nan"))
    return statistics.median(figures)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        directory = Path(folder)
        (directory / "test_plain.py").write_text(TEST, encoding="utf-8")
        (directory / "empty_plugin.py").write_text('"""An empty pytest plugin."""\n')
        (directory / "eager_plugin.py").write_text("import superoffice_soap.testing._fixture\n")
        times: dict[str, list[float]] = {name: [] for name in VARIANTS}
        for extra in VARIANTS.values():
            run(directory, extra)  # warm-up: bytecode caches
        for _ in range(args.runs):
            for name, extra in VARIANTS.items():
                times[name].append(run(directory, extra))
    plugin_ms = import_ms("superoffice_soap.pytest_plugin")
    package_ms = import_ms("superoffice_soap.testing._fixture")
    print(f"pytest run of one trivial test, median of {args.runs} runs each:\n")
    print("| variant | median | over the floor (median of the per-round differences) |")
    print("| --- | --- | --- |")
    for name, values in times.items():
        median = statistics.median(values)
        paired = statistics.median(v - f for v, f in zip(values, times[FLOOR]))
        print(f"| {name} | {median * 1000:.0f} ms | {paired * 1000:+.1f} ms |")
    print(
        f"\n-X importtime after pytest, cumulative: superoffice_soap.pytest_plugin "
        f"{plugin_ms:.2f} ms; superoffice_soap.testing._fixture {package_ms:.0f} ms"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
