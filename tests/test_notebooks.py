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


def _values(namespace, names):
    """The numeric values among ``namespace[name]`` (arrays, tensors, numbers, lists of them)."""
    import numpy as np
    from course_utils.checks import _to_array
    found = {}
    for name in names:
        value = namespace[name]
        if callable(value) or isinstance(value, (str, bytes, dict, type(None))):
            continue
        try:
            array = _to_array(value, name)
        except Exception:  # noqa: BLE001 - not numeric
            continue
        if array.size and np.isfinite(array).any():
            found[name] = array
    return found


@pytest.mark.parametrize("source", SOURCES, ids=IDS)
def test_student_copy_holds_no_answer(source, monkeypatch):
    """No cell of a student copy computes what its self-check expects, and no diagnosis, hint or
    description of a check is in its text.

    Beyond the text: each exercise's student-copy check cell runs statement by statement with the
    exercise left as a stub (NotImplementedError), and no value it makes equals the stored
    expected values (of the current backend). Then the stored messages, hints and descriptions
    are looked for in the copy's text.
    """
    import ast

    from course_utils.checks import _same

    monkeypatch.setenv("COURSE_TIER", "ci")
    monkeypatch.chdir(NOTEBOOK_DIR)
    number = source.name[:2]
    leaks = []
    for region, exercise, check, namespace in exercises.exercise_runs(source):
        keys = [k for k, _ in exercises.check_calls(check)
                if k.split(".")[1].rstrip("abcdefgh") == str(region.number)]
        stored = {k: exercises.stored_check(k) for k in keys}
        trial = dict(namespace)
        stub = exercises.replace_region(exercise, region.index_in_cell, "raise NotImplementedError")
        exec(compile(stub, "exercise", "exec"), trial)  # noqa: S102
        before = set(trial)
        for statement in ast.parse(exercises.student_check(check)).body:
            try:
                exec(compile(ast.Module([statement], []), "check", "exec"), trial)  # noqa: S102
            except Exception:  # noqa: BLE001 - the stub raises, and what depends on it
                pass
        made = _values(trial, [n for n in trial if n not in before or n in ("expected",)])
        for key, ref in stored.items():
            if ref["expected"].size == 1 and ref["expected"].item() in (0.0, 1.0):
                continue  # a yes/no check: 0 and 1 are everywhere
            for name, value in made.items():
                if _same(value, ref["expected"], ref["rtol"], ref["atol"]):
                    leaks.append(f"{key}: the check cell's {name!r} holds the expected values")
    text = exercises.student_path(source).read_text()
    data = exercises.read_data(number)["data"]
    secrets = [h for hints in data["hints"].values() for h in hints]
    for check in data["checks"].values():
        secrets += check["messages"] + [check["description"]]
    for secret in secrets:
        probe = json.dumps(secret)[1:-1][:60]  # as the notebook's JSON writes it
        if len(secret) >= 20 and probe in text:
            leaks.append(f"the copy's text holds {secret[:60]!r}")
    assert not leaks, "\n".join(leaks)


def _names(tree, stored: bool) -> set[str]:
    import ast
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store if stored else ast.Load):
            names.add(node.id)
        elif stored and isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif stored and isinstance(node, ast.arg):
            names.add(node.arg)
        elif stored and isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
    return names


@pytest.mark.parametrize("source", SOURCES, ids=IDS)
def test_student_copy_uses_nothing_only_the_hidden_tests_define(source):
    """A name that only a hidden region of the source defines is not there in the student copy:
    no visible cell of the copy may use it (it would raise NameError once the exercise is done)."""
    import ast
    import textwrap

    nb = nbformat.read(source, as_version=4)
    hidden = set()
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        inside, block = False, []
        for line in cell.source.split("\n"):
            if exercises.HIDDEN_BEGIN.match(line):
                inside, block = True, []
            elif exercises.HIDDEN_END.match(line):
                inside = False
                hidden |= _names(ast.parse(textwrap.dedent("\n".join(block))), stored=True)
            elif inside:
                block.append(line)
    student = nbformat.read(exercises.student_path(source), as_version=4)
    trees = [ast.parse(c.source) for c in student.cells if c.cell_type == "code"]
    visible = set().union(*(_names(t, stored=True) for t in trees))
    used = set().union(*(_names(t, stored=False) for t in trees))
    solved = set().union(set(), *(_names(ast.parse(r.solution), stored=True)
                                  for r in exercises.solution_regions(nb)))  # the student writes these
    missing = sorted((hidden - visible - solved) & used)
    assert not missing, (f"the student copy uses {missing}, which only the hidden tests define: "
                         "define them visibly (without the answer), or hide their use too")
