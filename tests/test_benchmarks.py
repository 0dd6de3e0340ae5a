"""The benchmark script runs: ``benchmarks/bench.py --quick`` prints every row, writes every
measure as a positive number, and its figures agree with each other: each median is the median
of its samples, each ratio the one its medians give, each target's ok/MISS the one its figure
and target give, the summary the count of those. Timings themselves are never asserted: they
are measurements, not tests."""

from __future__ import annotations

import importlib.util
import json
import re
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
#: The targets (written here again, not read from the script): measure → side → target.
TARGETS: dict[str, dict[str, str]] = {
    "build_envelope": {"zeep": ">= 5x", "baseline": "<= 2x"},
    "parse_small": {"zeep": ">= 10x"},
    "parse_large": {"zeep": ">= 8x", "baseline": "<= 4x"},
    "loopback": {"zeep": ">= 3x", "baseline": ">= 0.85x"},
    "import": {"baseline": "<= +15 ms"},
    "parse_memory": {"baseline": "<= 3x"},
    "bulk_async": {"baseline": ">= 3x"},
}
SCALES = {"us": 1e6, "ms": 1e3}
MIB = 1024 * 1024
READERS = {
    "library": "written per declaration (parse_response, the library)",
    "table": "table walk (benchmarks/table_reader.py)",
    "xpath": "XPath per field (benchmarks/xpath_reader.py)",
    "walk": "etree.fromstring + bare walk (tag, text)",
    "lxml": "etree.fromstring alone",
}

