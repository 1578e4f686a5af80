"""Executed notebooks as reveal.js decks and as a static site, offline (``make slides``, ``make site``).

Three steps, each a subcommand; ``make`` chains them and reuses executed notebooks between the
decks and the site::

    python -m course_utils.publish execute --tier ci notebooks/03_x.ipynb build/executed/ci/03_x.ipynb
    python -m course_utils.publish slides --out build/slides --reveal DIR build/executed/ci/*.ipynb
    python -m course_utils.publish site --out build/site build/executed/ci/*.ipynb

Both outputs are nbconvert templates (``course_utils/templates``) over nbconvert's own "lab"
and "reveal" templates, and load nothing from outside their folder: MathJax comes from the
``jupyter-server-mathjax`` package (PyPI), reveal.js from the npm package that ``make`` installs
into ``build/vendor``; figures are embedded in the pages. The site's index is the README's table
of notebooks, each linked to its executed page and its student copy.
"""

from __future__ import annotations

import argparse
import html
import os
import re
import shutil
import sys
import time
from pathlib import Path

import nbformat

from course_utils.slides import has_slides, is_figure_only, with_slides

TEMPLATES = Path(__file__).parent / "templates"
MATHJAX_QUERY = "MathJax.js?config=TeX-AMS-MML_HTMLorMML-full,Safe"
BUILD_KEY = "course_build"  # notebook metadata: how an executed copy was made


def mathjax_dir() -> Path:
    """MathJax 2 as the ``jupyter-server-mathjax`` package ships it."""
    try:
        import jupyter_server_mathjax
    except ImportError:
        raise SystemExit("MathJax is missing: pip install jupyter-server-mathjax "
                         "(it is in requirements.txt)") from None
    return Path(jupyter_server_mathjax.__file__).parent / "static"


def _copy_tree(source: Path, target: Path) -> None:
    if not target.exists():
        shutil.copytree(source, target)


# ------------------------------------------------------------------------------------- execute


def execute(source: Path, target: Path, tier: str, timeout: int = 1800) -> float:
    """Run ``source`` in a fresh kernel under ``tier`` (in its own folder, as Jupyter would) and
    write the executed copy to ``target``. Raises on a cell error; returns the seconds it took."""
    from nbclient import NotebookClient

    from course_utils.backend import configured_backend
    from course_utils.settings import TIER_ENV_VAR, validate_tier

    tier = validate_tier(tier)
    nb = nbformat.read(source, as_version=4)
    previous = os.environ.get(TIER_ENV_VAR)
    os.environ[TIER_ENV_VAR] = tier
    start = time.perf_counter()
    try:
        NotebookClient(nb, timeout=timeout, kernel_name="python3", store_widget_state=False,
                       resources={"metadata": {"path": str(source.parent)}}).execute()
    finally:
        if previous is None:
            os.environ.pop(TIER_ENV_VAR, None)
        else:
            os.environ[TIER_ENV_VAR] = previous
    seconds = time.perf_counter() - start
    nb.metadata[BUILD_KEY] = {"tier": tier, "backend": configured_backend(),
                              "executed": time.strftime("%Y-%m-%d"), "seconds": round(seconds, 1)}
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, target)
    return seconds


# -------------------------------------------------------------------------------------- export


def _exporter(kind: str, **traits):
    from nbconvert import HTMLExporter, SlidesExporter

    cls = SlidesExporter if kind == "reveal" else HTMLExporter
    return cls(template_name=f"course_{kind}", extra_template_basedirs=[str(TEMPLATES)], **traits)


def _build_note(nb) -> str:
    build = nb.metadata.get(BUILD_KEY)
    if not build:
        return "not executed"
    return (f"executed under tier {build['tier']} on {build['backend']}, {build['executed']}, "
            f"in {build['seconds']:.0f} s")


def deck(nb, name: str, out: Path) -> Path:
    """Write the reveal.js deck of the executed notebook ``nb`` to ``out/name.html``."""
    nb = nbformat.from_dict(nb)
    if not has_slides(nb):  # a notebook the slide tool has not marked yet: mark this copy
        with_slides(nb)
    for cell in nb.cells:  # a figure's slide shows the figure, not the code that draws it
        if is_figure_only(cell):
            cell.metadata.setdefault("transient", {})["remove_source"] = True
    exporter = _exporter("reveal", reveal_url_prefix="_static/reveal.js", reveal_scroll=True,
                         reveal_theme="white",  # "simple", the default, loads fonts from Google
                         mathjax_url=f"_static/mathjax/{MATHJAX_QUERY}")
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": name}})
    target = out / f"{name}.html"
    target.write_text(body)
    return target


