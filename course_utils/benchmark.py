"""Benchmark: execute notebooks under a tier and print wall time and peak memory for each.

A report, not a test::

    python -m course_utils.benchmark --tier ci                  # every source notebook
    python -m course_utils.benchmark --tier laptop notebooks/01_generative_models.ipynb
    python -m course_utils.benchmark --tier laptop --passes 2   # make warm: fill the cache, then
                                                                # time a live run with it warm
    python -m course_utils.benchmark --tier gpu --gpu-memory    # make test-gpu: adds each
                                                                # kernel's peak GPU memory
    python -m course_utils.benchmark --estimate gpu             # no run: the tier's time, estimated

Wall time counts from kernel start to the last cell; peak memory is the largest resident set
of the kernel (and anything it started), sampled every 50 ms. Peak GPU memory
(``--gpu-memory``) is read inside the kernel, by a cell appended after the notebook's last one
that prints :func:`course_utils.backend.peak_gpu_memory`.

``--estimate TIER`` runs nothing: it counts each notebook's training steps from its settings
(:func:`training_steps`, with full MNIST as 60,000 training and 10,000 test images where a
setting says "all the data") and multiplies them by a time per step of each kind
(:data:`ASSUMED_STEP_SECONDS`, an assumption for one H100-class GPU, not a measurement), plus a
fixed time per notebook.
"""

from __future__ import annotations

import argparse
import json
import math
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
from course_utils.settings import TIERS, TIER_ENV_VAR, TRAINING_COUNTS, validate_tier


ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")  # terminal colours in IPython tracebacks

# The cell appended after a notebook's last one with gpu_memory=True, and the marker it prints.
GPU_MEMORY_MARKER = "COURSE_GPU_MEMORY="
GPU_MEMORY_CELL = ("import json as _json, course_utils.backend as _course_backend\n"
                   f"print({GPU_MEMORY_MARKER!r} + _json.dumps({{\n"
                   "    'peak_bytes': _course_backend.peak_gpu_memory(),\n"
                   "    'gpus': list(_course_backend.gpu_devices())}))")


@dataclass
class Result:
    notebook: str
    seconds: float
    peak_mib: float
    error: str = ""
    gpu_peak_mib: float | None = None  # with gpu_memory=True, when the kernel saw a GPU
    gpus: tuple = ()


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


def _gpu_memory_report(nb) -> tuple[float | None, tuple]:
    """(peak GPU MiB, GPU names) printed by the appended cell, or (None, ()) if it did not run."""
    for output in nb.cells[-1].get("outputs", []) if nb.cells else []:
        for line in str(output.get("text", "")).splitlines():
            if line.startswith(GPU_MEMORY_MARKER):
                report = json.loads(line[len(GPU_MEMORY_MARKER):])
                peak = report.get("peak_bytes")
                return (None if peak is None else peak / 2**20), tuple(report.get("gpus", ()))
    return None, ()


def run_notebook(path: Path, tier: str, timeout: int = 1800, gpu_memory: bool = False) -> Result:
    """Execute the notebook at ``path`` in a fresh kernel under ``tier``; never raises on cell errors.

    With ``gpu_memory=True`` a last cell is appended that reads the kernel's peak GPU memory
    (:func:`course_utils.backend.peak_gpu_memory`); it runs only if every cell before it did.
    """
    tier = validate_tier(tier)
    if not isinstance(gpu_memory, bool):
        raise TypeError(f"gpu_memory={gpu_memory!r}: expected True or False")
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"path={str(path)!r} is not a notebook file")
    nb = nbformat.read(path, as_version=4)
    if gpu_memory:
        nb.cells.append(nbformat.v4.new_code_cell(GPU_MEMORY_CELL))
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
    seconds = time.perf_counter() - start
    gpu_peak, gpus = _gpu_memory_report(nb) if gpu_memory else (None, ())
    return Result(path.name, seconds, memory.peak / 2**20, error, gpu_peak, gpus)


