"""The benchmark script runs: ``benchmarks/bench.py --quick`` prints every row, writes every
measure as a positive number, and its reading table agrees with itself. Timings themselves are
never asserted: they are measurements, not tests."""

from __future__ import annotations

import importlib.util
import json
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO / "benchmarks" / "bench.py"

MEASURES = {
    "build_envelope",
    "parse_small",
    "parse_medium",
    "parse_large",
    "loopback",
    "import",
    "parse_memory",
    "parse_memory_tracemalloc",
    "bulk_async",
    "bulk_sync",
    "bulk_async_in_process",
}
READERS = {
    "table": "table walk (parse_response, the library)",
    "xpath": "XPath per field (benchmarks/xpath_reader.py)",
    "walk": "etree.fromstring + bare walk (tag, text)",
    "lxml": "etree.fromstring alone",
}

Report = dict[str, Any]


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Report, str]:
    """One ``--quick --json`` run of the script: its report and what it printed."""
    report_path = tmp_path_factory.mktemp("bench") / "bench.json"
    finished = subprocess.run(
        [sys.executable, str(BENCH), "--quick", "--json", str(report_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr
    report: Report = json.loads(report_path.read_text())
    return report, finished.stdout


def _row(stdout: str, label: str) -> str:
    """The printed table row of a measure (its label, then the column gap)."""
    (line,) = [line for line in stdout.splitlines() if line.startswith(label + "  ")]
    return line


def _median(values: list[float]) -> float:
    return statistics.median(values)


def test_quick_run_reports_every_measure(quick_run: tuple[Report, str]) -> None:
    report, stdout = quick_run
    measures = report["measures"]
    assert set(measures) == MEASURES
    for key, measure in measures.items():
        assert measure["ours"] > 0, key
        assert measure["baseline"] > 0, key
        if measure["zeep_applies"]:  # zeep is a dev dependency; its WSDL is in tests/reference
            assert measure["zeep"] > 0, key
        _row(stdout, measure["label"] + (" (info)" if measure["info"] else ""))

    targets = report["targets"]
    assert targets["measured"] + len(targets["not_measured"]) == 10
    assert 0 <= targets["met"] <= targets["measured"]
    assert f"targets met: {targets['met']} of {targets['measured']}" in stdout


def test_quick_run_reading_table(quick_run: tuple[Report, str]) -> None:
    """The reading table: every reader at both sizes, each median from its samples, each ratio
    from the medians, and the printed rows showing them."""
    report, stdout = quick_run
    reading = report["reading"]
    assert list(reading) == ["1", "100"]  # --quick sizes
    lines = stdout.splitlines()
    for size, figures in reading.items():
        medians = figures["median_s"]
        assert set(medians) == set(READERS)
        for key, median in medians.items():
            assert median > 0
            raw = figures["raw"][key]
            assert median == _median(raw["samples_s"]), (size, key)
            assert figures["times_fromstring"][key] == pytest.approx(median / medians["lxml"])
        assert figures["xpath_over_table"] == pytest.approx(medians["xpath"] / medians["table"])
        assert f"{figures['xpath_over_table']:.2f}x" in next(
            line for line in lines if line.startswith("XPath / table walk")
        )
        for key, label in READERS.items():
            row = next(line for line in lines if line.startswith(label))
            assert f"({figures['times_fromstring'][key]:.2f}x)" in row, (size, key)


def test_markdown_table() -> None:
    """``--markdown`` prints a Markdown table (checked on a measure-free path: argument parsing
    and rendering only)."""
    spec = importlib.util.spec_from_file_location("bench", BENCH)
    assert spec is not None
    assert spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    sys.modules["bench"] = bench  # dataclasses look their module up while the class is made
    try:
        spec.loader.exec_module(bench)
    finally:
        del sys.modules["bench"]
    measure = bench.Measure(
        "import",
        "import",
        "ms",
        20.0,
        10.0,
        "its deps",
        zeep=200.0,
        vs_zeep=bench.Comparison(10.0, "10.0x faster"),
        vs_baseline=bench.Comparison(10.0, "+10.0 ms", "<= +15 ms", True),
    )
    lines = bench.render([measure], "", markdown=True).splitlines()
    assert lines[0].startswith("| measure |")
    assert set(lines[1].replace(" ", "")) == {"|", "-"}
    assert (
        lines[2]
        == "| import | ms | 20.0 | 200 | 10.0 (its deps) | 10.0x faster | +10.0 ms [ok <= +15 ms] |"
    )
