"""Decks and site (course_utils.publish): the README's table, pages that load nothing from outside.

Fast: no kernel runs here; the browser tests (tests/test_browser.py) load real pages.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from course_utils import publish

pytestmark = pytest.mark.usefixtures("hermetic")

ROOT = Path(__file__).resolve().parent.parent
# src= and href= that load something (scripts, styles, images), not links a reader follows.
LOADS = re.compile(r"<(?:script|link|img)\b[^>]*?(?:src|href)=[\"']([^\"']+)[\"']", re.I)
PNG = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")


def _executed():
    nb = new_notebook(cells=[
        new_markdown_cell("# 00 · A title\n\nInline $x^2$ and display math:\n\n$$p(x) = 1$$"),
        new_markdown_cell("## Setup"),
        new_code_cell("import course_utils as cu"),
        new_markdown_cell("## 1. A figure"),
        new_code_cell("# Extra: figure code only.\nplot_the_secret_figure()",
                      outputs=[new_output("display_data", data={"image/png": PNG})]),
    ])
    nb.metadata[publish.BUILD_KEY] = {"tier": "ci", "backend": "tensorflow",
                                      "executed": "2026-01-01", "seconds": 3.0}
    return nb


def _external_loads(html: str) -> list[str]:
    return [url for url in LOADS.findall(html) if re.match(r"(https?:)?//", url)]


def test_readme_table_lists_every_notebook():
    rows = publish.readme_table((ROOT / "README.md").read_text())
    files = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert sorted(row["file"] for row in rows) == files
    assert all(row["title"] and row["what"] for row in rows)
    title, intro = publish.readme_intro((ROOT / "README.md").read_text())
    assert title and intro and not intro.startswith("#")


def test_readme_table_parses_a_row():
    rows = publish.readme_table("| # | Topic |\n|---|---|\n"
                                "| 07 | [GANs](notebooks/07_gans.ipynb) | minimax | a *DCGAN* |\n")
    assert rows == [{"number": "07", "title": "GANs", "file": "07_gans.ipynb",
                     "slides": "minimax", "what": "a *DCGAN*"}]


def test_deck_loads_nothing_from_outside_and_shows_figures_not_their_code(tmp_path):
    path = publish.deck(_executed(), "00_x", tmp_path)
    html = path.read_text()
    assert _external_loads(html) == []
    assert "_static/reveal.js/dist/reveal.js" in html and "_static/mathjax/MathJax.js" in html
    assert "plot_the_secret_figure" not in html  # a figure-only cell shows its figure only
    assert "data:image/png;base64," in html
    assert html.count("<section") >= 3  # title, setup and one section (slides from the tool)


def test_page_loads_nothing_from_outside_and_links_back(tmp_path):
    target = publish.page(_executed(), "00_x", tmp_path / "00_x.html", "_static",
                          [("All notebooks", "index.html")])
    html = target.read_text()
    assert _external_loads(html) == []
    assert '<a href="index.html">All notebooks</a>' in html
    assert "_static/mathjax/MathJax.js" in html and "plot_the_secret_figure" in html


def test_write_site_builds_the_index_from_the_readme(tmp_path, monkeypatch):
    monkeypatch.setattr(publish, "mathjax_dir", lambda: tmp_path / "mathjax")
    (tmp_path / "mathjax").mkdir()
    readme = tmp_path / "README.md"
    readme.write_text("# The course\n\nA first paragraph.\n\n| # | Topic | Slides | What |\n"
                      "|---|---|---|---|\n| 00 | [A title](notebooks/00_x.ipynb) | s | a **w** |\n"
                      "| 01 | [Not built](notebooks/01_y.ipynb) | s | w |\n")
    executed = tmp_path / "executed" / "00_x.ipynb"
    executed.parent.mkdir()
    nbformat.write(_executed(), executed)
    students = tmp_path / "student"
    students.mkdir()
    nbformat.write(new_notebook(cells=[new_code_cell("raise NotImplementedError('Exercise 1')")]),
                   students / "00_x.ipynb")
    index = publish.write_site([executed], tmp_path / "site", readme, students)
    html = index.read_text()
    assert "<h1>The course</h1>" in html and "A first paragraph." in html
    assert '<a href="00_x.html">A title</a>' in html and "<strong>w</strong>" in html
    assert "Not built" in html and '<a href="01_y.html"' not in html
    assert (tmp_path / "site" / "00_x.html").is_file()
    assert (tmp_path / "site" / "student" / "00_x.html").is_file()
    assert (tmp_path / "site" / "student" / "00_x.ipynb").is_file()
    assert "executed under tier ci on tensorflow" in (tmp_path / "site" / "00_x.html").read_text()
    assert _external_loads(html) == []


def test_write_site_rejects_a_notebook_missing_from_the_table(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("| 00 | [A](notebooks/00_x.ipynb) | s | w |\n")
    stray = tmp_path / "05_z.ipynb"
    nbformat.write(_executed(), stray)
    with pytest.raises(SystemExit, match="not in the README's table: 05_z.ipynb"):
        publish.write_site([stray], tmp_path / "site", readme, tmp_path)


def test_write_slides_needs_reveal(tmp_path):
    with pytest.raises(SystemExit, match="reveal.js not found"):
        publish.write_slides([], tmp_path / "slides", tmp_path / "nowhere")