# ------------------------------------------------------------------------------ the estimate
# Full MNIST, which the gpu tier is sized for: a setting of None ("all the data") means these.
FULL_MNIST = {"n_train": 60_000, "n_test": 10_000}
EVALUATION_CLASSIFIER_STEPS = 4 * math.ceil(60_000 / 128)  # course_utils.evaluation: 4 epochs, batch 128

# Seconds per training step of each kind, and per notebook for everything else, on ONE H100-class
# GPU. AN ASSUMPTION, NOT A MEASUREMENT: no GPU has run the gpu tier yet. The course's models are
# small (at most ~1M parameters, 28x28 images, batches of at most 1024), so a step on such a GPU
# should be bound by per-step overhead (Python, dispatch, kernel launches), not by arithmetic; the
# figures are a cautious guess of that overhead, taken from no measurement or publication.
# Replace them with --step-ms KIND=MS once measured on the target GPU.
ASSUMED_STEP_SECONDS = {
    "fit": 0.002,      # a compiled keras fit step of a small dense or conv model
    "gan": 0.004,      # a compiled hand-written GAN step: two gradients (cu.backend.compiled)
    "cycle": 0.008,    # a compiled CycleGAN step: two generators, two discriminators
    "eager": 0.015,    # an eager hand-written step (08's growing GAN, 07's D* check, 10's search)
}
ASSUMED_NOTEBOOK_SECONDS = 20.0  # kernel start, imports, data, evaluation passes, figures
STEP_KINDS = tuple(ASSUMED_STEP_SECONDS)


def _batches(n: int, batch_size: int) -> int:
    return math.ceil(n / batch_size)


def _size(values, key: str) -> int:
    value = values[key]
    return FULL_MNIST[key] if value is None else int(value)


