"""Student copies generated from source notebooks (course_utils.exercises)."""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output, new_raw_cell

from course_utils.exercises import (HEADER_ID, ExerciseMarkupError, count_exercises, dumps,
                                    first_exercise_cell, main, out_of_sync, render_student_copy,
                                    source_notebooks, strip_outputs, student_copy, student_path,
                                    write_student_copies, solution_regions, replace_region,
                                    hint_gives_code, stub_message, data_path)
from course_utils import exercises

pytestmark = pytest.mark.usefixtures("hermetic")


@pytest.fixture(autouse=True)
def data_in_tmp(tmp_path, monkeypatch):
    """Stored checks go to a temporary folder, never to the package's own."""
    monkeypatch.setattr(exercises, "DATA_DIR", tmp_path / "exercise_data")
    monkeypatch.setattr(exercises, "_HINTS_GIVEN", {})
    monkeypatch.setattr(exercises, "_LOADED", {})

NUDGE_1 = "what is the log of a product?"
HINT_1 = "log N(x; m, s) = -log(s) - log(2 pi)/2 - (x - m)^2 / (2 s^2)"
NUDGE_2 = "one number for all of them"
HINT_2 = "add them up with sum(values)"

FUNCTION_CELL = f'''import numpy as np


def log_density(x, mean, std):
    """The log-density of N(mean, std^2) at x."""
    ### BEGIN SOLUTION
    # hint: {NUDGE_1}
    # hint: {HINT_1}
    z = (x - mean) / std
    return -np.log(std) - 0.5 * np.log(2 * np.pi) - 0.5 * z ** 2
    ### END SOLUTION


AFTER_THE_REGION = "still here"'''

TOP_LEVEL_CELL = f'''values = [1, 2, 3]
### BEGIN SOLUTION
# hint: {NUDGE_2}
# hint: {HINT_2}
total = sum(values)
### END SOLUTION
print(total)'''

ANSWER_CELL = '''**Question:** why does the loss go down?

<!-- BEGIN SOLUTION -->
Because the secret answer is gradient descent.
<!-- END SOLUTION -->

More text after the answer.'''


def _source_notebook():
    intro = new_markdown_cell("# A demo notebook\nNo exercise here.")
    first = new_code_cell(FUNCTION_CELL, execution_count=4,
                          outputs=[new_output("stream", name="stdout", text="hello\n")],
                          metadata={"execution": {"iopub.status.idle": "2024-01-01"},
                                    "collapsed": False, "scrolled": True, "tags": ["keep-me"]})
    second = new_code_cell(TOP_LEVEL_CELL, execution_count=5,
                           outputs=[new_output("execute_result", data={"text/plain": "6"},
                                               execution_count=5)])
    answer = new_markdown_cell(ANSWER_CELL)
    raw = new_raw_cell("### BEGIN SOLUTION\n# hint: raw cells are left alone")
    nb = new_notebook(cells=[intro, first, second, answer, raw],
                      metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                               "language": "python"},
                                "widgets": {"application/vnd.jupyter.widget-state+json": {}}})
    return nb


def _one_cell_notebook(source, cell_type="code"):
    cell = new_code_cell(source) if cell_type == "code" else new_markdown_cell(source)
    return new_notebook(cells=[cell])


def _raised_message(cell_source, call):
    """Run a student cell and return the NotImplementedError message ``call`` raises."""
    namespace = {}
    code = compile(cell_source, "cell", "exec")
    try:
        exec(code, namespace)  # noqa: S102 - our own generated code
        eval(call, namespace) if call else None  # noqa: S307
    except NotImplementedError as err:
        return str(err), namespace
    raise AssertionError(f"{call or 'the cell'} did not raise NotImplementedError")


# ---------------------------------------------------------------- strip_outputs


