"""Start-up, as a user waits for it: whole fresh interpreters, wall clock from launch to exit.

``superoffice-soap --help`` and ``from superoffice_soap import UserAgent`` against ``import
httpx`` alone (the heaviest dependency, which every agent needs) and an empty interpreter. Each
figure is the median of its runs; the variants take turns. Bytecode caches are written by a
warm-up run and used, as an installed package uses them.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from timing import Settings, progress

REPO = Path(__file__).resolve().parents[1]

#: (key, label, the command after the interpreter).
COMMANDS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("python", "python -c pass (the interpreter alone)", ("-c", "pass")),
    ("httpx", "import httpx", ("-c", "import httpx")),
    (
        "agent",
        "from superoffice_soap import UserAgent",
        ("-c", "from superoffice_soap import UserAgent"),
    ),
    ("cli_help", "superoffice-soap --help", ("-m", "superoffice_soap", "--help")),
)


@dataclass
class StartUp:
    """Median wall-clock seconds of each command, with its samples."""

    samples: dict[str, list[float]]

    def seconds(self, key: str) -> float:
        return statistics.median(self.samples[key])


def _run(arguments: tuple[str, ...]) -> float:
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, *arguments],
        cwd=REPO,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=environment,
    )
    return time.perf_counter() - start


def measure_startup(settings: Settings) -> StartUp:
    progress("start-up in fresh interpreters")
    samples: dict[str, list[float]] = {key: [] for key, _, _ in COMMANDS}
    for _, _, arguments in COMMANDS:
        _run(arguments)  # writes the bytecode caches
    for _ in range(settings.import_repeat):
        for key, _, arguments in COMMANDS:
            samples[key].append(_run(arguments))
    return StartUp(samples)


def render_startup(result: StartUp, markdown: bool) -> str:
    httpx = result.seconds("httpx")
    rows = [["start-up (wall clock, fresh interpreter)", "ms", "over import httpx"]]
    for key, label, _ in COMMANDS:
        seconds = result.seconds(key)
        over = "-" if key in ("python", "httpx") else f"{(seconds - httpx) * 1e3:+.1f} ms"
        rows.append([label, f"{seconds * 1e3:.1f}", over])
    if markdown:
        lines = ["| " + " | ".join(row) + " |" for row in rows]
        lines.insert(1, "| --- | --- | --- |")
        return "\n".join(lines)
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def startup_json(result: StartUp) -> dict[str, object]:
    return {
        "median_s": {key: result.seconds(key) for key in result.samples},
        "samples_s": result.samples,
    }