def page(nb, name: str, target: Path, static: str, nav: list[tuple[str, str | None]]) -> Path:
    """Write the notebook ``nb`` as one HTML page at ``target``, with a bar of links ``nav``
    (label, href; a label without an href is shown as a note)."""
    exporter = _exporter("lab", mathjax_url=f"{static}/mathjax/{MATHJAX_QUERY}")
    body, _ = exporter.from_notebook_node(
        nbformat.from_dict(nb), resources={"metadata": {"name": name}, "course_nav": nav})
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(body)
    return target


def write_slides(executed: list[Path], out: Path, reveal: Path) -> list[Path]:
    """One deck per executed notebook in ``out``, with reveal.js (from ``reveal``) and MathJax."""
    if not (reveal / "dist" / "reveal.js").is_file():
        raise SystemExit(f"reveal.js not found in {reveal} (make installs it from npm)")
    out.mkdir(parents=True, exist_ok=True)
    for part in ("dist", "plugin"):
        _copy_tree(reveal / part, out / "_static" / "reveal.js" / part)
    _copy_tree(mathjax_dir(), out / "_static" / "mathjax")
    decks = []
    for path in executed:
        decks.append(deck(nbformat.read(path, as_version=4), path.stem, out))
        print(f"slides: {decks[-1]}")
    return decks


# ---------------------------------------------------------------------------------------- site

TABLE_ROW = re.compile(r"^\|\s*(?P<number>\d\d)\s*\|\s*\[(?P<title>[^\]]+)\]\((?P<link>[^)]+)\)\s*"
                       r"\|(?P<slides>[^|]*)\|(?P<what>.*)\|\s*$")


def readme_table(readme: str) -> list[dict]:
    """The rows of the README's table of notebooks: number, title, notebook file, slides, what."""
    rows = []
    for line in readme.splitlines():
        match = TABLE_ROW.match(line.strip())
        if match:
            rows.append({"number": match["number"], "title": match["title"].strip(),
                         "file": Path(match["link"].strip()).name,
                         "slides": match["slides"].strip(), "what": match["what"].strip()})
    return rows


def readme_intro(readme: str) -> tuple[str, str]:
    """The README's title and its first paragraph."""
    lines = readme.splitlines()
    title = next((line[2:].strip() for line in lines if line.startswith("# ")), "The course")
    paragraphs = re.split(r"\n\s*\n", readme.split("\n", 1)[1] if "\n" in readme else "")
    intro = next((p.strip() for p in paragraphs if p.strip() and not p.lstrip().startswith("#")), "")
    return title, intro


def _inline(markdown: str) -> str:
    from nbconvert.filters import markdown2html

    text = markdown2html(markdown).strip()
    return re.sub(r"^<p>(.*)</p>$", r"\1", text, flags=re.S)