def test_strip_outputs():
    nb = _source_notebook()
    original = copy.deepcopy(nb)
    clean = strip_outputs(nb)
    code = [c for c in clean.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    assert not any(k in clean.cells[1].metadata for k in ("execution", "collapsed", "scrolled"))
    assert clean.cells[1].metadata["tags"] == ["keep-me"]  # other metadata stays
    assert "widgets" not in clean.metadata and "kernelspec" in clean.metadata
    assert [c.source for c in clean.cells] == [c.source for c in nb.cells]
    assert nb == original  # the input is not modified


def test_strip_outputs_of_a_clean_notebook_changes_nothing():
    clean = strip_outputs(_source_notebook())
    assert strip_outputs(clean) == clean


# ---------------------------------------------------------------- count / first cell


def test_count_exercises():
    assert count_exercises(_source_notebook()) == 2  # code cells only, not markdown or raw
    assert count_exercises(new_notebook(cells=[new_code_cell("x = 1")])) == 0
    two_in_one = "### BEGIN SOLUTION\n# hint: a\n# hint: b\na = 1\n### END SOLUTION\n" * 2
    assert count_exercises(_one_cell_notebook(two_in_one)) == 2


def test_first_exercise_cell():
    assert first_exercise_cell(_source_notebook()) == 1
    assert first_exercise_cell(new_notebook(cells=[new_code_cell("x = 1")])) == -1
    # A marker in a markdown cell is not an exercise.
    nb = new_notebook(cells=[new_markdown_cell("### BEGIN SOLUTION\n# hint: prose"),
                             new_code_cell("x = 1"), new_code_cell(TOP_LEVEL_CELL)])
    assert first_exercise_cell(nb) == 2


# ---------------------------------------------------------------- student_copy


def test_student_copy_header_and_cells():
    nb = _source_notebook()
    original = copy.deepcopy(nb)
    student = student_copy(nb, "01_demo.ipynb")
    assert nb == original  # the source is not modified
    assert len(student.cells) == len(nb.cells) + 1
    header = student.cells[0]
    assert header.cell_type == "markdown" and header.id == HEADER_ID
    assert "**Student copy** of `01_demo.ipynb`, with 2 exercise(s)" in header.source
    assert [c.cell_type for c in student.cells[1:]] == [c.cell_type for c in nb.cells]
    assert student.cells[1].source == nb.cells[0].source  # no exercise, no change
    assert student.cells[5].source == nb.cells[4].source  # raw cells are left alone
    nbformat.validate(student)


def test_student_copy_replaces_the_region_in_a_function():
    student = student_copy(_source_notebook(), "01_demo.ipynb")
    source = student.cells[2].source
    assert "z = (x - mean) / std" not in source and "BEGIN SOLUTION" not in source
    assert "END SOLUTION" not in source
    lines = source.split("\n")
    stub = lines.index(f"    raise NotImplementedError({stub_message('01.1', 1)!r})")
    assert lines[stub - 1] == "    # Your code here (exercise 1), then run the check below."
    assert lines[stub - 2] == '    """The log-density of N(mean, std^2) at x."""'
    # What came after the region is kept, in place.
    assert lines[stub + 1:] == ["", "", 'AFTER_THE_REGION = "still here"']
    # The stub parses, the cell runs, and calling the function raises: it names the exercise and
    # how to ask for a hint, and holds no hint.
    message, namespace = _raised_message(source, "log_density(0.0, 0.0, 1.0)")
    assert message.startswith("Exercise 1: ") and "cu.hint('01.1')" in message
    assert HINT_1 not in source and NUDGE_1 not in source and "hint:" not in source
    assert namespace["AFTER_THE_REGION"] == "still here"


def test_student_copy_top_level_region_is_numbered_next():
    student = student_copy(_source_notebook(), "01_demo.ipynb")
    source = student.cells[3].source
    assert source.split("\n") == [
        "values = [1, 2, 3]",
        "# Your code here (exercise 2), then run the check below.",
        f"raise NotImplementedError({stub_message('01.2', 2)!r})",
        "print(total)",
    ]
    message, _ = _raised_message(source, None)
    assert message == stub_message("01.2", 2)


def test_student_copy_markdown_answer():
    student = student_copy(_source_notebook(), "01_demo.ipynb")
    source = student.cells[4].source
    assert "secret answer" not in source and "SOLUTION" not in source
    assert source == ("**Question:** why does the loss go down?\n\n*Your answer here.*\n\n"
                      "More text after the answer.")


def test_student_copy_strips_outputs_and_counts():
    student = student_copy(_source_notebook(), "01_demo.ipynb")
    for cell in student.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
            assert "execution" not in cell.metadata
    assert "widgets" not in student.metadata


def test_student_copy_numbers_several_regions_in_order_and_keeps_tabs():
    source = ("class Model:\n"
              "\tdef a(self):\n"
              "\t\t### BEGIN SOLUTION\n\t\t# hint: the first\n\t\t# hint: return 1 (the first)\n"
              "\t\treturn 1\n"
              "\t\t### END SOLUTION\n"
              "\n"
              "\tdef b(self):\n"
              "\t\t### BEGIN SOLUTION   \n\t\t# hint: the second\n\t\t# hint:   return 2   \n"
              "\t\treturn 2\n"
              "\t\t### END SOLUTION\n")
    nb = new_notebook(cells=[new_code_cell(TOP_LEVEL_CELL), new_code_cell(source)])
    student = student_copy(nb, "02_more.ipynb")
    assert "3 exercise(s)" in student.cells[0].source
    text = student.cells[2].source
    assert f"\t\traise NotImplementedError({stub_message('02.2', 2)!r})" in text.split("\n")
    assert f"\t\traise NotImplementedError({stub_message('02.3', 3)!r})" in text.split("\n")
    assert "return 1\n" not in text and "return 2\n" not in text and "the first" not in text
    assert _raised_message(text, "Model().a()")[0] == stub_message("02.2", 2)
    assert _raised_message(text, "Model().b()")[0] == stub_message("02.3", 3)
    assert [r.hints for r in solution_regions(nb)][1:] == [("the first", "return 1 (the first)"),
                                                           ("the second", "return 2")]


def test_student_copy_hint_with_quotes_stays_in_the_source():
    source = "### BEGIN SOLUTION\n# hint: use 'mean'\n# hint: and \"std\" \\ together\nx = 1\n### END SOLUTION"
    student = student_copy(_one_cell_notebook(source), "03_q.ipynb")
    message, _ = _raised_message(student.cells[1].source, None)
    assert message == stub_message("03.1", 1) and "mean" not in student.cells[1].source
    assert solution_regions(_one_cell_notebook(source))[0].hints == ("use 'mean'", 'and "std" \\ together')


@pytest.mark.parametrize("source, match", [
    ("def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION",
     r"03_bad.ipynb, cell 0, line 4: open the region with 2 or more hints"),
    ("def f():\n    ### BEGIN SOLUTION\n    # hint: only one\n    return 1\n    ### END SOLUTION",
     r"03_bad.ipynb, cell 0, line 5: open the region with 2 or more hints"),
    ("x = 1\n### BEGIN SOLUTION\ny = 2",
     r"03_bad.ipynb, cell 0: BEGIN SOLUTION is never closed by END SOLUTION"),
    ("x = 1\ny = 2\n### END SOLUTION",
     r"03_bad.ipynb, cell 0, line 3: END SOLUTION without BEGIN"),
    ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION\n### END SOLUTION",
     r"03_bad.ipynb, cell 0, line 2: BEGIN SOLUTION inside a region"),
])
def test_student_copy_malformed_code_markup(source, match):
    with pytest.raises(ExerciseMarkupError, match=match):
        student_copy(_one_cell_notebook(source), "03_bad.ipynb")


