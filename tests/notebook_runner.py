"""Running pieces of a source notebook in this process, for the tests that need only some cells
(the exercise mutation test) and a summary printed at the end of the pytest run."""

from __future__ import annotations

import contextlib
import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

# Lines the tests print in pytest's terminal summary (conftest.pytest_terminal_summary).
SUMMARY: dict[str, list[str]] = {}


def report(section: str, line: str) -> None:
    """Add ``line`` under ``section`` in the summary printed after the tests."""
    SUMMARY.setdefault(section, []).append(line)


def python_only(source: str) -> str:
    """A cell's source without IPython's magics and shell escapes (lines starting % or !)."""
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line
                     for line in source.split("\n"))


def run_cell(source: str, namespace: dict, where: str) -> str:
    """Execute ``source`` in ``namespace``; return what it printed (figures are closed)."""
    namespace.setdefault("__name__", "__main__")
    namespace.setdefault("display", lambda *args, **kwargs: None)
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            exec(compile(python_only(source), where, "exec"), namespace)  # noqa: S102
    finally:
        plt.close("all")
    return out.getvalue()