INDEX = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8" />
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="icon" href="data:,">
<title>{title}</title>
<style type="text/css">
body {{ font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0;
  color: #1f2328; line-height: 1.5; }}
main {{ max-width: 1100px; margin: 0 auto; padding: 24px; }}
h1 {{ font-size: 1.9em; margin-bottom: 0.3em; }}
table {{ border-collapse: collapse; width: 100%; font-size: 14px; }}
th, td {{ border-bottom: 1px solid #d0d7de; padding: 8px; vertical-align: top; text-align: left; }}
th {{ background: #f6f8fa; }}
td.number {{ font-weight: bold; }}
td.links a {{ display: block; white-space: nowrap; }}
a {{ color: #0969da; text-decoration: none; }}
a:hover {{ text-decoration: underline; }}
.note {{ color: #59636e; font-size: 13px; }}
</style>
</head>
<body>
<main>
<h1>{title}</h1>
<p>{intro}</p>
<p class="note">Each notebook below was executed as it is published: every output and figure is
the notebook's own. The student copies stop at each exercise with a
<code>NotImplementedError</code> until you write the code; download one and open it in
JupyterLab.</p>
<table>
<thead><tr><th>#</th><th>Notebook</th><th>Student copy</th><th>Slides it follows</th>
<th>What you will see</th></tr></thead>
<tbody>
{rows}
</tbody>
</table>
</main>
</body>
</html>
"""


def write_site(executed: list[Path], out: Path, readme: Path, students: Path) -> Path:
    """The static site in ``out``: ``index.html`` from the README's table, one page per executed
    notebook, and the student copies (as pages, and as notebooks to download)."""
    out.mkdir(parents=True, exist_ok=True)
    _copy_tree(mathjax_dir(), out / "_static" / "mathjax")
    text = readme.read_text()
    rows = readme_table(text)
    if not rows:
        raise SystemExit(f"{readme}: no table of notebooks found (rows like '| 00 | [Title](...) |')")
    built = {path.name: path for path in executed}
    unknown = sorted(set(built) - {row["file"] for row in rows})
    if unknown:
        raise SystemExit(f"not in the README's table: {', '.join(unknown)}")
    html_rows = []
    for row in rows:
        stem = Path(row["file"]).stem
        title = html.escape(row["title"])
        student = students / row["file"]
        student_links = ""
        if student.is_file():
            nb = nbformat.read(student, as_version=4)
            page(nb, stem, out / "student" / f"{stem}.html", "../_static",
                 [("All notebooks", "../index.html"), ("Solved notebook", f"../{stem}.html"),
                  ("Download this student copy (.ipynb)", f"{stem}.ipynb")])
            shutil.copyfile(student, out / "student" / row["file"])
            student_links = (f'<a href="student/{stem}.html">read</a>'
                             f'<a href="student/{row["file"]}" download>download .ipynb</a>')
        if row["file"] in built:
            nb = nbformat.read(built[row["file"]], as_version=4)
            nav = [("All notebooks", "index.html")]
            if student_links:
                nav.append(("Student copy", f"student/{stem}.html"))
            nav.append((_build_note(nb), None))
            page(nb, stem, out / f"{stem}.html", "_static", nav)
            print(f"site: {out / (stem + '.html')}")
            topic = f'<a href="{stem}.html">{title}</a>'
        else:
            topic = f'{title} <span class="note">(not built)</span>'
        html_rows.append(f'<tr><td class="number">{row["number"]}</td><td>{topic}</td>'
                         f'<td class="links">{student_links}</td><td>{_inline(row["slides"])}</td>'
                         f'<td>{_inline(row["what"])}</td></tr>')
    title, intro = readme_intro(text)
    index = out / "index.html"
    index.write_text(INDEX.format(title=html.escape(title), intro=_inline(intro),
                                  rows="\n".join(html_rows)))
    print(f"site: {index}")
    return index


# ---------------------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("execute", help="execute one notebook under a tier")
    run.add_argument("--tier", default="ci")
    run.add_argument("--timeout", type=int, default=1800, help="seconds per cell")
    run.add_argument("source", type=Path)
    run.add_argument("target", type=Path)
    slides = commands.add_parser("slides", help="a reveal.js deck per executed notebook")
    slides.add_argument("--out", type=Path, default=Path("build/slides"))
    slides.add_argument("--reveal", type=Path, default=Path("build/vendor/node_modules/reveal.js"))
    slides.add_argument("executed", nargs="+", type=Path)
    site = commands.add_parser("site", help="a static site of the executed notebooks")
    site.add_argument("--out", type=Path, default=Path("build/site"))
    site.add_argument("--readme", type=Path, default=Path("README.md"))
    site.add_argument("--students", type=Path, default=Path("notebooks/student"))
    site.add_argument("executed", nargs="+", type=Path)
    args = parser.parse_args(argv)
    if args.command == "execute":
        seconds = execute(args.source, args.target, args.tier, args.timeout)
        print(f"executed {args.source} under tier {args.tier} in {seconds:.0f} s -> {args.target}")
    elif args.command == "slides":
        write_slides(args.executed, args.out, args.reveal)
    else:
        write_site(args.executed, args.out, args.readme, args.students)
    return 0


if __name__ == "__main__":
    sys.exit(main())
