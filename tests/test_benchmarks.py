"""The benchmark script runs: ``benchmarks/bench.py --quick`` prints every row and writes every
measure as a positive number. Timings are never asserted: they are measurements, not tests."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

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


def test_quick_run_reports_every_measure(tmp_path: Path) -> None:
    report_path = tmp_path / "bench.json"
    finished = subprocess.run(
        [sys.executable, str(BENCH), "--quick", "--json", str(report_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr
    report = json.loads(report_path.read_text())
    measures = report["measures"]
    assert set(measures) == MEASURES

    for key, measure in measures.items():
        assert measure["ours"] > 0, key
        assert measure["baseline"] > 0, key
        if measure["zeep_applies"]:  # zeep is a dev dependency; its WSDL is in tests/reference
            assert measure["zeep"] > 0, key
        # the table printed the row
        assert measure["label"] in finished.stdout, key

    targets = report["targets"]
    assert targets["measured"] + len(targets["not_measured"]) == 10
    assert 0 <= targets["met"] <= targets["measured"]
    assert f"targets met: {targets['met']} of {targets['measured']}" in finished.stdout


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