@pytest.mark.parametrize("text", [
    "Answer: <!-- BEGIN SOLUTION --> secret",
    "Answer: secret <!-- END SOLUTION -->",
    "<!-- BEGIN SOLUTION --> a <!-- BEGIN SOLUTION --> b <!-- END SOLUTION --> c <!-- END SOLUTION -->",
])
def test_student_copy_malformed_markdown_markup(text):
    nb = new_notebook(cells=[new_code_cell(TOP_LEVEL_CELL), new_markdown_cell(text)])
    with pytest.raises(ExerciseMarkupError, match=r"03_bad.ipynb, cell 1: unmatched "
                                                  r"<!-- BEGIN SOLUTION --> / <!-- END SOLUTION -->"):
        student_copy(nb, "03_bad.ipynb")


def test_markup_error_is_a_value_error():
    assert issubclass(ExerciseMarkupError, ValueError)


def test_student_copy_without_exercise_is_an_error():
    nb = new_notebook(cells=[new_code_cell("x = 1"),
                             new_markdown_cell("<!-- BEGIN SOLUTION -->a<!-- END SOLUTION -->")])
    with pytest.raises(ExerciseMarkupError, match=r"04_none.ipynb has no exercise"):
        student_copy(nb, "04_none.ipynb")


def test_student_copy_blank_hint_is_no_hint():
    source = "### BEGIN SOLUTION\n# hint: \n# hint: a\nx = 1\n### END SOLUTION"
    with pytest.raises(ExerciseMarkupError, match=r"2 or more hints"):
        student_copy(_one_cell_notebook(source), "05_blank.ipynb")


