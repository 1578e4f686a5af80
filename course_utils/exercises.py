"""Exercises from one source: each notebook holds its exercises *and* their solutions.

In a source notebook, a solution is a region of a code cell between two marker lines::

    def gaussian_log_density(x, mean, std):
        ### BEGIN SOLUTION (hint: log N(x; m, s) = -log(s) - log(2 pi)/2 - (x - m)^2 / (2 s^2))
        return -np.log(std) - 0.5 * np.log(2 * np.pi) - 0.5 * ((x - mean) / std) ** 2
        ### END SOLUTION

The student copy replaces each region by a stub that raises ``NotImplementedError`` with the
hint, so it parses and runs up to the first exercise. A hint nudges: it names the idea, points
at the equation above, or names a function to look up; it never holds code of the solution
(:func:`hint_gives_code` finds calls, assignments and runs of the solution's tokens, and a test
runs it on every hint).

The code cell right after an exercise's cell is its self-check. ``tests/test_exercise_mutations.py``
runs each exercise with typical wrong answers (``tests/mutations/nbNN.py``) in place of the
solution and expects its self-check to name each mistake. It runs only what an exercise needs:
the notebook's first code cell, the cells tagged ``exercise-setup``, and the exercise cells
before it. In markdown cells, text between
``<!-- BEGIN SOLUTION -->`` and ``<!-- END SOLUTION -->`` becomes "*Your answer here.*".

Student copies live in ``notebooks/student/`` and are generated, never edited by hand::

    python -m course_utils.exercises            # (re)write every student copy
    python -m course_utils.exercises --check    # exit 1 if any copy is out of sync
    python -m course_utils.exercises --strip    # also strip outputs from the sources
"""

from __future__ import annotations

import argparse
import copy
import io
import re
import sys
import textwrap
import tokenize
from dataclasses import dataclass
from pathlib import Path

import nbformat

BEGIN = re.compile(r"^(?P<indent>[ \t]*)### BEGIN SOLUTION(?:\s*\(hint:(?P<hint>.*)\))?\s*$")
END = re.compile(r"^[ \t]*### END SOLUTION\s*$")
MD_BEGIN, MD_END = "<!-- BEGIN SOLUTION -->", "<!-- END SOLUTION -->"
STUDENT_DIR = "student"
HEADER_ID = "student-copy-note"


class ExerciseMarkupError(ValueError):
    """A solution region in a source notebook is malformed."""


def strip_outputs(nb):
    """A copy of ``nb`` with no outputs, execution counts or per-run metadata."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        for key in ("execution", "collapsed", "scrolled"):
            cell.metadata.pop(key, None)
    nb.metadata.pop("widgets", None)
    return nb


def _stub_code(source: str, where: str, counter: list[int]) -> str:
    lines, out, inside = source.split("\n"), [], False
    for number, line in enumerate(lines, start=1):
        begin, end = BEGIN.match(line), END.match(line)
        if begin:
            if inside:
                raise ExerciseMarkupError(f"{where}, line {number}: BEGIN SOLUTION inside a region")
            if not (begin.group("hint") or "").strip():
                raise ExerciseMarkupError(
                    f"{where}, line {number}: write the hint in the marker: "
                    f"'### BEGIN SOLUTION (hint: ...)'")
            inside = True
            counter[0] += 1
            indent = begin.group("indent")
            message = f"Exercise {counter[0]}: {begin.group('hint').strip()}"
            out.append(f"{indent}# Your code here (exercise {counter[0]}), then run the check below.")
            out.append(f"{indent}raise NotImplementedError({message!r})")
        elif end:
            if not inside:
                raise ExerciseMarkupError(f"{where}, line {number}: END SOLUTION without BEGIN")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise ExerciseMarkupError(f"{where}: BEGIN SOLUTION is never closed by END SOLUTION")
    return "\n".join(out)


def _stub_markdown(source: str, where: str) -> str:
    pattern = re.compile(re.escape(MD_BEGIN) + r".*?" + re.escape(MD_END), re.S)
    result = pattern.sub("*Your answer here.*", source)
    if MD_BEGIN in result or MD_END in result:
        raise ExerciseMarkupError(f"{where}: unmatched {MD_BEGIN} / {MD_END}")
    return result


def count_exercises(nb) -> int:
    """How many solution regions the code cells of ``nb`` hold."""
    return sum(1 for cell in nb.cells if cell.cell_type == "code"
               for line in cell.source.split("\n") if BEGIN.match(line))


@dataclass(frozen=True)
class Region:
    """One solution region: its exercise number, cell, hint and solution (dedented)."""

    number: int
    cell: int
    index_in_cell: int
    hint: str
    solution: str


def solution_regions(nb) -> list[Region]:
    """Every solution region of ``nb``'s code cells, numbered as the student copy numbers them."""
    regions = []
    for cell_index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        inside, body, hint, k = False, [], "", 0
        for line in cell.source.split("\n"):
            begin, end = BEGIN.match(line), END.match(line)
            if begin:
                inside, body, hint = True, [], (begin.group("hint") or "").strip()
            elif end and inside:
                regions.append(Region(len(regions) + 1, cell_index, k, hint,
                                      textwrap.dedent("\n".join(body))))
                inside, k = False, k + 1
            elif inside:
                body.append(line)
    return regions


