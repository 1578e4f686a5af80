"""Every exercise's self-check, as the student copy runs it (stored values, no reference code),
accepts the solution and rejects wrong answers: the usual mistakes, and mutants nobody listed.

For each exercise of each source notebook:

- the solution passes its student-copy check;
- each listed wrong answer (``tests/mutations/nbNN.py``: code in place of the solution, and a
  piece of the message it must get) fails with that message in its diagnosis;
- each mutant generated from the solution (``tests/mutants.py``: a swapped operator, a changed
  constant or axis, a dropped term, swapped arguments) is rejected: its check fails or it
  raises. A mutant that passes must be *equivalent*: the same outputs as the solution on random
  inputs (``RANDOM_CALLS`` in the mutations file, an expression of ``rng``). The kill rate is
  printed per notebook, with each equivalent mutant.

Only what an exercise needs runs, in this process (``course_utils.exercises.exercise_runs``).
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import numpy as np
import pytest

from course_utils import exercises
from course_utils.checks import CheckFailed, _to_array
from mutants import mutants
from notebook_runner import report, run_cell

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"
MUTATION_DIR = Path(__file__).resolve().parent / "mutations"
SOURCES = exercises.source_notebooks(NOTEBOOK_DIR)
IDS = [p.stem for p in SOURCES]
MIN_WRONG_ANSWERS = 2
SEEDS = (0, 1, 2)


def load_mutations(number: str):
    path = MUTATION_DIR / f"nb{number}.py"
    assert path.exists(), f"{path.name} is missing: write the wrong answers to notebook {number}'s exercises"
    spec = importlib.util.spec_from_file_location(f"mutations_nb{number}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _attempt(exercise_source, region, code, check_source, namespace, where):
    """Run the exercise cell with ``code`` in the region, then the student check: None if it
    passed, else the CheckFailed or the exception it raised."""
    trial = dict(namespace)
    try:
        run_cell(exercises.replace_region(exercise_source, region.index_in_cell, code), trial, where)
        run_cell(check_source, trial, where + " (check)")
    except Exception as error:  # noqa: BLE001
        return error
    return None


def _outputs(exercise_source, region, code, call, namespace, where):
    """What ``call`` (an expression of rng) gives with ``code`` in the region, for each seed."""
    trial = dict(namespace)
    run_cell(exercises.replace_region(exercise_source, region.index_in_cell, code), trial, where)
    results = []
    for seed in SEEDS:
        trial["rng"] = np.random.default_rng(seed)
        try:
            results.append(_to_array(eval(call, trial), "call"))  # noqa: S307
        except Exception as error:  # noqa: BLE001
            results.append(repr(type(error)))
    return results


@pytest.mark.parametrize("source", SOURCES, ids=IDS)
def test_self_checks_reject_wrong_answers(source, monkeypatch):
    for name in ("COURSE_CHECK_RECORD", "COURSE_UNTRAINED"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COURSE_TIER", "ci")
    monkeypatch.chdir(NOTEBOOK_DIR)
    number = source.name[:2]
    module = load_mutations(number)
    listed, random_calls = module.MUTATIONS, getattr(module, "RANDOM_CALLS", {})
    regions = exercises.solution_regions(__import__("nbformat").read(source, as_version=4))
    assert sorted(listed) == [r.number for r in regions], \
        f"nb{number}.py must list wrong answers for exactly exercises {[r.number for r in regions]}"
    problems, rejected, killed, generated, equivalent = [], 0, 0, 0, []
    for region, exercise_source, check_source, namespace in exercises.exercise_runs(source):
        where = f"{source.name}, exercise {region.number}"
        student = exercises.student_check(check_source, where)
        assert "BEGIN HIDDEN" not in student and len(listed[region.number]) >= MIN_WRONG_ANSWERS
        error = _attempt(exercise_source, region, region.solution, student, namespace, where)
        if error is not None:
            problems.append(f"exercise {region.number}: the solution fails its student check: "
                            f"{type(error).__name__}: {error}")
            continue
        for k, (wrong, message) in enumerate(listed[region.number], start=1):
            error = _attempt(exercise_source, region, wrong, student, namespace, f"{where}, wrong answer {k}")
            if isinstance(error, CheckFailed) and message in error.detail:
                rejected += 1
            elif isinstance(error, CheckFailed):
                problems.append(f"exercise {region.number}, wrong answer {k}: rejected, but not with "
                                f"{message!r}: {error}")
            elif error is None:
                problems.append(f"exercise {region.number}, wrong answer {k}: accepted")
            else:
                problems.append(f"exercise {region.number}, wrong answer {k}: crashed instead of a "
                                f"diagnosis: {type(error).__name__}: {error}")
        for mutant in mutants(region.solution):
            generated += 1
            error = _attempt(exercise_source, region, mutant.code, student, namespace,
                             f"{where}, mutant {mutant.kind}")
            if error is not None:
                killed += 1
                continue
            call = random_calls.get(region.number)
            label = f"exercise {region.number}: {mutant.kind} mutant at {mutant.where!r}"
            if call is None:
                problems.append(f"{label} passes the check (and nb{number}.py has no RANDOM_CALLS "
                                f"entry to show it equivalent):\n{mutant.code}")
                continue
            call, rtol, atol = call if isinstance(call, tuple) else (call, 1e-5, 1e-7)
            ours = _outputs(exercise_source, region, region.solution, call, namespace, where)
            theirs = _outputs(exercise_source, region, mutant.code, call, namespace, where)
            same = all(isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.shape
                       and np.allclose(a, b, rtol=rtol, atol=atol) for a, b in zip(ours, theirs))
            if same:
                equivalent.append(label)
            else:
                problems.append(f"{label} passes the check but differs on random inputs:\n{mutant.code}")
    report("exercise self-checks against wrong answers (student copy, stored values)",
           f"{number}: {len(regions)} exercises; listed mistakes {rejected} of "
           f"{sum(len(v) for v in listed.values())} rejected with their diagnosis; generated mutants "
           f"{killed} of {generated} rejected ({100 * killed / max(generated, 1):.0f}%), "
           f"{len(equivalent)} shown equivalent" + "".join(f"\n      equivalent: {e}" for e in equivalent))
    assert not problems, "\n".join(problems)