# ---------------------------------------------------------------- files


def _write(path: Path, nb) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dumps(nb))
    return path


def test_dumps_round_trips_with_one_trailing_newline():
    nb = _source_notebook()
    text = dumps(nb)
    assert text.endswith("}\n") and not text.endswith("\n\n")
    assert nbformat.reads(text, as_version=4) == nb


def test_source_notebooks_and_student_path(tmp_path):
    for name in ("02_b.ipynb", "01_a.ipynb", "notes.ipynb", "1_short.ipynb", "03_c.txt"):
        _write(tmp_path / name, _source_notebook())
    _write(tmp_path / "student" / "01_a.ipynb", _source_notebook())
    assert source_notebooks(tmp_path) == [tmp_path / "01_a.ipynb", tmp_path / "02_b.ipynb"]
    assert source_notebooks(str(tmp_path))[0] == tmp_path / "01_a.ipynb"
    assert student_path(tmp_path / "01_a.ipynb") == tmp_path / "student" / "01_a.ipynb"
    assert student_path("notebooks/07_gan.ipynb") == Path("notebooks/student/07_gan.ipynb")


def test_source_notebooks_needs_a_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"notebook_dir=.*missing.* is not a folder"):
        source_notebooks(tmp_path / "missing")
    a_file = _write(tmp_path / "01_a.ipynb", _source_notebook())
    with pytest.raises(FileNotFoundError, match=r"notebook_dir=.*01_a.ipynb' is not a folder"):
        source_notebooks(a_file)


def test_render_student_copy(tmp_path):
    source = _write(tmp_path / "01_demo.ipynb", _source_notebook())
    text = render_student_copy(source)
    assert text == dumps(student_copy(nbformat.read(source, as_version=4), "01_demo.ipynb"))
    assert "01_demo.ipynb" in nbformat.reads(text, as_version=4).cells[0].source