#: The peers table: its rows, the variants of every row, and the targets (written here again).
PEER_ROWS = {
    f"{kind}_{size}"
    for kind in ("call", "parse")
    for size in ("small", "medium", "large", "person")
}
VARIANTS = ("ours", "floor", "zeep", "suds", "xsdata")
PEERS = ("zeep", "suds", "xsdata")
FLOOR_TARGETS = {"call_small": "<= 1.5x", "call_large": "<= 3x"}
STARTUP = {
    "python": "python -c pass (the interpreter alone)",
    "httpx": "import httpx",
    "agent": "from superoffice_soap import UserAgent",
    "cli_help": "superoffice-soap --help",
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
        timeout=300,
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


def _figures(key: str, measure: Report) -> dict[str, float]:
    """What each comparison of a measure must be, recomputed from its raw samples; the
    figures shown (ours, baseline, zeep) are checked against the same samples on the way."""
    raw = measure["raw"]
    ours, baseline, zeep = measure["ours"], measure["baseline"], measure["zeep"]
    expected: dict[str, float] = {}
    if key in ("build_envelope", "parse_small", "parse_medium", "parse_large"):
        scale = SCALES[measure["unit"]]
        for name, shown in (("ours", ours), ("lxml", baseline), ("zeep", zeep)):
            assert raw[name]["median_s"] == _median(raw[name]["samples_s"]), (key, name)
            assert shown == pytest.approx(raw[name]["median_s"] * scale), (key, name)
        expected = {"zeep": zeep / ours, "baseline": ours / baseline}
    elif key == "loopback":
        for name, shown in (("ours", ours), ("raw", baseline), ("zeep", zeep)):
            assert raw[name]["median_s"] == _median(raw[name]["samples_s"]), (key, name)
            assert shown == pytest.approx(1 / raw[name]["median_s"]), (key, name)
        expected = {"zeep": ours / zeep, "baseline": ours / baseline}
    elif key == "import":
        median_ms = raw["median_ms"]
        for name, values in raw["samples_s"].items():
            assert median_ms[name] == pytest.approx(_median(values) * 1e3), (key, name)
        assert (ours, baseline, zeep) == (
            median_ms["ours"],
            median_ms["dependencies"],
            median_ms["zeep"],
        )
        expected = {"zeep": zeep / ours, "baseline": median_ms["on top"]}
    elif key == "parse_memory":
        assert ours == pytest.approx(_median(raw["ours_peak_bytes"]) / MIB)
        assert baseline == pytest.approx(_median(raw["lxml_tree_bytes"]) / MIB)
        expected = {"baseline": ours / baseline}
    elif key.startswith("bulk"):
        assert ours == _median(raw["samples_s"]["bulk"])
        assert baseline == _median(raw["samples_s"]["sequential"])
        expected = {"baseline": baseline / ours}
    return expected


def _meets(value: float, target: str) -> bool:
    match = re.fullmatch(r"(<=|>=) \+?([0-9.]+)(x| ms)", target)
    assert match is not None, target
    operator, limit = match.group(1), float(match.group(2))
    return value <= limit if operator == "<=" else value >= limit


def test_quick_run_figures_and_targets_agree(quick_run: tuple[Report, str]) -> None:
    """Every target row is there with a number; each ratio is the one its medians give; each
    ok/MISS follows from the figure and the target; the printed rows and the summary say so."""
    report, stdout = quick_run
    measures = report["measures"]
    met = 0
    checked: set[tuple[str, str]] = set()
    for key, measure in measures.items():
        row = _row(stdout, measure["label"] + (" (info)" if measure["info"] else ""))
        for side, value in _figures(key, measure).items():
            comparison = measure[f"vs_{side}"]
            assert isinstance(comparison["value"], float), (key, side)
            assert comparison["value"] == pytest.approx(value), (key, side)
            number = float(re.sub(r"[^0-9.]", "", comparison["text"].split()[0]))
            decimals = len(comparison["text"].split()[0].split(".")[1].rstrip("xms"))
            assert number == round(comparison["value"], decimals), (key, side)
            target = TARGETS.get(key, {}).get(side)
            assert comparison["target"] == target, (key, side)
            if target is None:
                assert comparison["met"] is None, (key, side)
                assert f"{comparison['text']} [" not in row, (key, side)
                continue
            assert comparison["met"] is _meets(comparison["value"], target), (key, side)
            mark = "ok" if comparison["met"] else "MISS"
            assert f"{comparison['text']} [{mark} {target}]" in row, (key, side)
            met += comparison["met"]
            checked.add((key, side))
    assert checked == {(key, side) for key, sides in TARGETS.items() for side in sides}
    targets = report["targets"]
    assert targets == {"met": met, "measured": 10, "not_measured": []}
    assert f"targets met: {met} of 10" in stdout


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
        for key, label in (("table", "table walk"), ("xpath", "XPath")):
            ratio = figures[f"{key}_over_library"]
            assert ratio == pytest.approx(medians[key] / medians["library"])
            row = next(line for line in lines if line.startswith(f"{label} / library"))
            assert f"{ratio:.2f}x" in row, (size, key)
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


#: The generator's rows: JSON key → the start of the printed label.
GENERATOR = {
    "list": "generate the List service (every operation): 260 operations",
    "all": "generate all 13 reference WSDLs (info): 790 operations",
    "import": "import a generated module of 10 operations",
}


def _check_generator(report: Report, stdout: str) -> None:
    """The generator's table: each median from its samples, each ok/MISS from its figure and
    target, and the printed rows showing them."""
    figures = report["generate"]
    assert set(figures) == set(GENERATOR)
    lines = stdout.splitlines()
    rows = {
        key: next(line for line in lines if line.startswith(label))
        for key, label in GENERATOR.items()
    }
    for key in ("list", "all"):
        assert figures[key]["median_s"] == _median(figures[key]["samples_s"]), key
        assert all(sample > 0 for sample in figures[key]["samples_s"]), key
    assert (figures["list"]["operations"], figures["all"]["operations"]) == (260, 790)
    listed = figures["list"]
    assert listed["target_s"] == 10.0
    assert listed["met"] is (listed["median_s"] <= 10.0)
    assert f"{'ok' if listed['met'] else 'MISS'} <= 10 s" in rows["list"]
    assert rows["all"].rstrip().endswith("-")
    imported = figures["import"]
    assert imported["median_ms"] == _median(imported["samples_ms"])
    assert imported["agents_median_ms"] == _median(imported["agents_samples_ms"])
    assert imported["operations"] == 10
    assert imported["models"] > 0
    assert imported["target_ms"] == 10.0
    assert imported["met"] is (imported["median_ms"] <= 10.0)
    assert f"+{imported['median_ms']:.1f}" in rows["import"]
    assert f"{'ok' if imported['met'] else 'MISS'} <= +10 ms" in rows["import"]
    assert f"{imported['models']} models, {imported['module_bytes']:,} bytes" in rows["import"]


def test_quick_run_generator_table(quick_run: tuple[Report, str]) -> None:
    _check_generator(*quick_run)


def test_generate_flag_runs_the_generator_table_alone(tmp_path: Path) -> None:
    report_path = tmp_path / "bench.json"
    finished = subprocess.run(
        [sys.executable, str(BENCH), "--quick", "--generate", "--json", str(report_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr
    report: Report = json.loads(report_path.read_text())
    assert report["measures"] == {}
    assert report["reading"] == {}
    _check_generator(report, finished.stdout)
    assert "How answers are read" not in finished.stdout
    assert "targets met" not in finished.stdout


def test_quick_run_peers_table(quick_run: tuple[Report, str]) -> None:
    """Every peer on the same bytes: each row has every variant (the peers are development
    dependencies, xsdata's classes are generated by the run), each median is that of its
    samples, each ratio the one its medians give, each ok/MISS the one its figure and target
    give, and the printed rows and the summary say so."""
    report, stdout = quick_run
    peers = report["peers"]
    assert peers["absent"] == {}
    assert set(peers["rows"]) == PEER_ROWS
    met = measured = 0
    for key, row in peers["rows"].items():
        medians = row["median_s"]
        assert set(medians) == set(VARIANTS), key
        scale = SCALES[row["unit"]]
        for name in VARIANTS:
            assert medians[name] > 0, (key, name)
            assert medians[name] == _median(row["samples_s"][name]), (key, name)
            assert row["shown"][name] == pytest.approx(medians[name] * scale), (key, name)
        over, fastest = row["over_floor"], row["fastest_peer"]
        assert over["value"] == pytest.approx(medians["ours"] / medians["floor"]), key
        assert fastest["name"] == min(PEERS, key=lambda name: medians[name]), key
        assert fastest["value"] == pytest.approx(medians[fastest["name"]] / medians["ours"]), key
        assert over["target"] == FLOOR_TARGETS.get(key), key
        assert fastest["target"] == ">= 3x", key
        printed = _row(stdout, row["label"])
        for comparison in (over, fastest):
            if comparison["target"] is None:
                assert comparison["met"] is None, key
                continue
            assert comparison["met"] is _meets(comparison["value"], comparison["target"]), key
            mark = "ok" if comparison["met"] else "MISS"
            assert f"[{mark} {comparison['target']}]" in printed, key
            met += comparison["met"]
            measured += 1
        assert f"{over['value']:.2f}x" in printed, key
        assert f"{fastest['value']:.2f}x ({fastest['name']})" in printed, key
    assert measured == 10
    assert f"peers targets met: {met} of {measured}" in stdout


def test_quick_run_startup_table(quick_run: tuple[Report, str]) -> None:
    report, stdout = quick_run
    startup = report["startup"]
    assert set(startup["median_s"]) == set(STARTUP)
    httpx = startup["median_s"]["httpx"]
    for key, label in STARTUP.items():
        median = startup["median_s"][key]
        assert median > 0
        assert median == _median(startup["samples_s"][key]), key
        printed = _row(stdout, label)
        assert f"{median * 1e3:.1f}" in printed, key
        if key in ("agent", "cli_help"):
            assert f"{(median - httpx) * 1e3:+.1f} ms" in printed, key
