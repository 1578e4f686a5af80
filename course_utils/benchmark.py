"""Benchmark: execute notebooks under a tier and print wall time and peak memory for each.

A report, not a test::

    python -m course_utils.benchmark --tier ci                  # every source notebook
    python -m course_utils.benchmark --tier laptop notebooks/01_generative_models.ipynb
    python -m course_utils.benchmark --tier laptop --passes 2   # make warm: fill the cache, then
                                                                # time a live run with it warm

Wall time counts from kernel start to the last cell; peak memory is the largest resident set
of the kernel (and anything it started), sampled every 50 ms.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
import psutil
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

from course_utils.backend import configured_backend
from course_utils.settings import TIERS, TIER_ENV_VAR, validate_tier


ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")  # terminal colours in IPython tracebacks


@dataclass
class Result:
    notebook: str
    seconds: float
    peak_mib: float
    error: str = ""


class _PeakMemory:
    """Samples the summed RSS of this process's children until stopped."""

    def __init__(self, interval: float = 0.05):
        self.interval, self.peak, self._stop = interval, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        me = psutil.Process()
        while not self._stop.is_set():
            total = 0
            for child in me.children(recursive=True):
                try:
                    total += child.memory_info().rss
                except psutil.Error:
                    pass
            self.peak = max(self.peak, total)
            self._stop.wait(self.interval)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def run_notebook(path: Path, tier: str, timeout: int = 1800) -> Result:
    """Execute the notebook at ``path`` in a fresh kernel under ``tier``; never raises on cell errors."""
    tier = validate_tier(tier)
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"path={str(path)!r} is not a notebook file")
    nb = nbformat.read(path, as_version=4)
    previous = os.environ.get(TIER_ENV_VAR)
    os.environ[TIER_ENV_VAR] = tier  # the kernel inherits it
    error = ""
    start = time.perf_counter()
    try:
        with _PeakMemory() as memory:
            try:
                NotebookClient(nb, timeout=timeout, kernel_name="python3",
                               resources={"metadata": {"path": str(path.parent)}}).execute()
            except (CellExecutionError, CellTimeoutError, DeadKernelError) as err:
                text = ANSI_ESCAPE.sub("", str(err)).strip()
                error = (text.splitlines() or [type(err).__name__])[-1]
    finally:
        if previous is None:
            os.environ.pop(TIER_ENV_VAR, None)
        else:
            os.environ[TIER_ENV_VAR] = previous
    return Result(path.name, time.perf_counter() - start, memory.peak / 2**20, error)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time each notebook under a tier.")
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="notebooks to run (default: every notebooks/NN_*.ipynb)")
    parser.add_argument("--tier", default="ci", choices=TIERS)
    parser.add_argument("--passes", type=int, default=1,
                        help="run the collection this many times; with 2 (make warm), the first "
                             "fills the trained-weights cache and the second times a live run")
    args = parser.parse_args(argv)
    if args.passes < 1:
        parser.error(f"--passes={args.passes}: expected 1 or more")
    paths = args.notebooks or sorted(Path("notebooks").glob("[0-9][0-9]_*.ipynb"))
    if not paths:
        parser.error("no notebooks found: give paths, or run from the repository root")
    print(f"tier {args.tier}, backend {configured_backend()}, {os.cpu_count()} CPU cores")
    failures, passes = 0, []
    for number in range(1, args.passes + 1):
        if args.passes > 1:
            what = ("fills the trained-weights cache" if number == 1
                    else "with the cache warm: what a live run takes")
            print(f"== pass {number} of {args.passes} ({what})")
        print(f"{'notebook':<40} {'wall s':>8} {'peak MiB':>9}  status")
        results = []
        for path in paths:
            result = run_notebook(path, args.tier)
            results.append(result)
            failures += bool(result.error)
            print(f"{result.notebook:<40} {result.seconds:>8.1f} {result.peak_mib:>9.0f}  "
                  f"{'FAILED: ' + result.error if result.error else 'ok'}", flush=True)
        if args.passes > 1:
            print(f"{'total':<40} {sum(r.seconds for r in results):>8.1f}")
        passes.append(results)
    if args.passes > 1:
        first, last = passes[0], passes[-1]
        print(f"== a live run under tier {args.tier} with the cache warm (pass {args.passes}) "
              f"vs the first pass, wall seconds")
        for cold, warm in zip(first, last):
            print(f"{warm.notebook:<40} {warm.seconds:>8.1f}  (first pass {cold.seconds:.1f})")
        print(f"{'all notebooks':<40} {sum(r.seconds for r in last):>8.1f}  "
              f"(first pass {sum(r.seconds for r in first):.1f})")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