def training_steps(notebook: str, values) -> list[tuple[str, str, int]]:
    """The training steps notebook ``notebook`` takes under settings ``values``.

    A list of ``(what, kind, steps)``, ``kind`` one of :data:`STEP_KINDS`; a ``fit`` over ``n``
    images in batches of ``b`` takes ``ceil(n / b)`` steps per epoch. Notebooks 00-09 are counted
    model by model as they train them, and the diffusion notebook (settings with
    ``diffusion_steps`` and ``flow_steps``) as compiled steps: its toy networks' as ``fit`` steps,
    its U-Nets' as ``gan`` steps (one gradient of a larger network); any other notebook by a
    generic rule (``epochs`` passes over ``n_train`` in ``batch_size`` batches, and each other
    count of :data:`course_utils.settings.TRAINING_COUNTS` as eager steps).
    """
    if not isinstance(notebook, str) or not re.fullmatch(r"\d\d", notebook):
        raise ValueError(f"notebook={notebook!r}: expected a two-digit notebook number, e.g. '07'")
    if not hasattr(values, "get") or not hasattr(values, "__getitem__"):
        raise TypeError(f"values: expected a notebook's settings (a mapping), got {type(values).__name__}")
    v = values
    try:
        if notebook == "00":
            return [("classifier", "fit", v["epochs"] * _batches(_size(v, "n_train"), v["batch_size"]))]
        if notebook == "01":
            return [("mixture", "fit", v["epochs"] * _batches(v["n_samples"], v["batch_size"]))]
        if notebook in ("02", "03", "04", "05", "06", "07", "08", "09"):
            n = _size(v, "n_train")
            per_epoch = _batches(n, v["batch_size"])
        if notebook == "02":
            return [(f"{len(v['latent_dims'])} deep autoencoders", "fit",
                     len(v["latent_dims"]) * v["epochs"] * per_epoch),
                    (f"{min(2, len(v['latent_dims']))} linear autoencoders", "fit",
                     min(2, len(v["latent_dims"])) * v["linear_epochs"]
                     * _batches(n, v["linear_batch_size"]))]
        if notebook == "03":
            return [("dense and conv autoencoders", "fit", 2 * v["epochs"] * per_epoch)]
        if notebook == "04":
            models = 2 + len(v["tradeoff_sigmas"])
            return [(f"{models} (denoising) autoencoders", "fit", models * v["epochs"] * per_epoch)]
        if notebook == "05":
            return [("4 VAEs and an autoencoder", "fit", 5 * v["epochs"] * per_epoch),
                    ("evaluation classifier (once; cached after)", "fit", EVALUATION_CLASSIFIER_STEPS)]
        if notebook == "06":
            return [("VAE on MNIST", "fit", v["epochs"] * per_epoch),
                    (f"VAE and beta-VAE x {len(v['seeds'])} seeds on shapes", "fit",
                     2 * len(v["seeds"]) * v["shape_epochs"] * _batches(v["n_shapes"], v["batch_size"]))]
        if notebook == "07":
            return [("D* check", "eager", v["optimal_d_steps"]),
                    ("1-D and ring GANs", "gan", 25 * (v["toy_epochs"] + v["ring_epochs"])),
                    ("DCGAN", "gan", v["epochs"] * (n // v["batch_size"]))]
        if notebook == "08":
            return [("conditional GAN", "gan", v["cgan_steps"]),
                    ("CycleGAN", "cycle", v["cycle_steps"]),
                    ("growing GAN", "eager", sum(v["grow_steps"]))]
        if notebook == "09":
            normal = math.ceil(n * (10 - len(v["held_out_digits"])) / 10)
            return [("VAE on the normal digits", "fit", v["epochs"] * _batches(normal, v["batch_size"])),
                    ("VAE on the biased set", "fit", v["epochs"] * per_epoch),
                    ("3 classifiers", "fit", 3 * v["classifier_epochs"] * per_epoch)]
        if "diffusion_steps" in v and "flow_steps" in v:  # diffusion and flow matching (10)
            return [("2-D toy networks", "fit", v["toy_steps"]),
                    ("diffusion and flow U-Nets", "gan", v["diffusion_steps"] + v["flow_steps"])]
    except KeyError as err:
        raise ValueError(f"values: notebook {notebook}'s settings lack {err.args[0]!r}") from None
    steps = []
    if "epochs" in v and "batch_size" in v:
        steps.append(("epochs (generic count)", "fit",
                      v["epochs"] * _batches(_size(v, "n_train") if "n_train" in v else FULL_MNIST["n_train"],
                                             v["batch_size"])))
    for key in TRAINING_COUNTS.get(notebook, ()):  # optimisation steps other than epochs
        if key in v and key != "epochs" and not key.endswith("_epochs"):
            value = v[key]
            steps.append((f"{key} (generic count)", "eager",
                          sum(value) if isinstance(value, (tuple, list)) else int(value)))
    return steps


def parse_step_ms(items: list[str] | None) -> dict[str, float]:
    """``["fit=1.5", "gan=3"]`` (milliseconds) as seconds per step kind, over the assumed ones."""
    seconds = dict(ASSUMED_STEP_SECONDS)
    for item in items or []:
        kind, _, ms = str(item).partition("=")
        if kind not in STEP_KINDS:
            raise ValueError(f"--step-ms {item!r}: the kind must be one of {', '.join(STEP_KINDS)}")
        try:
            value = float(ms)
        except ValueError:
            value = -1.0
        if not value > 0:
            raise ValueError(f"--step-ms {item!r}: expected KIND=MILLISECONDS with a positive number")
        seconds[kind] = value / 1000
    return seconds


def estimate(tier: str, notebooks: list[str] | None = None, step_seconds=None,
             notebook_seconds: float = ASSUMED_NOTEBOOK_SECONDS) -> list[dict]:
    """Per notebook: its steps of each kind under ``tier`` and the estimated seconds.

    ``notebooks``: numbers such as ``"05"`` (default: every notebook with settings);
    ``step_seconds``: seconds per step of each kind (default :data:`ASSUMED_STEP_SECONDS`).
    """
    from course_utils.settings import NOTEBOOK_SETTINGS

    tier = validate_tier(tier)
    step_seconds = dict(ASSUMED_STEP_SECONDS if step_seconds is None else step_seconds)
    missing = [k for k in STEP_KINDS if not (isinstance(step_seconds.get(k), (int, float))
                                             and step_seconds[k] > 0)]
    if missing:
        raise ValueError(f"step_seconds: expected a positive number of seconds for each of "
                         f"{', '.join(STEP_KINDS)}; missing or bad: {', '.join(missing)}")
    if isinstance(notebook_seconds, bool) or not isinstance(notebook_seconds, (int, float)) \
            or notebook_seconds < 0:
        raise ValueError(f"notebook_seconds={notebook_seconds!r}: expected a number >= 0")
    numbers = sorted(NOTEBOOK_SETTINGS) if notebooks is None else list(notebooks)
    unknown = [n for n in numbers if n not in NOTEBOOK_SETTINGS]
    if unknown:
        raise ValueError(f"notebooks: {', '.join(map(repr, unknown))} have no settings; expected "
                         f"some of {', '.join(sorted(NOTEBOOK_SETTINGS))}")
    rows = []
    for number in numbers:
        work = training_steps(number, NOTEBOOK_SETTINGS[number][tier])
        steps = {kind: sum(s for _, k, s in work if k == kind) for kind in STEP_KINDS}
        seconds = notebook_seconds + sum(steps[k] * step_seconds[k] for k in STEP_KINDS)
        rows.append({"notebook": number, "work": work, "steps": steps, "seconds": seconds})
    return rows


def print_estimate(tier: str, step_seconds=None, notebooks=None) -> float:
    """Print :func:`estimate`'s table and its assumptions; return the total seconds."""
    step_seconds = ASSUMED_STEP_SECONDS if step_seconds is None else step_seconds
    rows = estimate(tier, notebooks, step_seconds)
    assumed = step_seconds == ASSUMED_STEP_SECONDS
    print(f"ESTIMATE of tier {tier} (nothing was run), full MNIST = 60,000 train / 10,000 test")
    print("time per step, " + ("ASSUMED for one H100-class GPU (not measured)" if assumed
                               else "as given with --step-ms") + ": "
          + ", ".join(f"{k} {1000 * step_seconds[k]:g} ms" for k in STEP_KINDS)
          + f"; plus {ASSUMED_NOTEBOOK_SECONDS:g} s per notebook (assumed)")
    print(f"{'notebook':<9}" + "".join(f"{k + ' steps':>13}" for k in STEP_KINDS) + f"{'est. s':>9}")
    for row in rows:
        print(f"{row['notebook']:<9}" + "".join(f"{row['steps'][k]:>13,}" for k in STEP_KINDS)
              + f"{row['seconds']:>9.0f}")
    total = sum(r["seconds"] for r in rows)
    print(f"{'total':<9}" + "".join(f"{sum(r['steps'][k] for r in rows):>13,}" for k in STEP_KINDS)
          + f"{total:>9.0f}   ({total / 60:.1f} min)")
    return total


def run_dry(path: Path, tier: str, timeout: int = 1800, gpu_memory: bool = False) -> Result:
    """:func:`run_notebook` as a dry run of ``tier``'s code path (``$COURSE_DRY_RUN=1``).

    Every training count is 1 and data sizes are the ci tier's at most, so learned gates may fail:
    checks are recorded (``$COURSE_CHECK_RECORD``) instead of raised, and the notebook fails if a
    cell raises, or if an exact check or an exercise self-check fails.
    """
    import tempfile

    from course_utils.checks import RECORD_ENV_VAR
    from course_utils.settings import DRY_RUN_ENV_VAR

    saved = {k: os.environ.get(k) for k in (DRY_RUN_ENV_VAR, RECORD_ENV_VAR)}
    with tempfile.TemporaryDirectory() as folder:
        record = Path(folder) / "checks.jsonl"
        os.environ[DRY_RUN_ENV_VAR], os.environ[RECORD_ENV_VAR] = "1", str(record)
        try:
            result = run_notebook(path, tier, timeout, gpu_memory=gpu_memory)
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
        checks = ([json.loads(line) for line in record.read_text().splitlines()]
                  if record.exists() else [])
    broken = [c["description"] for c in checks
              if c.get("kind") in ("exact", "exercise") and not c.get("passed")]
    if broken and not result.error:
        result.error = f"{len(broken)} exact check(s) or self-check(s) failed, first: {broken[0]}"
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time each notebook under a tier.")
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="notebooks to run (default: every notebooks/NN_*.ipynb)")
    parser.add_argument("--tier", default="ci", choices=TIERS)
    parser.add_argument("--passes", type=int, default=1,
                        help="run the collection this many times; with 2 (make warm), the first "
                             "fills the trained-weights cache and the second times a live run")
    parser.add_argument("--gpu-memory", action="store_true",
                        help="also report each kernel's peak GPU memory (make test-gpu)")
    parser.add_argument("--timeout", type=int, default=1800, help="seconds allowed per cell")
    parser.add_argument("--dry-run", action="store_true",
                        help="the tier's code path with every training count at 1 and ci-sized data "
                             "(COURSE_DRY_RUN=1); learned gates are recorded, not enforced")
    parser.add_argument("--estimate", choices=TIERS, metavar="TIER",
                        help="run nothing: estimate TIER's time from the step counts (see --step-ms)")
    parser.add_argument("--step-ms", action="append", metavar="KIND=MS",
                        help=f"with --estimate: milliseconds per step of a kind ({', '.join(STEP_KINDS)}) "
                             "instead of the assumed ones; repeatable")
    args = parser.parse_args(argv)
    if args.passes < 1:
        parser.error(f"--passes={args.passes}: expected 1 or more")
    if args.timeout < 1:
        parser.error(f"--timeout={args.timeout}: expected 1 or more seconds")
    if args.estimate:
        try:
            step_seconds = parse_step_ms(args.step_ms)
        except ValueError as err:
            parser.error(str(err))
        numbers = [p.name[:2] for p in args.notebooks] or None
        try:
            print_estimate(args.estimate, step_seconds, numbers)
        except ValueError as err:
            parser.error(str(err))
        return 0
    if args.step_ms:
        parser.error("--step-ms goes with --estimate")
    paths = args.notebooks or sorted(Path("notebooks").glob("[0-9][0-9]_*.ipynb"))
    if not paths:
        parser.error("no notebooks found: give paths, or run from the repository root")
    print(f"tier {args.tier}, backend {configured_backend()}, {os.cpu_count()} CPU cores")
    if args.dry_run:
        print("DRY RUN (COURSE_DRY_RUN=1): every training count 1, data sizes at most the ci tier's; "
              "learned gates recorded, not enforced; exact checks and self-checks enforced")
    failures, passes = 0, []
    for number in range(1, args.passes + 1):
        if args.passes > 1:
            what = ("fills the trained-weights cache" if number == 1
                    else "with the cache warm: what a live run takes")
            print(f"== pass {number} of {args.passes} ({what})")
        gpu_column = f" {'GPU MiB':>8}" if args.gpu_memory else ""
        print(f"{'notebook':<40} {'wall s':>8} {'peak MiB':>9}{gpu_column}  status")
        results = []
        for path in paths:
            if args.dry_run:
                result = run_dry(path, args.tier, args.timeout, gpu_memory=args.gpu_memory)
            elif args.gpu_memory:
                result = run_notebook(path, args.tier, args.timeout, gpu_memory=True)
            else:
                result = run_notebook(path, args.tier, args.timeout)
            results.append(result)
            failures += bool(result.error)
            gpu = ""
            if args.gpu_memory:
                gpu = f" {'-' if result.gpu_peak_mib is None else f'{result.gpu_peak_mib:.0f}':>8}"
            print(f"{result.notebook:<40} {result.seconds:>8.1f} {result.peak_mib:>9.0f}{gpu}  "
                  f"{'FAILED: ' + result.error if result.error else 'ok'}", flush=True)
        if args.gpu_memory:
            seen = sorted({g for r in results for g in r.gpus})
            if args.passes == 1:
                print(f"{'total':<40} {sum(r.seconds for r in results):>8.1f}")
            print(f"GPU seen by the kernels: {', '.join(seen) if seen else 'none'} "
                  "(GPU MiB: the peak allocated by the backend in that kernel; '-': no GPU, "
                  "or the notebook stopped before its end)")
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
