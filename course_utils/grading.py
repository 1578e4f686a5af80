"""Handing the exercises out and grading them, with nbgrader.

The source notebooks use nbgrader's markup (``### BEGIN SOLUTION``, ``### BEGIN HIDDEN TESTS``),
so nbgrader does the work it was written for: ``generate_assignment`` makes the release,
``autograde`` runs each submission in a kernel of its own (with a time limit per cell, restoring
the check cells a student deleted), and ``generate_feedback`` writes a page per student and
notebook. This module only prepares nbgrader's source notebooks and reads its results:

- :func:`nbgrader_source`: a source notebook as nbgrader's source, with the cell metadata nbgrader
  reads (each exercise cell a solution cell, each check cell a locked autograder-test cell worth a
  point per exercise), the check cells already as the student copy has them (key and result: the
  expected values are stored in the package, ``course_utils/exercise_data``), and no instructor
  notes;
- :func:`grade`: nbgrader's autograde and feedback over a folder of submissions, then one CSV row
  per student and exercise (``grades.csv``): pass or fail, and the diagnosis the self-check gave,
  or why the exercise was not graded (no submission, a stub left, an error, a time-out).

What nbgrader cannot do, and this module does: the per-exercise rows with the self-checks'
diagnoses (nbgrader's own export has one score per notebook), and every submission keeps its
rows, whatever happened to it.

    python -m course_utils.grading assignment [--only 00 05]     # build/nbgrader/release/NN/
    python -m course_utils.grading grade SUBMISSIONS [--timeout 300]

``SUBMISSIONS`` holds one folder per student, with the notebooks in it (``alice/00_setup_and_tour.ipynb``)
or in a folder per assignment (``alice/00/00_setup_and_tour.ipynb``, nbgrader's layout).
Grading runs under the ci tier, with the trained-weights cache of ``$COURSE_CACHE_DIR``.
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

from course_utils import exercises

ROOT = Path(__file__).resolve().parents[1]
COURSE_ID = "deep-generative-models"
CODE_STUB = "# YOUR CODE HERE, then run the check below\nraise NotImplementedError()"
CONFIG = '''# nbgrader's configuration for this course (written by course_utils.grading).
c = get_config()  # noqa: F821
c.CourseDirectory.course_id = {course_id!r}
c.CourseDirectory.root = {root!r}
c.ClearSolutions.code_stub = {{"python": {stub!r}}}
c.Execute.timeout = {timeout}
c.Execute.interrupt_on_timeout = True
c.Execute.allow_errors = True
c.OverwriteCells.add_missing_cells = True
'''
CSV_COLUMNS = ("student", "notebook", "exercise", "passed", "diagnosis", "feedback")


def _nbgrader_metadata(**fields) -> dict:
    return {"schema_version": 3, "solution": False, "grade": False, "locked": False, **fields}


def nbgrader_source(nb, source_name: str):
    """``nb`` (a course source notebook) as nbgrader's source notebook: solution cells, locked
    autograder-test cells (one point per exercise they check), no instructor notes."""
    number = exercises.notebook_number(source_name)
    nb = exercises.strip_outputs(nb)
    nb.cells = [c for c in nb.cells if exercises.INSTRUCTOR_TAG not in c.metadata.get("tags", [])]
    layout = exercises.exercise_layout(nb)
    solution_cells = {region.cell: region for region, _ in reversed(layout)}
    check_cells: dict[int, set] = {}
    for region, check in layout:
        check_cells.setdefault(check, set()).add(region.number)
    for index, cell in enumerate(nb.cells):
        where = f"{source_name}, cell {index}"
        if cell.cell_type == "markdown":
            cell.source = exercises._stub_markdown(cell.source, where)
            continue
        if cell.cell_type != "code":
            continue
        if index in solution_cells:
            cell.source = _name_the_stubs(cell.source, number, solution_cells[index].number)
            cell.metadata["nbgrader"] = _nbgrader_metadata(
                solution=True, grade_id=f"exercise-{number}-{solution_cells[index].number}")
        elif index in check_cells:
            numbers = sorted(check_cells[index])
            cell.source = exercises.student_check(cell.source, where)
            cell.metadata["nbgrader"] = _nbgrader_metadata(
                grade=True, locked=True, points=len(numbers),
                grade_id=f"check-{number}-" + "-".join(map(str, numbers)))
        else:
            cell.source = exercises.student_check(cell.source, where)
    return nb


def _name_the_stubs(source: str, number: str, first: int) -> str:
    """A comment before each solution region, naming the exercise and how to ask for a hint
    (nbgrader puts the same stub in every region)."""
    out, k = [], first
    for line in source.split("\n"):
        begin = exercises.BEGIN.match(line)
        if begin:
            out.append(f"{begin.group('indent')}# Exercise {k}: your code goes in place of the stub below. "
                       f"Stuck? cu.hint(\"{number}.{k}\")")
            k += 1
        out.append(line)
    return "\n".join(out)


def _nbgrader(root: Path, *args: str, timeout: float | None = None) -> subprocess.CompletedProcess:
    # nbgrader runs alembic (its database migrations) as a command: the one beside this Python.
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    env = {**os.environ, "COURSE_TIER": "ci", "MPLBACKEND": "Agg", "PATH": path}
    return subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=root, env=env,
                          capture_output=True, text=True, timeout=timeout)


def write_course(root: Path, timeout: int = 300) -> Path:
    """nbgrader's course folder at ``root`` with its configuration (``timeout``: per cell, s)."""
    if isinstance(timeout, bool) or not isinstance(timeout, int) or timeout <= 0:
        raise ValueError(f"timeout={timeout!r}: expected a positive number of seconds per cell")
    root = Path(root).resolve()
    root.mkdir(parents=True, exist_ok=True)
    (root / "nbgrader_config.py").write_text(CONFIG.format(course_id=COURSE_ID, root=str(root),
                                                           stub=CODE_STUB, timeout=timeout))
    return root