def replace_region(source: str, index_in_cell: int, code: str) -> str:
    """``source`` (a cell) with its ``index_in_cell``-th solution region replaced by ``code``
    (re-indented to the region's indent); the other regions keep their solutions."""
    lines, out, k, inside = source.split("\n"), [], 0, False
    for line in lines:
        begin, end = BEGIN.match(line), END.match(line)
        if begin:
            inside = True
            if k == index_in_cell:
                out.extend(textwrap.indent(textwrap.dedent(code), begin.group("indent"),
                                           lambda l: True).split("\n"))
        elif end and inside:
            inside, k = False, k + 1
        elif not inside or k != index_in_cell:
            out.append(line)
    if k <= index_in_cell:
        raise ValueError(f"index_in_cell={index_in_cell}: the cell has only {k} solution region(s)")
    return "\n".join(out)


def _code_tokens(code: str) -> list[str]:
    skip = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT,
            tokenize.ENDMARKER, tokenize.ENCODING}
    try:
        return [t.string for t in tokenize.generate_tokens(io.StringIO(code).readline)
                if t.type not in skip]
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return re.findall(r"\w+|[^\w\s]", code)


def hint_gives_code(hint: str, solution: str, run: int = 4) -> str | None:
    """The piece of ``hint`` that gives code away, or ``None`` if it only nudges.

    Code is: a call with arguments (``f(x``), an assignment (``a = b``), a ``lambda`` or
    ``return``, or ``run`` consecutive tokens of ``solution`` (dotted names such as
    ``np.histogram``, which a hint may name, do not count).
    """
    call = re.search(r"[A-Za-z_][\w.]*\([^)\s]", hint)
    if call:
        return call.group(0)
    assign = re.search(r"[\w\])]\s*(?<![=!<>])=(?!=)\s*\S", hint)
    if assign:
        return assign.group(0)
    word = re.search(r"\b(lambda|return)\b", hint)
    if word:
        return word.group(0)
    hint_tokens, tokens = re.findall(r"\w+|[^\w\s]", hint), _code_tokens(solution)
    grams = {tuple(hint_tokens[i:i + run]) for i in range(len(hint_tokens) - run + 1)}
    for i in range(len(tokens) - run + 1):
        gram = tuple(tokens[i:i + run])
        if "." in gram and all(t == "." or re.fullmatch(r"\w+", t) for t in gram):
            continue  # a dotted name, e.g. keras . ops . exp
        if gram in grams:
            return " ".join(gram)
    return None


def first_exercise_cell(nb) -> int:
    """Index of the first code cell holding a solution region (-1 if there is none)."""
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and any(BEGIN.match(l) for l in cell.source.split("\n")):
            return index
    return -1


