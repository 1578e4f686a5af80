"""Shared fixtures for the unit tests of ``course_utils``.

Each unit-test module opts in to the ``hermetic`` fixture (``pytestmark``): the unit tests never
touch the network, because ``course_utils.data._host_reachable`` is replaced by a stand-in that
reports the host as unreachable (a test that needs "online" patches it again), and the
environment variables that steer tiers and data sources are cleared, so a CI job that sets
``COURSE_TIER`` or ``COURSE_DATA_SOURCE`` for the notebooks does not leak in. It is not autouse:
the notebook and offline tests in this folder must see the real probe and the real variables.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # this process only: kernels started by tests keep their own backend

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

import course_utils.backend  # noqa: E402
import course_utils.data  # noqa: E402

# The real probe, kept for the tests that exercise it against a local socket.
REAL_HOST_REACHABLE = course_utils.data._host_reachable
OFFLINE_REASON = "OSError: the unit tests never use the network"


def _never_reachable(host, port, timeout):
    return OFFLINE_REASON


@pytest.fixture
def hermetic(monkeypatch):
    """No network, no cached probes, no tier or data source chosen from outside."""
    REAL_HOST_REACHABLE.cache_clear()
    course_utils.backend._gpu_devices.cache_clear()
    monkeypatch.setattr(course_utils.data, "_host_reachable", _never_reachable)
    monkeypatch.delenv("COURSE_TIER", raising=False)
    monkeypatch.delenv("COURSE_DATA_SOURCE", raising=False)
    monkeypatch.delenv("COURSE_UNTRAINED", raising=False)
    monkeypatch.delenv("COURSE_CHECK_RECORD", raising=False)
    yield
    REAL_HOST_REACHABLE.cache_clear()
    course_utils.backend._gpu_devices.cache_clear()
    plt.close("all")


@pytest.fixture
def real_host_reachable():
    """The real (cached) network probe, for tests that aim it at local sockets only."""
    return REAL_HOST_REACHABLE


@pytest.fixture
def offline_reason():
    """The reason the stand-in probe gives for the network being out of reach."""
    return OFFLINE_REASON


@pytest.fixture
def active_backend():
    """The Keras backend this test run uses (``KERAS_BACKEND`` or keras.json)."""
    return course_utils.backend.configured_backend()


def pytest_terminal_summary(terminalreporter):
    """Print what the notebook tests measured (tests/notebook_runner.SUMMARY)."""
    import sys

    runner = sys.modules.get("notebook_runner")
    for section, lines in (getattr(runner, "SUMMARY", {}) or {}).items():
        terminalreporter.section(section)
        for line in sorted(lines):
            terminalreporter.write_line(line)