def assignment(root: Path, numbers: list[str] | None = None, notebook_dir: Path = ROOT / "notebooks",
               timeout: int = 300) -> dict[str, Path]:
    """nbgrader's release of each notebook (or of those numbered in ``numbers``): one
    assignment per notebook, named by its number. Returns {number: released notebook}."""
    root = write_course(root, timeout)
    sources = exercises.source_notebooks(notebook_dir)
    if numbers is not None:
        unknown = sorted(set(numbers) - {p.name[:2] for p in sources})
        if unknown:
            raise ValueError(f"numbers={numbers!r}: no source notebook numbered {', '.join(unknown)}")
        sources = [p for p in sources if p.name[:2] in numbers]
    released = {}
    for source in sources:
        number = source.name[:2]
        target = root / "source" / number / source.name
        target.parent.mkdir(parents=True, exist_ok=True)
        nb = nbgrader_source(nbformat.read(source, as_version=4), source.name)
        target.write_text(exercises.dumps(nb))
        result = _nbgrader(root, "generate_assignment", number, "--force")
        release = root / "release" / number / source.name
        if result.returncode != 0 or not release.exists():
            raise RuntimeError(f"nbgrader generate_assignment {number} failed:\n{result.stdout}{result.stderr}")
        released[number] = release
    return released


@dataclass
class Row:
    student: str
    notebook: str
    exercise: str
    passed: bool
    diagnosis: str
    feedback: str = ""


