"""The notebooks themselves: stored clean, shaped as STYLE.md asks, student copies in sync and
stopping at their first exercise. (Executing the source notebooks is nbmake's job: make test.)"""

import json
import os
import re
import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from course_utils import exercises
from course_utils.settings import NOTEBOOK_SETTINGS
from notebook_runner import report

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"
SOURCES = exercises.source_notebooks(NOTEBOOK_DIR)
IDS = [p.stem for p in SOURCES]


def test_there_are_notebooks():
    assert [p.name[:2] for p in SOURCES][:2] == ["00", "01"]


@pytest.mark.parametrize("path", SOURCES + [exercises.student_path(p) for p in SOURCES],
                         ids=IDS + [f"student-{i}" for i in IDS])
def test_stored_without_outputs(path):
    nb = json.loads(path.read_text())
    dirty = [i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code"
             and (c.get("outputs") or c.get("execution_count") is not None)]
    assert not dirty, f"{path.name}: cells {dirty} have outputs or execution counts (make student)"


@pytest.mark.parametrize("path", SOURCES, ids=IDS)
def test_notebook_follows_the_course_layout(path):
    nb = nbformat.read(path, as_version=4)
    number = path.name[:2]
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith(f"# {number} ")
    assert "**Slides:**" in nb.cells[0].source, "the opening paragraph names the slides it follows"
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    assert "cu.setup(" in code[0], "the first code cell is the course setup"
    assert any(f'cu.notebook_settings("{number}")' in c for c in code[:4]), "a settings cell near the top"
    assert number in NOTEBOOK_SETTINGS
    assert 2 <= exercises.count_exercises(nb) <= 4, "2 to 4 exercises per notebook"
    assert any("Outcome checks" in c.source for c in nb.cells if c.cell_type == "markdown")
    assert re.search(r"cu\.check", code[-1]) or re.search(r"cu\.check", code[-2]), \
        "the notebook ends with outcome checks"
    all_code = "\n".join(code)
    assert not re.search(r"\bimport tensorflow\b|\btf\.", all_code), "backend-neutral: no tf.*"
    assert "/work/" not in json.dumps(nb) and "/home/" not in json.dumps(nb), "no absolute paths"


@pytest.mark.parametrize("path", SOURCES, ids=IDS)
def test_hints_nudge_and_never_give_code(path):
    nb = nbformat.read(path, as_version=4)
    leaks = [(r.number, r.hint, exercises.hint_gives_code(r.hint, r.solution))
             for r in exercises.solution_regions(nb)]
    leaks = [f"exercise {n}: {leak!r} in hint {hint!r}" for n, hint, leak in leaks if leak]
    assert not leaks, "hints name the idea or a function to look up, never code:\n" + "\n".join(leaks)


@pytest.mark.parametrize("path", SOURCES, ids=IDS)
def test_first_exercise_comes_before_the_first_training(path):
    nb = nbformat.read(path, as_version=4)
    first = exercises.first_exercise_cell(nb)
    training = [i for i, c in enumerate(nb.cells[:first]) if c.cell_type == "code"
                and re.search(r"\.fit\(|load_or_train\(|train_gan\(|for step in range", c.source)]
    assert not training, f"cells {training} train before the first exercise (cell {first})"


def test_student_copies_are_in_sync():
    assert exercises.out_of_sync(NOTEBOOK_DIR) == [], "run: make student"


@pytest.mark.parametrize("source", SOURCES, ids=IDS)
def test_student_copy_stops_at_its_first_exercise(source):
    student = nbformat.read(exercises.student_path(source), as_version=4)
    first = exercises.first_exercise_cell(nbformat.read(source, as_version=4)) + 1  # + header cell
    env_tier = os.environ.setdefault("COURSE_TIER", "ci")
    assert env_tier == "ci"
    started = time.perf_counter()
    with pytest.raises(CellExecutionError) as raised:
        NotebookClient(student, timeout=600, kernel_name="python3",
                       resources={"metadata": {"path": str(NOTEBOOK_DIR)}}).execute()
    report("time to the first exercise (student copy, ci tier, kernel start included)",
           f"{source.name[:2]}: {time.perf_counter() - started:.1f} s")
    assert raised.value.ename == "NotImplementedError"
    assert "Exercise 1:" in raised.value.evalue
    failed = [i for i, c in enumerate(student.cells) if c.cell_type == "code"
              and any(o.get("output_type") == "error" for o in c.outputs)]
    assert len(failed) == 1
    next_code = min(i for i, c in enumerate(student.cells) if i > first and c.cell_type == "code")
    assert failed[0] in (first, next_code), \
        f"stopped at cell {failed[0]}, but the first exercise is cell {first} (its check: {next_code})"
    ran = [i for i, c in enumerate(student.cells[:failed[0]]) if c.cell_type == "code"]
    assert all(student.cells[i].execution_count is not None for i in ran), "every earlier cell ran"