def test_write_check_edit_cycle(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(exercises, "stale_data", lambda source: None)  # stored checks: below
    folder = tmp_path / "notebooks"
    source = _write(folder / "01_demo.ipynb", _source_notebook())
    _write(folder / "intro.ipynb", new_notebook(cells=[new_code_cell("x = 1")]))  # not a source
    copy_path = folder / "student" / "01_demo.ipynb"

    assert out_of_sync(folder) == [copy_path]  # missing
    assert main(["--check", str(folder)]) == 1
    assert f"out of sync: {copy_path}" in capsys.readouterr().out
    assert not copy_path.exists()  # --check writes nothing

    assert write_student_copies(folder) == [copy_path]
    assert copy_path.read_text() == render_student_copy(source)
    assert not (folder / "student" / "intro.ipynb").exists()
    assert out_of_sync(folder) == []
    assert write_student_copies(folder) == []  # nothing to rewrite
    assert main(["--check", str(folder)]) == 0
    assert capsys.readouterr().out == ""

    nb = nbformat.read(source, as_version=4)
    nb.cells[2].source = nb.cells[2].source.replace("print(total)", "print('a new line', total)")
    _write(source, nb)
    assert out_of_sync(folder) == [copy_path]  # stale
    assert main(["--check", str(folder)]) == 1

    assert main([str(folder)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == f"wrote {copy_path}"
    assert "a new line" in copy_path.read_text()
    assert main(["--check", str(folder)]) == 0


def test_hand_edited_student_copy_is_out_of_sync(tmp_path, monkeypatch):
    monkeypatch.setattr(exercises, "stale_data", lambda source: None)
    _write(tmp_path / "01_demo.ipynb", _source_notebook())
    (written,) = write_student_copies(tmp_path)
    written.write_text(written.read_text().replace("Your code here", "My code here"))
    assert out_of_sync(tmp_path) == [written]


def test_write_student_copies_can_strip_the_sources(tmp_path, capsys):
    nb = _source_notebook()
    source = _write(tmp_path / "01_demo.ipynb", nb)
    assert nbformat.read(source, as_version=4).cells[1].outputs  # outputs before
    assert main(["--strip", str(tmp_path)]) == 0
    stripped = nbformat.read(source, as_version=4)
    assert all(c.outputs == [] for c in stripped.cells if c.cell_type == "code")
    assert stripped.cells[1].source == FUNCTION_CELL  # only outputs go, never the solutions
    assert source.read_text() == dumps(strip_outputs(nb))
    assert (tmp_path / "student" / "01_demo.ipynb").exists()
    before = source.stat().st_mtime_ns
    write_student_copies(tmp_path, strip_sources=True)  # already clean: left alone
    assert source.stat().st_mtime_ns == before


def test_broken_markup_is_reported_by_write_and_check(tmp_path):
    source = _write(tmp_path / "01_bad.ipynb", _source_notebook())
    write_student_copies(tmp_path)
    _write(source, _one_cell_notebook("x = 1\n### END SOLUTION"))
    for action in (lambda: out_of_sync(tmp_path), lambda: write_student_copies(tmp_path),
                   lambda: main(["--check", str(tmp_path)])):
        with pytest.raises(ExerciseMarkupError, match=r"01_bad.ipynb, cell 0, line 2: END SOLUTION"):
            action()


def test_main_on_a_missing_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"notebook_dir="):
        main(["--check", str(tmp_path / "nope")])


def test_command_line_exit_status(tmp_path):
    """``python -m course_utils.exercises --check`` exits with main()'s status (1: stale)."""
    _write(tmp_path / "01_demo.ipynb", _source_notebook())
    stale = subprocess.run([sys.executable, "-m", "course_utils.exercises", "--check", str(tmp_path)],
                           capture_output=True, text=True, timeout=120)
    assert stale.returncode == 1
    assert f"out of sync: {tmp_path / 'student' / '01_demo.ipynb'}" in stale.stdout


# ---------------------------------------------------------------- regions, hints, --only


def test_solution_regions_and_replace_region():
    nb = new_notebook(cells=[new_markdown_cell("# T"), new_code_cell(FUNCTION_CELL),
                             new_code_cell(TOP_LEVEL_CELL)])
    regions = solution_regions(nb)
    assert [(r.number, r.cell, r.index_in_cell) for r in regions] == [(1, 1, 0), (2, 2, 0)]
    assert regions[0].hints == (NUDGE_1, HINT_1) and "return -np.log(std)" in regions[0].solution
    assert "hint" not in regions[0].solution
    wrong = replace_region(FUNCTION_CELL, 0, "return 0.0")
    namespace = {}
    exec(wrong, namespace)
    assert namespace["log_density"](1.0, 0.0, 1.0) == 0.0  # the wrong answer, indented in place
    assert namespace["AFTER_THE_REGION"] == "still here"
    with pytest.raises(ValueError, match=r"index_in_cell=1: the cell has only 1 solution region"):
        replace_region(FUNCTION_CELL, 1, "pass")


@pytest.mark.parametrize("hint, leak", [
    ("the equation above, term by term; look up keras.ops.exp", None),
    ("which axis holds the d latent dimensions", None),
    ("sigma = ops.exp(0.5 * log_var)", "ops.exp(0"),
    ("z equals mu plus sigma times eps, so return it", "return"),
    ("mu + ops.exp(0.5", None),  # four tokens are not enough to trip... see next case
    ("total is sum ( values ) of them", "sum ( values )"),
])
def test_hint_gives_code(hint, leak):
    solution = "z = mu + ops.exp(0.5 * log_var) * eps" if "values" not in hint else "total = sum(values)"
    found = hint_gives_code(hint, solution)
    if leak is None and hint.startswith("mu +"):
        assert found is not None  # mu + ops . exp: a run of 4 solution tokens
    elif leak is None:
        assert found is None
    else:
        assert found is not None and found.startswith(leak.split()[0][:3])


def test_write_only_some_copies(tmp_path):
    for name in ("01_a.ipynb", "02_b.ipynb"):
        (tmp_path / name).write_text(dumps(new_notebook(cells=[new_code_cell(TOP_LEVEL_CELL)])))
    written = write_student_copies(tmp_path, only=["02"])
    assert [p.name for p in written] == ["02_b.ipynb"]
    with pytest.raises(ValueError, match=r"only=\['07'\]: no source notebook numbered 07"):
        write_student_copies(tmp_path, only=["07"])


# ---------------------------------------------------------------- stored checks, hints, instructor cells

CHECKED_EXERCISE = """def double(x):
    \"\"\"Twice x.\"\"\"
    ### BEGIN SOLUTION
    # hint: what does twice mean?
    # hint: multiply by a number
    return 2 * np.asarray(x, dtype=float)
    ### END SOLUTION"""

CHECK_CELL = """# Self-check on three numbers.
x_check = np.array([1.0, 2.0, 3.0])
### BEGIN HIDDEN TESTS
expected = 2 * x_check
### END HIDDEN TESTS
cu.check_exercise("07.1", double(x_check), expected,
                  mistakes=[(x_check ** 2, "did you square it? Twice is a product with 2")],
                  description="double on three numbers")"""


def _checked_notebook():
    return new_notebook(cells=[
        new_markdown_cell("# 07 Demo"),
        new_code_cell("import numpy as np\nimport course_utils as cu"),
        new_markdown_cell("For instructors: the answer is 2x.", metadata={"tags": ["instructor"]}),
        new_code_cell(CHECKED_EXERCISE),
        new_code_cell(CHECK_CELL)])


def test_student_copy_cuts_the_check_to_key_and_result_and_drops_instructor_cells():
    student = student_copy(_checked_notebook(), "07_demo.ipynb")
    text = "\n".join(c.source for c in student.cells)
    assert "For instructors" not in text and "HIDDEN" not in text
    for secret in ("expected", "did you square", "x_check ** 2", "description", "2 * x_check",
                   "what does twice mean", "multiply by a number"):
        assert secret not in text, secret
    assert student.cells[-1].source == ("# Self-check on three numbers.\nx_check = np.array([1.0, 2.0, 3.0])\n"
                                        "cu.check_exercise('07.1', double(x_check))")


@pytest.mark.parametrize("source, match", [
    ("x = 1\n### BEGIN HIDDEN TESTS\ny = 2", "never closed"),
    ("### END HIDDEN TESTS", "END HIDDEN TESTS without BEGIN"),
    ("cu.check_exercise(result, 1.0)", "takes the key as a string first"),
])
def test_student_copy_malformed_check_markup(source, match):
    nb = _checked_notebook()
    nb.cells[4].source = source
    with pytest.raises(ExerciseMarkupError, match=match):
        student_copy(nb, "07_demo.ipynb")


def _run_student_check(nb, exercise_code=None):
    student = student_copy(nb, "07_demo.ipynb")
    namespace = {}
    exec(student.cells[2].source, namespace)  # noqa: S102 - the setup cell
    exec(exercises.replace_region(CHECKED_EXERCISE, 0, exercise_code) if exercise_code
         else nb.cells[3].source, namespace)  # noqa: S102
    exec(student.cells[-1].source, namespace)  # noqa: S102


def test_record_then_the_student_check_uses_the_stored_values(tmp_path, capsys):
    from course_utils.checks import CheckFailed
    source = _write(tmp_path / "nb" / "07_demo.ipynb", _checked_notebook())
    assert exercises.stale_data(source) == "no stored checks"
    path = exercises.record(source)
    assert path == data_path("07") and path.parent == tmp_path / "exercise_data"
    assert "did you square" not in path.read_text()  # compressed: not readable before a mistake
    stored = exercises.stored_check("07.1")
    assert stored["expected"].tolist() == [2.0, 4.0, 6.0] and stored["description"] == "double on three numbers"
    assert [m for _, m in stored["mistakes"]] == ["did you square it? Twice is a product with 2"]
    nb = _checked_notebook()
    _run_student_check(nb)
    assert "[PASS] exercise 07.1: double on three numbers" in capsys.readouterr().out
    with pytest.raises(CheckFailed, match="did you square it"):
        _run_student_check(nb, "return np.asarray(x, dtype=float) ** 2")
    with pytest.raises(CheckFailed, match="1.5 times"):
        _run_student_check(nb, "return 3 * np.asarray(x, dtype=float)")
    # Stale when the check changes, and until every backend has its values.
    missing = exercises.stale_data(source)
    assert missing.startswith("no values stored for") and exercises.current_backend() not in missing
    nb.cells[4].source = CHECK_CELL.replace("three numbers.", "3 numbers.")
    _write(source, nb)
    assert exercises.stale_data(source) == "the exercises or their checks changed since the values were stored"


def test_record_refuses_a_reference_that_fails_or_a_mistake_that_is_right(tmp_path):
    nb = _checked_notebook()
    nb.cells[4].source = CHECK_CELL.replace("expected = 2 * x_check", "expected = 3 * x_check")
    with pytest.raises(ExerciseMarkupError, match="the reference solution does not pass"):
        exercises.record(_write(tmp_path / "07_demo.ipynb", nb))
    nb.cells[4].source = CHECK_CELL.replace("(x_check ** 2,", "(x_check * 2,")
    with pytest.raises(ExerciseMarkupError, match="gives the expected values"):
        exercises.record(_write(tmp_path / "07_demo.ipynb", nb))
    nb.cells[4].source = "x_check = 1.0"
    with pytest.raises(ExerciseMarkupError, match="calls no check_exercise"):
        exercises.record(_write(tmp_path / "07_demo.ipynb", nb))


def test_hints_come_on_request_in_tiers(tmp_path, capsys):
    exercises.record(_write(tmp_path / "07_demo.ipynb", _checked_notebook()))
    first, second, third = (exercises.hint("07.1") for _ in range(3))
    assert first.startswith("Hint 1 of 2 for exercise 07.1 (ask again") and first.endswith("what does twice mean?")
    assert second.startswith("Hint 2 of 2") and second.endswith("multiply by a number")
    assert "that was the last of its 2 hints" in third
    assert capsys.readouterr().out.count("Hint ") == 2
    with pytest.raises(LookupError, match="notebook 07 has exercises 07.1"):
        exercises.hint("07.9")
    with pytest.raises(LookupError, match="no stored checks for notebook 06"):
        exercises.hint("06.1")
    with pytest.raises(ValueError, match="key="):
        exercises.hint("seven")