def _submissions(folder: Path) -> dict[str, dict[str, Path]]:
    """{student: {notebook number: submitted file}} from ``folder``."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"submissions={str(folder)!r} is not a folder")
    found: dict[str, dict[str, Path]] = {}
    for student in sorted(p for p in folder.iterdir() if p.is_dir()):
        if not re.fullmatch(r"[\w.-]+", student.name):
            raise ValueError(f"submissions: the folder name {student.name!r} is not a student id "
                             "(letters, digits, '_', '-' and '.')")
        files = found.setdefault(student.name, {})
        for path in sorted(student.glob("*.ipynb")) + sorted(student.glob("[0-9][0-9]/*.ipynb")):
            match = re.match(r"(\d\d)_", path.name)
            if match:
                files.setdefault(match.group(1), path)
    return found


_LINE = re.compile(r"^\[(PASS|FAIL)\] exercise (\d\d)\.(\d+)[a-z]?: (.*)$")


def _text_of(output) -> str:
    if output.get("output_type") == "stream":
        return output.get("text", "")
    if output.get("output_type") == "error":
        return ""
    return output.get("data", {}).get("text/plain", "")


def _first_error(cells) -> str | None:
    for cell in cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                name, value = output.get("ename", "Error"), output.get("evalue", "")
                # nbgrader interrupts a cell past its time limit: the kernel reports KeyboardInterrupt.
                if name in ("CellTimeoutError", "KeyboardInterrupt") or "timeout" in name.lower():
                    return "did not finish: the cell ran past the time limit (an endless loop?)"
                return f"did not run to its check: {name}: {value}"[:500]
    return None


def rows_of(student: str, number: str, autograded: Path | None, exercise_numbers: list[int],
            why_not: str, feedback: str = "") -> list[Row]:
    """One row per exercise of notebook ``number`` for ``student``, read from the autograded
    notebook (its self-checks' [PASS]/[FAIL] lines and errors); ``why_not`` when there is none."""
    if autograded is None or not autograded.exists():
        return [Row(student, number, f"{number}.{k}", False, f"not graded: {why_not}") for k in exercise_numbers]
    nb = nbformat.read(autograded, as_version=4)
    results: dict[int, list[tuple[bool, str]]] = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            for line in _text_of(output).splitlines():
                match = _LINE.match(line.strip())
                if match and match.group(2) == number:
                    results.setdefault(int(match.group(3)), []).append((match.group(1) == "PASS", match.group(4)))
    rows = []
    for k in exercise_numbers:
        if k in results:
            failed = [detail for ok, detail in results[k] if not ok]
            rows.append(Row(student, number, f"{number}.{k}", not failed,
                            failed[0] if failed else results[k][0][1], feedback))
            continue
        ids = {f"exercise-{number}-{k}"} | {c.metadata.get("nbgrader", {}).get("grade_id", "")
                                           for c in nb.cells
                                           if str(k) in c.metadata.get("nbgrader", {}).get("grade_id", "").split("-")[2:]}
        cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") in ids]
        error = _first_error(cells) or _first_error(nb.cells) or "its self-check did not run"
        rows.append(Row(student, number, f"{number}.{k}", False, error, feedback))
    return rows


def grade(submissions: Path, root: Path, timeout: int = 300, csv_path: Path | None = None) -> list[Row]:
    """Autograde every submission in ``submissions`` with nbgrader, write the feedback pages and
    ``csv_path`` (default ``root/grades.csv``); returns the rows. Every student gets one row per
    exercise of each notebook handed in (or, with nothing handed in, of every released one)."""
    root = write_course(root, timeout)
    found = _submissions(submissions)
    released = {p.name: p for p in sorted((root / "release").glob("[0-9][0-9]"))}
    numbers = sorted({n for files in found.values() for n in files} | set(released))
    missing = [n for n in numbers if n not in released]
    if missing:
        assignment(root, missing, timeout=timeout)
    names = {n: next((root / "release" / n).glob("*.ipynb")).name for n in numbers}
    shutil.rmtree(root / "submitted", ignore_errors=True)
    for student, files in found.items():
        for number, path in files.items():
            target = root / "submitted" / student / number / names[number]
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    logs = {}
    for number in numbers:
        if not any(number in files for files in found.values()):
            continue
        result = _nbgrader(root, "autograde", number, "--create", "--force")
        logs[number] = result.stdout + result.stderr
        _nbgrader(root, "generate_feedback", number, "--force")
    rows = []
    for student in found:
        for number in numbers:
            exercise_numbers = [r.number for r in exercises.solution_regions(
                nbformat.read(root / "source" / number / names[number], as_version=4))]
            autograded = root / "autograded" / student / number / names[number]
            feedback = root / "feedback" / student / number / names[number].replace(".ipynb", ".html")
            if number not in found[student]:
                why = f"no notebook {names[number]} handed in"
            elif found[student][number].name != names[number]:
                why = f"handed in as {found[student][number].name}"
            else:
                why = "nbgrader could not grade it: " + _log_for(logs.get(number, ""), student)
            rows += rows_of(student, number, autograded, exercise_numbers, why,
                            str(feedback.relative_to(root)) if feedback.exists() else "")
    csv_path = Path(csv_path) if csv_path else root / "grades.csv"
    with open(csv_path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(CSV_COLUMNS)
        for row in rows:
            writer.writerow([row.student, row.notebook, row.exercise, "pass" if row.passed else "fail",
                             row.diagnosis, row.feedback])
    return rows


def _log_for(log: str, student: str) -> str:
    lines = [l.strip() for l in log.splitlines() if student in l and ("ERROR" in l or "rror" in l)]
    return (lines[-1] if lines else "see nbgrader's log")[:300]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--course", default=str(ROOT / "build" / "nbgrader"),
                        help="nbgrader's course folder (default build/nbgrader)")
    parser.add_argument("--timeout", type=int, default=300, help="seconds per cell when grading")
    commands = parser.add_subparsers(dest="command", required=True)
    hand_out = commands.add_parser("assignment", help="make nbgrader's release of the notebooks")
    hand_out.add_argument("--only", nargs="+", metavar="NN")
    marking = commands.add_parser("grade", help="autograde a folder of submissions")
    marking.add_argument("submissions")
    marking.add_argument("--csv", default=None, help="where the rows go (default COURSE/grades.csv)")
    args = parser.parse_args(argv)
    if args.command == "assignment":
        for number, path in assignment(Path(args.course), args.only, timeout=args.timeout).items():
            print(f"released {number}: {path}")
        return 0
    rows = grade(Path(args.submissions), Path(args.course), args.timeout, args.csv)
    passed = sum(r.passed for r in rows)
    print(f"graded {len({r.student for r in rows})} students: {passed} of {len(rows)} exercises passed; "
          f"rows in {args.csv or Path(args.course) / 'grades.csv'}, feedback pages in "
          f"{Path(args.course) / 'feedback'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
