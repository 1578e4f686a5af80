"""Handing out and grading with nbgrader (course_utils.grading), on a made-up class.

The class hands in notebook 00 (two exercises): the solution; every listed mistake of
tests/mutations/nb00.py (the first exercise's mistakes beside the second's, one pair per
student; the first of them with exercise 1's check cell deleted, which nbgrader puts back); the
release untouched (an empty submission); code that raises (exercise 1) beside code that loops
forever (exercise 2, stopped by the per-cell time limit); and the solution handed in under
another name (it is graded all the same). Every student gets a row per exercise, and none stops the run. It runs once per make test,
on TensorFlow (about two minutes).
"""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

import nbformat
import pytest

from course_utils import exercises, grading

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = "00_setup_and_tour.ipynb"
TIMEOUT = 30  # seconds per cell: notebook 00's longest cell takes a few seconds at the ci tier

pytestmark = pytest.mark.skipif(
    __import__("course_utils.backend", fromlist=["x"]).configured_backend() != "tensorflow",
    reason="the grading test runs once per make test, on the TensorFlow pass")


def _mistakes():
    spec = importlib.util.spec_from_file_location("nb00", ROOT / "tests" / "mutations" / "nb00.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.MUTATIONS


def _submission(release, source, answers=None, delete=None):
    """The release with each exercise's region filled: the solution, or ``answers[k]``."""
    solutions = {c.metadata["nbgrader"]["grade_id"]: c.source for c in source.cells
                 if c.metadata.get("nbgrader", {}).get("solution")}
    nb = nbformat.read(release, as_version=4)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        if grade_id in solutions:
            k = int(grade_id.rsplit("-", 1)[1])
            cell.source = solutions[grade_id]
            if answers and k in answers:
                cell.source = exercises.replace_region(cell.source, 0, answers[k])
    if delete:
        nb.cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") != delete]
    return nb


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course, handed_in = tmp_path_factory.mktemp("course"), tmp_path_factory.mktemp("submissions")
    release = grading.assignment(course, ["00"], timeout=TIMEOUT)["00"]
    source = nbformat.read(course / "source" / "00" / NOTEBOOK, as_version=4)
    mistakes = _mistakes()
    pairs = max(len(v) for v in mistakes.values())
    submissions = {"solution": _submission(release, source),
                   "empty": nbformat.read(release, as_version=4),
                   "broken": _submission(release, source, {1: "raise ValueError('my code is broken')",
                                                           2: "while True:\n    pass"})}
    for i in range(pairs):
        submissions[f"mistakes-{i + 1}"] = _submission(
            release, source, {k: v[i][0] for k, v in mistakes.items() if i < len(v)},
            delete="check-00-1" if i == 0 else None)
    for student, nb in submissions.items():
        (handed_in / student).mkdir()
        nbformat.write(nb, handed_in / student / NOTEBOOK)
    (handed_in / "renamed").mkdir()
    nbformat.write(submissions["solution"], handed_in / "renamed" / "00_my_copy.ipynb")
    rows = grading.grade(handed_in, course, timeout=TIMEOUT)
    table = {(r.student, r.exercise): r for r in rows}
    with open(course / "grades.csv", newline="") as f:
        written = list(csv.DictReader(f))
    return {"rows": rows, "table": table, "csv": written, "course": course, "mistakes": mistakes,
            "students": sorted([*submissions, "renamed"]), "pairs": pairs}


def test_every_submission_gets_a_row_per_exercise(graded):
    assert sorted({r.student for r in graded["rows"]}) == graded["students"]
    assert sorted(graded["table"]) == sorted((s, e) for s in graded["students"] for e in ("00.1", "00.2"))
    assert len(graded["csv"]) == len(graded["rows"])
    assert list(graded["csv"][0]) == list(grading.CSV_COLUMNS)


def test_the_solution_passes(graded):
    for exercise in ("00.1", "00.2"):
        row = graded["table"]["solution", exercise]
        assert row.passed and "as expected" in row.diagnosis, (exercise, row.diagnosis)
    assert (graded["course"] / graded["table"]["solution", "00.1"].feedback).exists()


def test_each_listed_mistake_fails_with_its_diagnosis(graded):
    for k, wrong_answers in graded["mistakes"].items():
        for i, (_, message) in enumerate(wrong_answers):
            row = graded["table"][f"mistakes-{i + 1}", f"00.{k}"]
            assert not row.passed and message in row.diagnosis, (i, k, row.diagnosis)
    # mistakes-1 deleted exercise 1's check cell: its diagnosis above shows nbgrader put it back.


def test_broken_submissions_fail_with_what_happened(graded):
    table = graded["table"]
    assert "NotImplementedError" in table["empty", "00.1"].diagnosis and not table["empty", "00.2"].passed
    assert "ValueError: my code is broken" in table["broken", "00.1"].diagnosis
    assert "time limit" in table["broken", "00.2"].diagnosis  # the loop was stopped, the run went on
    # A notebook handed in under another name (00_my_copy.ipynb) is still graded, not lost.
    assert all(table["renamed", e].passed for e in ("00.1", "00.2"))


def test_the_release_gives_nothing_away(graded):
    release = (graded["course"] / "release" / "00" / NOTEBOOK).read_text()
    for secret in ("### BEGIN", "HIDDEN TESTS", "# hint:", "did you swap", "np.bincount(labels[clusters == c]).max()"):
        assert secret not in release, secret


def test_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="timeout=0"):
        grading.write_course(tmp_path, timeout=0)
    with pytest.raises(FileNotFoundError, match="submissions="):
        grading.grade(tmp_path / "none", tmp_path / "course")
    with pytest.raises(ValueError, match="numbers=\\['42'\\]"):
        grading.assignment(tmp_path / "course", ["42"])
