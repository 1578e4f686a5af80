"""Notebook timing (course_utils.benchmark).

Three tests start a real Jupyter kernel (a few seconds each); the rest replace
``NotebookClient`` by a stand-in.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import nbformat
import numpy as np
import pytest
from nbclient.exceptions import CellExecutionError, CellTimeoutError
from nbformat.v4 import new_code_cell, new_notebook

from course_utils import benchmark
from course_utils.benchmark import Result, main, run_notebook
from course_utils.settings import NOTEBOOK_SETTINGS

pytestmark = pytest.mark.usefixtures("hermetic")

TIER_CELL = ('import os\n'
             'print(os.environ["COURSE_TIER"])\n'
             'with open("kernel_saw_tier.txt", "w") as f:  # relative: the notebook\'s folder\n'
             '    f.write(os.environ["COURSE_TIER"])')
ERROR_CELL = 'x = 1\nraise ValueError("boom in the notebook")'


def _write_notebook(path: Path, *sources: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(new_notebook(cells=[new_code_cell(s) for s in sources]), path)
    return path


@pytest.fixture(scope="module")
def error_result(tmp_path_factory):
    """One real kernel run of a notebook whose cell raises."""
    path = _write_notebook(tmp_path_factory.mktemp("error") / "02_broken.ipynb", ERROR_CELL)
    return run_notebook(path, "ci", timeout=120)


class FakeClient:
    """Stands in for nbclient.NotebookClient: records what it was given, runs nothing."""

    seen: list = []
    raises: BaseException | None = None

    def __init__(self, nb, timeout, kernel_name, resources):
        self.nb, self.timeout, self.kernel_name, self.resources = nb, timeout, kernel_name, resources

    def execute(self):
        FakeClient.seen.append({"tier": os.environ.get("COURSE_TIER"), "timeout": self.timeout,
                                "kernel": self.kernel_name, "path": self.resources["metadata"]["path"],
                                "cells": len(self.nb.cells)})
        if FakeClient.raises is not None:
            raise FakeClient.raises


@pytest.fixture
def fake_client(monkeypatch):
    FakeClient.seen, FakeClient.raises = [], None
    monkeypatch.setattr(benchmark, "NotebookClient", FakeClient)
    return FakeClient


# ---------------------------------------------------------------- real kernels


@pytest.mark.timeout(180)
def test_run_notebook_in_a_real_kernel(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_TIER", "gpu")  # what the caller had before
    path = _write_notebook(tmp_path / "01_tiny.ipynb", TIER_CELL)
    result = run_notebook(path, "laptop", timeout=120)
    assert isinstance(result, Result)
    assert result.notebook == "01_tiny.ipynb"
    assert result.error == ""
    assert result.seconds > 0
    assert result.peak_mib > 1  # a Python kernel takes tens of MiB
    # The kernel ran in the notebook's folder and saw the tier it was given...
    assert (tmp_path / "kernel_saw_tier.txt").read_text() == "laptop"
    # ...and the caller's own setting is back.
    assert os.environ["COURSE_TIER"] == "gpu"


@pytest.mark.timeout(180)
def test_run_notebook_reports_a_cell_error(error_result):
    assert error_result.notebook == "02_broken.ipynb"
    assert "ValueError" in error_result.error
    assert "boom in the notebook" in error_result.error
    assert error_result.seconds > 0 and error_result.peak_mib > 1


def test_run_notebook_error_is_plain_text(error_result):
    assert not re.search(r"\x1b\[[0-9;]*m", error_result.error), repr(error_result.error)
    assert error_result.error == "ValueError: boom in the notebook"


@pytest.mark.timeout(180)
def test_main_prints_a_table_row(tmp_path, capsys):
    path = _write_notebook(tmp_path / "05_tiny.ipynb", TIER_CELL)
    assert main(["--tier", "ci", str(path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("tier ci, backend ") and "CPU cores" in out[0]
    assert out[1].split() == ["notebook", "wall", "s", "peak", "MiB", "status"]
    row = out[2].split()
    assert row[0] == "05_tiny.ipynb" and row[-1] == "ok"
    assert float(row[1]) > 0 and float(row[2]) > 0
    assert (tmp_path / "kernel_saw_tier.txt").read_text() == "ci"


# ---------------------------------------------------------------- with a stand-in client


def test_run_notebook_sets_and_restores_the_tier(tmp_path, fake_client, monkeypatch):
    path = _write_notebook(tmp_path / "01_a.ipynb", "x = 1", "y = 2")
    monkeypatch.setenv("COURSE_TIER", "laptop")
    result = run_notebook(path, "gpu", timeout=33)
    assert fake_client.seen == [{"tier": "gpu", "timeout": 33, "kernel": "python3",
                                 "path": str(tmp_path), "cells": 2}]
    assert os.environ["COURSE_TIER"] == "laptop"
    assert result.error == "" and result.notebook == "01_a.ipynb" and result.seconds >= 0

    monkeypatch.delenv("COURSE_TIER")
    run_notebook(str(path), "ci")  # a str path works too
    assert fake_client.seen[-1]["tier"] == "ci"
    assert "COURSE_TIER" not in os.environ


def test_run_notebook_keeps_the_last_line_of_a_cell_error(tmp_path, fake_client):
    path = _write_notebook(tmp_path / "01_a.ipynb", "x = 1")
    fake_client.raises = CellExecutionError("Traceback:\n  line 1\nKeyError: 'epochs'\n",
                                            "KeyError", "'epochs'")
    assert run_notebook(path, "ci").error == "KeyError: 'epochs'"


def test_run_notebook_restores_the_tier_when_the_client_fails(tmp_path, fake_client, monkeypatch):
    path = _write_notebook(tmp_path / "01_a.ipynb", "x = 1")
    monkeypatch.setenv("COURSE_TIER", "laptop")
    fake_client.raises = RuntimeError("Kernel died before replying to kernel_info")
    with pytest.raises(RuntimeError, match="Kernel died"):
        run_notebook(path, "ci")
    assert os.environ["COURSE_TIER"] == "laptop"


def test_run_notebook_reports_a_timeout_as_an_error(tmp_path, fake_client):
    path = _write_notebook(tmp_path / "01_slow.ipynb", "import time; time.sleep(1000)")
    fake_client.raises = CellTimeoutError("A cell timed out while it was being executed, "
                                          "after 1 seconds.")
    result = run_notebook(path, "ci", timeout=1)
    assert "timed out" in result.error


@pytest.mark.parametrize("tier", ["fast", "c i", "", None])
def test_run_notebook_bad_tier(tmp_path, tier):
    path = _write_notebook(tmp_path / "01_a.ipynb", "x = 1")
    with pytest.raises(ValueError, match=r"tier=.* is not a tier; expected one of ci, laptop, gpu"):
        run_notebook(path, tier)


def test_run_notebook_missing_path(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"path=.*nope.ipynb' is not a notebook file"):
        run_notebook(tmp_path / "nope.ipynb", "ci")
    with pytest.raises(FileNotFoundError, match=r"path=.* is not a notebook file"):
        run_notebook(tmp_path, "ci")  # a folder is not a notebook


def test_main_counts_failures(tmp_path, fake_client, capsys, monkeypatch):
    good = _write_notebook(tmp_path / "01_good.ipynb", "x = 1")
    bad = _write_notebook(tmp_path / "02_bad.ipynb", "x = 2")
    calls = []
    real_run = benchmark.run_notebook

    def run(path, tier, timeout=1800):
        calls.append((Path(path).name, tier))
        fake_client.raises = (CellExecutionError("tb\nZeroDivisionError: division by zero", "", "")
                              if Path(path).name == "02_bad.ipynb" else None)
        return real_run(path, tier, timeout)

    monkeypatch.setattr(benchmark, "run_notebook", run)
    assert main(["--tier", "laptop", str(good), str(bad)]) == 1
    assert calls == [("01_good.ipynb", "laptop"), ("02_bad.ipynb", "laptop")]
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("tier laptop, backend ")
    assert out[2].split()[0] == "01_good.ipynb" and out[2].endswith("ok")
    assert out[3].split()[0] == "02_bad.ipynb"
    assert out[3].endswith("FAILED: ZeroDivisionError: division by zero")


def test_main_default_is_every_source_notebook(tmp_path, fake_client, capsys, monkeypatch):
    _write_notebook(tmp_path / "notebooks" / "02_b.ipynb", "x = 1")
    _write_notebook(tmp_path / "notebooks" / "01_a.ipynb", "x = 1")
    _write_notebook(tmp_path / "notebooks" / "scratch.ipynb", "x = 1")
    monkeypatch.chdir(tmp_path)
    assert main([]) == 0
    rows = capsys.readouterr().out.splitlines()[2:]
    assert [row.split()[0] for row in rows] == ["01_a.ipynb", "02_b.ipynb"]
    assert all(seen["tier"] == "ci" for seen in fake_client.seen)  # the default tier


def test_main_without_notebooks_is_a_usage_error(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exit_info:
        main([])
    assert exit_info.value.code == 2
    assert "no notebooks found" in capsys.readouterr().err


def test_main_rejects_an_unknown_tier(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--tier", "fast", "x.ipynb"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'fast'" in capsys.readouterr().err


def test_main_with_two_passes_times_the_warm_run(tmp_path, fake_client, capsys, monkeypatch):
    """make warm: the first pass fills the cache, the second is the live run it reports."""
    first = _write_notebook(tmp_path / "01_a.ipynb", "x = 1")
    second = _write_notebook(tmp_path / "02_b.ipynb", "x = 2")
    seconds = iter([30.0, 40.0, 3.0, 4.0])  # cold, cold, warm, warm
    monkeypatch.setattr(benchmark, "run_notebook",
                        lambda path, tier, timeout=1800: Result(Path(path).name, next(seconds), 1.0))
    assert main(["--tier", "laptop", "--passes", "2", str(first), str(second)]) == 0
    out = capsys.readouterr().out
    assert "== pass 1 of 2 (fills the trained-weights cache)" in out
    assert "== pass 2 of 2 (with the cache warm: what a live run takes)" in out
    summary = out.split("with the cache warm (pass 2)")[1].splitlines()
    assert summary[1].split() == ["01_a.ipynb", "3.0", "(first", "pass", "30.0)"]
    assert summary[-1].split()[:3] == ["all", "notebooks", "7.0"]


def test_main_rejects_zero_passes(tmp_path, fake_client):
    with pytest.raises(SystemExit):
        main(["--passes", "0", str(_write_notebook(tmp_path / "01_a.ipynb", "x = 1"))])


# ---------------------------------------------------------------- peak GPU memory, dry run


def test_run_notebook_with_gpu_memory_appends_a_reading_cell(tmp_path, fake_client):
    path = _write_notebook(tmp_path / "01_a.ipynb", "x = 1", "y = 2")
    result = run_notebook(path, "ci", gpu_memory=True)
    assert fake_client.seen[-1]["cells"] == 3  # the notebook's two and the reading
    assert result.gpu_peak_mib is None and result.gpus == ()  # the stand-in ran nothing
    assert len(nbformat.read(path, as_version=4).cells) == 2  # the file is untouched


def test_gpu_memory_report_reads_the_marker_line():
    nb = new_notebook(cells=[new_code_cell(benchmark.GPU_MEMORY_CELL)])
    nb.cells[-1].outputs = [{"output_type": "stream", "name": "stdout", "text":
                             'noise\nCOURSE_GPU_MEMORY={"peak_bytes": 3145728, "gpus": ["NVIDIA H100"]}\n'}]
    assert benchmark._gpu_memory_report(nb) == (3.0, ("NVIDIA H100",))
    nb.cells[-1].outputs = [{"output_type": "stream", "name": "stdout",
                             "text": 'COURSE_GPU_MEMORY={"peak_bytes": null, "gpus": []}\n'}]
    assert benchmark._gpu_memory_report(nb) == (None, ())
    nb.cells[-1].outputs = []  # the cell never ran: the notebook stopped earlier
    assert benchmark._gpu_memory_report(nb) == (None, ())


@pytest.mark.parametrize("gpu_memory", ["yes", 1, None])
def test_run_notebook_gpu_memory_must_be_a_bool(tmp_path, gpu_memory):
    path = _write_notebook(tmp_path / "01_a.ipynb", "x = 1")
    with pytest.raises(TypeError, match=r"gpu_memory=.*expected True or False"):
        run_notebook(path, "ci", gpu_memory=gpu_memory)


@pytest.mark.timeout(180)
def test_gpu_memory_cell_runs_in_a_real_kernel(tmp_path):
    path = _write_notebook(tmp_path / "01_tiny.ipynb", "x = 1")
    result = run_notebook(path, "ci", timeout=120, gpu_memory=True)
    assert result.error == ""
    has_gpu = os.path.exists("/dev/nvidia0")
    assert (result.gpu_peak_mib is not None) == has_gpu and bool(result.gpus) == has_gpu


class RecordingClient(FakeClient):
    """A stand-in that records two checks the way course_utils.checks does under a dry run."""

    exact_passes = True

    def execute(self):
        super().execute()
        FakeClient.seen[-1]["dry"] = os.environ.get("COURSE_DRY_RUN")
        with open(os.environ["COURSE_CHECK_RECORD"], "a") as f:
            f.write('{"description": "learned gate", "kind": "learned", "passed": false, "detail": ""}\n')
            f.write(f'{{"description": "an identity", "kind": "exact", '
                    f'"passed": {str(RecordingClient.exact_passes).lower()}, "detail": ""}}\n')


@pytest.mark.parametrize("exact_passes", [True, False])
def test_run_dry_enforces_exact_checks_only(tmp_path, fake_client, monkeypatch, exact_passes):
    monkeypatch.setattr(benchmark, "NotebookClient", RecordingClient)
    monkeypatch.setattr(RecordingClient, "exact_passes", exact_passes)
    path = _write_notebook(tmp_path / "07_a.ipynb", "x = 1")
    result = benchmark.run_dry(path, "gpu")
    assert fake_client.seen[-1]["dry"] == "1" and fake_client.seen[-1]["tier"] == "gpu"
    assert "COURSE_DRY_RUN" not in os.environ and "COURSE_CHECK_RECORD" not in os.environ
    if exact_passes:
        assert result.error == ""  # a failed learned gate is expected after one step
    else:
        assert result.error == "1 exact check(s) or self-check(s) failed, first: an identity"


def test_main_dry_run_with_gpu_memory_prints_the_columns(tmp_path, fake_client, capsys, monkeypatch):
    monkeypatch.setattr(benchmark, "NotebookClient", RecordingClient)
    path = _write_notebook(tmp_path / "03_a.ipynb", "x = 1")
    assert main(["--tier", "gpu", "--dry-run", "--gpu-memory", str(path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1].startswith("DRY RUN (COURSE_DRY_RUN=1)")
    assert out[2].split() == ["notebook", "wall", "s", "peak", "MiB", "GPU", "MiB", "status"]
    row = out[3].split()
    assert row[0] == "03_a.ipynb" and row[3] == "-" and row[-1] == "ok"
    assert out[4].split()[0] == "total"
    assert out[5].startswith("GPU seen by the kernels: none")


# ---------------------------------------------------------------- the estimate


def test_training_steps_counts_each_model():
    gpu = NOTEBOOK_SETTINGS["02"]["gpu"]
    per_epoch = -(-60_000 // gpu["batch_size"])  # full MNIST, the last batch partial
    work = benchmark.training_steps("02", gpu)
    assert work[0] == (f"{len(gpu['latent_dims'])} deep autoencoders", "fit",
                       len(gpu["latent_dims"]) * gpu["epochs"] * per_epoch)
    ci = NOTEBOOK_SETTINGS["07"]["ci"]
    dcgan = [w for w in benchmark.training_steps("07", ci) if w[0] == "DCGAN"][0]
    assert dcgan == ("DCGAN", "gan", ci["epochs"] * (ci["n_train"] // ci["batch_size"]))
    ci = NOTEBOOK_SETTINGS["08"]["ci"]
    assert benchmark.training_steps("08", ci)[2] == ("growing GAN", "eager", sum(ci["grow_steps"]))


def test_training_steps_generic_rule_for_other_notebooks(monkeypatch):
    from course_utils import settings

    monkeypatch.setitem(settings.TRAINING_COUNTS, "42", ("epochs", "search_steps", "grow_steps"))
    work = benchmark.training_steps("42", {"epochs": 3, "batch_size": 100, "n_train": 1000,
                                           "search_steps": 7, "grow_steps": (1, 2), "sample_steps": 9})
    assert work == [("epochs (generic count)", "fit", 30), ("search_steps (generic count)", "eager", 7),
                    ("grow_steps (generic count)", "eager", 3)]


@pytest.mark.parametrize("notebook", ["7", "xx", 7, None])
def test_training_steps_bad_notebook_names_the_argument(notebook):
    with pytest.raises(ValueError, match=r"notebook=.*two-digit notebook number"):
        benchmark.training_steps(notebook, {})


def test_training_steps_bad_values_name_the_argument():
    with pytest.raises(TypeError, match=r"values: expected a notebook's settings"):
        benchmark.training_steps("02", [1, 2])
    with pytest.raises(ValueError, match=r"values: notebook 03's settings lack 'epochs'"):
        benchmark.training_steps("03", {"n_train": None, "batch_size": 10})


def test_estimate_adds_steps_times_seconds_and_the_fixed_cost():
    seconds = {"fit": 0.001, "gan": 0.01, "cycle": 0.1, "eager": 1.0}
    [row] = benchmark.estimate("ci", ["08"], seconds, notebook_seconds=5)
    ci = NOTEBOOK_SETTINGS["08"]["ci"]
    assert row["steps"] == {"fit": 0, "gan": ci["cgan_steps"], "cycle": ci["cycle_steps"],
                            "eager": sum(ci["grow_steps"])}
    assert row["seconds"] == pytest.approx(5 + 0.01 * ci["cgan_steps"] + 0.1 * ci["cycle_steps"]
                                           + sum(ci["grow_steps"]))


def test_the_gpu_tier_is_estimated_within_15_minutes():
    rows = benchmark.estimate("gpu")
    assert [r["notebook"] for r in rows] == sorted(NOTEBOOK_SETTINGS)
    assert sum(r["seconds"] for r in rows) <= 15 * 60


def test_estimate_bad_arguments_name_them():
    with pytest.raises(ValueError, match=r"tier='fast' is not a tier"):
        benchmark.estimate("fast")
    with pytest.raises(ValueError, match=r"notebooks: '99' have no settings"):
        benchmark.estimate("gpu", ["99"])
    with pytest.raises(ValueError, match=r"step_seconds: .*missing or bad: gan"):
        benchmark.estimate("gpu", step_seconds={"fit": 1, "gan": 0, "cycle": 1, "eager": 1})
    with pytest.raises(ValueError, match=r"notebook_seconds=-1"):
        benchmark.estimate("gpu", notebook_seconds=-1)


def test_parse_step_ms():
    assert benchmark.parse_step_ms(None) == benchmark.ASSUMED_STEP_SECONDS
    assert benchmark.parse_step_ms(["fit=1.5"])["fit"] == pytest.approx(0.0015)
    for bad in ["fit", "fit=0", "fit=x", "jit=2"]:
        with pytest.raises(ValueError, match=r"--step-ms"):
            benchmark.parse_step_ms([bad])


def test_main_estimate_says_it_is_an_assumption(capsys, fake_client):
    assert main(["--estimate", "gpu"]) == 0
    out = capsys.readouterr().out
    assert "ESTIMATE of tier gpu (nothing was run)" in out
    assert "ASSUMED for one H100-class GPU (not measured)" in out
    assert out.splitlines()[-1].startswith("total")
    assert fake_client.seen == []  # nothing executed
    assert main(["--estimate", "gpu", "--step-ms", "fit=1"]) == 0
    assert "as given with --step-ms" in capsys.readouterr().out


def test_main_estimate_rejects_bad_step_ms(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--estimate", "gpu", "--step-ms", "fit=-1"])
    assert exit_info.value.code == 2 and "--step-ms" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["--step-ms", "fit=1", "x.ipynb"])  # without --estimate


def test_training_steps_of_the_diffusion_notebook_are_compiled_steps():
    values = {"toy_steps": 100, "diffusion_steps": 30, "flow_steps": 20, "batch_size": 64}
    assert benchmark.training_steps("10", values) == [("2-D toy networks", "fit", 100),
                                                       ("diffusion and flow U-Nets", "gan", 50)]


@pytest.mark.parametrize("argv", [["--repeats", "0"], ["--steps", "0"], ["--batch-size", "-1"]])
def test_benchmark_steps_rejects_bad_counts(argv, capsys):
    from course_utils import benchmark_steps

    with pytest.raises(SystemExit):
        benchmark_steps.main(argv)
    assert "must be positive whole numbers" in capsys.readouterr().err


def test_benchmark_steps_runs_the_loop_compiled_and_eager_and_keras_fit():
    """A smoke test of the step benchmark (it times, so it asserts only that each column runs and
    gives a rate): 2 epochs of 2 batches each."""
    from course_utils import benchmark_steps
    from course_utils.backend import configured_backend

    images = np.random.default_rng(0).uniform(size=(16, 28, 28, 1)).astype("float32")
    rates = [benchmark_steps.time_train_gan(images, 8, 4, compile_step=flag) for flag in (True, False)]
    if configured_backend() != "jax":
        rates.append(benchmark_steps.time_keras_fit(images, 8, 4))
    assert all(np.isfinite(rate) and rate > 0 for rate in rates), rates
