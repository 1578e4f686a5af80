"""Every exercise's self-check catches the usual mistakes.

For each exercise of each source notebook, ``tests/mutations/nbNN.py`` lists typical wrong
answers, each with a piece of the message its self-check must give. Here each wrong answer
replaces the solution; the self-check (the code cell right after the exercise's cell) must then
fail with that message in its diagnosis (the detail after the description, so a word of the
description does not count), and with the real solution it must pass. Only what the exercise needs
runs, in this process: the notebook's first code cell, the cells tagged ``exercise-setup``, and
the exercise cells before it (with their solutions).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import nbformat
import pytest

from course_utils import exercises
from course_utils.checks import CheckFailed
from notebook_runner import report, run_cell

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"
MUTATION_DIR = Path(__file__).resolve().parent / "mutations"
SOURCES = exercises.source_notebooks(NOTEBOOK_DIR)
IDS = [p.stem for p in SOURCES]
SETUP_TAG = "exercise-setup"
MIN_WRONG_ANSWERS = 2


def load_mutations(number: str) -> dict:
    path = MUTATION_DIR / f"nb{number}.py"
    assert path.exists(), f"{path.name} is missing: write the wrong answers to notebook {number}'s exercises"
    spec = importlib.util.spec_from_file_location(f"mutations_nb{number}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.MUTATIONS


def _tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


@pytest.mark.parametrize("source", SOURCES, ids=IDS)
def test_self_checks_reject_typical_wrong_answers(source, monkeypatch):
    for name in ("COURSE_CHECK_RECORD", "COURSE_UNTRAINED"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COURSE_TIER", "ci")
    monkeypatch.chdir(NOTEBOOK_DIR)
    number = source.name[:2]
    nb = nbformat.read(source, as_version=4)
    regions = exercises.solution_regions(nb)
    mutations = load_mutations(number)
    assert sorted(mutations) == [r.number for r in regions], \
        f"nb{number}.py must list wrong answers for exactly exercises {[r.number for r in regions]}"
    for r in regions:
        assert len(mutations[r.number]) >= MIN_WRONG_ANSWERS, \
            f"exercise {r.number}: at least {MIN_WRONG_ANSWERS} wrong answers"

    code_cells = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    by_cell: dict[int, list] = {}
    for r in regions:
        by_cell.setdefault(r.cell, []).append(r)
    namespace: dict = {}
    problems, rejected = [], 0
    for i in code_cells:
        cell = nb.cells[i]
        where = f"{source.name}, cell {i}"
        if i == code_cells[0] or SETUP_TAG in _tags(cell):
            run_cell(cell.source, namespace, where)
        if i not in by_cell:
            continue
        later = [j for j in code_cells if j > i]
        assert later, f"{where}: an exercise needs a self-check cell after it"
        check_source = nb.cells[later[0]].source
        for r in by_cell[i]:
            trial = dict(namespace)
            try:
                run_cell(cell.source, trial, where)
                run_cell(check_source, trial, f"{source.name}, cell {later[0]}")
            except Exception as error:  # noqa: BLE001
                problems.append(f"exercise {r.number}: the real solution fails its self-check: "
                                f"{type(error).__name__}: {error}")
            for k, (wrong, message) in enumerate(mutations[r.number], start=1):
                trial = dict(namespace)
                try:
                    run_cell(exercises.replace_region(cell.source, r.index_in_cell, wrong), trial,
                             f"{where} (exercise {r.number}, wrong answer {k})")
                    run_cell(check_source, trial, f"{source.name}, cell {later[0]}")
                except CheckFailed as failure:
                    if message in failure.detail:
                        rejected += 1
                    else:
                        problems.append(f"exercise {r.number}, wrong answer {k}: rejected, but "
                                        f"not with {message!r}: {failure}")
                except Exception as error:  # noqa: BLE001
                    problems.append(f"exercise {r.number}, wrong answer {k}: crashed instead of a "
                                    f"diagnosis: {type(error).__name__}: {error}")
                else:
                    problems.append(f"exercise {r.number}, wrong answer {k}: accepted by the self-check")
        run_cell(cell.source, namespace, where)  # later exercises may build on this one
    report("exercise self-checks against wrong answers",
           f"{number}: {len(regions)} exercises, {rejected} of "
           f"{sum(len(mutations[r.number]) for r in regions)} wrong answers rejected with their diagnosis")
    assert not problems, "\n".join(problems)
