"""The negative control: with no training at all, every learned gate fails and every exact one holds.

Each source notebook runs to its end (TensorFlow, ci tier) with ``COURSE_UNTRAINED=1``, which sets
every training count in its settings (``settings.TRAINING_COUNTS``) to 0, so every model
keeps its initial weights; ``COURSE_CHECK_RECORD`` makes the checks record instead of raise.
Then every check of kind ``learned`` must have failed, every ``exact`` check and exercise
self-check must have passed, and every check must say its kind. The evaluation classifier, the
course's measuring instrument, is still trained (its epochs are not a notebook setting).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from course_utils import exercises
from course_utils.backend import configured_backend
from notebook_runner import report

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = REPO / "notebooks"
SOURCES = exercises.source_notebooks(NOTEBOOK_DIR)
IDS = [p.stem for p in SOURCES]
CACHE = REPO / ".cache" / "test-untrained"  # never shared with trained runs


@pytest.mark.skipif(configured_backend() != "tensorflow",
                    reason="the negative control runs once, on TensorFlow")
@pytest.mark.parametrize("source", SOURCES, ids=IDS)
def test_untrained_models_fail_every_learned_gate(source, tmp_path, monkeypatch):
    record = tmp_path / "checks.jsonl"
    monkeypatch.setenv("COURSE_UNTRAINED", "1")
    monkeypatch.setenv("COURSE_CHECK_RECORD", str(record))
    monkeypatch.setenv("COURSE_CACHE_DIR", str(CACHE))
    monkeypatch.setenv("COURSE_TIER", "ci")
    nb = nbformat.read(source, as_version=4)
    NotebookClient(nb, timeout=900, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOK_DIR)}}).execute()
    checks = [json.loads(line) for line in record.read_text().splitlines()] if record.exists() else []
    unmarked = [c["description"] for c in checks if c["kind"] is None]
    learned = [c for c in checks if c["kind"] == "learned"]
    passed_untrained = [f"{c['description']}: {c['detail']}" for c in learned if c["passed"]]
    broken = [f"{c['description']}: {c['detail']}" for c in checks
              if c["kind"] in ("exact", "exercise") and not c["passed"]]
    exact = sum(c["kind"] == "exact" for c in checks)
    report("negative control (no training, TensorFlow, ci tier)",
           f"{source.name[:2]}: {len(learned) - len(passed_untrained)} of {len(learned)} learned gates "
           f"fail untrained; {exact - sum(c['kind'] == 'exact' for c in checks if not c['passed'])} "
           f"of {exact} exact checks hold")
    assert checks, "the notebook ran no check"
    assert not unmarked, f"checks without kind= ('learned' or 'exact'): {unmarked}"
    assert learned, "the notebook has no learned gate"
    assert not passed_untrained, "learned gates an untrained model passes:\n" + "\n".join(passed_untrained)
    assert not broken, "exact checks or self-checks that fail untrained:\n" + "\n".join(broken)