def student_copy(nb, source_name: str):
    """The student copy of source notebook ``nb`` (named ``source_name`` in the header)."""
    counter = [0]
    student = strip_outputs(nb)
    for index, cell in enumerate(student.cells):
        where = f"{source_name}, cell {index}"
        if cell.cell_type == "code":
            cell.source = _stub_code(cell.source, where, counter)
        elif cell.cell_type == "markdown":
            cell.source = _stub_markdown(cell.source, where)
    if counter[0] == 0:
        raise ExerciseMarkupError(f"{source_name} has no exercise (no '### BEGIN SOLUTION')")
    header = nbformat.v4.new_markdown_cell(
        f"> **Student copy** of `{source_name}`, with {counter[0]} exercise(s) left for you: "
        "each stub raises `NotImplementedError` until you write the code. Generated by "
        "`python -m course_utils.exercises`; the instructor edits the source, never this file.",
        id=HEADER_ID)
    student.cells.insert(0, header)
    return student


def dumps(nb) -> str:
    """The stored form of a notebook: nbformat 4 JSON, one trailing newline."""
    return nbformat.writes(nb, version=4) + "\n"


def source_notebooks(notebook_dir: Path) -> list[Path]:
    """The source notebooks: ``NN_*.ipynb`` directly in ``notebook_dir``."""
    notebook_dir = Path(notebook_dir)
    if not notebook_dir.is_dir():
        raise FileNotFoundError(f"notebook_dir={str(notebook_dir)!r} is not a folder")
    return sorted(p for p in notebook_dir.glob("[0-9][0-9]_*.ipynb"))


def student_path(source: Path) -> Path:
    """Where the student copy of ``source`` lives."""
    source = Path(source)
    return source.parent / STUDENT_DIR / source.name


def render_student_copy(source: Path) -> str:
    """The text the student copy of ``source`` should have."""
    source = Path(source)
    return dumps(student_copy(nbformat.read(source, as_version=4), source.name))


def out_of_sync(notebook_dir: Path) -> list[Path]:
    """Student copies that are missing or differ from what their sources generate."""
    stale = []
    for source in source_notebooks(notebook_dir):
        target = student_path(source)
        if not target.exists() or target.read_text() != render_student_copy(source):
            stale.append(target)
    return stale


def write_student_copies(notebook_dir: Path, strip_sources: bool = False,
                         only: list[str] | None = None) -> list[Path]:
    """(Re)write every student copy (or those of the notebooks numbered in ``only``, e.g.
    ``["05"]``); optionally strip the sources' outputs first."""
    written = []
    sources = source_notebooks(notebook_dir)
    if only is not None:
        unknown = sorted(set(only) - {p.name[:2] for p in sources})
        if unknown:
            raise ValueError(f"only={only!r}: no source notebook numbered {', '.join(unknown)}")
        sources = [p for p in sources if p.name[:2] in only]
    for source in sources:
        if strip_sources:
            clean = dumps(strip_outputs(nbformat.read(source, as_version=4)))
            if source.read_text() != clean:
                source.write_text(clean)
        target = student_path(source)
        target.parent.mkdir(exist_ok=True)
        text = render_student_copy(source)
        if not target.exists() or target.read_text() != text:
            target.write_text(text)
            written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("notebook_dir", nargs="?", default="notebooks")
    parser.add_argument("--check", action="store_true", help="only report copies out of sync")
    parser.add_argument("--strip", action="store_true", help="strip outputs from the sources too")
    parser.add_argument("--only", nargs="+", metavar="NN",
                        help="only the notebooks with these numbers, e.g. --only 05 06")
    args = parser.parse_args(argv)
    if args.check:
        stale = out_of_sync(Path(args.notebook_dir))
        for path in stale:
            print(f"out of sync: {path} (run: python -m course_utils.exercises)")
        return 1 if stale else 0
    for path in write_student_copies(Path(args.notebook_dir), strip_sources=args.strip,
                                     only=args.only):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
