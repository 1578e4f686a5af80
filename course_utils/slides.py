"""Slide metadata: mark each notebook's cells for a reveal.js deck (nbconvert, RISE).

Every cell gets ``metadata.slideshow.slide_type``, decided from its source alone, so running the
tool again changes nothing and cell sources are never touched:

- the title cell (the first cell) and each ``## `` section start a ``slide``;
- a ``### `` subsection starts a ``subslide`` (below its section, reveal.js' vertical axis);
- the code of the ``## Setup`` section (imports, ``cu.setup()``, the settings cell) is ``skip``:
  plumbing that distracts on a slide; its prose stays, so the deck says what was set up;
- a long code cell (more than ``LONG_CODE_LINES`` lines) is a ``fragment``: the slide's prose
  first, the code (and its figure) on the next click;
- everything else, figure cells included, is ``-``: it continues the current slide. The deck
  (``course_utils.publish``) shows only the figure of a cell labelled
  ``# Extra: figure code only.``, not its code.

Usage::

    python -m course_utils.slides notebooks/NN_*.ipynb           # set the metadata in place
    python -m course_utils.slides --check notebooks/NN_*.ipynb   # exit 1 if any is out of date
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

LONG_CODE_LINES = 15
FIGURE_LABEL = "# Extra: figure code only."
SETUP_HEADINGS = ("setup",)
SLIDE_TYPES = ("slide", "subslide", "fragment", "skip", "notes", "-")


def _heading(source: str) -> tuple[int, str]:
    """The level and text of a markdown cell's first line if it is a heading, else (0, '')."""
    first = source.lstrip("\n").split("\n", 1)[0]
    level = len(first) - len(first.lstrip("#"))
    if 0 < level <= 6 and first[level:level + 1] == " ":
        return level, first[level:].strip()
    return 0, ""


def is_figure_only(cell) -> bool:
    """Whether a code cell is labelled as code that only draws a figure."""
    return cell.cell_type == "code" and cell.source.lstrip().startswith(FIGURE_LABEL)


def slide_types(nb) -> list[str]:
    """The slide type of each cell of ``nb``, from the cells' sources alone."""
    types, in_setup = [], False
    for index, cell in enumerate(nb.cells):
        level, text = _heading(cell.source) if cell.cell_type == "markdown" else (0, "")
        if level == 2:
            in_setup = text.lower().rstrip(".:") in SETUP_HEADINGS
        if index == 0 or level in (1, 2):
            kind = "slide"
        elif cell.cell_type == "code" and in_setup:
            kind = "skip"
        elif level == 3 and not in_setup:
            kind = "subslide"
        elif (cell.cell_type == "code" and not is_figure_only(cell)
              and len(cell.source.strip().split("\n")) > LONG_CODE_LINES):
            kind = "fragment"
        else:
            kind = "-"
        types.append(kind)
    return types


def with_slides(nb):
    """``nb`` with every cell's ``slideshow.slide_type`` set (in place); returns ``nb``."""
    for cell, kind in zip(nb.cells, slide_types(nb)):
        cell.metadata["slideshow"] = nbformat.from_dict(
            {**cell.metadata.get("slideshow", {}), "slide_type": kind})
    return nb


def out_of_date(nb) -> list[int]:
    """Indices of the cells whose slide metadata is missing or differs from what the tool sets."""
    return [i for i, (cell, kind) in enumerate(zip(nb.cells, slide_types(nb)))
            if cell.metadata.get("slideshow", {}).get("slide_type") != kind]


def has_slides(nb) -> bool:
    """Whether any cell of ``nb`` carries slide metadata."""
    return any("slideshow" in cell.metadata for cell in nb.cells)


def _dumps(nb) -> str:
    return nbformat.writes(nb, version=4) + "\n"  # as the course stores notebooks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="notebooks (default: every notebooks/NN_*.ipynb)")
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 if any notebook's slide metadata is out of date")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted(Path("notebooks").glob("[0-9][0-9]_*.ipynb"))
    if not paths:
        parser.error("no notebooks found: give paths, or run from the repository root")
    stale = 0
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        cells = out_of_date(nb)
        if args.check:
            if cells:
                stale += 1
                print(f"{path}: slide metadata out of date in {len(cells)} cell(s), "
                      f"first cell {cells[0]}; run: python -m course_utils.slides {path}")
            continue
        text = _dumps(with_slides(nb))
        if path.read_text() != text:
            path.write_text(text)
            print(f"{path}: slide metadata set ({len(cells)} cell(s) changed)")
    if args.check and not stale:
        print(f"slide metadata up to date in {len(paths)} notebook(s)")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
