"""What every table of ``make bench`` shares: the run's sizes and repetitions, and interleaved
medians (the variants of a measure take turns, so that a busy machine slows them alike)."""

from __future__ import annotations

import gc
import statistics
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Callable

__all__ = ["FULL", "QUICK", "Settings", "Timing", "compare", "progress"]

# ============================================================================ settings


@dataclass(frozen=True)
class Settings:
    """Sizes and repetitions of one run."""

    quick: bool
    repeat: int  # repetitions (batches) behind every timing median
    batch_seconds: float  # the length of one batch of a fast measure
    parse_sizes: tuple[int, int, int]
    reading_sizes: tuple[int, int]  # the answers of the reading table
    import_repeat: int
    memory_items: int
    memory_repeat: int
    bulk_associates: int
    bulk_repeat: int
    sync_bulk_associates: int
    sync_bulk_repeat: int
    delayed_associates: int
    delayed_repeat: int
    delay_seconds: float
    sequential_sample: int


FULL = Settings(
    quick=False,
    repeat=5,
    batch_seconds=0.1,
    parse_sizes=(1, 100, 10_000),
    reading_sizes=(1, 10_000),
    import_repeat=9,
    memory_items=10_000,
    memory_repeat=3,
    bulk_associates=1_000,
    bulk_repeat=5,
    sync_bulk_associates=200,
    sync_bulk_repeat=3,
    delayed_associates=200,
    delayed_repeat=3,
    delay_seconds=0.01,
    sequential_sample=100,
)
QUICK = Settings(
    quick=True,
    repeat=3,
    batch_seconds=0.005,
    parse_sizes=(1, 10, 100),
    reading_sizes=(1, 100),
    import_repeat=1,
    memory_items=2_000,  # smaller trees hide below the page granularity of the RSS
    memory_repeat=1,
    bulk_associates=16,
    bulk_repeat=1,
    sync_bulk_associates=16,
    sync_bulk_repeat=1,
    delayed_associates=16,
    delayed_repeat=1,
    delay_seconds=0.002,
    sequential_sample=8,
)


@dataclass
class Timing:
    median: float  # seconds per call
    samples: list[float]
    number: int  # calls per batch


_STARTED = time.perf_counter()


def progress(message: str) -> None:
    print(f"[{time.perf_counter() - _STARTED:5.1f} s] {message}", file=sys.stderr, flush=True)


# ============================================================================ timing


def _batch(function: Callable[[], object], number: int) -> float:
    start = time.perf_counter()
    for _ in range(number):
        function()
    return (time.perf_counter() - start) / number


def _calls_per_batch(function: Callable[[], object], seconds: float) -> int:
    """Warm up with one call, then size a batch to last about ``seconds``."""
    first = _batch(function, 1)
    if first >= seconds:
        return 1
    trial = max(1, min(1000, int(seconds / 10 / first)))
    per_call = _batch(function, trial)
    return max(1, round(seconds / per_call))


def compare(functions: Mapping[str, Callable[[], object]], settings: Settings) -> dict[str, Timing]:
    """Median seconds per call of each function; the repetitions of the functions interleave."""
    numbers = {name: _calls_per_batch(f, settings.batch_seconds) for name, f in functions.items()}
    samples: dict[str, list[float]] = {name: [] for name in functions}
    for _ in range(settings.repeat):
        for name, function in functions.items():
            gc.collect()
            samples[name].append(_batch(function, numbers[name]))
    return {
        name: Timing(statistics.median(values), values, numbers[name])
        for name, values in samples.items()
    }
