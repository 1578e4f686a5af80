"""Running pieces of a source notebook in this process, for the tests that need only some cells
(the exercise mutation test) and a summary printed at the end of the pytest run."""

from __future__ import annotations


import matplotlib

matplotlib.use("Agg")  # the cells run here draw their figures off screen

# Lines the tests print in pytest's terminal summary (conftest.pytest_terminal_summary).
SUMMARY: dict[str, list[str]] = {}


def report(section: str, line: str) -> None:
    """Add ``line`` under ``section`` in the summary printed after the tests."""
    SUMMARY.setdefault(section, []).append(line)


def run_cell(source: str, namespace: dict, where: str) -> str:
    """Execute ``source`` in ``namespace``; return what it printed (figures are closed):
    :func:`course_utils.exercises.run_cell`, the runner the stored checks are recorded with."""
    from course_utils.exercises import run_cell as run
    return run(source, namespace, where)
